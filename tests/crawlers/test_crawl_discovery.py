"""Feed discovery against a real local site: link tags first, polite probing only when none, robots.txt sitemaps."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from itertools import pairwise
from typing import Any

import pytest

from core.enums import SourceKind
from crawlers import Fetcher, FoundFeed, discover

TEXT = (("Content-Type", "text/plain"),)
RSS = (("Content-Type", "application/rss+xml"),)


@pytest.fixture
def fixture(fixture_bytes: Callable[[str], bytes]) -> Callable[[str], bytes]:
    return lambda name: fixture_bytes(f"collection/{name}")


@pytest.fixture
def fetcher(user_agent: str) -> Iterator[Fetcher]:
    with Fetcher(user_agent, min_delay=0.0) as polite:
        yield polite


def test_link_tags_are_read_resolved_and_deduplicated_without_probing(
    fetcher: Fetcher, serve: Callable[..., Any], route: Any, fixture: Callable[[str], bytes]
) -> None:
    site = serve({"/": route(fixture("home-with-links.html"))})
    site.routes["/robots.txt"] = route(f"User-agent: *\nAllow: /\nSitemap: {site.url('/sitemap-news.xml')}\n".encode())
    found = discover(fetcher, site.url("/"))
    assert found.problem == ""
    assert found.found == (
        FoundFeed(site.url("/vi/rss/tin-moi.rss"), SourceKind.FEED, "Tin mới nhất", "link"),
        FoundFeed(site.url("/feeds/atom.xml"), SourceKind.FEED, "Sức khỏe", "link"),
        FoundFeed("https://baothunghiem.example/feed.json", SourceKind.FEED, "Thời sự (JSON)", "link"),
        FoundFeed(site.url("/sitemap-news.xml"), SourceKind.SITEMAP, "", "robots"),
    )
    assert site.paths() == ["/robots.txt", "/"]  # nothing guessed when the page names its feeds


def test_common_paths_are_probed_politely_until_one_is_a_feed(
    user_agent: str, serve: Callable[..., Any], route: Any, fixture: Callable[[str], bytes]
) -> None:
    site = serve(
        {
            "/robots.txt": route(b"User-agent: *\nDisallow: /feed\n", headers=TEXT),
            "/": route(fixture("home-without-links.html")),
            "/rss": route(fixture("home-without-links.html")),  # a page listing feeds, not a feed
            "/rss.xml": route(fixture("mastodon.rss"), headers=RSS),
            "/feed.xml": route(fixture("mastodon.rss"), headers=RSS),
        }
    )
    with Fetcher(user_agent, min_delay=0.05) as fetcher:
        found = discover(fetcher, site.url("/"))
    assert found.found == (FoundFeed(site.url("/rss.xml"), SourceKind.FEED, "Báo Thử nghiệm", "probe"),)
    assert site.paths() == ["/robots.txt", "/", "/rss", "/rss.xml"]  # /feed is disallowed; stops at the first feed
    assert min(later.at - earlier.at for earlier, later in pairwise(site.received)) >= 0.05


def test_an_address_that_is_a_feed_or_a_sitemap_is_itself(
    fetcher: Fetcher, serve: Callable[..., Any], route: Any, fixture: Callable[[str], bytes]
) -> None:
    site = serve(
        {
            "/feed.json": route(fixture("jsonfeed-1.0.json"), headers=(("Content-Type", "application/feed+json"),)),
            "/news.xml": route(fixture("news-sitemap.xml"), headers=(("Content-Type", "application/xml"),)),
        }
    )
    assert discover(fetcher, site.url("/feed.json")).found == (
        FoundFeed(site.url("/feed.json"), SourceKind.FEED, "Kinh tế - Báo Thử nghiệm", "self"),
    )
    assert discover(fetcher, site.url("/news.xml")).found == (
        FoundFeed(site.url("/news.xml"), SourceKind.SITEMAP, "", "self"),
    )


def test_a_channel_address_needs_no_request(fetcher: Fetcher) -> None:
    found = discover(fetcher, "https://www.reddit.com/r/danang/")
    assert found.found == (FoundFeed("https://www.reddit.com/r/danang/.rss", SourceKind.FEED, "danang", "channel"),)


def test_an_unreachable_page_says_why(fetcher: Fetcher, site: Any) -> None:
    found = discover(fetcher, site.url("/unavailable"))
    assert found.found == ()
    assert found.problem == "HTTP 503"


def test_what_was_found_becomes_config_blocks(
    fetcher: Fetcher, serve: Callable[..., Any], route: Any, fixture: Callable[[str], bytes]
) -> None:
    site = serve({"/": route(fixture("home-with-links.html"))})
    text = discover(fetcher, site.url("/")).toml(taken_ids=["tin-moi-nhat"])
    sources = tomllib.loads(text)["sources"]
    assert [s["id"] for s in sources] == ["tin-moi-nhat-2", "suc-khoe", "thoi-su-json"]
    assert [s["kind"] for s in sources] == ["feed", "feed", "feed"]
    assert sources[0]["url"] == site.url("/vi/rss/tin-moi.rss")
