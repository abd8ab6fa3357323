"""Polite HTTP fetching: robots.txt, a per-host delay, size limits, and errors in our own words.

Every request, the robots.txt ones included, goes through one ``Fetcher``, so the
politeness rules hold wherever collection runs. Redirects are followed by hand, one hop
at a time, because each hop may land on another host whose robots.txt and delay apply.

A 429 answer, or a 503 with ``Retry-After``, pauses the whole host, not just the URL: for
as long as ``Retry-After`` says (seconds or an HTTP date), else for a back-off that doubles
while the host keeps refusing; a bare 503 is an outage like any 5xx, and the source backs
off. Short pauses are waited out and the request tried once more; longer ones make every
request to the host fail at once with ``RateLimited``, so a cycle moves on to other sites
and the poller schedules the source after the pause.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from core.errors import ContentTooLarge, FetchError, ForbiddenAddress, RobotsDisallowed, UnsupportedContent
from crawlers.netguard import NetGuard

log = logging.getLogger("pressdesk.crawlers")

# RFC 9309 asks crawlers not to trust a robots.txt for longer than a day; a failed read is
# retried sooner so that a short outage does not lock a site out for long.
_ROBOTS_TTL = 24 * 3600.0
_ROBOTS_RETRY = 600.0
# RFC 9309 lets crawlers stop reading robots.txt at 500 KiB.
_ROBOTS_MAX_BYTES = 500 * 1024
_ROBOTS_UNREACHABLE = "robots.txt unreachable"
#: Statuses by which a server says "too many requests" or "not now".
RATE_LIMIT_STATUSES = (429, 503)


class RateLimited(FetchError):
    """The host answered 429/503, or is still paused after doing so.

    Attributes:
        retry_after: seconds until the host may be asked again.
    """

    def __init__(self, url: str, reason: str, retry_after: float) -> None:
        super().__init__(url, reason)
        self.retry_after = retry_after


def retry_after_seconds(value: str, now: datetime | None = None) -> float | None:
    """The wait a ``Retry-After`` header asks for, in seconds.

    Args:
        value: the header: delta-seconds (``"120"``) or an HTTP date.
        now: the current time for an HTTP date (default: the clock).

    Returns:
        seconds (0 for a date in the past); ``None`` when the header is absent or unreadable.
    """
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def rate_limit_pause(retry_after: float | None, strikes: int, *, floor: float, backoff: float, cap: float) -> float:
    """How long to leave a host alone after its ``strikes``-th 429/503 in a row.

    The server's ``Retry-After`` is honoured when given; without it the pause is
    ``backoff`` doubling with each strike. Never shorter than ``floor`` (the normal delay),
    never longer than ``cap``, so a bogus header cannot lock a site out for a year.
    """
    wanted = retry_after if retry_after is not None else backoff * 2.0 ** min(max(strikes - 1, 0), 20)
    return min(cap, max(floor, wanted))


@dataclass(frozen=True)
class FetchedPage:
    """One successful response, read in full.

    Attributes:
        url: the URL that was asked for.
        final_url: where the response came from after redirects.
        status: the HTTP status (below 400: error statuses raise ``FetchError``); 304 when
            the server says a conditional request found nothing new (the body is then empty).
        content_type: the ``Content-Type`` header, ``""`` when absent.
        body: the decoded (decompressed) body.
        headers: the response headers, names lower-cased, repeated headers comma-joined.
    """

    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str]

    @property
    def not_modified(self) -> bool:
        """True for a 304 answer to a conditional request: the caller keeps what it had."""
        return self.status == 304


@dataclass(frozen=True)
class _Robots:
    """What one origin's robots.txt allows.

    ``parser`` is ``None`` when there is nothing to obey (no robots.txt) or nothing could be
    read; ``refusal`` then says why every URL is refused, and ``unreachable`` whether the
    site could not be reached at all (as opposed to answering with a server error).
    """

    parser: RobotFileParser | None
    expires: float
    refusal: str = ""
    unreachable: bool = False

    def crawl_delay(self, user_agent: str) -> float:
        delay = self.parser.crawl_delay(user_agent) if self.parser else None
        return float(delay) if delay is not None else 0.0


@dataclass(frozen=True)
class _Reply:
    """A response read in full; ``location`` is set when it is a redirect not yet followed."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    location: str = ""


@dataclass
class _Host:
    """Per-host state; ``lock`` serialises requests to the host so the delay holds across threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    last_request: float | None = None
    robots: dict[str, _Robots] = field(default_factory=dict)
    paused_until: float = 0.0  # monotonic time before which the host must not be asked (429/503)
    strikes: int = 0  # 429/503 answers in a row


class Fetcher:
    """A polite, synchronous fetcher shared by all collection jobs.

    Args:
        user_agent: sent on every request and matched against robots.txt groups.
        min_delay: seconds to leave between two requests to the same host (robots.txt
            ``Crawl-delay`` wins when larger).
        timeout: seconds allowed for connecting and for the whole body to arrive.
        max_bytes: largest body accepted, counted after decompression.
        max_redirects: redirect hops followed before giving up.
        guard: outbound safety (``crawlers.netguard``): refuses internal addresses on every
            connection, redirects and robots.txt included. ``None`` only for code that fetches
            fixed, trusted URLs; ``pressdesk.wiring.make_fetcher`` always sets one.
        max_wait: a 429/503 pause up to this long is waited out and the request retried
            once; longer pauses fail at once with ``RateLimited``.
        backoff: the pause after a 429/503 without ``Retry-After`` (doubles while it repeats).
        max_backoff: the longest pause, whatever ``Retry-After`` says.

    The constructor does no I/O; the HTTP client opens on the first fetch.
    """

    def __init__(
        self,
        user_agent: str,
        min_delay: float = 2.0,
        timeout: float = 20.0,
        max_bytes: int = 10 * 1024 * 1024,
        max_redirects: int = 5,
        *,
        guard: NetGuard | None = None,
        max_wait: float = 30.0,
        backoff: float = 60.0,
        max_backoff: float = 3600.0,
    ) -> None:
        self.user_agent = user_agent
        self.guard = guard
        self.max_wait = max_wait
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.min_delay = min_delay
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self._client: httpx.Client | None = None
        self._client_lock = threading.Lock()
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP client; a later fetch opens a new one."""
        with self._client_lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def fetch(self, url: str, *, headers: Mapping[str, str] | None = None, accept: Collection[str] = ()) -> FetchedPage:
        """Fetch ``url`` politely, following redirects.

        Args:
            url: what to fetch.
            headers: extra request headers, e.g. ``If-None-Match`` and ``If-Modified-Since``
                for a conditional request (a 304 answer then comes back, not an error).
            accept: media-type fragments the caller can read (``"html"``, ``"xml"``); a
                response whose ``Content-Type`` names none of them is refused before its body
                is read. Empty accepts anything; a missing ``Content-Type`` always passes.

        Returns:
            the final response with its full, decompressed body.

        Raises:
            RobotsDisallowed: robots.txt of the URL's site (or of a redirect target) forbids
                it, or answered with a server error.
            ContentTooLarge: the body went over ``max_bytes``.
            UnsupportedContent: the content type is not in ``accept``.
            RateLimited: the host answered 429/503 (after one retry when its pause was
                short), or is paused for longer than ``max_wait``.
            FetchError: anything else: robots.txt unreachable, network failure, timeout,
                HTTP status >= 400, too many redirects, an undecodable body.
        """
        try:
            try:
                return self._follow(url, headers, accept)
            except RateLimited as exc:
                if exc.retry_after > self.max_wait:
                    raise
                # A short pause: the next attempt waits it out (see _fetch_once), once.
                return self._follow(url, headers, accept)
        except FetchError as exc:
            # Debug only: the caller knows the source and logs the failure once, with it.
            if exc.url == url:
                log.debug("fetch failed: %s: %s", url, exc.reason)
                raise
            # Report against the URL the caller asked for, saying where the redirects led.
            reason = f"{exc.reason} (redirected to {exc.url})"
            error = (
                RateLimited(url, reason, exc.retry_after) if isinstance(exc, RateLimited) else type(exc)(url, reason)
            )
            log.debug("fetch failed: %s: %s", url, error.reason)
            raise error from exc

    def _follow(self, url: str, headers: Mapping[str, str] | None, accept: Collection[str]) -> FetchedPage:
        """Fetch ``url`` hop by hop through its redirects."""
        current = url
        for _ in range(self.max_redirects + 1):
            reply = self._fetch_once(current, dict(headers or {}), tuple(accept))
            if not reply.location:
                return FetchedPage(
                    url=url,
                    final_url=reply.url,
                    status=reply.status,
                    content_type=reply.headers.get("content-type", ""),
                    body=reply.body,
                    headers=reply.headers,
                )
            current = reply.location
        raise FetchError(url, f"too many redirects (more than {self.max_redirects})")

    def robots_sitemaps(self, url: str) -> tuple[str, ...]:
        """The ``Sitemap:`` URLs in robots.txt of ``url``'s site, read politely and cached.

        Returns:
            the sitemap URLs in file order; empty when there is no robots.txt or it cannot be read.
        """
        try:
            parts = urlsplit(url)
            hostname = parts.hostname
        except ValueError:
            return ()
        if parts.scheme not in ("http", "https") or not hostname:
            return ()
        host = self._host(hostname)
        with host.lock:
            robots = self._robots(host, f"{parts.scheme}://{parts.netloc}")
        return tuple(robots.parser.site_maps() or ()) if robots.parser else ()

    def _fetch_once(self, url: str, headers: dict[str, str], accept: tuple[str, ...]) -> _Reply:
        """One hop: robots.txt check, delay, request."""
        try:
            parts = urlsplit(url)
            hostname = parts.hostname
        except ValueError as exc:
            raise FetchError(url, f"invalid URL: {exc}") from exc
        if parts.scheme not in ("http", "https") or not hostname:
            raise FetchError(url, "not an http(s) URL")
        if self.guard is not None:
            self.guard.check_url(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        host = self._host(hostname)
        with host.lock:
            robots = self._robots(host, origin)
            if robots.unreachable:
                raise FetchError(url, robots.refusal)
            if robots.refusal:
                raise RobotsDisallowed(url, robots.refusal)
            if robots.parser is not None and not robots.parser.can_fetch(self.user_agent, url):
                raise RobotsDisallowed(url, f"robots.txt of {origin} disallows this URL")
            paused = host.paused_until - time.monotonic()
            if paused > self.max_wait:
                raise RateLimited(
                    url,
                    f"paused: {hostname} answered 429/503 and asked us to wait; {paused:.0f}s left",
                    paused,
                )
            _wait_since(host.last_request, max(self.min_delay, robots.crawl_delay(self.user_agent)))
            _wait_since(host.paused_until, 0.0)
            try:
                reply = self._get(
                    url,
                    follow_redirects=False,
                    limit=self.max_bytes,
                    error_status=True,
                    headers=headers,
                    accept=accept,
                )
            except RateLimited as exc:
                host.strikes += 1
                pause = rate_limit_pause(
                    exc.retry_after if exc.retry_after >= 0 else None,
                    host.strikes,
                    floor=self.min_delay,
                    backoff=self.backoff,
                    cap=self.max_backoff,
                )
                host.paused_until = time.monotonic() + pause
                log.debug("%s answered %s; pausing requests to it for %.0fs", hostname, exc.reason, pause)
                raise RateLimited(url, exc.reason, pause) from exc
            finally:
                host.last_request = time.monotonic()
            host.strikes = 0
            return reply

    def _robots(self, host: _Host, origin: str) -> _Robots:
        """The cached robots.txt rules of ``origin``, read now when missing or stale."""
        cached = host.robots.get(origin)
        if cached is not None and cached.expires > time.monotonic():
            return cached
        _wait_since(host.last_request, self.min_delay)
        try:
            reply = self._get(
                f"{origin}/robots.txt", follow_redirects=True, limit=_ROBOTS_MAX_BYTES, error_status=False
            )
            rules = _read_robots(reply)
        except ForbiddenAddress:
            raise  # the site itself is refused: say so, rather than "robots.txt unreachable"
        except FetchError as exc:
            rules = _Robots(
                None,
                time.monotonic() + _ROBOTS_RETRY,
                f"{_ROBOTS_UNREACHABLE} ({exc.reason}); not fetching until it can be read",
                unreachable=True,
            )
        finally:
            host.last_request = time.monotonic()
        host.robots[origin] = rules
        return rules

    def _get(
        self,
        url: str,
        *,
        follow_redirects: bool,
        limit: int,
        error_status: bool,
        headers: dict[str, str] | None = None,
        accept: tuple[str, ...] = (),
    ) -> _Reply:
        """GET ``url`` and read the body within ``limit`` bytes and the time budget.

        When redirects are not followed, a redirect comes back with its ``location`` and no body.
        """
        started = time.monotonic()
        try:
            with self._http().stream("GET", url, follow_redirects=follow_redirects, headers=headers) as response:
                final_url = str(response.url)
                received = dict(response.headers.items())
                if response.has_redirect_location and not follow_redirects:
                    return _Reply(final_url, response.status_code, received, b"", _location(url, response))
                if response.is_redirect and response.status_code != 304 and not follow_redirects:
                    raise FetchError(url, f"redirect without a Location (HTTP {response.status_code})")
                if error_status and response.status_code in RATE_LIMIT_STATUSES:
                    header = received.get("retry-after", "")
                    asked = retry_after_seconds(header)
                    # A 503 without Retry-After is an ordinary outage (the source backs off);
                    # a 429, or a 503 that says how long, is the site asking us to slow down.
                    if response.status_code == 429 or asked is not None:
                        said = f" (Retry-After: {header.strip()})" if asked is not None else ""
                        # -1: no usable Retry-After, the caller uses its own back-off.
                        raise RateLimited(url, f"HTTP {response.status_code}{said}", -1.0 if asked is None else asked)
                if error_status and response.status_code >= 400:
                    raise FetchError(url, f"HTTP {response.status_code}")
                _check_type(url, received.get("content-type", ""), accept)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise ContentTooLarge(url, f"body of {int(declared)} bytes is over the {limit}-byte limit")
                chunks: list[bytes] = []
                size = 0
                # iter_bytes decompresses chunk by chunk, so a gzip bomb is stopped once the
                # decompressed size passes the limit, not after all of it is in memory.
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise ContentTooLarge(url, f"body over the {limit}-byte limit (after decompression)")
                    if time.monotonic() - started > self.timeout:
                        raise FetchError(url, f"timed out after {self.timeout:g}s")
                    chunks.append(chunk)
                return _Reply(final_url, response.status_code, received, b"".join(chunks))
        except ForbiddenAddress as exc:
            # Raised by the guard at connect time, where only the host is known.
            raise exc if exc.url == url else ForbiddenAddress(url, exc.reason) from exc
        except httpx.HTTPError as exc:
            raise FetchError(url, self._reason(exc)) from exc
        except (httpx.InvalidURL, httpx.StreamError) as exc:
            raise FetchError(url, f"invalid request: {exc}") from exc

    def _reason(self, exc: httpx.HTTPError) -> str:
        """A short, readable reason for a transport failure."""
        tls = _tls_cause(exc)
        if tls is not None:
            return f"TLS error: {tls}"
        if isinstance(exc, httpx.TimeoutException):
            return f"timed out after {self.timeout:g}s"
        if isinstance(exc, httpx.ConnectError):
            return f"connection failed: {exc}"
        if isinstance(exc, httpx.TooManyRedirects):
            return f"too many redirects (more than {self.max_redirects})"
        if isinstance(exc, httpx.DecodingError):
            return f"undecodable body: {exc}"
        return f"{type(exc).__name__}: {exc}"

    def _host(self, hostname: str) -> _Host:
        with self._hosts_lock:
            return self._hosts.setdefault(hostname, _Host())

    def _http(self) -> httpx.Client:
        with self._client_lock:
            if self._client is None:
                self._client = httpx.Client(
                    headers={"User-Agent": self.user_agent},
                    timeout=self.timeout,
                    max_redirects=self.max_redirects,
                    # A proxy from the environment would connect on our behalf, past the guard.
                    transport=self.guard.transport() if self.guard is not None else None,
                    trust_env=self.guard is None,
                )
            return self._client


#: Reason prefixes this module writes, mapped to the short kind that source health counts.
_KINDS = (
    ("TLS error", "tls"),
    ("timed out", "timeout"),
    ("too many redirects", "redirects"),
    ("invalid redirect", "redirects"),
    ("redirect without", "redirects"),
    ("connection failed", "connection"),
    ("undecodable body", "decoding"),
    ("invalid URL", "invalid_url"),
    ("not an http", "invalid_url"),
    ("paused", "backoff"),
)


def failure_kind(exc: FetchError) -> str:
    """The kind of a fetch failure, for counting in source health (``"http_404"``, ``"tls"``, ...).

    Kinds are few and stable so that an office can see at a glance whether a source is
    gone (``http_404``), blocked (``robots``), misconfigured (``tls``) or just slow.
    """
    if isinstance(exc, RobotsDisallowed):
        return "robots"
    if isinstance(exc, ContentTooLarge):
        return "too_large"
    if isinstance(exc, UnsupportedContent):
        return "content_type"
    if isinstance(exc, ForbiddenAddress):
        return "forbidden_address"
    # A site whose robots.txt cannot be read failed for the same reason as its pages would.
    reason = exc.reason.removeprefix(_ROBOTS_UNREACHABLE + " (")
    if reason.startswith("HTTP "):
        return "http_" + reason[5:8]
    return next((kind for prefix, kind in _KINDS if reason.startswith(prefix)), "fetch")


def _tls_cause(exc: BaseException) -> ssl.SSLError | None:
    """The TLS error behind an httpx error, if any (httpx wraps it twice; a few links suffice)."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None or isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _check_type(url: str, content_type: str, accept: tuple[str, ...]) -> None:
    """Refuse a body the caller cannot read, before spending bandwidth on it."""
    media = content_type.split(";", 1)[0].strip().lower()
    if accept and media and not any(token in media for token in accept):
        raise UnsupportedContent(url, f"content type {media} is not one we read here ({', '.join(accept)})")


def _location(url: str, response: httpx.Response) -> str:
    """The absolute URL a redirect points to."""
    try:
        return urljoin(str(response.url), response.headers["location"])
    except ValueError as exc:
        raise FetchError(url, f"invalid redirect location: {exc}") from exc


def _read_robots(reply: _Reply) -> _Robots:
    """Rules from a robots.txt response, following RFC 9309 for error statuses."""
    if reply.status >= 500 or reply.status == 429:
        # A server error on robots.txt means the whole site is off limits for now, and for
        # longer when the server says so.
        asked = retry_after_seconds(reply.headers.get("retry-after", "")) or 0.0
        return _Robots(
            None,
            time.monotonic() + max(_ROBOTS_RETRY, min(asked, 24 * 3600.0)),
            f"robots.txt answered HTTP {reply.status}; treating the site as disallowed until it can be read",
        )
    if reply.status >= 400:
        # No robots.txt (404, 410, even 401/403) means no restrictions.
        return _Robots(None, time.monotonic() + _ROBOTS_TTL)
    parser = RobotFileParser()
    parser.parse(reply.body.decode("utf-8", errors="replace").splitlines())
    return _Robots(parser, time.monotonic() + _ROBOTS_TTL)


def _wait_since(last_request: float | None, delay: float) -> None:
    """Sleep until ``delay`` seconds have passed since ``last_request`` (a monotonic time)."""
    if last_request is None:
        return
    deadline = last_request + delay
    while (remaining := deadline - time.monotonic()) > 0:
        time.sleep(remaining)
