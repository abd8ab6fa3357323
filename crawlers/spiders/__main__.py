"""The spider process: ``python -m crawlers.spiders JOB.json``.

Runs one Scrapy crawl in its own process (Twisted's reactor cannot be restarted within a
process), appending what it finds to the job's output file. Scrapy handles SIGINT and
SIGTERM: the first stops the crawl cleanly and saves the job directory, so the next run
resumes it; a crawl that finishes removes its job directory, so the next run starts
afresh. Prints one JSON line on stdout: the finish reason and a few counts.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from scrapy.crawler import CrawlerProcess

from crawlers.spiders.job import CrawlJob
from crawlers.spiders.listing import ListingSpider
from crawlers.spiders.settings import scrapy_settings

#: Scrapy stats worth reporting to the parent.
_STATS = (
    "downloader/request_count",
    "httpcache/hit",
    "httpcache/miss",
    "robotstxt/forbidden",
    "item_scraped_count",
    "retry/count",
)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m crawlers.spiders JOB.json", file=sys.stderr)
        return 2
    job = CrawlJob.from_json(Path(argv[0]).read_text(encoding="utf-8"))
    for folder in (job.job_dir, job.cache_dir, job.output.parent):
        folder.mkdir(parents=True, exist_ok=True)
    process = CrawlerProcess(scrapy_settings(job))
    crawler = process.create_crawler(ListingSpider)
    process.crawl(crawler, job=job)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    reason = str(stats.get("finish_reason", "unknown"))
    if reason == "finished":
        # Nothing left to resume; the next crawl reads the listings afresh.
        shutil.rmtree(job.job_dir, ignore_errors=True)
    print(json.dumps({"finish_reason": reason, **{key: stats.get(key, 0) for key in _STATS}}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
