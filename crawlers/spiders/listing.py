"""The listing spider: section and listing pages → article links → article pages.

For sites without a usable feed. Each listing source names its listing pages and how to
tell an article link from a menu link (a URL pattern, a CSS selector, or both). The
spider reads every listing page afresh, follows the article links it finds on the same
site, and hands each article page's raw bytes, with the link text as a provisional title,
to the same extraction and storage path that feed entries take.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import IO, Any, Self
from urllib.parse import urljoin, urlsplit

import scrapy
from parsel import Selector as ParselSelector
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawlers.fetch import retry_after_seconds
from crawlers.spiders.job import CrawledPage, CrawlJob, CrawlProblem, ListedLinks, ListingTarget
from crawlers.spiders.politeness import LISTING_META, HostPaused

#: Request meta keys: the source a request belongs to, and the link text that led to it.
SOURCE_META = "pressdesk_source"
TITLE_META = "pressdesk_title"


class ListingSpider(scrapy.Spider):
    """Crawls the listing pages of a ``CrawlJob`` and yields article pages and problems.

    Args:
        job: what to crawl (its targets and limits).
    """

    name = "pressdesk-listing"

    def __init__(self, job: CrawlJob, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.job = job
        self.targets = {target.source_id: target for target in job.targets}
        self._patterns = {t.source_id: re.compile(t.article_pattern) for t in job.targets if t.article_pattern}

    async def start(self) -> AsyncIterator[Any]:
        for target in self.job.targets:
            for url in target.listing_urls:
                # dont_filter: a listing page is read on every run (and on resume), because it changes.
                yield scrapy.Request(
                    url,
                    callback=self.parse_listing,
                    errback=self.failed,
                    dont_filter=True,
                    priority=10,
                    meta={SOURCE_META: target.source_id, LISTING_META: True},
                )

    def parse_listing(self, response: Response) -> Iterator[Any]:
        """Yield the listing's article links (as a record) and a request for each."""
        target = self.targets[response.meta[SOURCE_META]]
        if not _is_html(response):
            yield _problem(
                target, response.url, "content_type", f"listing page is {_media(response)}, not HTML", listing=True
            )
            return
        links = article_links(response, target, self._patterns.get(target.source_id))
        yield ListedLinks(target.source_id, response.url, links).as_json()
        for url, title in links:
            yield scrapy.Request(
                url,
                callback=self.parse_article,
                errback=self.failed,
                meta={SOURCE_META: target.source_id, TITLE_META: title},
            )

    def parse_article(self, response: Response) -> Iterator[Any]:
        """Yield the article page's raw bytes for extraction in the parent process."""
        target = self.targets[response.meta[SOURCE_META]]
        if not _is_html(response):
            yield _problem(target, response.url, "content_type", f"content type {_media(response)} is not HTML")
            return
        redirected = response.meta.get("redirect_urls") or [response.url]
        yield CrawledPage(
            source_id=target.source_id,
            url=str(redirected[0]),
            final_url=response.url,
            title=str(response.meta.get(TITLE_META, "")),
            status=response.status,
            content_type=_media(response),
            body=response.body,
            cached="cached" in response.flags,
        ).as_json()

    def failed(self, failure: Failure) -> Iterator[Any]:
        """Report a failed request in the kinds source health counts."""
        request = getattr(failure, "request", None)
        meta = request.meta if request is not None else {}
        target = self.targets.get(str(meta.get(SOURCE_META, "")))
        if target is None:
            return
        url = request.url if request is not None else ""
        listing = bool(meta.get(LISTING_META))
        kind, reason, retry_after = failure_reason(failure)
        yield _problem(target, url, kind, reason, listing=listing, retry_after=retry_after)


def article_links(
    response: Response, target: ListingTarget, pattern: re.Pattern[str] | None
) -> tuple[tuple[str, str], ...]:
    """The article links of a listing page: inside ``article_css``, matching ``article_pattern``, same site.

    Returns:
        ``(absolute URL without fragment, link text)`` pairs in page order, each URL once,
        at most ``target.max_articles``.
    """
    scope = response.css(target.article_css) if target.article_css else response.css("body")
    anchors: list[ParselSelector] = []
    for node in scope:
        anchors += [node] if getattr(node.root, "tag", "") == "a" else list(node.css("a[href]"))
    own_host = urlsplit(response.url).hostname
    found: dict[str, str] = {}
    for anchor in anchors:
        href = anchor.attrib.get("href", "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        url = urljoin(response.url, href).split("#", 1)[0]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.hostname != own_host:
            continue
        if pattern is not None and not pattern.search(url):
            continue
        if url not in found:
            found[url] = " ".join(" ".join(anchor.css("::text").getall()).split())
    return tuple(found.items())[: target.max_articles]


#: Transport failures by a word of their exception's name: (word, kind, reason prefix).
_TRANSPORT = (
    ("Timeout", "timeout", "timed out"),
    ("DNS", "connection", "connection failed"),
    ("Connect", "connection", "connection failed"),
    ("SSL", "tls", "TLS error"),
    ("TLS", "tls", "TLS error"),
    ("Cancelled", "too_large", "body over the size limit"),
)


def failure_reason(failure: Failure) -> tuple[str, str, float | None]:
    """``(kind, reason, retry_after)`` for a failed request, in the Fetcher's vocabulary."""
    error = failure.value
    if isinstance(error, HostPaused):
        return "backoff", f"paused: {error}", error.retry_after
    if isinstance(error, HttpError):
        response = error.response
        header = (response.headers.get("Retry-After", b"") or b"").decode("latin-1")
        said = f" (Retry-After: {header.strip()})" if header.strip() else ""
        return f"http_{response.status}", f"HTTP {response.status}{said}", retry_after_seconds(header)
    message = str(error)
    if isinstance(error, IgnoreRequest):
        if message.startswith("forbidden_address"):
            return "forbidden_address", message.removeprefix("forbidden_address: "), None
        if "robots.txt" in message:
            return "robots", "robots.txt disallows this URL", None
        return "ignored", message or "request dropped", None
    name = type(error).__name__
    kind, words = next(((k, w) for token, k, w in _TRANSPORT if token in name), ("fetch", name))
    return kind, f"{words}: {message}", None


class JsonLinesOutput:
    """Item pipeline: append each record to the job's output file, one JSON line each, flushed.

    Flushed line by line so that the parent process keeps what an interrupted crawl found.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.settings.get("PRESSDESK_OUTPUT"))

    def open_spider(self) -> None:
        self._handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close_spider

    def close_spider(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        if self._handle is not None:
            self._handle.write(json.dumps(item, ensure_ascii=False) + "\n")
            self._handle.flush()
        return item


def _problem(
    target: ListingTarget, url: str, kind: str, reason: str, *, listing: bool = False, retry_after: float | None = None
) -> dict[str, object]:
    return CrawlProblem(target.source_id, url, kind, reason, listing, retry_after).as_json()


def _media(response: Response) -> str:
    raw = response.headers.get("Content-Type", b"") or b""
    return raw.decode("latin-1").split(";", 1)[0].strip().lower() or "(none)"


def _is_html(response: Response) -> bool:
    media = _media(response)
    return "html" in media or media == "(none)"
