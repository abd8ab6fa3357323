"""Sitemaps: Google News sitemaps, plain URL sets and sitemap indexes, gzipped or not.

Many Vietnamese and foreign outlets publish a news sitemap (``news:news`` with the title,
publication and date) even where their RSS is stale or gone. ``read_sitemap`` reads one
document and never raises; ``collect_sitemap`` follows an index through the polite
``Fetcher`` with limits on depth and count, so a site with ten years of monthly sitemaps
costs a few requests, not thousands.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

from core.errors import FetchError
from crawlers._xml import local_name, parse_xml
from crawlers.feeds import FeedEntry, ParsedFeed
from crawlers.fetch import FetchedPage, Fetcher

#: sitemaps.org allows 50 MB uncompressed per file; anything larger is refused, so a
#: gzip bomb stops there.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_READ_CHUNK = 1024 * 1024
#: What a sitemap may be served as (``.xml.gz`` often comes as ``application/octet-stream``).
SITEMAP_TYPES = ("xml", "gzip", "text/plain", "octet-stream")


@dataclass(frozen=True)
class SitemapEntry:
    """One ``<url>`` (or, in an index, one ``<sitemap>``).

    Attributes:
        url: the absolute page (or child sitemap) URL.
        lastmod: ``<lastmod>`` in UTC, ``None`` when absent or unreadable.
        title: ``news:title``, ``""`` outside news sitemaps.
        published: ``news:publication_date`` in UTC.
        publication: ``news:publication/news:name``: the outlet, never a person.
        language: ``news:publication/news:language``.
    """

    url: str
    lastmod: datetime | None = None
    title: str = ""
    published: datetime | None = None
    publication: str = ""
    language: str = ""


@dataclass(frozen=True)
class ParsedSitemap:
    """What a sitemap (or an index and the children read from it) held.

    Attributes:
        entries: page entries in document order.
        sitemaps: child sitemaps listed by an index (not yet read).
        problem: ``""`` when everything read cleanly, else a short reason; entries read
            before or beside the problem are kept.
    """

    entries: tuple[SitemapEntry, ...]
    sitemaps: tuple[SitemapEntry, ...]
    problem: str

    def as_feed(self) -> ParsedFeed:
        """The entries as feed entries, so the pipeline treats sitemaps and feeds alike."""
        entries = tuple(FeedEntry(e.url, e.title, "", e.published or e.lastmod) for e in self.entries)
        return ParsedFeed("", entries, self.problem)


def read_sitemap(body: bytes, url: str, max_bytes: int = MAX_SITEMAP_BYTES) -> ParsedSitemap:
    """Read one sitemap or sitemap index (XML, gzipped XML or a plain list of URLs).

    Args:
        body: the document as fetched (gzip is detected from its first bytes).
        url: where it came from, to resolve relative locations.
        max_bytes: the largest decompressed size accepted.

    Returns:
        its entries or child sitemaps, and a problem description (never raises).
    """
    if body.startswith(_GZIP_MAGIC):
        try:
            body = _gunzip(body, max_bytes)
        except ValueError as exc:
            return ParsedSitemap((), (), str(exc))
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        return ParsedSitemap((), (), "empty document")
    if not stripped.startswith(b"<"):
        return _read_text(stripped, url)
    return _read_xml(stripped, url)


def _read_xml(stripped: bytes, url: str) -> ParsedSitemap:
    try:
        root = parse_xml(stripped)
    except ValueError as exc:
        reason = str(exc)
        return ParsedSitemap(
            (), (), reason if reason.startswith(("malformed", "unknown")) else f"not a sitemap ({reason})"
        )
    name = local_name(root.tag)
    if name == "sitemapindex":
        return ParsedSitemap((), tuple(e for node in root if (e := _entry(node, url))), "")
    if name == "urlset":
        return ParsedSitemap(tuple(e for node in root if (e := _entry(node, url))), (), "")
    return ParsedSitemap((), (), f"not a sitemap (root element <{name}>)")


def collect_sitemap(
    fetcher: Fetcher,
    page: FetchedPage,
    *,
    max_depth: int = 2,
    max_sitemaps: int = 20,
    max_entries: int = 5000,
) -> ParsedSitemap:
    """Read a fetched sitemap and, when it is an index, the child sitemaps it lists.

    Children are read newest ``lastmod`` first, since the recent ones hold the news.

    Args:
        fetcher: the polite fetcher children go through.
        page: the top-level sitemap, already fetched (so the caller controls conditional GET).
        max_depth: index levels followed below the top one.
        max_sitemaps: child sitemaps fetched at most.
        max_entries: entries kept at most.

    Returns:
        every entry found; ``problem`` names the first child that failed and how many did.
    """
    top = read_sitemap(page.body, page.final_url, min(fetcher.max_bytes, MAX_SITEMAP_BYTES))
    entries = list(top.entries)
    queue = [(child, 1) for child in _newest_first(top.sitemaps)]
    failures: list[str] = []
    fetched = 0
    seen = {page.final_url}
    while queue and fetched < max_sitemaps and len(entries) < max_entries:
        child, depth = queue.pop(0)
        if child.url in seen or depth > max_depth:
            continue
        seen.add(child.url)
        fetched += 1
        try:
            reply = fetcher.fetch(child.url, accept=SITEMAP_TYPES)
        except FetchError as exc:
            failures.append(f"{child.url}: {exc.reason}")
            continue
        parsed = read_sitemap(reply.body, reply.final_url, min(fetcher.max_bytes, MAX_SITEMAP_BYTES))
        if parsed.problem:
            failures.append(f"{child.url}: {parsed.problem}")
        entries.extend(parsed.entries)
        queue.extend((grandchild, depth + 1) for grandchild in _newest_first(parsed.sitemaps))
    problem = top.problem
    if failures:
        problem = f"child sitemaps failed ({len(failures)} of {fetched}); first: {failures[0]}"
    return ParsedSitemap(tuple(entries[:max_entries]), (), problem)


def _entry(node: ElementTree.Element, base: str) -> SitemapEntry | None:
    """A ``<url>`` or ``<sitemap>`` element; ``None`` without a usable http(s) ``<loc>``."""
    values: dict[str, str] = {}
    for child in node.iter():
        namespace, _, name = child.tag.rpartition("}")
        if "image" in namespace or "video" in namespace:
            continue  # image:title and video:title must not pass for the article's title
        key = f"news:{name}" if "news" in namespace else name
        values.setdefault(key, (child.text or "").strip())
    loc = values.get("loc", "")
    try:
        absolute = urljoin(base, loc) if loc else ""
        scheme = urlsplit(absolute).scheme
    except ValueError:
        return None
    if scheme not in ("http", "https"):
        return None
    return SitemapEntry(
        url=absolute,
        lastmod=_date(values.get("lastmod", "")),
        title=" ".join(values.get("news:title", "").split()),
        published=_date(values.get("news:publication_date", "")),
        publication=values.get("news:name", ""),
        language=values.get("news:language", ""),
    )


def _read_text(body: bytes, url: str) -> ParsedSitemap:
    """A text sitemap: one absolute URL per line (sitemaps.org allows it)."""
    lines = [line.strip() for line in body.decode("utf-8", errors="replace").splitlines() if line.strip()]
    entries = tuple(SitemapEntry(line) for line in lines if line.startswith(("http://", "https://")))
    if not entries:
        return ParsedSitemap((), (), "not a sitemap (neither XML nor a list of URLs)")
    skipped = len(lines) - len(entries)
    return ParsedSitemap(entries, (), f"lines that are not URLs skipped: {skipped}" if skipped else "")


def _gunzip(body: bytes, limit: int) -> bytes:
    """Decompress in bounded steps so a gzip bomb stops at ``limit``."""
    inflater = zlib.decompressobj(wbits=31)
    out = bytearray()
    pending = body
    try:
        while not inflater.eof:
            chunk = inflater.decompress(pending, _READ_CHUNK)
            out += chunk
            if len(out) > limit:
                raise ValueError(f"gzip sitemap over the {limit}-byte limit after decompression")
            pending = inflater.unconsumed_tail
            if not chunk and not pending:
                break  # nothing left to feed it: the stream was cut short
    except zlib.error as exc:
        raise ValueError(f"broken gzip: {exc}") from exc
    if not inflater.eof:
        raise ValueError("broken gzip: the data ends early")
    return bytes(out)


def _newest_first(children: tuple[SitemapEntry, ...]) -> list[SitemapEntry]:
    oldest = datetime.min.replace(tzinfo=UTC)
    return sorted(children, key=lambda child: child.lastmod or oldest, reverse=True)


def _date(value: str) -> datetime | None:
    """A W3C datetime (``2024-05-01``, ``2024-05-01T08:30:00+07:00``) in UTC."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
