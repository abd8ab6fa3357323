"""What the parent process asks the spider process to crawl, and what comes back.

Twisted's reactor cannot be restarted inside one process, so every crawl runs in a child
process (``python -m crawlers.spiders JOB.json``). These records are the whole contract
between the two: a job file in, JSON lines out. Page bodies travel as base64 of the raw
bytes, so that extraction decodes legacy Vietnamese encodings exactly as it does for
pages fetched by the ``Fetcher``.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

#: The ``line`` field of each JSON line the spider process writes.
PAGE, PROBLEM, LISTED = "page", "problem", "listed"


@dataclass(frozen=True, slots=True)
class ListingTarget:
    """One listing source as the spider sees it.

    Attributes:
        source_id: the configured source id (counted against in health).
        listing_urls: section or listing pages whose links lead to articles.
        article_pattern: a regular expression an article URL must match (searched, not
            anchored); empty: any link inside ``article_css`` on the same site.
        article_css: a CSS selector for the elements that hold article links (``a``
            elements themselves, or containers of them); empty: the whole page.
        delay_seconds: the least time between two requests to this site.
        max_articles: article links followed per listing page, newest (first) first.
    """

    source_id: str
    listing_urls: tuple[str, ...]
    article_pattern: str = ""
    article_css: str = ""
    delay_seconds: float = 2.0
    max_articles: int = 100


@dataclass(frozen=True, slots=True)
class CrawlJob:
    """Everything one spider run needs, written as JSON for the child process.

    Attributes:
        targets: the listing sources to crawl.
        user_agent: sent on every request and matched against robots.txt.
        output: the JSON-lines file the spider appends its findings to.
        job_dir: Scrapy's JOBDIR: the pending queue and seen requests, so that an
            interrupted crawl resumes where it stopped; removed when a crawl finishes.
        cache_dir: Scrapy's HTTP cache; article pages are answered from it on later runs.
        timeout: seconds allowed per request.
        max_bytes: the largest body accepted.
        max_wait: a 429/503 pause up to this long is waited out inside the crawl and the
            request retried; a longer one gives the request up and pauses the site.
        max_backoff: the longest pause a 429/503 may impose, whatever ``Retry-After`` says.
        cache_days: how long a cached article page is reused (0: for ever).
        autothrottle: let Scrapy's AutoThrottle slow down further for slow sites.
        allow_hosts: internal hosts the operator trusts (``PRESSDESK_FETCH_ALLOW_HOSTS``);
            every other internal address is refused, as the ``Fetcher`` does.
    """

    targets: tuple[ListingTarget, ...]
    user_agent: str
    output: Path
    job_dir: Path
    cache_dir: Path
    timeout: float = 20.0
    max_bytes: int = 10 * 1024 * 1024
    max_wait: float = 60.0
    max_backoff: float = 3600.0
    cache_days: float = 30.0
    autothrottle: bool = True
    allow_hosts: tuple[str, ...] = ()

    def to_json(self) -> str:
        data = asdict(self)
        for key in ("output", "job_dir", "cache_dir"):
            data[key] = str(data[key])
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> CrawlJob:
        data: dict[str, Any] = json.loads(text)
        targets = tuple(ListingTarget(**{**t, "listing_urls": tuple(t["listing_urls"])}) for t in data.pop("targets"))
        for key in ("output", "job_dir", "cache_dir"):
            data[key] = Path(data[key])
        data["allow_hosts"] = tuple(data.get("allow_hosts", ()))
        return cls(targets=targets, **data)


@dataclass(frozen=True, slots=True)
class CrawledPage:
    """An article page the spider fetched (or found in its HTTP cache).

    Attributes:
        source_id: the listing source that linked to it.
        url: the link as found on the listing page.
        final_url: where the page came from after redirects.
        title: the link's text on the listing page (``""`` when it had none).
        status: the HTTP status.
        content_type: the ``Content-Type`` header.
        body: the raw body bytes.
        cached: True when answered from the HTTP cache without a request.
    """

    source_id: str
    url: str
    final_url: str
    title: str
    status: int
    content_type: str
    body: bytes
    cached: bool = False

    def as_json(self) -> dict[str, object]:
        data = {k: v for k, v in asdict(self).items() if k != "body"}
        return {"line": PAGE, **data, "body": base64.b64encode(self.body).decode("ascii")}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CrawledPage:
        fields = {k: v for k, v in data.items() if k not in ("line", "body")}
        return cls(**fields, body=base64.b64decode(data["body"]))


@dataclass(frozen=True, slots=True)
class CrawlProblem:
    """A request that failed, in the words source health uses.

    Attributes:
        source_id: the listing source it belongs to.
        url: the URL that failed.
        kind: ``robots``, ``http_404``, ``http_429``, ``timeout``, ``content_type``, ...
        reason: a short readable reason.
        listing: True when a listing page failed (the source's poll failed), False for an
            article page.
        retry_after: seconds the site asked us to wait (429/503 with ``Retry-After``).
    """

    source_id: str
    url: str
    kind: str
    reason: str
    listing: bool = False
    retry_after: float | None = None

    def as_json(self) -> dict[str, object]:
        return {"line": PROBLEM, **asdict(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CrawlProblem:
        return cls(**{k: v for k, v in data.items() if k != "line"})


@dataclass(frozen=True, slots=True)
class ListedLinks:
    """The article links one listing page held (after the pattern and selector).

    Attributes:
        source_id: the listing source.
        listing_url: the listing page.
        links: ``(url, link text)`` pairs in page order, duplicates removed.
    """

    source_id: str
    listing_url: str
    links: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def as_json(self) -> dict[str, object]:
        return {"line": LISTED, "source_id": self.source_id, "listing_url": self.listing_url, "links": self.links}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ListedLinks:
        links = tuple((str(url), str(text)) for url, text in data["links"])
        return cls(str(data["source_id"]), str(data["listing_url"]), links)
