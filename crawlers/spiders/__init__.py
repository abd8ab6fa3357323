"""Scrapy spiders for sites without a usable feed: listing pages → article links → article pages.

The parent side (``SpiderRunner``, ``ListingCrawl`` and the job records) never imports
Scrapy, so the CLI and the pipeline stay quick to start; the crawl itself runs in a child
process (``python -m crawlers.spiders``) with the settings of ``crawlers.spiders.settings``.
"""

from crawlers.spiders.job import CrawledPage, CrawlJob, CrawlProblem, ListedLinks, ListingTarget
from crawlers.spiders.runner import ListingCrawl, SpiderRunner

__all__ = [
    "CrawlJob",
    "CrawlProblem",
    "CrawledPage",
    "ListedLinks",
    "ListingCrawl",
    "ListingTarget",
    "SpiderRunner",
]
