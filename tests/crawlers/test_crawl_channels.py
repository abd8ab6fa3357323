"""Public channels: references to feed URLs, and each platform's feed read with attribution stopping at the channel.

The fixtures are constructed in each platform's shape (see fixtures/collection/SOURCE.txt)
and served by the local server; they are read as the channel's own URL, which is what
tells the reader which platform it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from crawlers import Channel, FeedEntry, Fetcher, ParsedFeed, channel_feed, extracted_post, read_channel

YT_ID = "UCq0b7VyZx8aQeT1lJd3nF2w"
YT_FEED = f"https://www.youtube.com/feeds/videos.xml?channel_id={YT_ID}"
PEOPLE = ("Trần Thị Hoa", "minh_tester", "lan_traveller", "/u/", "Lê Văn Nam", "Phạm Quốc Bảo")


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        (f"https://www.youtube.com/channel/{YT_ID}", Channel("youtube", YT_ID, YT_FEED)),
        (f"youtube:{YT_ID}", Channel("youtube", YT_ID, YT_FEED)),
        (YT_FEED, Channel("youtube", YT_ID, YT_FEED)),
        ("r/danang", Channel("reddit", "danang", "https://www.reddit.com/r/danang/.rss")),
        ("https://old.reddit.com/r/danang/top/", Channel("reddit", "danang", "https://www.reddit.com/r/danang/.rss")),
        (
            "@baothunghiem@mastodon.example",
            Channel("mastodon", "@baothunghiem@mastodon.example", "https://mastodon.example/@baothunghiem.rss"),
        ),
        (
            "https://mastodon.example/@baothunghiem.rss",
            Channel("mastodon", "@baothunghiem@mastodon.example", "https://mastodon.example/@baothunghiem.rss"),
        ),
        (
            "https://bsky.app/profile/baothunghiem.bsky.social",
            Channel("bluesky", "baothunghiem.bsky.social", "https://bsky.app/profile/baothunghiem.bsky.social/rss"),
        ),
        (
            "bsky:baothunghiem.bsky.social",
            Channel("bluesky", "baothunghiem.bsky.social", "https://bsky.app/profile/baothunghiem.bsky.social/rss"),
        ),
        ("https://t.me/baothunghiem", Channel("telegram", "baothunghiem", "https://t.me/s/baothunghiem")),
        ("t.me/s/baothunghiem", Channel("telegram", "baothunghiem", "https://t.me/s/baothunghiem")),
        ("telegram:@baothunghiem", Channel("telegram", "baothunghiem", "https://t.me/s/baothunghiem")),
    ],
)
def test_channel_references_become_public_feeds(reference: str, expected: Channel) -> None:
    assert channel_feed(reference) == expected


@pytest.mark.parametrize(
    "reference",
    [
        "https://www.youtube.com/@someone",  # a handle page: its feed link is found by discovery
        "youtube:not-a-channel-id",
        "https://t.me/ab",  # too short to be a channel name
        "https://vnexpress.net/rss/thoi-su.rss",
        "http://[::1",
    ],
)
def test_other_references_are_not_channels(reference: str) -> None:
    assert channel_feed(reference) is None


@pytest.fixture
def served(
    serve: Callable[..., Any], route: Any, fixture_bytes: Callable[[str], bytes], user_agent: str
) -> Iterator[Callable[[str, str, str], ParsedFeed]]:
    """Serve a fixture locally, fetch it politely, and read it as the channel URL it stands for."""
    site = serve({})
    with Fetcher(user_agent, min_delay=0.0) as fetcher:

        def read(name: str, content_type: str, channel_url: str) -> ParsedFeed:
            site.routes[f"/{name}"] = route(
                fixture_bytes(f"collection/{name}"), headers=(("Content-Type", content_type),)
            )
            page = fetcher.fetch(site.url(f"/{name}"))
            return read_channel(page.body, channel_url, page.content_type)

        yield read


def _no_people(feed: ParsedFeed) -> None:
    text = repr(feed)
    assert not [name for name in PEOPLE if name in text]


def test_youtube_channel_feed(served: Callable[[str, str, str], ParsedFeed]) -> None:
    feed = served("youtube.xml", "application/atom+xml", YT_FEED)
    assert feed.problem == ""
    assert feed.title == "Truyền hình Thử nghiệm"
    assert feed.entries[0] == FeedEntry(
        url="https://www.youtube.com/watch?v=Xq1bT0kLm9A",
        title="Đà Nẵng khai mạc lễ hội pháo hoa quốc tế",
        summary="Tối 1/6, lễ hội pháo hoa quốc tế Đà Nẵng khai mạc bên sông Hàn với sáu đội thi.",
        published=datetime(2024, 6, 1, 13, 0, tzinfo=UTC),
    )
    assert len(feed.entries) == 2
    _no_people(feed)


def test_reddit_feed_loses_the_posters(served: Callable[[str, str, str], ParsedFeed]) -> None:
    feed = served("reddit.xml", "application/atom+xml", "https://www.reddit.com/r/danang/.rss")
    assert [e.title for e in feed.entries] == ["Dragon Bridge fire show schedule", "Marble Mountains after the rain?"]
    assert feed.entries[0].summary == "Dragon Bridge breathes fire every Saturday and Sunday at 9pm."
    assert feed.entries[0].url == "https://www.reddit.com/r/danang/comments/1abc23/dragon_bridge_fire_show/"
    _no_people(feed)


def test_mastodon_posts_get_titles_from_their_text(served: Callable[[str, str, str], ParsedFeed]) -> None:
    feed = served("mastodon.rss", "application/rss+xml", "https://mastodon.example/@baothunghiem.rss")
    first, second = feed.entries
    assert first.url == "https://mastodon.example/@baothunghiem/112550000000000001"
    assert first.title == "Đà Nẵng công bố lịch bắn pháo hoa cuối tuần."
    assert first.summary.startswith("Đà Nẵng công bố lịch bắn pháo hoa cuối tuần.\n")
    assert first.published == datetime(2024, 6, 2, 7, 30, tzinfo=UTC)
    assert second.title.endswith("…") and len(second.title) <= 121
    assert second.summary.startswith(second.title[:-1])


def test_bluesky_posts(served: Callable[[str, str, str], ParsedFeed]) -> None:
    feed = served("bluesky.rss", "application/rss+xml", "https://bsky.app/profile/baothunghiem.bsky.social/rss")
    (post,) = feed.entries
    assert post.url == "https://bsky.app/profile/baothunghiem.bsky.social/post/3kuv2abcd1234"
    assert post.title == post.summary == "Sân bay Đà Nẵng mở thêm đường bay quốc tế từ tháng 7."
    assert post.published == datetime(2024, 6, 2, 6, 15, tzinfo=UTC)


def test_telegram_preview_messages_without_names(served: Callable[[str, str, str], ParsedFeed]) -> None:
    feed = served("telegram.html", "text/html; charset=utf-8", "https://t.me/s/baothunghiem")
    assert feed.problem == ""
    assert feed.title == "Báo Thử nghiệm"
    assert feed.entries == (
        FeedEntry(
            url="https://t.me/baothunghiem/101",
            title="Đà Nẵng đón 1,2 triệu lượt khách trong tháng 5.",
            summary="Đà Nẵng đón 1,2 triệu lượt khách trong tháng 5.\nTăng 15% so với cùng kỳ năm trước.",
            published=datetime(2024, 6, 1, 8, 0, tzinfo=UTC),
        ),
        FeedEntry(
            url="https://t.me/baothunghiem/102",
            title="Cầu Rồng phun lửa trở lại từ tối thứ bảy này.",
            summary="Cầu Rồng phun lửa trở lại từ tối thứ bảy này.",  # not the quoted message it replies to
            published=datetime(2024, 6, 2, 1, 30, tzinfo=UTC),
        ),
    )  # the photo-only message has no text to keep
    _no_people(feed)


def test_a_page_that_is_not_a_telegram_preview_says_so() -> None:
    feed = read_channel(b"<html><body><h1>Not found</h1></body></html>", "https://t.me/s/baothunghiem")
    assert feed.entries == ()
    assert feed.problem == "not a Telegram channel preview (no messages markup)"


def test_a_post_is_its_own_extracted_text() -> None:
    post = FeedEntry("https://t.me/baothunghiem/101", "Tiêu đề", "Toàn văn bài đăng.", datetime(2024, 6, 1, tzinfo=UTC))
    extracted = extracted_post(post, "vi")
    assert (extracted.title, extracted.text, extracted.published, extracted.language) == (
        "Tiêu đề",
        "Toàn văn bài đăng.",
        datetime(2024, 6, 1, tzinfo=UTC),
        "vi",
    )
