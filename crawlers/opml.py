"""OPML 2.0 import and export of source lists: how press offices exchange feed lists.

Import reads ``<outline type="rss" xmlUrl=… text=… title=… language=…>`` at any depth
(folders are flattened) and writes ``[[sources]]`` blocks of the project config. Export
writes the configured sources back. What OPML has no attribute for (our source id, kind,
priority, country) travels as OPML ``category`` paths under ``/pressdesk/``, which other
readers show as tags and ignore otherwise, so a list survives the round trip.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree

from core.enums import SourceKind
from core.source import Source
from core.text import fold
from crawlers._xml import local_name, parse_xml

_CATEGORY = "/pressdesk/"
_ID_CHARS = re.compile(r"[^a-z0-9]+")
_ID_MAX = 48


@dataclass(frozen=True)
class ListedSource:
    """A source as another tool lists it: an OPML outline, or a feed that discovery found.

    Attributes:
        url: the feed URL (OPML ``xmlUrl``; ``url`` for our non-feed outlines).
        outlet: ``title``, else ``text``, else the URL's host: the publisher, never a person.
        language: the ``language`` attribute, ``""`` when absent.
        html_url: ``htmlUrl``, the outlet's web page.
        kind: ``feed`` unless a ``/pressdesk/kind/…`` category says otherwise.
        source_id: from a ``/pressdesk/id/…`` category, ``""`` when absent.
        priority: a ``/pressdesk/priority`` category is present.
        country: from a ``/pressdesk/country/…`` category, ``""`` when absent.
    """

    url: str
    outlet: str
    language: str = ""
    html_url: str = ""
    kind: SourceKind = SourceKind.FEED
    source_id: str = ""
    priority: bool = False
    country: str = ""


@dataclass(frozen=True)
class ParsedOpml:
    """What an OPML file held.

    Attributes:
        title: the file's ``<head><title>``.
        feeds: the usable outlines, in document order, one per URL.
        skipped: outlines that name something but not an http(s) feed URL.
        problem: ``""``, or why the file could not be read.
    """

    title: str
    feeds: tuple[ListedSource, ...]
    skipped: int
    problem: str


def read_opml(body: bytes) -> ParsedOpml:
    """Read an OPML 1.0/2.0 subscription list (never raises).

    Returns:
        its feeds, how many outlines were skipped, and a problem description.
    """
    try:
        root = parse_xml(body)
    except ValueError as exc:
        return ParsedOpml("", (), 0, f"not an OPML file: {exc}")
    if local_name(root.tag) != "opml":
        return ParsedOpml("", (), 0, f"not an OPML file (root element <{local_name(root.tag)}>)")
    title = " ".join((root.findtext("head/title") or "").split())
    feeds: dict[str, ListedSource] = {}
    skipped = 0
    for outline in root.iter("outline"):
        feed = _feed(outline.attrib)
        if feed is None:
            skipped += bool(outline.get("xmlUrl") or outline.get("url"))
            continue
        feeds.setdefault(feed.url, feed)
    return ParsedOpml(title, tuple(feeds.values()), skipped, "")


def write_opml(sources: Sequence[Source], title: str, now: datetime) -> bytes:
    """The sources as an OPML 2.0 document (UTF-8), feeds as ``type="rss"`` outlines."""
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = title
    ElementTree.SubElement(head, "dateCreated").text = format_datetime(now)
    body = ElementTree.SubElement(root, "body")
    for source in sources:
        attrs = {"text": source.outlet.name, "title": source.outlet.name}
        if source.kind is SourceKind.FEED:
            attrs |= {"type": "rss", "xmlUrl": source.url}
        else:
            attrs |= {"type": "link", "url": source.url}
        if source.outlet.language:
            attrs["language"] = source.outlet.language
        if source.outlet.domain:
            attrs["htmlUrl"] = f"https://{source.outlet.domain}/"
        attrs["category"] = ",".join(_categories(source))
        ElementTree.SubElement(body, "outline", attrs)
    ElementTree.indent(root)
    document: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def sources_toml(feeds: Iterable[ListedSource], taken_ids: Iterable[str] = ()) -> str:
    """``[[sources]]`` blocks for the project config, one per listed source.

    Args:
        feeds: what ``read_opml`` or discovery found.
        taken_ids: ids already in the config; new ids avoid them.

    Returns:
        TOML text to paste into the config (ids are kept from our own exports, else made
        from the outlet's name, and are unique).
    """
    taken = set(taken_ids)
    blocks: list[str] = []
    for feed in feeds:
        source_id = _unique_id(feed.source_id or _slug(feed.outlet) or _slug(urlsplit(feed.url).netloc), taken)
        lines = [
            "[[sources]]",
            f"id = {_toml(source_id)}",
            f"url = {_toml(feed.url)}",
            f"outlet = {_toml(feed.outlet)}",
            f"kind = {_toml(feed.kind.value)}",
        ]
        if feed.language:
            lines.append(f"language = {_toml(feed.language)}")
        if feed.country:
            lines.append(f"country = {_toml(feed.country)}")
        if feed.priority:
            lines.append("priority = true")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def _feed(attrs: dict[str, str]) -> ListedSource | None:
    url = (attrs.get("xmlUrl") or attrs.get("xmlurl") or attrs.get("url") or "").strip()
    if not url.startswith(("http://", "https://")):
        return None
    tags = _tags(attrs.get("category", ""))
    try:
        kind = SourceKind(tags.get("kind", "feed"))
    except ValueError:
        kind = SourceKind.FEED
    if kind is SourceKind.FEED and not (attrs.get("xmlUrl") or attrs.get("xmlurl")):
        return None  # a plain link outline from another tool: a web page, not a feed
    outlet = " ".join((attrs.get("title") or attrs.get("text") or "").split()) or urlsplit(url).netloc
    return ListedSource(
        url=url,
        outlet=outlet,
        language=attrs.get("language", "").strip(),
        html_url=attrs.get("htmlUrl", "").strip(),
        kind=kind,
        source_id=tags.get("id", ""),
        priority="priority" in tags,
        country=tags.get("country", ""),
    )


def _categories(source: Source) -> list[str]:
    found = [f"{_CATEGORY}id/{source.id}"]
    if source.kind is not SourceKind.FEED:
        found.append(f"{_CATEGORY}kind/{source.kind.value}")
    if source.priority:
        found.append(f"{_CATEGORY}priority")
    if source.outlet.country:
        found.append(f"{_CATEGORY}country/{source.outlet.country}")
    return found


def _tags(category: str) -> dict[str, str]:
    """Our ``/pressdesk/name[/value]`` categories as a mapping; other categories are ignored."""
    tags: dict[str, str] = {}
    for part in category.split(","):
        name, _, value = part.strip().removeprefix(_CATEGORY).partition("/")
        if part.strip().startswith(_CATEGORY) and name:
            tags[name] = value
    return tags


def _slug(text: str) -> str:
    """A config id from a name: folded to ASCII (Đà Nẵng → da-nang), dashes between words."""
    return _ID_CHARS.sub("-", fold(text)).strip("-")[:_ID_MAX].strip("-")


def _unique_id(candidate: str, taken: set[str]) -> str:
    base = candidate if re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", candidate) else f"source-{_slug(candidate) or 'x'}"
    chosen, n = base, 1
    while chosen in taken:
        n += 1
        chosen = f"{base}-{n}"
    taken.add(chosen)
    return chosen


def _toml(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, except that TOML also forbids a raw DEL."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
