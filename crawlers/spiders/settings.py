"""Every Scrapy setting the spiders run with, in one place.

Politeness is not optional here: robots.txt is obeyed, every request names us and how to
reach the operator, one request at a time per site with at least the site's delay
between them (never randomised below it), AutoThrottle may only slow down further, and
a 429/503 pauses the site (``Retry-After`` honoured) through ``HostPoliteness``. Cookies
are off: we read public pages and never log in.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from crawlers.spiders.job import CrawlJob

_POLITENESS = "crawlers.spiders.politeness.HostPoliteness"
_ROBOTS = "crawlers.spiders.politeness.PoliteRobots"
_ROBOTS_STOCK = "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware"
_CACHE_POLICY = "crawlers.spiders.politeness.ArticleCachePolicy"
_OUTPUT = "crawlers.spiders.listing.JsonLinesOutput"
_RESOLVER = "crawlers.spiders.resolver.GuardedResolver"
#: Statuses the stock retry middleware retries; 429 and 503 are left to HostPoliteness,
#: which waits as long as the site asks before trying again.
_RETRY_CODES = [500, 502, 504, 522, 524, 408]


def site_delays(job: CrawlJob) -> dict[str, float]:
    """The least delay per host (Scrapy's download slot key) over every listing URL of the job."""
    delays: dict[str, float] = {}
    for target in job.targets:
        for url in target.listing_urls:
            host = urlsplit(url).hostname or ""
            delays[host] = max(delays.get(host, 0.0), target.delay_seconds)
    return delays


def scrapy_settings(job: CrawlJob) -> dict[str, object]:
    """The Scrapy settings for one crawl job.

    Returns:
        a plain mapping for ``scrapy.settings.Settings`` / ``CrawlerProcess``.
    """
    delays = site_delays(job)
    default_delay = min(delays.values(), default=2.0)
    return {
        "BOT_NAME": "pressdesk",
        "USER_AGENT": job.user_agent,
        "ROBOTSTXT_OBEY": True,
        "ROBOTSTXT_USER_AGENT": job.user_agent,
        # One request at a time per site; the delay is a floor, not an average.
        "CONCURRENT_REQUESTS": 8,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "DOWNLOAD_DELAY": default_delay,
        "DOWNLOAD_DELAY_JITTER": 0.0,
        "DOWNLOAD_SLOTS": {host: {"concurrency": 1, "delay": delay} for host, delay in delays.items()},
        "PRESSDESK_SITE_DELAYS": delays,
        "PRESSDESK_MAX_WAIT": job.max_wait,
        "PRESSDESK_MAX_BACKOFF": job.max_backoff,
        "PRESSDESK_ALLOW_HOSTS": list(job.allow_hosts),
        "PRESSDESK_OUTPUT": str(job.output),
        "AUTOTHROTTLE_ENABLED": job.autothrottle,
        "AUTOTHROTTLE_START_DELAY": default_delay,
        "AUTOTHROTTLE_MAX_DELAY": max(60.0, default_delay),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "DOWNLOAD_TIMEOUT": job.timeout,
        "DOWNLOAD_MAXSIZE": job.max_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "COOKIES_ENABLED": False,
        # Every name a connection resolves is checked by the outbound guard (no DNS rebinding
        # between HostPoliteness's check and the connection).
        "TWISTED_DNS_RESOLVER": _RESOLVER,
        # No listening sockets: neither the telnet console nor Scrapy 2.19's remote control.
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": 2,
        "RETRY_HTTP_CODES": _RETRY_CODES,
        # Next to the downloader, after the HTTP cache: only requests that reach a site wait.
        "DOWNLOADER_MIDDLEWARES": {_ROBOTS_STOCK: None, _ROBOTS: 100, _POLITENESS: 950},
        "ITEM_PIPELINES": {_OUTPUT: 100},
        "HTTPCACHE_ENABLED": True,
        "HTTPCACHE_DIR": str(job.cache_dir),
        "HTTPCACHE_POLICY": _CACHE_POLICY,
        "HTTPCACHE_EXPIRATION_SECS": int(job.cache_days * 86400),
        "HTTPCACHE_GZIP": True,
        "JOBDIR": str(job.job_dir),
        # Breadth-first: listing pages before the articles they lead to, so that an
        # interrupted crawl has at least found every link.
        "DEPTH_PRIORITY": 1,
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        "LOG_LEVEL": "INFO",
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    }
