"""Per-site politeness for the spiders: a delay floor, longer pauses after 429/503, no internal addresses.

Scrapy's own delay is per download slot and AutoThrottle may lower it to the global
``DOWNLOAD_DELAY``; a site that asked for more (its source's ``delay_seconds``) must get
it whatever AutoThrottle thinks, so ``HostPoliteness`` keeps its own per-host clock. It
sits next to the downloader, after the HTTP cache, so only requests that really reach a
site wait, and cached article pages come back at once.

A 429 or 503 pauses the whole host: for its ``Retry-After`` (seconds or HTTP date), else
for a back-off that doubles while the host keeps refusing. A pause up to
``PRESSDESK_MAX_WAIT`` is waited out and the request retried; a longer one gives the
request up (its errback reports it, with the pause) and every later request to the host
in this crawl is dropped with ``HostPaused``, so the crawl ends and the source is
scheduled after the pause.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Self
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.extensions.httpcache import DummyPolicy
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from twisted.internet.defer import Deferred

from core.errors import ForbiddenAddress
from crawlers.fetch import RATE_LIMIT_STATUSES, rate_limit_pause, retry_after_seconds
from crawlers.netguard import NetGuard

log = logging.getLogger("pressdesk.crawlers.spiders")

#: Request meta keys this module reads and writes.
LISTING_META = "pressdesk_listing"
STRIKES_META = "pressdesk_rate_limited"
_SENT_META = "pressdesk_sent"
#: A request is tried at most this many times after 429/503 answers before it is given up.
MAX_RATE_LIMIT_RETRIES = 3
#: Without ``Retry-After``, the first pause; it doubles while the host keeps refusing.
DEFAULT_BACKOFF = 30.0
#: A robots.txt ``Crawl-delay`` above this is read as this (a typo must not stall a crawl for hours).
MAX_CRAWL_DELAY = 300.0


class HostPaused(IgnoreRequest):
    """The host answered 429/503 and asked for a pause longer than the crawl waits.

    Attributes:
        retry_after: seconds left until the host may be asked again.
    """

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class _HostClock:
    next_free: float = 0.0  # monotonic time the next request may leave (reservations)
    last_done: float = 0.0  # when the last answer (or failure) from the host arrived
    paused_until: float = 0.0
    strikes: int = 0
    in_flight: int = 0
    idle: asyncio.Event | None = None  # set while nothing is in flight; made inside the event loop


class HostPoliteness:
    """Downloader middleware: per-host delay floor, 429/503 pauses, and the outbound guard.

    Settings: ``PRESSDESK_SITE_DELAYS`` (host → seconds), ``DOWNLOAD_DELAY`` (the floor for
    other hosts), ``PRESSDESK_MAX_WAIT``, ``PRESSDESK_MAX_BACKOFF``, ``PRESSDESK_ALLOW_HOSTS``.
    A robots.txt ``Crawl-delay`` longer than a site's delay replaces it.
    """

    def __init__(
        self,
        delays: dict[str, float],
        default_delay: float,
        *,
        max_wait: float,
        max_backoff: float,
        guard: NetGuard,
        idle_timeout: float = 60.0,
    ) -> None:
        self.delays = delays
        self.default_delay = default_delay
        self.max_wait = max_wait
        self.max_backoff = max_backoff
        self.guard = guard
        self.idle_timeout = idle_timeout
        self.user_agent = ""
        self._hosts: dict[str, _HostClock] = {}
        self._checked: set[tuple[str, int]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        delays = {str(k): float(v) for k, v in settings.getdict("PRESSDESK_SITE_DELAYS").items()}
        middleware = cls(
            delays,
            settings.getfloat("DOWNLOAD_DELAY"),
            max_wait=settings.getfloat("PRESSDESK_MAX_WAIT", 60.0),
            max_backoff=settings.getfloat("PRESSDESK_MAX_BACKOFF", 3600.0),
            guard=NetGuard.allowing(settings.getlist("PRESSDESK_ALLOW_HOSTS")),
            idle_timeout=settings.getfloat("DOWNLOAD_TIMEOUT", 180.0) + 5.0,
        )
        middleware.user_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT") or ""
        crawler.signals.connect(middleware._closed, signal=signals.spider_closed)
        crawler.signals.connect(middleware._robots_parsed, signal=signals.robots_parsed)
        return middleware

    def _robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        """A robots.txt ``Crawl-delay`` longer than the site's delay wins, as in the ``Fetcher``."""
        asked = robotparser.crawl_delay(self.user_agent)
        if asked:
            host = urlsplit(request.url).hostname or ""
            self.delays[host] = max(self.delays.get(host, self.default_delay), min(float(asked), MAX_CRAWL_DELAY))

    def _closed(self) -> None:
        self._hosts.clear()

    def _clock(self, host: str) -> _HostClock:
        return self._hosts.setdefault(host, _HostClock())

    async def process_request(self, request: Request) -> None:
        """Refuse internal addresses, drop requests to a paused host, and wait for the host's turn."""
        parts = urlsplit(request.url)
        host = parts.hostname or ""
        await self._guard(request.url, host, parts.port or (443 if parts.scheme == "https" else 80))
        clock = self._clock(host)
        delay = self.delays.get(host, self.default_delay)
        while True:
            if clock.in_flight:
                # The delay counts from the previous answer, as the Fetcher's does: a slow
                # site is not sent the next request the moment it finishes the last one.
                await self._until_idle(clock)
                continue
            now = time.monotonic()
            paused = clock.paused_until - now
            if paused > self.max_wait:
                raise HostPaused(f"{host} answered 429/503 and asked us to wait; {paused:.0f}s left", paused)
            # Reserve a turn before sleeping, so that concurrent requests queue one delay apart.
            start = max(now, clock.next_free, clock.paused_until, clock.last_done + delay)
            clock.next_free = start + delay
            if start > now:
                await asyncio.sleep(start - now)
            # Someone went first, or a 429/503 arrived while this request waited: take a new turn.
            if clock.in_flight or clock.paused_until > start or clock.last_done + delay > start:
                continue
            clock.in_flight += 1
            if clock.idle is not None:
                clock.idle.clear()
            request.meta[_SENT_META] = True
            return

    async def _until_idle(self, clock: _HostClock) -> None:
        if clock.idle is None:
            clock.idle = asyncio.Event()
        try:
            await asyncio.wait_for(clock.idle.wait(), timeout=self.idle_timeout)
        except TimeoutError:
            # An answer that never came back through here must not stall the host for ever.
            self._done(clock)

    def _done(self, clock: _HostClock) -> None:
        clock.in_flight = max(0, clock.in_flight - 1)
        clock.last_done = time.monotonic()
        if not clock.in_flight and clock.idle is not None:
            clock.idle.set()

    def process_exception(self, request: Request, exception: Exception) -> None:
        """A failed download frees the host's turn (the failure itself goes on to the errback)."""
        if request.meta.pop(_SENT_META, False):
            self._done(self._clock(urlsplit(request.url).hostname or ""))

    async def _guard(self, url: str, host: str, port: int) -> None:
        try:
            self.guard.check_url(url)
            if host and not self.guard.allowed_host(host) and (host, port) not in self._checked:
                # Resolved in a thread: the reactor must not block on DNS.
                await asyncio.get_running_loop().run_in_executor(None, self.guard.addresses, host, port)
                self._checked.add((host, port))
        except ForbiddenAddress as exc:
            raise IgnoreRequest(f"forbidden_address: {exc.reason}") from exc
        except OSError:
            return  # the name does not resolve: the download fails with Scrapy's own DNS error

    def process_response(self, request: Request, response: Response) -> Request | Response:
        """On 429/503, pause the host and retry (short pause) or give the request up (long pause)."""
        host = urlsplit(request.url).hostname or ""
        clock = self._clock(host)
        if request.meta.pop(_SENT_META, False):  # not set on answers from the HTTP cache
            self._done(clock)
        if response.status not in RATE_LIMIT_STATUSES:
            clock.strikes = 0
            return response
        clock.strikes += 1
        header = response.headers.get("Retry-After", b"") or b""
        asked = retry_after_seconds(header.decode("latin-1"))
        pause = rate_limit_pause(
            asked,
            clock.strikes,
            floor=self.delays.get(host, self.default_delay),
            backoff=DEFAULT_BACKOFF,
            cap=self.max_backoff,
        )
        clock.paused_until = max(clock.paused_until, time.monotonic() + pause)
        tries = int(request.meta.get(STRIKES_META, 0)) + 1
        if pause > self.max_wait or tries > MAX_RATE_LIMIT_RETRIES:
            log.warning("%s answered HTTP %d; giving up %s (pause %.0fs)", host, response.status, request.url, pause)
            return response  # HttpError reaches the spider's errback, which reports the pause
        log.info("%s answered HTTP %d; retrying %s after %.1fs", host, response.status, request.url, pause)
        retry = request.replace(dont_filter=True)
        retry.meta[STRIKES_META] = tries
        return retry


class PoliteRobots(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, made to hold when many requests wait for one robots.txt.

    Scrapy 2.19 shares one Deferred among the requests waiting for a site's robots.txt;
    only the first waiter receives the parser and the others receive ``None``, which the
    stock middleware reads as "no robots.txt: allow everything". That happens as soon as
    a resumed crawl starts with several queued requests to one site. The parser is kept
    on the middleware by then, so a waiter that got ``None`` reads it from there.

    As the ``Fetcher`` does (RFC 9309), a robots.txt answered with a server error or 429
    means the whole site is off limits for this crawl.
    """

    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = await super().robot_parser(request)
        if parser is None:
            kept = self._parsers.get(urlsplit(request.url).netloc)
            if kept is not None and not isinstance(kept, Deferred):
                return kept
        return parser

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500 or response.status == 429:
            log.warning("robots.txt of %s answered HTTP %d; not crawling the site now", netloc, response.status)
            response = response.replace(body=b"User-agent: *\nDisallow: /\n")
        await super()._parse_robots(response, netloc, request)


class ArticleCachePolicy(DummyPolicy):
    """Cache article pages (they rarely change once published), never listing pages or robots.txt.

    Listing pages are what changes; reading them from a cache would hide new articles.
    Articles answered from the cache on a later run cost the site nothing.
    """

    def should_cache_request(self, request: Request) -> bool:
        if request.meta.get(LISTING_META) or urlsplit(request.url).path == "/robots.txt":
            return False
        return super().should_cache_request(request)

    def should_cache_response(self, response: Response, request: Request) -> bool:
        # Only a page that came back whole: an error, a redirect or a 429 is asked again next time.
        return response.status == 200
