"""The whole feedparser test suite (2,107 feeds) and the real VnExpress snapshots through every reader and the poller.

Robustness first: no exception escapes any reader, whatever the input. Then agreement:
where a suite file states a plain expectation on the feed title, the first entry's title
or its link, the reader meets it. Files are given the ``Content-Type`` and
``Content-Location`` their ``Header:`` lines declare, as feedparser's own harness does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from core.source import Outlet, Source
from crawlers import (
    Fetcher,
    ParsedFeed,
    Poller,
    PollOutcome,
    SourceState,
    read_channel,
    read_feed,
    read_opml,
    read_sitemap,
    source_health,
)

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "feeds"
SUITE = SHARED / "feedparser-fixtures" / "tests"
VNEXPRESS = SHARED / "vnexpress-2017"
NOW = datetime(2024, 6, 2, 8, 0, tzinfo=UTC)
_HEADER = re.compile(rb"Header:\s*([A-Za-z-]+):\s*([^\r\n]*)")
_EXPECT = re.compile(rb"Expect:\s*(.*?)\s*(?:-->|\n)")
_PLAIN = re.compile(r"^(?:not bozo and )?(feed\['title'\]|entries\[0\]\['(?:title|link)'\]) == u?'([^'<>&]*)'$")

needs_suite = pytest.mark.skipif(not SUITE.is_dir(), reason=f"shared feedparser fixtures not found at {SUITE}")
needs_vnexpress = pytest.mark.skipif(
    not VNEXPRESS.is_dir(), reason=f"shared VnExpress snapshots not found at {VNEXPRESS}"
)


@dataclass(frozen=True)
class SuiteFeed:
    """One suite file with what its comment declares."""

    path: Path
    body: bytes
    content_type: str
    url: str
    expect: str


@cache
def suite() -> tuple[SuiteFeed, ...]:
    feeds = []
    for path in sorted(p for p in SUITE.rglob("*") if p.is_file()):
        body = path.read_bytes()
        headers = {name.lower().decode(): value.decode().strip() for name, value in _HEADER.findall(body[:3000])}
        expect = _EXPECT.search(body[:3000])
        # feedparser's harness serves the suite from this address; relative links resolve against it.
        url = headers.get("content-location") or f"http://127.0.0.1:8097/tests/{path.relative_to(SUITE)}"
        feeds.append(
            SuiteFeed(
                path,
                body,
                headers.get("content-type", ""),
                url,
                expect.group(1).decode("utf-8", "replace") if expect else "",
            )
        )
    return tuple(feeds)


@needs_suite
def test_the_whole_suite_goes_through_the_feed_reader_without_an_exception() -> None:
    feeds = suite()
    assert len(feeds) == 2107
    results = [read_feed(f.body, f.url, f.content_type) for f in feeds]
    assert all(isinstance(r, ParsedFeed) for r in results)
    assert not [r.problem for r in results if r.problem.startswith("unreadable feed")]
    assert sum(len(r.entries) for r in results) > 100  # most suite files test the channel, not entries
    assert sum(bool(r.problem) for r in results) < len(results) // 4  # most of the suite is well-formed


@pytest.mark.slow
@needs_suite
def test_the_other_readers_meet_the_same_junk_without_an_exception() -> None:
    problems = []
    for feed in suite():
        channel = read_channel(feed.body, feed.url, feed.content_type)
        sitemap = read_sitemap(feed.body, feed.url)
        opml = read_opml(feed.body)
        problems += [channel.problem, sitemap.problem, opml.problem]
    assert not [p for p in problems if p.startswith("unreadable")]
    assert sum(p.startswith("not an OPML file") for p in problems) == 2107  # none of them is OPML


@needs_suite
def test_plain_expectations_of_the_suite_are_met() -> None:
    checked = 0
    for feed in suite():
        match = _PLAIN.match(feed.expect)
        if match is None:
            continue
        parsed = read_feed(feed.body, feed.url, feed.content_type)
        field, escaped = match.groups()
        wanted = escaped.encode("latin-1", "backslashreplace").decode("unicode_escape")  # the suite writes '\u2019'
        if field != "feed['title']" and not parsed.entries:
            continue  # entries without a link are left out on purpose; nothing to compare
        got = {
            "feed['title']": parsed.title,
            "entries[0]['title']": parsed.entries[0].title if parsed.entries else "",
            "entries[0]['link']": parsed.entries[0].url if parsed.entries else "",
        }[field]
        assert got == unicodedata.normalize("NFC", " ".join(wanted.split())), feed.path
        checked += 1
    assert checked >= 300


@needs_suite
def test_json_feed_of_the_suite() -> None:
    (example,) = [f for f in suite() if f.path == SUITE / "json" / "example.json"]
    parsed = read_feed(example.body, example.url, example.content_type)
    assert parsed.title == "My Example Feed"
    assert len(parsed.entries) == 2


def test_json_feed_1_0_and_1_1(fixture_bytes: Callable[[str], bytes]) -> None:
    old = read_feed(fixture_bytes("collection/jsonfeed-1.0.json"), "https://baothunghiem.example/kinh-te/feed.json")
    assert old.problem == ""
    assert [(e.url, e.summary) for e in old.entries] == [
        (
            "https://baothunghiem.example/kinh-te/cang-lien-chieu",
            "Dự án cảng Liên Chiểu khởi công sau nhiều năm chuẩn bị.",
        ),
        ("https://other.example/bai-goc.html", "Tóm tắt bài gốc."),
    ]  # the item without a URL is dropped; 1.0's singular author is not kept
    assert old.entries[1].published == datetime(2024, 5, 29, 1, 0, tzinfo=UTC)
    current = read_feed(fixture_bytes("feed.json"), "https://example.vn/feed.json", "application/feed+json")
    assert current.problem == "" and len(current.entries) == 2


@pytest.fixture
def poller(tmp_path: Path, user_agent: str) -> Iterator[Poller]:
    state = SourceState(tmp_path / "sources.db")
    with Fetcher(user_agent, min_delay=0.0) as fetcher:
        yield Poller(fetcher, state)
    state.close()


@needs_suite
def test_encoding_files_served_with_their_headers_through_the_poller(
    poller: Poller, serve: Callable[..., Any], route: Any
) -> None:
    feeds = [f for f in suite() if f.path.parent.name == "encoding"]
    site = serve({})
    sources = []
    for n, feed in enumerate(feeds):
        headers = (("Content-Type", feed.content_type),) if feed.content_type else ()
        site.routes[f"/{n}.xml"] = route(feed.body, headers=headers)
        sources.append(Source(id=f"enc-{n}", url=site.url(f"/{n}.xml"), outlet=Outlet(feed.path.name)))
    results = [poller.poll(source, NOW) for source in sources]
    assert len(results) == len(feeds) == 82
    assert {r.outcome for r in results} <= {PollOutcome.CHANGED, PollOutcome.FAILED}
    assert all(r.kind for r in results if r.outcome is PollOutcome.FAILED)
    assert len(source_health(poller.state, sources, NOW)) == 82


VNEXPRESS_SNAPSHOTS = [
    "vnexpress_tin-moi-nhat_javascript0704b6.xml",
    "vnexpress_tin-moi-nhat_javascript1102b3.xml",
    "vnexpress_tin-moi-nhat_string1407.xml",
    "vnexpress_tin-moi-nhat_string1808.xml",
]


@needs_vnexpress
def test_vnexpress_snapshots_polled_in_turn_count_only_new_items(
    poller: Poller, serve: Callable[..., Any], route: Any
) -> None:
    site = serve({})
    source = Source(id="vnexpress", url=site.url("/rss/tin-moi-nhat.rss"), outlet=Outlet("VnExpress"))
    previous: set[str] = set()
    moment = NOW
    total = 0
    for name in VNEXPRESS_SNAPSHOTS:
        body = (VNEXPRESS / name).read_bytes()
        site.routes["/rss/tin-moi-nhat.rss"] = route(body, headers=(("Content-Type", "application/rss+xml"),))
        result = poller.poll(source, moment)
        urls = {e.url for e in result.entries}
        assert len(urls) == 25
        assert result.outcome is (PollOutcome.CHANGED if urls != previous else PollOutcome.UNCHANGED)
        assert result.new_entries == len(urls - previous)  # these URLs carry no tracking parameters
        total += len(urls - previous)
        previous, moment = urls, moment + timedelta(hours=1)
    (row,) = source_health(poller.state, [source], moment)
    assert total > 25
    assert row.items_per_day == round(total / 7, 2)


@needs_vnexpress
def test_the_broken_vnexpress_copy_is_read_and_its_problem_counted(
    poller: Poller, serve: Callable[..., Any], route: Any
) -> None:
    body = (VNEXPRESS / "MALFORMED_vnexpress_tin-moi-nhat_vnexpress2810_browser-viewer-copy.xml").read_bytes()
    site = serve({"/rss.xml": route(body, headers=(("Content-Type", "application/rss+xml"),))})
    source = Source(id="vnexpress", url=site.url("/rss.xml"), outlet=Outlet("VnExpress"))
    result = poller.poll(source, NOW)
    assert result.outcome is PollOutcome.CHANGED
    assert len(result.entries) == 24
    assert result.kind == "malformed"
    (row,) = source_health(poller.state, [source], NOW)
    assert row.status == "ok" and row.errors == {"malformed": 1}
