"""Feed reading: RSS, Atom and JSON Feed bytes into plain entries.

Feeds are untrusted input from many publishers, often broken; ``read_feed`` never raises
and reports what was wrong in ``ParsedFeed.problem`` so source health can show it. It
keeps no author fields: attribution stops at the outlet or feed.
"""

from __future__ import annotations

import io
import json
import re
import time
import xml.sax
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from core.text import normalise_text

_JSON_FEED_PREFIX = "https://jsonfeed.org/version/"
_HIDDEN = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_BLOCK_TAG = re.compile(r"</?(?:p|div|br|li|ul|ol|h[1-6]|blockquote|tr|table|section|article)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_PROBLEM_MAX = 200
_SAFE_FALLBACKS = frozenset({"utf-8", "utf8", "ascii", "us-ascii"})
_WRONG_ENCODING = "wrong declared encoding"


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed, as plain text.

    Attributes:
        url: the entry's link, absolute (resolved against the feed URL).
        title: plain-text title, ``""`` when the feed gives none.
        summary: plain-text summary or description.
        published: publication (else update) time in UTC, ``None`` when absent or unreadable.
    """

    url: str
    title: str
    summary: str
    published: datetime | None


@dataclass(frozen=True)
class ParsedFeed:
    """What a feed held.

    Attributes:
        title: the feed's own title.
        entries: entries that have a usable http(s) link, in feed order.
        problem: ``""`` when the feed read cleanly, else a short reason; entries recovered
            from a broken feed are still returned.
    """

    title: str
    entries: tuple[FeedEntry, ...]
    problem: str

    @property
    def broken(self) -> bool:
        """True when nothing could be read: a problem and no entries (a poll that failed)."""
        return bool(self.problem) and not self.entries


def read_feed(body: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """Read an RSS, Atom or JSON Feed document.

    Args:
        body: the response body as fetched; nothing is fetched here.
        url: where the feed came from, used to resolve relative links.
        content_type: the response ``Content-Type``, when known (helps decoding and detection).

    Returns:
        the feed's title, entries and a problem description (never raises).
    """
    try:
        if not body.strip():
            return ParsedFeed("", (), "empty document")
        head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
        if "json" in content_type.lower() or head.startswith(b"{"):
            return _read_json_feed(body, url)
        return _read_xml_feed(body, url, content_type)
    except Exception as exc:  # the contract is "never raises": any failure becomes the problem
        return ParsedFeed("", (), _clip(f"unreadable feed: {type(exc).__name__}: {exc}"))


def _read_xml_feed(body: bytes, url: str, content_type: str) -> ParsedFeed:
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    # A stream, never the bytes or a str: feedparser opens a bytes argument that names an
    # existing file, and fetches a str that looks like a URL.
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    entries = tuple(entry for raw in parsed.entries if (entry := _xml_entry(raw, url)) is not None)
    title = _line(_plain(str(parsed.feed.get("title", ""))))
    if not parsed.get("version") and not parsed.entries:
        if _looks_like_html(body, content_type):
            return ParsedFeed(title, (), "not a feed (HTML page)")
        reason = _bozo_reason(parsed.bozo_exception) if parsed.bozo else ""
        return ParsedFeed(title, (), _clip(reason) or "not a feed (no RSS, Atom or RDF root element)")
    return ParsedFeed(title, entries, _clip(_bozo_reason(parsed.bozo_exception)) if parsed.bozo else "")


def _xml_entry(raw: Any, feed_url: str) -> FeedEntry | None:
    link = _absolute_link(raw.get("link"), feed_url)
    if not link:
        return None
    stamp = raw.get("published_parsed") or raw.get("updated_parsed")
    return FeedEntry(
        url=link,
        title=_line(_plain(str(raw.get("title", "")))),
        summary=_plain(str(raw.get("summary", ""))),
        published=_from_struct(stamp),
    )


def _read_json_feed(body: bytes, url: str) -> ParsedFeed:
    try:
        document = json.loads(body.decode("utf-8-sig", errors="replace"))
    except json.JSONDecodeError as exc:
        return ParsedFeed("", (), _clip(f"malformed JSON: {exc}"))
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        return ParsedFeed("", (), "not a JSON Feed (no items list)")
    title = _line(_plain(_text(document.get("title"))))
    entries: list[FeedEntry] = []
    for item in document["items"]:
        if not isinstance(item, dict):
            continue
        link = _absolute_link(item.get("url") or item.get("external_url"), url)
        if not link:
            continue
        summary = _text(item.get("summary")) or _text(item.get("content_text")) or _text(item.get("content_html"))
        published = _from_iso(_text(item.get("date_published")) or _text(item.get("date_modified")))
        entries.append(FeedEntry(link, _line(_plain(_text(item.get("title")))), _plain(summary), published))
    version = _text(document.get("version"))
    problem = "" if version.startswith(_JSON_FEED_PREFIX) else "JSON Feed without a jsonfeed.org version"
    return ParsedFeed(title, tuple(entries), problem)


def _absolute_link(link: object, feed_url: str) -> str:
    """The link resolved against the feed URL; ``""`` unless it is an http(s) URL."""
    if not isinstance(link, str) or not link.strip():
        return ""
    try:
        absolute = urljoin(feed_url, link.strip())
        return absolute if urlsplit(absolute).scheme in ("http", "https") else ""
    except ValueError:  # e.g. a broken IPv6 host; one bad link must not cost the other entries
        return ""


def _plain(markup: str) -> str:
    """Plain text from an HTML fragment; block tags become line breaks, the rest disappears."""
    text = _HIDDEN.sub(" ", markup)
    text = _BLOCK_TAG.sub("\n", text)
    return normalise_text(_TAG.sub("", text))


def _line(text: str) -> str:
    """One line: titles never carry line breaks."""
    return " ".join(text.split())


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _from_struct(stamp: object) -> datetime | None:
    """feedparser's parsed dates are ``time.struct_time`` already in UTC."""
    if not isinstance(stamp, time.struct_time):
        return None
    try:
        return datetime(*stamp[:6], tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


def _from_iso(value: str) -> datetime | None:
    """An RFC 3339 time (JSON Feed dates) in UTC; a time without an offset is taken as UTC."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _looks_like_html(body: bytes, content_type: str) -> bool:
    if "html" in content_type.lower():
        return True
    head = body[:2048].lower()
    return b"<!doctype html" in head or b"<html" in head


def _bozo_reason(exc: object) -> str:
    """A short reason for what feedparser tripped over (only problems that matter to a reader)."""
    if isinstance(exc, feedparser.NonXMLContentType):
        # The Content-Type header was not an XML one, but feedparser read the document anyway.
        return ""
    if isinstance(exc, feedparser.CharacterEncodingOverride):
        # Read as UTF-8 or ASCII, the text is right whatever was declared (text/xml without a
        # charset "declares" us-ascii); any other fallback means the declaration did not fit
        # the bytes and a guess took over.
        parsed_as = str(exc).rpartition("parsed as ")[2].strip().lower()
        if parsed_as in _SAFE_FALLBACKS:
            return ""
        return f"{_WRONG_ENCODING}: {exc}; text may be garbled"
    if isinstance(exc, xml.sax.SAXParseException):
        return f"malformed XML: {exc.getMessage()} at line {exc.getLineNumber()}, column {exc.getColumnNumber()}"
    if isinstance(exc, feedparser.CharacterEncodingUnknown):
        return "unknown character encoding; text may be garbled"
    return f"malformed feed: {exc}"


def _clip(problem: str) -> str:
    return problem if len(problem) <= _PROBLEM_MAX else problem[: _PROBLEM_MAX - 1] + "…"
