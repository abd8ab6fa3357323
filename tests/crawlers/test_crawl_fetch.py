"""The polite fetcher against a real local server: robots.txt, delays, limits and error mapping."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterator
from itertools import pairwise
from typing import Any

import pytest

from core.errors import ContentTooLarge, FetchError, RobotsDisallowed
from crawlers import FetchedPage, Fetcher

LIMIT = 1024 * 1024


def _gaps(times: list[float]) -> list[float]:
    ordered = sorted(times)
    return [later - earlier for earlier, later in pairwise(ordered)]


@pytest.fixture
def fetcher(user_agent: str) -> Iterator[Fetcher]:
    with Fetcher(user_agent, min_delay=0.0, timeout=0.5, max_bytes=LIMIT) as polite:
        yield polite


def test_constructor_does_no_io(site: Any, user_agent: str) -> None:
    fetcher = Fetcher(user_agent)
    fetcher.close()
    Fetcher("unused", min_delay=1.0).close()
    assert site.received == []


def test_fetches_a_page_with_its_headers(fetcher: Fetcher, site: Any) -> None:
    page = fetcher.fetch(site.url("/articles/hoc-phi.html"))
    assert isinstance(page, FetchedPage)
    assert page.status == 200
    assert page.final_url == page.url == site.url("/articles/hoc-phi.html")
    assert page.content_type == "text/html; charset=utf-8"
    assert page.headers["content-type"] == page.content_type
    assert "Làm rõ chi phí".encode() in page.body


def test_every_request_identifies_us(fetcher: Fetcher, site: Any, user_agent: str) -> None:
    fetcher.fetch(site.url("/articles/hoc-phi.html"))
    fetcher.fetch(site.url("/articles/sua-me.html"))
    assert site.paths() == ["/robots.txt", "/articles/hoc-phi.html", "/articles/sua-me.html"]
    assert {r.headers["user-agent"] for r in site.received} == {user_agent}


def test_robots_disallow_raises_and_never_requests_the_page(fetcher: Fetcher, site: Any) -> None:
    with pytest.raises(RobotsDisallowed) as caught:
        fetcher.fetch(site.url("/private/secret.html"))
    assert caught.value.url == site.url("/private/secret.html")
    assert "robots.txt" in caught.value.reason
    assert "/private/secret.html" not in site.paths()


def test_redirect_into_a_disallowed_path_is_refused(fetcher: Fetcher, site: Any) -> None:
    with pytest.raises(RobotsDisallowed) as caught:
        fetcher.fetch(site.url("/to-private"))
    assert caught.value.url == site.url("/to-private")
    assert "redirected to" in caught.value.reason
    assert "/private/secret.html" not in site.paths()


def test_follows_a_redirect(fetcher: Fetcher, site: Any) -> None:
    page = fetcher.fetch(site.url("/moved"))
    assert page.url == site.url("/moved")
    assert page.final_url == site.url("/articles/hoc-phi.html")
    assert page.status == 200


def test_robots_txt_is_read_once_per_host(fetcher: Fetcher, site: Any) -> None:
    for slug in ("hoc-phi", "truong-sa", "sua-me"):
        fetcher.fetch(site.url(f"/articles/{slug}.html"))
    assert site.paths().count("/robots.txt") == 1


def test_missing_robots_txt_allows_everything(fetcher: Fetcher, serve: Callable[..., Any], route: Any) -> None:
    bare = serve({"/private/page.html": route(b"<p>open</p>")})
    assert fetcher.fetch(bare.url("/private/page.html")).body == b"<p>open</p>"
    assert bare.paths() == ["/robots.txt", "/private/page.html"]


def test_robots_txt_server_error_disallows_for_now(fetcher: Fetcher, serve: Callable[..., Any], route: Any) -> None:
    broken = serve({"/robots.txt": route(b"oops", 503), "/page.html": route(b"<p>page</p>")})
    with pytest.raises(RobotsDisallowed) as caught:
        fetcher.fetch(broken.url("/page.html"))
    assert "HTTP 503" in caught.value.reason
    assert "/page.html" not in broken.paths()


def test_unreachable_site_is_a_fetch_error_not_a_robots_refusal(fetcher: Fetcher) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(f"http://127.0.0.1:{closed_port}/page.html")
    assert type(caught.value) is FetchError
    assert "robots.txt unreachable" in caught.value.reason
    assert "connection failed" in caught.value.reason


def test_waits_min_delay_between_requests_to_a_host(site: Any, user_agent: str) -> None:
    with Fetcher(user_agent, min_delay=0.3) as fetcher:
        fetcher.fetch(site.url("/articles/hoc-phi.html"))
        fetcher.fetch(site.url("/articles/sua-me.html"))
    assert len(site.received) == 3
    assert min(_gaps([r.at for r in site.received])) >= 0.3


def test_delay_holds_across_threads(site: Any, user_agent: str) -> None:
    slugs = ("hoc-phi", "truong-sa", "sua-me")
    with Fetcher(user_agent, min_delay=0.2) as fetcher:
        threads = [threading.Thread(target=fetcher.fetch, args=(site.url(f"/articles/{s}.html"),)) for s in slugs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(site.received) == 4
    assert min(_gaps([r.at for r in site.received])) >= 0.2


def test_crawl_delay_wins_when_longer(serve: Callable[..., Any], route: Any, user_agent: str) -> None:
    slow_site = serve({"/robots.txt": route(b"User-agent: *\nCrawl-delay: 1\n"), "/a": route(b"a"), "/b": route(b"b")})
    with Fetcher(user_agent, min_delay=0.1) as fetcher:
        fetcher.fetch(slow_site.url("/a"))
        fetcher.fetch(slow_site.url("/b"))
    page_times = [r.at for r in slow_site.received if r.path in ("/a", "/b")]
    assert _gaps(page_times)[0] >= 1.0


@pytest.mark.parametrize(
    ("path", "error", "reason"),
    [
        ("/unavailable", FetchError, "HTTP 503"),
        ("/missing", FetchError, "HTTP 404"),
        ("/loop", FetchError, "too many redirects"),
        ("/slow", FetchError, "timed out after 0.5s"),
        ("/bad-gzip", FetchError, "undecodable body"),
        ("/big", ContentTooLarge, "over the 1048576-byte limit"),
        ("/big-undeclared", ContentTooLarge, "over the 1048576-byte limit"),
        ("/bomb", ContentTooLarge, "after decompression"),
    ],
)
def test_failures_become_fetch_errors_with_readable_reasons(
    fetcher: Fetcher, site: Any, path: str, error: type[FetchError], reason: str
) -> None:
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(site.url(path))
    assert type(caught.value) is error
    assert caught.value.url == site.url(path)
    assert reason in caught.value.reason


def test_tls_failure_is_named(fetcher: Fetcher, site: Any) -> None:
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(site.url("/articles/hoc-phi.html").replace("http://", "https://"))
    assert "TLS error" in caught.value.reason


@pytest.mark.parametrize(("url", "reason"), [("file:///etc/passwd", "not an http"), ("http://[::1/x", "invalid URL")])
def test_only_valid_http_urls_are_fetched(fetcher: Fetcher, url: str, reason: str) -> None:
    with pytest.raises(FetchError, match=reason):
        fetcher.fetch(url)


def test_failures_are_left_to_the_caller_to_log(fetcher: Fetcher, site: Any, caplog: pytest.LogCaptureFixture) -> None:
    # The caller knows the source and logs the failure once with it; the fetcher adds one debug line.
    with caplog.at_level(logging.DEBUG, logger="pressdesk.crawlers"), pytest.raises(FetchError):
        fetcher.fetch(site.url("/unavailable"))
    records = [r for r in caplog.records if r.name == "pressdesk.crawlers"]
    assert [r.getMessage() for r in records] == [f"fetch failed: {site.url('/unavailable')}: HTTP 503"]
    assert all(r.levelno == logging.DEBUG for r in records)


def test_close_then_fetch_opens_a_new_client(fetcher: Fetcher, site: Any) -> None:
    fetcher.fetch(site.url("/articles/hoc-phi.html"))
    fetcher.close()
    assert fetcher.fetch(site.url("/articles/sua-me.html")).status == 200
