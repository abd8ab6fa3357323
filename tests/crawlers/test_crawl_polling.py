"""Polling against a real local server: conditional GET checked by a fingerprint, adaptive intervals, back-off."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.enums import SourceKind
from core.source import Outlet, Source
from crawlers import Fetcher, Poller, PollOutcome, PollPolicy, SourceRecord, SourceState

NOW = datetime(2024, 6, 2, 8, 0, tzinfo=UTC)
RSS = (("Content-Type", "application/rss+xml; charset=utf-8"),)
MINUTE = 60.0


def rss(*slugs: str, built: str = "Sun, 02 Jun 2024 08:00:00 +0000") -> bytes:
    """A small RSS feed listing ``slugs``; ``built`` is the lastBuildDate that many servers change on every request."""
    items = "".join(f"<item><title>Tin {s}</title><link>/tin/{s}.html</link></item>" for s in slugs)
    return (
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Báo thử</title>"
        f"<lastBuildDate>{built}</lastBuildDate>{items}</channel></rss>"
    ).encode()


def feed_source(site: Any, path: str = "/feed.rss", *, priority: bool = False, interval: int = 30) -> Source:
    return Source(
        id="bao-thu", url=site.url(path), outlet=Outlet("Báo thử"), priority=priority, interval_minutes=interval
    )


@pytest.fixture
def state(tmp_path: Path) -> Iterator[SourceState]:
    opened = SourceState(tmp_path / "sources.db")
    yield opened
    opened.close()


@pytest.fixture
def poller(user_agent: str, state: SourceState) -> Iterator[Poller]:
    with Fetcher(user_agent, min_delay=0.0, timeout=2.0) as fetcher:
        yield Poller(fetcher, state)


@pytest.fixture
def feed_site(serve: Callable[..., Any], route: Any) -> Any:
    return serve({"/feed.rss": route(rss("a", "b"), headers=RSS)})


def test_constructors_do_no_io(tmp_path: Path, site: Any, user_agent: str) -> None:
    Poller(Fetcher(user_agent), SourceState(tmp_path / "state" / "sources.db"))
    assert not (tmp_path / "state").exists()
    assert site.received == []


def test_first_poll_reads_everything_and_keeps_the_configured_interval(
    poller: Poller, feed_site: Any, tmp_path: Path
) -> None:
    result = poller.poll(feed_source(feed_site), NOW)
    assert result.outcome is PollOutcome.CHANGED
    assert [e.url for e in result.entries] == [feed_site.url("/tin/a.html"), feed_site.url("/tin/b.html")]
    assert result.new_entries == 2
    assert result.record.interval_seconds == 30 * MINUTE
    assert result.record.next_due == NOW + timedelta(minutes=30)
    reopened = SourceState(tmp_path / "sources.db")
    assert reopened.get("bao-thu") == result.record
    reopened.close()


def test_conditional_get_with_etag_gets_a_304_and_polls_later(
    poller: Poller, serve: Callable[..., Any], route: Any
) -> None:
    site = serve({"/feed.rss": route(rss("a"), headers=RSS, etag='"v1"')})
    source = feed_source(site)
    poller.poll(source, NOW)
    later = NOW + timedelta(minutes=30)
    result = poller.poll(source, later)
    assert site.received[-1].headers["if-none-match"] == '"v1"'
    assert result.outcome is PollOutcome.NOT_MODIFIED
    assert result.entries == ()
    assert result.record.interval_seconds == 45 * MINUTE
    assert result.record.next_due == later + timedelta(minutes=45)
    assert result.record.last_success_at == later
    assert result.record.not_modified_streak == 1


def test_conditional_get_with_last_modified(poller: Poller, serve: Callable[..., Any], route: Any) -> None:
    stamp = "Sun, 02 Jun 2024 07:00:00 GMT"
    site = serve({"/feed.rss": route(rss("a"), headers=RSS, last_modified=stamp)})
    poller.poll(feed_source(site), NOW)
    result = poller.poll(feed_source(site), NOW + timedelta(minutes=30))
    assert site.received[-1].headers["if-modified-since"] == stamp
    assert "if-none-match" not in site.received[-1].headers
    assert result.outcome is PollOutcome.NOT_MODIFIED


def test_same_etag_with_a_changed_body_is_caught_by_the_fingerprint(
    poller: Poller, serve: Callable[..., Any], route: Any
) -> None:
    # This server sends one ETag for ever and ignores If-None-Match (it answers 200 each time).
    headers = (*RSS, ("ETag", '"same"'))
    site = serve({"/feed.rss": route(rss("a"), headers=headers)})
    source = feed_source(site)
    poller.poll(source, NOW)
    site.routes["/feed.rss"] = route(rss("a", "new"), headers=headers)
    changed = poller.poll(source, NOW + timedelta(minutes=30))
    assert site.received[-1].headers["if-none-match"] == '"same"'
    assert changed.outcome is PollOutcome.CHANGED
    assert changed.new_entries == 1
    assert not changed.record.validators_trusted
    poller.poll(source, NOW + timedelta(minutes=60))
    assert "if-none-match" not in site.received[-1].headers  # its validators are no longer trusted


def test_a_new_build_date_alone_is_not_a_change(poller: Poller, serve: Callable[..., Any], route: Any) -> None:
    site = serve({"/feed.rss": route(rss("a", built="Sun, 02 Jun 2024 08:00:00 +0000"), headers=RSS)})
    poller.poll(feed_source(site), NOW)
    site.routes["/feed.rss"] = route(rss("a", built="Sun, 02 Jun 2024 08:30:00 +0000"), headers=RSS)
    result = poller.poll(feed_source(site), NOW + timedelta(minutes=30))
    assert result.outcome is PollOutcome.UNCHANGED
    assert result.new_entries == 0
    assert [e.url for e in result.entries] == [site.url("/tin/a.html")]  # handed on, so failed articles are retried
    assert result.record.interval_seconds == 45 * MINUTE


def test_a_server_that_answers_304_for_ever_is_checked_by_an_unconditional_read(
    user_agent: str, state: SourceState, serve: Callable[..., Any], route: Any
) -> None:
    site = serve({"/feed.rss": route(rss("a"), headers=RSS, etag='"v1"')})
    source = feed_source(site)
    with Fetcher(user_agent, min_delay=0.0) as fetcher:
        poller = Poller(fetcher, state, PollPolicy(verify_after=2))
        poller.poll(source, NOW)
        # The feed changes but the server keeps its ETag, so If-None-Match keeps getting 304.
        site.routes["/feed.rss"] = route(rss("a", "hidden"), headers=RSS, etag='"v1"')
        outcomes = [poller.poll(source, NOW + timedelta(hours=n)).outcome for n in (1, 2, 3)]
    assert outcomes == [PollOutcome.NOT_MODIFIED, PollOutcome.NOT_MODIFIED, PollOutcome.CHANGED]
    assert "if-none-match" not in site.received[-1].headers
    record = state.get("bao-thu")
    assert record is not None and not record.validators_trusted and record.not_modified_streak == 0


@pytest.mark.parametrize(("priority", "floor"), [(False, 10), (True, 1)])
def test_interval_shortens_while_new_items_arrive_down_to_a_floor(
    poller: Poller, serve: Callable[..., Any], route: Any, priority: bool, floor: int
) -> None:
    site = serve({"/feed.rss": route(rss("0"), headers=RSS)})
    source = feed_source(site, priority=priority)
    intervals = []
    for n in range(1, 8):
        poller.poll(source, NOW + timedelta(hours=n))
        site.routes["/feed.rss"] = route(rss(*(str(i) for i in range(n + 1))), headers=RSS)
        intervals.append(poller.state.get("bao-thu").interval_seconds / MINUTE)  # type: ignore[union-attr]
    assert intervals[:3] == [30, 15, 10 if not priority else 7.5]
    assert intervals[-1] == floor
    assert intervals == sorted(intervals, reverse=True)


def test_interval_lengthens_while_nothing_changes_up_to_a_day(poller: Poller, feed_site: Any) -> None:
    source = feed_source(feed_site)
    intervals = []
    for n in range(12):
        result = poller.poll(source, NOW + timedelta(days=n))
        intervals.append(result.record.interval_seconds / MINUTE)
    assert intervals[:3] == [30, 45, 67.5]
    assert intervals[-1] == 24 * 60
    assert max(intervals) == 24 * 60


def test_failing_source_backs_off_exponentially_up_to_30_days_then_a_success_resets(
    poller: Poller, serve: Callable[..., Any], route: Any
) -> None:
    site = serve({"/feed.rss": route(b"busy", 503)})
    source = feed_source(site)
    waits = []
    moment = NOW
    for _ in range(14):
        result = poller.poll(source, moment)
        assert result.outcome is PollOutcome.FAILED
        assert result.record.next_due is not None
        waits.append((result.record.next_due - moment) / timedelta(minutes=1))
        moment = result.record.next_due
    assert waits[:4] == [30, 60, 120, 240]
    assert waits[-1] == 30 * 24 * 60
    assert result.record.failures == 14
    assert result.record.last_error == "HTTP 503" and result.record.last_error_kind == "http_503"

    site.routes["/feed.rss"] = route(rss("a"), headers=RSS)
    recovered = poller.poll(source, moment)
    assert recovered.outcome is PollOutcome.CHANGED
    assert recovered.record.failures == 0
    assert recovered.record.next_due == moment + timedelta(minutes=30)
    assert recovered.record.last_error == "HTTP 503"  # kept for the record


def test_a_broken_feed_counts_as_a_failure(poller: Poller, serve: Callable[..., Any], route: Any) -> None:
    site = serve({"/feed.rss": route("<html><body>Trang chủ</body></html>".encode(), headers=RSS)})
    result = poller.poll(feed_source(site), NOW)
    assert result.outcome is PollOutcome.FAILED
    assert result.problem == "not a feed (HTML page)"
    assert result.kind == "html_not_feed"
    assert result.record.failures == 1


def test_due_selects_never_polled_and_overdue_sources_priority_first(state: SourceState) -> None:
    def source(name: str, priority: bool = False) -> Source:
        return Source(id=name, url=f"https://example.vn/{name}.rss", outlet=Outlet(name), priority=priority)

    new, later, overdue, urgent = source("new"), source("later"), source("overdue"), source("urgent", priority=True)
    for s, due_at in ((later, NOW + timedelta(minutes=5)), (overdue, NOW - timedelta(hours=1)), (urgent, NOW)):
        state.put(SourceRecord(s.id, s.id, 1800.0, next_due=due_at))
    assert state.due([new, later, overdue, urgent], NOW) == [urgent, new, overdue]
    assert state.due([later], NOW + timedelta(minutes=5)) == [later]


def test_site_sources_are_skipped_without_a_request_or_a_record(poller: Poller, feed_site: Any) -> None:
    source = Source(id="site", url=feed_site.url("/"), outlet=Outlet("Báo thử"), kind=SourceKind.SITE)
    result = poller.poll(source, NOW)
    assert result.outcome is PollOutcome.SKIPPED
    assert "spiders" in result.problem
    assert feed_site.received == []
    assert poller.state.get("site") is None
