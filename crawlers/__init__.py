"""Collection: polite fetching, feed reading and article extraction.

The journey's first step: ``Fetcher`` brings pages and feeds home under robots.txt and a
per-host delay, ``read_feed`` turns a feed into entries, ``extract_article`` turns an
article page into ``core.Extracted``. Errors come out as ``core.errors`` types.
"""

from crawlers.extract import extract_article
from crawlers.feeds import FeedEntry, ParsedFeed, read_feed
from crawlers.fetch import FetchedPage, Fetcher

__all__ = [
    "FeedEntry",
    "FetchedPage",
    "Fetcher",
    "ParsedFeed",
    "extract_article",
    "read_feed",
]
