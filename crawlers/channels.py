"""Public social channels that publish feeds: YouTube, Reddit, Mastodon, Bluesky, Telegram previews.

Each platform gives a public channel a feed (or, for Telegram, a public HTML preview) that
needs no login and no API key. A channel here is a publisher like a newspaper: attribution
stops at the channel, and nothing about the people behind posts (author names, handles of
posters, member lists) is kept. Posts are short and complete in themselves, so the
pipeline takes their text from the feed instead of fetching each post's page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

from core.item import Extracted
from core.text import normalise_text
from crawlers.feeds import FeedEntry, ParsedFeed, read_feed

_YOUTUBE_ID = re.compile(r"UC[A-Za-z0-9_-]{22}")
_SUBREDDIT = re.compile(r"(?:^|/)r/([A-Za-z0-9_]{2,21})(?:/|$)")
_TELEGRAM_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")
_MASTODON_ACCOUNT = re.compile(r"@([A-Za-z0-9_]+)@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_BLUESKY_HANDLE = re.compile(r"[A-Za-z0-9.-]+\.[A-Za-z]{2,}|did:plc:[a-z0-9]+")
# Reddit's feed puts "submitted by /u/NAME [link] [comments]" into every entry's content.
_REDDIT_BOILERPLATE = re.compile(r"submitted by\s+/?u/\S+|\[link\]|\[comments\]")
_TITLE_CHARS = 120


@dataclass(frozen=True)
class Channel:
    """A public channel and the feed it publishes.

    Attributes:
        platform: ``youtube``, ``reddit``, ``mastodon``, ``bluesky`` or ``telegram``.
        name: the channel's own name on the platform (a channel id, subreddit, account or handle).
        feed_url: the public feed (for Telegram, the public web preview) to poll.
    """

    platform: str
    name: str
    feed_url: str


def channel_feed(reference: str) -> Channel | None:
    """Turn a channel reference into its public feed.

    Accepts the channel's web address (``https://www.youtube.com/channel/UC…``,
    ``https://www.reddit.com/r/danang``, ``https://mastodon.social/@account``,
    ``https://bsky.app/profile/handle``, ``https://t.me/name``), its feed URL, or a short
    form (``youtube:UC…``, ``r/name``, ``@account@instance``, ``bsky:handle``, ``telegram:name``).

    Returns:
        the channel, or ``None`` when the reference names no channel we can read without
        a login (a YouTube ``@handle`` page: run feed discovery on it instead).
    """
    ref = reference.strip()
    platform, sep, rest = ref.partition(":")
    if sep and platform in _SHORT_FORMS and not rest.startswith("//"):
        return _SHORT_FORMS[platform](rest.strip())
    if (match := _MASTODON_ACCOUNT.fullmatch(ref)) is not None:
        return _mastodon(match.group(2), match.group(1))
    if ref.startswith(("r/", "/r/")):
        return _subreddit(ref)
    try:
        parts = urlsplit(ref if "://" in ref else f"https://{ref}")
        host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("old.")
    except ValueError:
        return None
    return _from_url(host, parts.path, parts.query)


def _from_url(host: str, path: str, query: str) -> Channel | None:
    """A channel from its web address or feed URL, split into host (without ``www.``), path and query."""
    if host in ("youtube.com", "m.youtube.com"):
        return _youtube(parse_qs(query).get("channel_id", [""])[0] or path.removeprefix("/channel/").split("/")[0])
    if host == "reddit.com":
        return _subreddit(path)
    if host == "bsky.app" and path.startswith("/profile/"):
        return _bluesky(path.split("/")[2])
    if host in ("t.me", "telegram.me"):
        return _telegram(path.removeprefix("/s/").strip("/").split("/")[0])
    account = re.fullmatch(r"/@([A-Za-z0-9_]+)(?:\.rss)?/?", path)
    return _mastodon(host, account.group(1)) if account and host else None


def is_telegram_preview(url: str) -> bool:
    """True for a Telegram public preview page (``https://t.me/s/NAME``), which is HTML, not a feed."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return (parts.hostname or "").lower() in ("t.me", "telegram.me") and parts.path.startswith("/s/")


def read_channel(body: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """Read a channel's feed (or Telegram preview) into entries with titles and no people.

    Posts have no titles on most platforms; an entry's title is then the start of its text.

    Returns:
        the channel's title, entries and a problem description (never raises).
    """
    if is_telegram_preview(url):
        try:
            return _read_telegram(body.decode("utf-8", errors="replace"), url)
        except Exception as exc:  # the contract is "never raises", as for read_feed
            return ParsedFeed("", (), f"unreadable Telegram preview: {type(exc).__name__}: {exc}")
    feed = read_feed(body, url, content_type)
    channel = channel_feed(url)
    reddit = channel is not None and channel.platform == "reddit"
    entries = tuple(_titled(_without_posters(e) if reddit else e) for e in feed.entries)
    return replace(feed, entries=entries)


def extracted_post(entry: FeedEntry, language: str) -> Extracted:
    """A channel post as extracted text: the post is complete in its feed, so no page is fetched.

    Args:
        entry: the post, as ``read_channel`` returned it.
        language: the channel's configured language (posts carry none of their own).
    """
    return Extracted(title=entry.title, text=entry.summary, published=entry.published, language=language)


def _titled(entry: FeedEntry) -> FeedEntry:
    if entry.title or not entry.summary:
        return entry
    first = entry.summary.strip().splitlines()[0]
    if len(first) > _TITLE_CHARS:
        first = first[:_TITLE_CHARS].rsplit(" ", 1)[0] + "…"
    return replace(entry, title=first)


def _without_posters(entry: FeedEntry) -> FeedEntry:
    """Reddit entries name the poster in their text; the channel is the subreddit, so that goes."""
    return replace(entry, summary=normalise_text(_REDDIT_BOILERPLATE.sub(" ", entry.summary)))


def _youtube(channel_id: str) -> Channel | None:
    if not _YOUTUBE_ID.fullmatch(channel_id):
        return None
    return Channel("youtube", channel_id, f"https://www.youtube.com/feeds/videos.xml?channel_id={channel_id}")


def _subreddit(path: str) -> Channel | None:
    match = _SUBREDDIT.search(path if path.startswith("/") else f"/{path}")
    if match is None:
        return None
    return Channel("reddit", match.group(1), f"https://www.reddit.com/r/{match.group(1)}/.rss")


def _mastodon(instance: str, account: str) -> Channel:
    return Channel("mastodon", f"@{account}@{instance}", f"https://{instance}/@{account}.rss")


def _bluesky(handle: str) -> Channel | None:
    if not _BLUESKY_HANDLE.fullmatch(handle):
        return None
    return Channel("bluesky", handle, f"https://bsky.app/profile/{handle}/rss")


def _telegram(name: str) -> Channel | None:
    name = name.removeprefix("@")
    if not _TELEGRAM_NAME.fullmatch(name):
        return None
    return Channel("telegram", name, f"https://t.me/s/{name}")


def _mastodon_short(account: str) -> Channel | None:
    match = _MASTODON_ACCOUNT.fullmatch(account if account.startswith("@") else f"@{account}")
    return _mastodon(match.group(2), match.group(1)) if match else None


_SHORT_FORMS = {
    "youtube": _youtube,
    "reddit": _subreddit,
    "mastodon": _mastodon_short,
    "bsky": _bluesky,
    "bluesky": _bluesky,
    "telegram": _telegram,
}


def _read_telegram(html: str, url: str) -> ParsedFeed:
    parser = _TelegramPreview(url)
    parser.feed(html)
    parser.close()
    if not parser.saw_channel:
        return ParsedFeed(parser.title, (), "not a Telegram channel preview (no messages markup)")
    return ParsedFeed(parser.title, tuple(parser.entries), "")


class _TelegramPreview(HTMLParser):
    """Messages of a ``t.me/s/NAME`` page: text, link and date only.

    The page also shows view counts, forwarded-from names and admin signatures; those are
    not read, so no person's name can reach an entry.
    """

    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.title = ""
        self.entries: list[FeedEntry] = []
        self.saw_channel = False
        self._depth = 0  # open <div> elements
        self._message_depth = 0  # depth of the open message's <div>, 0 outside one
        self._text_depth = 0  # depth of the message text's <div>, 0 outside it
        self._text: list[str] = []
        self._link = ""
        self._published: datetime | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        classes = found.get("class", "").split()
        if tag == "meta" and found.get("property") == "og:title":
            self.title = " ".join(found.get("content", "").split())
        elif tag == "br" and self._text_depth:
            self._text.append("\n")
        elif tag == "a" and self._message_depth and "tgme_widget_message_date" in classes:
            self._link = urljoin(self.url, found.get("href", ""))
        elif tag == "time" and self._message_depth and not self._published:
            self._published = _instant(found.get("datetime", ""))
        if tag != "div":
            return
        self._depth += 1
        if "tgme_widget_message" in classes and found.get("data-post"):
            self.saw_channel = True
            self._message_depth = self._depth
            self._text, self._link, self._published = [], "", None
            self._link = f"https://t.me/{found['data-post'].strip('/')}"
        elif self._message_depth and "js-message_text" in classes and not self._text_depth:
            self._text_depth = self._depth

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and self._text_depth:
            self._text.append("\n")
        elif tag != "div":
            self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._text_depth:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "blockquote") and self._text_depth:
            self._text.append("\n")
        if tag != "div" or not self._depth:
            return
        if self._text_depth == self._depth:
            self._text_depth = 0
        if self._message_depth == self._depth:
            self._message_depth = 0
            self._finish()
        self._depth -= 1

    def _finish(self) -> None:
        text = normalise_text("".join(self._text)).strip()
        if text and self._link.startswith(("https://", "http://")):
            self.entries.append(_titled(FeedEntry(self._link, "", text, self._published)))


def _instant(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
