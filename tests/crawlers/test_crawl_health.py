"""Bad input gets a clear reason and a kind, is counted in the source's health, and the crawl goes on."""

from __future__ import annotations

import logging
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import trustme

from core.source import Outlet, Source
from crawlers import Fetcher, Poller, PollOutcome, SourceRecord, SourceState, source_health

NOW = datetime(2024, 6, 2, 8, 0, tzinfo=UTC)
LIMIT = 1024 * 1024
RSS = (("Content-Type", "application/rss+xml"),)
GOOD_RSS = (
    b"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>T</title>"
    b"<item><title>A</title><link>/a.html</link></item><item><title>B</title><link>/b.html</link></item>"
    b"</channel></rss>"
)


def source(site: Any, name: str, path: str) -> Source:
    return Source(id=name, url=site.url(path), outlet=Outlet(f"Báo {name}"))


@pytest.fixture
def state(tmp_path: Path) -> Iterator[SourceState]:
    opened = SourceState(tmp_path / "sources.db")
    yield opened
    opened.close()


@pytest.fixture
def poller(user_agent: str, state: SourceState) -> Iterator[Poller]:
    with Fetcher(user_agent, min_delay=0.0, timeout=0.5, max_bytes=LIMIT) as fetcher:
        yield Poller(fetcher, state)


@pytest.fixture
def bad_site(site: Any, route: Any) -> Any:
    """The standard site plus feeds that are wrong in the ways real feeds are."""
    site.routes |= {
        "/good.rss": route(GOOD_RSS, headers=RSS),
        "/broken.rss": route(b"<rss version='2.0'><channel><title>T</title><item><title>x", headers=RSS),
        "/empty.rss": route(b"", headers=RSS),
        "/image.rss": route(b"\x89PNG\r\n", headers=(("Content-Type", "image/png"),)),
        "/no-location": route(status=302, headers=()),
    }
    return site


BAD_INPUTS = [
    ("html", "/feeds/html", "html_not_feed", "not a feed (HTML page)"),
    ("malformed", "/broken.rss", "malformed", "malformed XML"),
    ("empty", "/empty.rss", "empty", "empty document"),
    ("image", "/image.rss", "content_type", "content type image/png is not one we read"),
    ("loop", "/loop", "redirects", "too many redirects"),
    ("no-location", "/no-location", "redirects", "redirect without a Location (HTTP 302)"),
    ("bomb", "/bomb", "too_large", "after decompression"),
    ("big", "/big-undeclared", "too_large", "over the 1048576-byte limit"),
    ("busy", "/unavailable", "http_503", "HTTP 503"),
    ("gone", "/missing", "http_404", "HTTP 404"),
    ("private", "/private/secret.html", "robots", "robots.txt"),
    ("slow", "/slow", "timeout", "timed out after 0.5s"),
    ("bad-gzip", "/bad-gzip", "decoding", "undecodable body"),
]


def test_each_bad_input_fails_alone_with_its_reason_and_the_rest_is_read(
    poller: Poller, bad_site: Any, caplog: pytest.LogCaptureFixture
) -> None:
    sources = [source(bad_site, name, path) for name, path, _, _ in BAD_INPUTS]
    sources.insert(len(sources) // 2, source(bad_site, "good", "/good.rss"))
    with caplog.at_level(logging.DEBUG):
        results = {s.id: poller.poll(s, NOW) for s in sources}
    assert results["good"].outcome is PollOutcome.CHANGED
    assert [e.url for e in results["good"].entries] == [bad_site.url("/a.html"), bad_site.url("/b.html")]
    for name, _, kind, reason in BAD_INPUTS:
        result = results[name]
        assert (result.outcome, result.kind) == (PollOutcome.FAILED, kind), name
        assert reason in result.problem, name
        assert result.record.failures == 1
    # The caller (the pipeline) logs each failure once with its source; collection itself only at debug.
    assert not [r for r in caplog.records if r.name.startswith("pressdesk.crawlers") and r.levelno > logging.DEBUG]


def test_a_page_of_tens_of_megabytes_is_refused_at_the_default_limit(
    user_agent: str, state: SourceState, serve: Callable[..., Any], route: Any
) -> None:
    huge = serve({"/huge.rss": route(b"<rss>" + b" " * (30 * 1024 * 1024), headers=RSS, content_length=False)})
    with Fetcher(user_agent, min_delay=0.0) as fetcher:
        result = Poller(fetcher, state).poll(source(huge, "huge", "/huge.rss"), NOW)
    assert result.kind == "too_large"
    assert "over the 10485760-byte limit" in result.problem


@pytest.fixture
def tls_site() -> Iterator[str]:
    """An HTTPS server on 127.0.0.1 whose certificate comes from a CA nobody trusts."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(GOOD_RSS)))
            self.end_headers()
            self.wfile.write(GOOD_RSS)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    class QuietServer(ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            """A client that rejects the certificate hangs up; that is the point here."""

    server = QuietServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_an_untrusted_certificate_is_a_tls_failure(poller: Poller, tls_site: str) -> None:
    feed = Source(id="tls", url=f"{tls_site}/feed.rss", outlet=Outlet("Báo TLS"))
    result = poller.poll(feed, NOW)
    assert result.outcome is PollOutcome.FAILED
    assert result.kind == "tls"
    assert "certificate verify failed" in result.problem


def test_a_wrong_declared_encoding_is_read_and_reported(poller: Poller, serve: Callable[..., Any], route: Any) -> None:
    # Declared UTF-8, written in windows-1258 (as old Vietnamese CMSes do).
    body = (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Báo cũ</title>"
        "<item><title>Đà Nẵng đón khách</title><link>/a.html</link></item></channel></rss>"
    ).encode("windows-1258", errors="replace")
    site = serve({"/old.rss": route(body, headers=RSS)})
    result = poller.poll(source(site, "old", "/old.rss"), NOW)
    assert result.outcome is PollOutcome.CHANGED
    assert [e.url for e in result.entries] == [site.url("/a.html")]
    assert result.kind == "encoding"
    assert result.problem.startswith("wrong declared encoding: document declared as utf-8")
    assert poller.state.errors_since(NOW.date()) == {"old": {"encoding": 1}}


def test_health_rows_show_failures_errors_items_and_schedule(poller: Poller, bad_site: Any, state: SourceState) -> None:
    good, gone, never = (
        source(bad_site, "good", "/good.rss"),
        source(bad_site, "gone", "/missing"),
        source(bad_site, "never", "/x"),
    )
    poller.poll(good, NOW)
    for hours in (0, 1, 3):
        poller.poll(gone, NOW + timedelta(hours=hours))
    poller.count_error("good", "article:http_404", NOW)
    state.put(SourceRecord("removed", "Báo cũ", 3600.0))  # state left from a source since removed

    rows = {row.source_id: row for row in source_health(state, [good, gone, never], NOW + timedelta(hours=4))}
    assert list(rows) == ["good", "gone", "never", "removed"]
    assert rows["good"].status == "ok"
    assert rows["good"].last_success_at == NOW
    assert rows["good"].items_per_day == round(2 / 7, 2)
    assert rows["good"].errors == {"article:http_404": 1}
    assert rows["good"].interval_minutes == 30
    assert rows["good"].next_due == NOW + timedelta(minutes=30)
    assert rows["gone"].status == "failing"
    assert rows["gone"].failures == 3
    assert rows["gone"].errors == {"http_404": 3}
    assert rows["gone"].last_success_at is None
    assert rows["gone"].last_error == "HTTP 404"
    assert rows["gone"].next_due == NOW + timedelta(hours=3) + timedelta(minutes=120)
    assert rows["never"].status == "never polled" and rows["never"].next_due is None
    assert rows["removed"].status == "not configured" and rows["removed"].outlet == "Báo cũ"
    as_json = rows["gone"].as_json()
    assert as_json["consecutive_failures"] == 3
    assert as_json["next_due"] == (NOW + timedelta(hours=5)).isoformat()
    assert set(as_json) == {
        "id",
        "outlet",
        "status",
        "last_success_at",
        "items_per_day",
        "errors",
        "consecutive_failures",
        "interval_minutes",
        "next_due",
        "last_error",
    }


def test_counts_older_than_the_week_leave_the_health_view(poller: Poller, bad_site: Any, state: SourceState) -> None:
    gone = source(bad_site, "gone", "/missing")
    poller.poll(gone, NOW - timedelta(days=8))
    poller.poll(gone, NOW)
    (row,) = source_health(state, [gone], NOW)
    assert row.errors == {"http_404": 1}
    assert row.failures == 2


def test_an_unreachable_site_is_a_connection_failure(poller: Poller) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    result = poller.poll(Source(id="down", url=f"http://127.0.0.1:{closed_port}/rss", outlet=Outlet("Báo")), NOW)
    assert (result.outcome, result.kind) == (PollOutcome.FAILED, "connection")
    assert result.problem.startswith("robots.txt unreachable (connection failed")
