"""The crawlers package's public surface, which the composition root is written against."""

from __future__ import annotations

import inspect

import crawlers


def test_exports_exactly_the_public_names() -> None:
    assert sorted(crawlers.__all__) == [
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
    for name in crawlers.__all__:
        assert getattr(crawlers, name).__module__.startswith("crawlers.")


def test_signatures_the_composition_root_relies_on() -> None:
    fetcher = inspect.signature(crawlers.Fetcher).parameters
    positional = [p for p in fetcher.values() if p.kind is not inspect.Parameter.KEYWORD_ONLY]
    assert [p.name for p in positional] == ["user_agent", "min_delay", "timeout", "max_bytes", "max_redirects"]
    assert [p.default for p in positional[1:]] == [2.0, 20.0, 10 * 1024 * 1024, 5]
    # Later additions (the outbound guard, 429/503 pauses) are keyword-only, so no call site shifts.
    assert {"guard", "max_wait", "backoff", "max_backoff"} <= set(fetcher)
    assert list(inspect.signature(crawlers.read_feed).parameters) == ["body", "url", "content_type"]
    fetch = inspect.signature(crawlers.Fetcher.fetch).parameters
    assert list(fetch) == ["self", "url", "headers", "accept"]
    assert fetch["headers"].kind is fetch["accept"].kind is inspect.Parameter.KEYWORD_ONLY
    assert list(inspect.signature(crawlers.Poller).parameters) == ["fetcher", "state", "policy"]
    extract = inspect.signature(crawlers.extract_article).parameters
    assert list(extract) == ["html", "url", "min_chars"]
    assert extract["min_chars"].kind is inspect.Parameter.KEYWORD_ONLY
    assert extract["min_chars"].default == 200
