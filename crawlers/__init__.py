"""Collection: polite fetching, feed reading and article extraction.

The journey's first step: ``Fetcher`` brings pages and feeds home under robots.txt and a
per-host delay, ``read_feed`` turns a feed into entries, ``extract_article`` turns an
article page into ``core.Extracted`` (``extract_page`` adds the outlet, and
``extract_sources`` runs it over many files and URLs). Errors come out as ``core.errors``
types.

Sources are polled by ``Poller`` (conditional GET checked by a fingerprint, adaptive
intervals, back-off) with its memory in ``SourceState``; ``source_health`` is the view
of it. ``discover``, sitemaps, OPML and public channels turn what an office knows
(a home page, a list from another office, a channel) into sources.
"""

from crawlers.channels import Channel, channel_feed, extracted_post, read_channel
from crawlers.discovery import Discovery, FoundFeed, discover
from crawlers.extract import ArticlePage, extract_article, extract_page
from crawlers.feeds import FeedEntry, ParsedFeed, read_feed
from crawlers.fetch import FetchedPage, Fetcher, failure_kind
from crawlers.health import SourceHealth, source_health
from crawlers.netguard import NetGuard
from crawlers.opml import ListedSource, ParsedOpml, read_opml, sources_toml, write_opml
from crawlers.pages import PageResult, extract_sources, page_sources
from crawlers.polling import Poller, PollOutcome, PollPolicy, PollResult
from crawlers.sitemaps import ParsedSitemap, SitemapEntry, read_sitemap
from crawlers.state import SourceRecord, SourceState

__all__ = [
    "ArticlePage",
    "Channel",
    "Discovery",
    "FeedEntry",
    "FetchedPage",
    "Fetcher",
    "FoundFeed",
    "ListedSource",
    "NetGuard",
    "PageResult",
    "ParsedFeed",
    "ParsedOpml",
    "ParsedSitemap",
    "PollOutcome",
    "PollPolicy",
    "PollResult",
    "Poller",
    "SitemapEntry",
    "SourceHealth",
    "SourceRecord",
    "SourceState",
    "channel_feed",
    "discover",
    "extract_article",
    "extract_page",
    "extract_sources",
    "extracted_post",
    "failure_kind",
    "page_sources",
    "read_channel",
    "read_feed",
    "read_opml",
    "read_sitemap",
    "source_health",
    "sources_toml",
    "write_opml",
]
