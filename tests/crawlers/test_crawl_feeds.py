"""Feed reading: recorded feeds over HTTP, broken input and real VnExpress snapshots.

The whole feedparser suite runs in test_crawl_fixtures_suite.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crawlers import FeedEntry, Fetcher, ParsedFeed, read_feed

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
VNEXPRESS = SHARED / "data" / "feeds" / "vnexpress-2017"
VNEXPRESS_URL = "https://vnexpress.net/rss/tin-moi-nhat.rss"


@pytest.fixture
def fetched(site: Any, user_agent: str) -> Callable[[str], ParsedFeed]:
    """Fetch a feed from the local site and read it, as collection does."""

    def fetch_and_read(path: str) -> ParsedFeed:
        with Fetcher(user_agent, min_delay=0.0) as fetcher:
            page = fetcher.fetch(site.url(path))
        return read_feed(page.body, page.final_url, page.content_type)

    return fetch_and_read


def test_rss_entries_are_absolute_plain_and_dated(fetched: Callable[[str], ParsedFeed], site: Any) -> None:
    feed = fetched("/feeds/rss.xml")
    assert feed.problem == ""
    assert feed.title == "Tin mới nhất - Báo thử nghiệm"
    assert [e.url for e in feed.entries] == [
        site.url("/articles/hoc-phi.html"),
        site.url("/articles/truong-sa.html?utm_source=rss"),
    ]
    first, second = feed.entries
    assert first.title == "Làm rõ chi phí cần thiết để xác định mức học phí"
    assert first.summary.startswith("Phó Thủ tướng yêu cầu Bộ GD-ĐT")
    assert "<" not in first.summary
    assert second.summary == "Người phát ngôn Bộ Ngoại giao Lê Dũng tuyên bố phản đối."
    assert first.published == datetime(2006, 9, 13, 10, 5, tzinfo=UTC)


def test_atom_titles_lose_markup_and_fall_back_to_updated(fetched: Callable[[str], ParsedFeed], site: Any) -> None:
    feed = fetched("/feeds/atom.xml")
    assert feed.problem == ""
    assert feed.title == "Sức khỏe - Báo thử nghiệm"
    first, second = feed.entries
    assert first.url == site.url("/articles/sua-me.html")
    assert first.title == "Sữa mẹ giàu năng lượng hơn sau 1 năm"
    assert first.summary == "Sữa của người mẹ cho con bú trên 1 năm giàu chất béo và năng lượng hơn."
    assert first.published == datetime(2006, 6, 12, 2, 15, tzinfo=UTC)
    assert second.url == "https://other.example.vn/tin/cap-nhat.html"
    assert second.published == datetime(2006, 6, 13, 8, 0, tzinfo=UTC)


def test_json_feed_is_read_without_scripts_or_authors(fetched: Callable[[str], ParsedFeed], site: Any) -> None:
    feed = fetched("/feeds/feed.json")
    assert feed.problem == ""
    assert feed.title == "Thời sự - Báo thử nghiệm"
    assert [e.url for e in feed.entries] == [site.url("/articles/truong-sa.html"), site.url("/articles/hoc-phi.html")]
    first, second = feed.entries
    assert first.summary == "Phía VN kiên quyết phản đối.\n\nĐài Loan phải chịu hoàn toàn trách nhiệm."
    assert first.published == datetime(2006, 3, 30, 8, 20, tzinfo=UTC)
    assert second.summary == "Bộ GD-ĐT cần tính toán mức chi phí cần thiết cho giáo dục."
    assert second.published == datetime(2006, 9, 13, 10, 5, tzinfo=UTC)


def test_html_page_served_as_a_feed_is_reported(fetched: Callable[[str], ParsedFeed]) -> None:
    feed = fetched("/feeds/html")
    assert feed.entries == ()
    assert feed.problem == "not a feed (HTML page)"


def test_entries_carry_no_author() -> None:
    assert {f.name for f in fields(FeedEntry)} == {"url", "title", "summary", "published"}


@pytest.mark.parametrize(
    ("body", "content_type", "problem"),
    [
        (b"", "", "empty document"),
        (b"  \n\t ", "application/rss+xml", "empty document"),
        (b"\x00\xff\xfe\x13 binary garbage \x89PNG", "", "malformed XML"),
        (b"<rss version='2.0'><channel><title>T</title><item><title>x", "", "malformed XML"),
        (b"{not json", "application/feed+json", "malformed JSON"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "title": "x"}', "", "not a JSON Feed"),
        ("<html><body><p>Trang chủ</p></body></html>".encode(), "text/html", "not a feed (HTML page)"),
        (b"<?xml version='1.0'?><note><to>x</to></note>", "application/xml", "not a feed"),
    ],
)
def test_broken_input_reports_a_problem(body: bytes, content_type: str, problem: str) -> None:
    feed = read_feed(body, "https://example.vn/rss", content_type)
    assert feed.entries == ()
    assert feed.problem.startswith(problem)


def test_recovered_entries_come_with_the_problem() -> None:
    body = b"<rss version='2.0'><channel><title>T</title><item><title>A</title><link>/a</link></item><item><title>B & C"
    feed = read_feed(body, "https://example.vn/rss")
    assert [e.url for e in feed.entries] == ["https://example.vn/a"]
    assert feed.problem.startswith("malformed XML")


def test_body_is_never_opened_as_a_path_or_fetched_as_a_url(fixture_bytes: Callable[[str], bytes], site: Any) -> None:
    rss_path = Path(__file__).parent / "fixtures" / "rss.xml"
    assert fixture_bytes("rss.xml")  # the file exists, so feedparser would read it if given the path
    from_path = read_feed(str(rss_path).encode(), "https://example.vn/rss")
    from_url = read_feed(site.url("/feeds/rss.xml").encode(), "https://example.vn/rss")
    assert from_path.entries == from_url.entries == ()
    assert from_path.problem and from_url.problem
    assert site.received == []


def test_links_that_are_not_http_or_broken_are_skipped() -> None:
    body = (
        b"<rss version='2.0'><channel><title>T</title>"
        b"<item><title>a</title><link>javascript:alert(1)</link></item>"
        b"<item><title>b</title><link>mailto:toasoan@example.vn</link></item>"
        b"<item><title>broken</title><link>http://[::1/broken</link></item>"
        b"<item><title>c</title><link>https://example.vn/c</link></item>"
        b"</channel></rss>"
    )
    assert [e.url for e in read_feed(body, "https://example.vn/rss").entries] == ["https://example.vn/c"]


@pytest.mark.skipif(not VNEXPRESS.is_dir(), reason=f"shared VnExpress snapshots not found at {VNEXPRESS}")
@pytest.mark.parametrize(
    "name",
    [
        "vnexpress_tin-moi-nhat_javascript0704b6.xml",
        "vnexpress_tin-moi-nhat_javascript1102b3.xml",
        "vnexpress_tin-moi-nhat_string1407.xml",
        "vnexpress_tin-moi-nhat_string1808.xml",
    ],
)
def test_vnexpress_snapshots_parse_to_entries(name: str) -> None:
    feed = read_feed((VNEXPRESS / name).read_bytes(), VNEXPRESS_URL, "application/rss+xml")
    assert feed.problem == ""
    assert feed.title == "Tin mới nhất - VnExpress RSS"
    assert len(feed.entries) == 25
    for entry in feed.entries:
        assert entry.url.startswith("http") and "vnexpress.net" in entry.url
        assert entry.title and entry.title == entry.title.strip() and "\n" not in entry.title
        assert entry.summary and "<" not in entry.summary
        assert entry.published is not None and entry.published.tzinfo is UTC


@pytest.mark.skipif(not VNEXPRESS.is_dir(), reason=f"shared VnExpress snapshots not found at {VNEXPRESS}")
def test_malformed_vnexpress_snapshot_recovers_and_reports() -> None:
    body = (VNEXPRESS / "MALFORMED_vnexpress_tin-moi-nhat_vnexpress2810_browser-viewer-copy.xml").read_bytes()
    feed = read_feed(body, VNEXPRESS_URL, "application/rss+xml")
    assert feed.problem.startswith("malformed XML")
    # 25 items, one of them empty (no link) in the source itself.
    assert len(feed.entries) == 24
    assert feed.entries[0].title == "Con hẻm trăm tuổi ở Sài Gòn nhiều lần lên phim TVB 4"
