"""Feed discovery: from a site's address to the feeds and sitemaps worth polling.

An office knows its outlets by their home pages, not by feed URLs. Discovery reads what
the site itself announces: ``<link rel="alternate">`` tags for RSS, Atom and JSON Feed,
and ``Sitemap:`` lines in robots.txt. Only when the page names no feed are a few common
feed paths tried, one polite request at a time, stopping at the first that works.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from core.enums import SourceKind
from core.errors import FetchError
from crawlers.channels import channel_feed, read_channel
from crawlers.feeds import read_feed
from crawlers.fetch import Fetcher
from crawlers.opml import ListedSource, sources_toml
from crawlers.sitemaps import read_sitemap

#: ``type`` values of ``<link rel="alternate">`` that announce a feed.
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json"})
#: Tried in this order, only when the page announces no feed.
COMMON_FEED_PATHS = ("/rss", "/feed", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml", "/feed.json")
_DISCOVERY_TYPES = ("html", "xml", "json", "text/plain")


@dataclass(frozen=True)
class FoundFeed:
    """A feed or sitemap found for a site.

    Attributes:
        url: what to put in the source's ``url``.
        kind: ``feed`` or ``sitemap``.
        title: the title the site gave it, ``""`` when none.
        via: how it was found: ``link`` (a link tag), ``probe`` (a common path answered
            with a feed), ``robots`` (a ``Sitemap:`` line), ``self`` (the address is a
            feed) or ``channel`` (a public social channel's feed).
    """

    url: str
    kind: SourceKind
    title: str
    via: str


@dataclass(frozen=True)
class Discovery:
    """What discovery found for one address.

    Attributes:
        url: the address asked about.
        found: feeds first (as the site listed them), then sitemaps.
        problem: ``""``, or why the page itself could not be read.
    """

    url: str
    found: tuple[FoundFeed, ...]
    problem: str

    def toml(self, taken_ids: Iterable[str] = ()) -> str:
        """``[[sources]]`` blocks for what was found, to paste into the project config."""
        host = urlsplit(self.url).netloc
        return sources_toml((ListedSource(f.url, f.title or host, kind=f.kind) for f in self.found), taken_ids)


def discover(fetcher: Fetcher, url: str, *, probe_paths: tuple[str, ...] = COMMON_FEED_PATHS) -> Discovery:
    """Find the feeds and sitemaps of the site at ``url``, through the polite ``fetcher``.

    Returns:
        what was found and, when the page failed, why (never raises ``FetchError``).
    """
    channel = channel_feed(url)
    if channel is not None:
        return Discovery(url, (FoundFeed(channel.feed_url, SourceKind.FEED, channel.name, "channel"),), "")
    try:
        page = fetcher.fetch(url, accept=_DISCOVERY_TYPES)
    except FetchError as exc:
        return Discovery(url, (), exc.reason)
    feeds: list[FoundFeed] = []
    if "html" not in page.content_type.lower():
        feed = read_channel(page.body, page.final_url, page.content_type)
        sitemap = read_sitemap(page.body, page.final_url, fetcher.max_bytes)
        if not feed.broken:
            feeds.append(FoundFeed(page.final_url, SourceKind.FEED, feed.title, "self"))
        elif sitemap.entries or sitemap.sitemaps:
            feeds.append(FoundFeed(page.final_url, SourceKind.SITEMAP, "", "self"))
    if not feeds:
        feeds = _announced(page.body.decode("utf-8", errors="replace"), page.final_url)
    if not feeds:
        feeds = _probe(fetcher, page.final_url, probe_paths)
    sitemaps = [FoundFeed(s, SourceKind.SITEMAP, "", "robots") for s in fetcher.robots_sitemaps(page.final_url)]
    return Discovery(url, tuple(_unique(feeds + sitemaps)), "")


def _announced(html: str, base: str) -> list[FoundFeed]:
    parser = _FeedLinks(base)
    parser.feed(html)
    parser.close()
    return parser.found


def _probe(fetcher: Fetcher, page_url: str, paths: tuple[str, ...]) -> list[FoundFeed]:
    """Try common feed paths on the page's site, one at a time, until one holds a feed."""
    parts = urlsplit(page_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    for path in paths:
        try:
            page = fetcher.fetch(origin + path, accept=_DISCOVERY_TYPES)
        except FetchError:
            continue  # a missing path is the usual answer to a guess, not a problem to report
        feed = read_feed(page.body, page.final_url, page.content_type)
        if not feed.broken:
            return [FoundFeed(page.final_url, SourceKind.FEED, feed.title, "probe")]
    return []


def _unique(found: list[FoundFeed]) -> list[FoundFeed]:
    """The first of each URL: a feed announced twice, or both announced and listed, is one source."""
    kept: dict[str, FoundFeed] = {}
    for feed in found:
        kept.setdefault(feed.url, feed)
    return list(kept.values())


class _FeedLinks(HTMLParser):
    """``<link rel="alternate" type=feed href>`` tags, resolved against ``<base href>`` when present."""

    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.found: list[FoundFeed] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: (value or "").strip() for name, value in attrs}
        if tag == "base" and found.get("href"):
            self.base = urljoin(self.base, found["href"])
            return
        if tag != "link" or "alternate" not in found.get("rel", "").lower().split():
            return
        kind = found.get("type", "").lower().split(";")[0].strip()
        if kind not in FEED_TYPES or not found.get("href"):
            return
        try:
            href = urljoin(self.base, found["href"])
        except ValueError:
            return
        if urlsplit(href).scheme in ("http", "https"):
            self.found.append(FoundFeed(href, SourceKind.FEED, " ".join(found.get("title", "").split()), "link"))
