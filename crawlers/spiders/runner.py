"""Run the listing spider in a child process and read back what it found.

The parent never imports Scrapy: it writes a ``CrawlJob``, starts
``python -m crawlers.spiders``, follows the output file for progress, and turns the JSON
lines into ``CrawledPage``, ``CrawlProblem`` and ``ListedLinks`` records. State lives
under ``<data dir>/spiders/``: ``httpcache/`` (article pages), ``job/`` (Scrapy's JOBDIR
while a crawl is unfinished), ``pages.jsonl`` (findings not yet handed on) and
``crawl.log`` (the last crawl's Scrapy log).
"""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.enums import SourceKind
from core.errors import ConfigError
from core.source import Source
from crawlers.feeds import FeedEntry
from crawlers.spiders.job import LISTED, PAGE, PROBLEM, CrawledPage, CrawlJob, CrawlProblem, ListedLinks, ListingTarget

log = logging.getLogger("pressdesk.crawlers.spiders")

#: Seconds a stopped crawl gets to save its job directory before it is killed.
_STOP_GRACE = 30.0


@dataclass(frozen=True)
class ListingCrawl:
    """What one spider run found.

    Attributes:
        pages: article pages fetched or answered from the HTTP cache.
        problems: failed requests (listing and article pages).
        listed: the article links of each listing page read.
        finish_reason: Scrapy's reason (``finished``, ``shutdown`` when stopped, ...), or
            ``failed: ...`` when the process itself failed.
        seconds: wall time of the run.
        stats: request counts reported by the spider process.
    """

    pages: tuple[CrawledPage, ...] = ()
    problems: tuple[CrawlProblem, ...] = ()
    listed: tuple[ListedLinks, ...] = ()
    finish_reason: str = ""
    seconds: float = 0.0
    stats: dict[str, int] | None = None

    @property
    def finished(self) -> bool:
        """True when the crawl ran to its end (nothing left to resume)."""
        return self.finish_reason == "finished"

    def entries(self, source_id: str) -> tuple[FeedEntry, ...]:
        """The article links the source's listing pages held, as feed entries (title from the link)."""
        found: dict[str, FeedEntry] = {}
        for listed in self.listed:
            if listed.source_id == source_id:
                for url, title in listed.links:
                    found.setdefault(url, FeedEntry(url=url, title=title, summary="", published=None))
        return tuple(found.values())

    def listing_problems(self, source_id: str) -> tuple[CrawlProblem, ...]:
        """Failures of the source's listing pages (not of its articles)."""
        return tuple(p for p in self.problems if p.source_id == source_id and p.listing)


class SpiderRunner:
    """Starts listing crawls in a child process; shared state under ``<data_dir>/spiders``.

    Args:
        user_agent: the contact User-Agent (``Settings.user_agent``).
        data_dir: the deployment's data directory.
        delay: the least seconds between two requests to a site (a source may ask for more).
        timeout: seconds per request.
        max_bytes: the largest page accepted.
        allow_hosts: internal hosts the operator trusts (``PRESSDESK_FETCH_ALLOW_HOSTS``).
        time_limit: a crawl running longer is stopped cleanly (and resumes next time).
        autothrottle: let AutoThrottle slow down further for slow sites.

    The constructor does no I/O.
    """

    def __init__(
        self,
        user_agent: str,
        data_dir: Path,
        *,
        delay: float = 2.0,
        timeout: float = 20.0,
        max_bytes: int = 10 * 1024 * 1024,
        allow_hosts: Sequence[str] = (),
        time_limit: float = 3600.0,
        autothrottle: bool = True,
    ) -> None:
        self.user_agent = user_agent
        self.folder = data_dir / "spiders"
        self.delay = delay
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.allow_hosts = tuple(allow_hosts)
        self.time_limit = time_limit
        self.autothrottle = autothrottle

    @property
    def job_dir(self) -> Path:
        return self.folder / "job"

    @property
    def output(self) -> Path:
        return self.folder / "pages.jsonl"

    def job(self, sources: Sequence[Source]) -> CrawlJob:
        """The crawl job for the ``listing`` sources among ``sources``."""
        targets = tuple(
            ListingTarget(
                source_id=s.id,
                listing_urls=tuple(dict.fromkeys((s.url, *s.listing_urls))),
                article_pattern=s.article_pattern,
                article_css=s.article_css,
                delay_seconds=max(self.delay, s.delay_seconds or 0.0),
            )
            for s in sources
            if s.kind is SourceKind.LISTING
        )
        return CrawlJob(
            targets=targets,
            user_agent=self.user_agent,
            output=self.output,
            job_dir=self.job_dir,
            cache_dir=self.folder / "httpcache",
            timeout=self.timeout,
            max_bytes=self.max_bytes,
            autothrottle=self.autothrottle,
            allow_hosts=self.allow_hosts,
        )

    def run(
        self,
        sources: Sequence[Source],
        progress: Callable[[int], None] | None = None,
        stop: threading.Event | None = None,
    ) -> ListingCrawl:
        """Crawl the ``listing`` sources among ``sources`` and return what was found.

        Findings left by an earlier crawl that was interrupted are included. A crawl over
        ``time_limit`` is stopped cleanly; what it found is returned and the rest is
        resumed by the next run.

        Args:
            sources: configured sources; those of other kinds are ignored.
            progress: called with the number of records read so far, as they arrive.
            stop: when set, the crawl is stopped cleanly (a scheduler shutting down); what
                it found is returned and the next run resumes the rest.

        Raises:
            ConfigError: the data directory cannot be written.
        """
        job = self.job(sources)
        if not job.targets:
            return ListingCrawl(finish_reason="finished")
        started = time.monotonic()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            job_file = self.folder / "job.json"
            job_file.write_text(job.to_json(), encoding="utf-8")
            log_file = (self.folder / "crawl.log").open("w", encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot write the spider state under {self.folder}: {exc.strerror}") from exc
        with (
            log_file,
            subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
                [sys.executable, "-m", "crawlers.spiders", str(job_file)],
                stdout=subprocess.PIPE,
                stderr=log_file,
                text=True,
            ) as child,
        ):
            self._wait(child, started, progress, stop)
            summary = child.stdout.read() if child.stdout else ""
        return self._collect(summary, child.returncode, time.monotonic() - started)

    def _wait(
        self,
        child: subprocess.Popen[str],
        started: float,
        progress: Callable[[int], None] | None,
        stop: threading.Event | None,
    ) -> None:
        """Wait for the child, reporting progress; stop it cleanly past the time limit or when asked."""
        stopping_since: float | None = None
        while child.poll() is None:
            time.sleep(0.1)
            if progress is not None:
                progress(_count_lines(self.output))
            over = time.monotonic() - started > self.time_limit
            if stopping_since is None and (over or (stop is not None and stop.is_set())):
                if over:
                    log.warning("crawl over its %.0fs limit; stopping it (it resumes next time)", self.time_limit)
                # Scrapy's first SIGINT closes the spider cleanly and keeps the job directory.
                child.send_signal(signal.SIGINT)
                stopping_since = time.monotonic()
            elif stopping_since is not None and time.monotonic() - stopping_since > _STOP_GRACE:
                child.kill()
        if progress is not None:
            progress(_count_lines(self.output))

    def _collect(self, summary: str, returncode: int, seconds: float) -> ListingCrawl:
        pages: list[CrawledPage] = []
        problems: list[CrawlProblem] = []
        listed: list[ListedLinks] = []
        try:
            lines = self.output.read_text(encoding="utf-8").splitlines() if self.output.exists() else []
        except OSError as exc:
            raise ConfigError(f"cannot read the spider output {self.output}: {exc.strerror}") from exc
        for line in lines:
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short when the process was killed
            kind = data.get("line")
            if kind == PAGE:
                pages.append(CrawledPage.from_json(data))
            elif kind == PROBLEM:
                problems.append(CrawlProblem.from_json(data))
            elif kind == LISTED:
                listed.append(ListedLinks.from_json(data))
        # Handed on: the caller now owns these findings (the crawl ledger remembers them).
        self.output.unlink(missing_ok=True)
        stats: dict[str, int] = {}
        reason = f"failed: exit status {returncode}; see {self.folder / 'crawl.log'}"
        for line in summary.splitlines()[-1:]:
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                break
            reason = str(data.pop("finish_reason", reason))
            stats = {str(k): int(v) for k, v in data.items()}
        return ListingCrawl(tuple(pages), tuple(problems), tuple(listed), reason, round(seconds, 2), stats)


def _count_lines(path: Path) -> int:
    try:
        with path.open("rb") as handle:
            return sum(1 for _ in handle)
    except OSError:
        return 0
