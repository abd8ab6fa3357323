"""The feed reader on hostile feeds: it never raises, never hangs, and what it returns is well-formed.

``read_feed`` promises "never raises" by catching everything; that promise alone would
hide our own bugs, so these tests also refuse a problem that names a Python error from
inside our code (``unreadable feed: TypeError: ...``) and check every entry's shape.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC
from urllib.parse import urlsplit

from hypothesis import example, given, settings
from hypothesis import strategies as st

from crawlers import read_feed
from crawlers.sitemaps import read_sitemap

#: Examples per test are multiplied by this for long runs outside CI.
SCALE = int(os.environ.get("PRESSDESK_FUZZ_SCALE", "1"))

FEED_URL = "https://vnexpress.net/rss/tin-moi-nhat.rss"
CONTENT_TYPES = ["", "application/rss+xml", "application/atom+xml; charset=utf-8", "application/feed+json", "text/html"]
#: Errors that mean a bug of ours when they surface as "unreadable feed: <Error>: ...".
OUR_BUGS = ("TypeError", "AttributeError", "KeyError", "IndexError", "AssertionError", "NameError")


def _check_feed(body: bytes, content_type: str) -> None:
    parsed = read_feed(body, FEED_URL, content_type)
    assert isinstance(parsed.title, str)
    assert len(parsed.problem) <= 300
    assert not parsed.problem.startswith(tuple(f"unreadable feed: {name}" for name in OUR_BUGS)), parsed.problem
    for entry in parsed.entries:
        assert urlsplit(entry.url).scheme in ("http", "https"), entry.url
        assert isinstance(entry.title, str) and isinstance(entry.summary, str)
        assert "\x00" not in entry.title + entry.summary
        assert entry.published is None or entry.published.tzinfo == UTC


@settings(max_examples=300 * SCALE, deadline=3000)
@given(body=st.data(), content_type=st.sampled_from(CONTENT_TYPES))
def test_mutated_real_feeds(
    body: st.DataObject,
    content_type: str,
    feed_seeds: list[bytes],
    mutate: Callable[[list[bytes]], st.SearchStrategy[bytes]],
    within: Callable[[float], AbstractContextManager[None]],
) -> None:
    document = body.draw(mutate(feed_seeds), label="feed")
    with within(10):
        _check_feed(document, content_type)


@settings(max_examples=150 * SCALE, deadline=2000)
@given(document=st.binary(max_size=4096), content_type=st.sampled_from(CONTENT_TYPES))
@example(document=b"\xef\xbb\xbf{", content_type="")
@example(document=b'{"items": {"url": 1}}', content_type="application/feed+json")
@example(document=b'{"items": [{"url": "mailto:x@y", "date_published": "2026-13-45"}]}', content_type="")
@example(document=b"<rss><channel><item><link>http://[::1</link></item></channel></rss>", content_type="")
@example(
    document=b"<rss><channel><item><link>//a.example/x</link><pubDate>9</pubDate></item></channel></rss>",
    content_type="",
)
def test_arbitrary_bytes(
    document: bytes, content_type: str, within: Callable[[float], AbstractContextManager[None]]
) -> None:
    with within(10):
        _check_feed(document, content_type)


@settings(max_examples=150 * SCALE, deadline=3000)
@given(body=st.data())
def test_mutated_feeds_as_sitemaps(
    body: st.DataObject,
    feed_seeds: list[bytes],
    mutate: Callable[[list[bytes]], st.SearchStrategy[bytes]],
    within: Callable[[float], AbstractContextManager[None]],
) -> None:
    """Sitemaps are XML from the same hostile places; the reader must hold for any XML-ish body."""
    sitemap = (
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://baodanang.vn/a.html</loc><lastmod>2026-11-30</lastmod></url></urlset>"
    )
    document = body.draw(mutate([sitemap, *feed_seeds[:200]]), label="sitemap")
    with within(10):
        parsed = read_sitemap(document, "https://baodanang.vn/sitemap.xml")
    for entry in parsed.entries:
        assert urlsplit(entry.url).scheme in ("http", "https")
