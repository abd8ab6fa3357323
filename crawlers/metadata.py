"""What a news page says about itself: title, publication time, canonical URL, outlet, image.

Publishers state these for search engines and social networks (Open Graph, schema.org,
``<link rel=canonical>``), so the page's own markup is read first; htmldate finds the
date on pages that state none. All of it is cheap next to body extraction, which is why
trafilatura's own (slower, author- and category-hunting) metadata pass is not used.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import lxml.html  # type: ignore[import-untyped, unused-ignore]  # lxml ships no types; stubs may be absent
from htmldate import find_date

from core.text import normalise_text

_PUBLISHED_XPATH = (
    "//meta[@property='article:published_time' or @name='article:published_time'"
    " or @itemprop='datePublished' or @name='pubdate' or @name='publishdate'"
    " or @property='og:published_time']/@content"
    " | //time[@itemprop='datePublished' or @pubdate]/@datetime"
)
_JSON_LD_PUBLISHED = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')
_IMAGE_XPATHS = (
    "//meta[@property='og:image' or @name='og:image' or @property='og:image:url']/@content",
    "//meta[@name='twitter:image' or @property='twitter:image' or @name='twitter:image:src']/@content",
    "//article//img/@src | //main//img/@src",
)
_WORDS = re.compile(r"\w+")
# " | VnExpress", " - Tuổi Trẻ Online", " – Le Monde": the outlet after a title.
_TITLE_SUFFIX = re.compile(r"\s+[|\-–—:·•]\s+[^|\-–—:·•]+$")


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """The page's self-description; empty strings (and ``None``) where it says nothing."""

    title: str
    published: datetime | None
    canonical_url: str
    outlet: str
    image_url: str
    declared_language: str


def read_metadata(tree: lxml.html.HtmlElement, url: str) -> PageMetadata:
    """Read the metadata of a parsed page.

    Args:
        tree: the page, parsed.
        url: where it came from, to resolve relative links and name the outlet.

    Returns:
        the metadata; the canonical URL, outlet and image are absolute http(s) URLs or
        names, the publication time is in UTC.
    """
    canonical = _link(tree, "//link[@rel='canonical']/@href | //meta[@property='og:url']/@content", url)
    outlet = _outlet(tree, canonical or url)
    return PageMetadata(
        title=_title(tree, outlet),
        published=_published(tree, url),
        canonical_url=canonical,
        outlet=outlet,
        image_url=next((link for xpath in _IMAGE_XPATHS if (link := _link(tree, xpath, url))), ""),
        declared_language=str(
            tree.get("lang") or tree.xpath("string(//meta[@http-equiv='content-language']/@content)")
        ),
    )


def _title(tree: lxml.html.HtmlElement, outlet: str) -> str:
    """The headline: the ``<h1>`` the page's own title agrees with, else the share title.

    Pages carry several ``<h1>`` (logo, section name, headline); the one contained in
    ``og:title`` or ``<title>`` is the headline. The share title, when used, loses a
    trailing outlet name.
    """
    stated = [_clean(str(value)) for value in tree.xpath("//meta[@property='og:title']/@content | //title/text()")]
    stated = [title for title in stated if title]
    folded = [_fold(title) for title in stated]
    headings = [_clean(h1.text_content()) for h1 in tree.iter("h1")]
    for heading in headings:
        if len(_fold(heading)) >= 10 and any(_fold(heading) in title for title in folded):
            return heading
    title = stated[0] if stated else next((heading for heading in headings if heading), "")
    suffix = _TITLE_SUFFIX.search(title)
    if suffix and outlet and _fold(outlet) in _fold(suffix.group()):
        return title[: suffix.start()]
    return title


def _published(tree: lxml.html.HtmlElement, url: str) -> datetime | None:
    """The stated publication time in UTC.

    A machine-readable timestamp with its offset wins. Otherwise htmldate reads the day
    (from markup first, then, if need be, from the visible text), placed at midnight UTC,
    which is the same calendar day in Vietnam.
    """
    stated = [str(value) for value in tree.xpath(_PUBLISHED_XPATH)]
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        stated += _JSON_LD_PUBLISHED.findall(str(script))
    for value in stated:
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            continue
        if moment.tzinfo is not None:
            return moment.astimezone(UTC)
    for extensive in (False, True):
        day = find_date(tree, url=url or None, extensive_search=extensive, original_date=True)
        if day:
            return datetime.strptime(day[:10], "%Y-%m-%d").replace(tzinfo=UTC)
    return None


def _outlet(tree: lxml.html.HtmlElement, url: str) -> str:
    """The outlet's own name (``og:site_name``, schema.org publisher), else its domain."""
    for value in tree.xpath("//meta[@property='og:site_name' or @name='application-name']/@content"):
        if name := _clean(str(value)):
            return name
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        if name := _publisher(str(script)):
            return name
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def _publisher(script: str) -> str:
    """``publisher.name`` of the first schema.org object that names one."""
    try:
        data = json.loads(script)
    except ValueError:
        return ""
    for node in data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []:
        publisher = node.get("publisher") if isinstance(node, dict) else None
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            return _clean(publisher["name"])
    return ""


def _link(tree: lxml.html.HtmlElement, xpath: str, page_url: str) -> str:
    """The first http(s) URL the XPath finds, absolute; ``""`` when there is none."""
    for value in tree.xpath(xpath):
        try:
            link = urljoin(page_url, str(value).strip()) if str(value).strip() else ""
            if urlsplit(link).scheme in ("http", "https"):
                return link
        except ValueError:  # e.g. a broken IPv6 host: publishers' markup is not always valid
            continue
    return ""


def _clean(text: str) -> str:
    return " ".join(normalise_text(text).split())


def _fold(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))
