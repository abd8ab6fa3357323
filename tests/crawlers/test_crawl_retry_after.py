"""The Fetcher and the poller honour 429/503 with Retry-After: the host is paused and the source waits."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from core.enums import SourceKind
from core.source import Outlet, Source
from crawlers import Fetcher, Poller, SourceState, failure_kind, source_health
from crawlers.fetch import RateLimited, rate_limit_pause, retry_after_seconds

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
TEXT = (("Content-Type", "text/plain"),)


class _Sequenced(dict[str, Any]):
    """Routes where a path may answer differently the first times it is asked."""

    def __init__(self, routes: dict[str, Any], first: dict[str, list[Any]]) -> None:
        super().__init__(routes)
        self.first = first
        self.lock = threading.Lock()

    def get(self, path: str, default: Any = None) -> Any:  # type: ignore[override]
        with self.lock:
            if self.first.get(path):
                return self.first[path].pop(0)
        return super().get(path, default)


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds(" 0 ") == 0.0
    assert retry_after_seconds(format_datetime(NOW + timedelta(minutes=5), usegmt=True), NOW) == 300.0
    assert retry_after_seconds(format_datetime(NOW - timedelta(minutes=5), usegmt=True), NOW) == 0.0
    assert retry_after_seconds("") is None
    assert retry_after_seconds("soon, please") is None
    assert retry_after_seconds("-5") is None


def test_pause_honours_the_server_else_doubles_and_is_capped() -> None:
    assert rate_limit_pause(120.0, 1, floor=2.0, backoff=60.0, cap=3600.0) == 120.0
    assert rate_limit_pause(0.0, 1, floor=2.0, backoff=60.0, cap=3600.0) == 2.0  # never below the delay
    assert [rate_limit_pause(None, n, floor=2.0, backoff=60.0, cap=3600.0) for n in (1, 2, 3)] == [60, 120, 240]
    assert rate_limit_pause(10**9, 1, floor=2.0, backoff=60.0, cap=3600.0) == 3600.0  # a bogus header is capped


def test_a_short_retry_after_is_waited_out_and_the_request_tried_again(
    serve: Callable[..., Any], route: Any, user_agent: str
) -> None:
    busy = route(b"slow down", 429, (*TEXT, ("Retry-After", "1")))
    site = serve(_Sequenced({"/page.html": route(b"<p>ok</p>")}, {"/page.html": [busy]}))
    with Fetcher(user_agent, min_delay=0.0) as fetcher:
        page = fetcher.fetch(site.url("/page.html"))
    asked = [r.at for r in site.received if r.path == "/page.html"]
    assert page.body == b"<p>ok</p>"
    assert len(asked) == 2 and asked[1] - asked[0] >= 1.0


def test_a_long_retry_after_pauses_the_whole_host(serve: Callable[..., Any], route: Any, user_agent: str) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(hours=2), usegmt=True)
    site = serve(
        {
            "/a.html": route(b"maintenance", 503, (*TEXT, ("Retry-After", later))),
            "/b.html": route(b"<p>b</p>"),
        }
    )
    with Fetcher(user_agent, min_delay=0.0, max_backoff=6 * 3600.0) as fetcher:
        with pytest.raises(RateLimited) as refused:
            fetcher.fetch(site.url("/a.html"))
        with pytest.raises(RateLimited) as paused:
            fetcher.fetch(site.url("/b.html"))
    assert refused.value.reason == f"HTTP 503 (Retry-After: {later})"
    assert failure_kind(refused.value) == "http_503"
    assert 7000 < refused.value.retry_after <= 7200
    assert failure_kind(paused.value) == "backoff"
    assert "/b.html" not in site.paths()  # not asked while the host is paused
    assert site.paths().count("/a.html") == 1  # too long to wait: not retried


def test_a_bare_503_stays_an_ordinary_failure(serve: Callable[..., Any], route: Any, user_agent: str) -> None:
    site = serve({"/a.html": route(b"busy", 503, TEXT), "/b.html": route(b"<p>b</p>")})
    with Fetcher(user_agent, min_delay=0.0) as fetcher:
        with pytest.raises(Exception) as failed:
            fetcher.fetch(site.url("/a.html"))
        page = fetcher.fetch(site.url("/b.html"))
    assert type(failed.value) is not RateLimited and failed.value.args[0].endswith("HTTP 503")
    assert page.body == b"<p>b</p>"


@pytest.fixture
def state(tmp_path: Path) -> Iterator[SourceState]:
    opened = SourceState(tmp_path / "sources.db")
    yield opened
    opened.close()


def test_the_poller_waits_as_long_as_the_site_asked_and_health_shows_it(
    serve: Callable[..., Any], route: Any, user_agent: str, state: SourceState
) -> None:
    site = serve({"/feed.rss": route(b"too many", 429, (*TEXT, ("Retry-After", "7200")))})
    source = Source("bao-thu", site.url("/feed.rss"), Outlet("Báo thử"), interval_minutes=30)
    with Fetcher(user_agent, min_delay=0.0, max_backoff=6 * 3600.0) as fetcher:
        result = Poller(fetcher, state).poll(source, NOW)
    assert result.record.next_due is not None
    # One interval would be 30 minutes; the site asked for two hours.
    assert result.record.next_due - NOW >= timedelta(seconds=7200)
    [row] = source_health(state, [source], NOW)
    assert row.status == "failing"
    assert row.errors == {"http_429": 1}
    assert row.last_error == "HTTP 429 (Retry-After: 7200)"
    assert row.next_due == result.record.next_due


def test_a_listing_outcome_is_recorded_like_a_poll(user_agent: str, state: SourceState) -> None:
    source = Source(
        "bao-thu.listing",
        "https://baothu.example/tin-moi/",
        Outlet("Báo thử"),
        kind=SourceKind.LISTING,
        article_pattern=r"\.html$",
    )
    poller = Poller(Fetcher(user_agent), state)
    refused = poller.record_listing(
        source, NOW, (), problem="HTTP 429 (Retry-After: 5400)", kind="http_429", retry_after=5400.0
    )
    assert refused.record.failures == 1
    assert refused.record.next_due == NOW + timedelta(seconds=5400)
    assert poller.poll(source, NOW).outcome.value == "skipped"  # the poller leaves listings to the spiders
    [row] = source_health(state, [source], NOW)
    assert (row.status, row.errors, row.last_error) == ("failing", {"http_429": 1}, "HTTP 429 (Retry-After: 5400)")
