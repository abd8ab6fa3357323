"""Google News sitemaps, sitemap indexes (gzipped, nested, limited) and bad sitemaps, over a real local server."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from core.enums import SourceKind
from core.source import Outlet, Source
from crawlers import Fetcher, Poller, PollOutcome, SitemapEntry, SourceState, read_sitemap
from crawlers.sitemaps import collect_sitemap

NOW = datetime(2024, 6, 2, 8, 0, tzinfo=UTC)
XML = (("Content-Type", "application/xml"),)
BASE = "https://baothunghiem.example/sitemaps/news.xml"


@pytest.fixture
def fixture(fixture_bytes: Callable[[str], bytes]) -> Callable[[str], bytes]:
    return lambda name: fixture_bytes(f"collection/{name}")


@pytest.fixture
def sitemap_site(serve: Callable[..., Any], route: Any, fixture: Callable[[str], bytes]) -> Any:
    return serve(
        {
            "/robots.txt": route(b"User-agent: *\nAllow: /\n", headers=(("Content-Type", "text/plain"),)),
            "/sitemap-index.xml": route(fixture("sitemap-index.xml"), headers=XML),
            "/sitemaps/news.xml.gz": route(
                gzip.compress(fixture("news-sitemap.xml")), headers=(("Content-Type", "application/x-gzip"),)
            ),
            "/sitemaps/2023-12.xml": route(fixture("sitemap-pages.xml"), headers=XML),
            "/sitemaps/nested-index.xml": route(fixture("sitemap-nested-index.xml"), headers=XML),
            "/sitemaps/deep.xml": route(b"https://baothunghiem.example/sau/bai.html\n", headers=XML),
        }
    )


@pytest.fixture
def fetcher(user_agent: str) -> Iterator[Fetcher]:
    with Fetcher(user_agent, min_delay=0.0) as polite:
        yield polite


def test_news_sitemap_entries_carry_title_publication_language_and_date(fixture: Callable[[str], bytes]) -> None:
    parsed = read_sitemap(fixture("news-sitemap.xml"), BASE)
    assert parsed.problem == ""
    assert parsed.sitemaps == ()
    assert parsed.entries == (
        SitemapEntry(
            url="https://baothunghiem.example/tin/da-nang-don-khach.html",
            lastmod=datetime(2024, 6, 2, 2, 0, tzinfo=UTC),
            title="Đà Nẵng đón 1,2 triệu lượt khách",  # not the image's title, and one line
            published=datetime(2024, 6, 2, 1, 30, tzinfo=UTC),
            publication="Báo Thử nghiệm",
            language="vi",
        ),
        SitemapEntry(
            url="https://baothunghiem.example/tin/mua-lon.html",
            title="Mưa lớn gây ngập nhiều tuyến phố",
            published=datetime(2024, 6, 1, tzinfo=UTC),
            publication="Báo Thử nghiệm",
            language="vi",
        ),
    )  # the javascript: entry is dropped


def test_index_lists_its_children(fixture: Callable[[str], bytes]) -> None:
    parsed = read_sitemap(fixture("sitemap-index.xml"), "https://baothunghiem.example/sitemap-index.xml")
    assert parsed.entries == ()
    assert [c.url for c in parsed.sitemaps][:2] == [
        "https://baothunghiem.example/sitemaps/2023-12.xml",
        "https://baothunghiem.example/sitemaps/news.xml.gz",
    ]


def test_index_is_followed_newest_first_through_gzip_and_nesting(fetcher: Fetcher, sitemap_site: Any) -> None:
    page = fetcher.fetch(sitemap_site.url("/sitemap-index.xml"))
    parsed = collect_sitemap(fetcher, page)
    fetched = [p for p in sitemap_site.paths() if p.startswith("/sitemaps/")]
    assert fetched == [
        "/sitemaps/news.xml.gz",
        "/sitemaps/nested-index.xml",
        "/sitemaps/2023-12.xml",
        "/sitemaps/missing.xml",
        "/sitemaps/deep.xml",
    ]
    assert [e.url.rsplit("/", 1)[1] for e in parsed.entries] == [
        "da-nang-don-khach.html",
        "mua-lon.html",
        "tong-ket-nam.html",
        "don-nam-moi.html",
        "bai.html",
    ]
    assert parsed.problem == (
        f"child sitemaps failed (1 of 5); first: {sitemap_site.url('/sitemaps/missing.xml')}: HTTP 404"
    )


def test_depth_and_count_limits_bound_the_requests(fetcher: Fetcher, sitemap_site: Any) -> None:
    page = fetcher.fetch(sitemap_site.url("/sitemap-index.xml"))
    collect_sitemap(fetcher, page, max_depth=1)
    assert "/sitemaps/deep.xml" not in sitemap_site.paths()
    sitemap_site.received.clear()
    capped = collect_sitemap(fetcher, page, max_sitemaps=1)
    assert [p for p in sitemap_site.paths() if p.startswith("/sitemaps/")] == ["/sitemaps/news.xml.gz"]
    assert len(capped.entries) == 2


def test_sitemap_source_is_polled_like_a_feed(
    user_agent: str, tmp_path: Path, sitemap_site: Any, fixture: Callable[[str], bytes]
) -> None:
    source = Source(
        id="bao-sitemap", url=sitemap_site.url("/sitemap-index.xml"), outlet=Outlet("Báo"), kind=SourceKind.SITEMAP
    )
    state = SourceState(tmp_path / "sources.db")
    with Fetcher(user_agent, min_delay=0.0) as fetcher:
        result = Poller(fetcher, state).poll(source, NOW)
    state.close()
    assert result.outcome is PollOutcome.CHANGED
    assert result.new_entries == 5
    first = result.entries[0]
    assert (first.title, first.published) == (
        "Đà Nẵng đón 1,2 triệu lượt khách",
        datetime(2024, 6, 2, 1, 30, tzinfo=UTC),
    )
    assert result.kind == "sitemap_child" and result.problem.startswith("child sitemaps failed")  # counted, not fatal


def test_text_sitemap_is_a_list_of_urls() -> None:
    parsed = read_sitemap(b"https://a.example/1.html\nnot a url\n\nhttps://a.example/2.html\n", BASE)
    assert [e.url for e in parsed.entries] == ["https://a.example/1.html", "https://a.example/2.html"]
    assert parsed.problem == "lines that are not URLs skipped: 1"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"", "empty document"),
        (b"<!DOCTYPE html><html><body>404</body></html>", "not a sitemap (has a DOCTYPE"),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            b"<urlset><url><loc>&lol2;</loc></url></urlset>",
            "not a sitemap (has a DOCTYPE",
        ),
        (b"<urlset><url><loc>https://a.example/</loc></url>", "malformed XML"),
        (b"<rss version='2.0'><channel/></rss>", "not a sitemap (root element <rss>)"),
        (b"\x1f\x8b\x08\x00garbage", "broken gzip"),
        (b"just some words", "not a sitemap (neither XML nor a list of URLs)"),
    ],
)
def test_bad_sitemaps_report_a_problem(body: bytes, problem: str) -> None:
    parsed = read_sitemap(body, BASE)
    assert parsed.entries == parsed.sitemaps == ()
    assert parsed.problem.startswith(problem)


def test_gzip_bomb_stops_at_the_limit() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * (4 * 1024 * 1024) + b"</urlset>")
    parsed = read_sitemap(bomb, BASE, max_bytes=1024 * 1024)
    assert parsed.problem == "gzip sitemap over the 1048576-byte limit after decompression"
