"""The crawlers package's public surface, which the composition root is written against."""

from __future__ import annotations

import inspect

import crawlers


def test_exports_exactly_the_public_names() -> None:
    assert sorted(crawlers.__all__) == [
        "FeedEntry",
        "FetchedPage",
        "Fetcher",
        "ParsedFeed",
        "extract_article",
        "read_feed",
    ]
    for name in crawlers.__all__:
        assert getattr(crawlers, name).__module__.startswith("crawlers.")


def test_signatures_the_composition_root_relies_on() -> None:
    fetcher = inspect.signature(crawlers.Fetcher)
    assert list(fetcher.parameters) == ["user_agent", "min_delay", "timeout", "max_bytes", "max_redirects"]
    assert [p.default for p in list(fetcher.parameters.values())[1:]] == [2.0, 20.0, 10 * 1024 * 1024, 5]
    assert list(inspect.signature(crawlers.read_feed).parameters) == ["body", "url", "content_type"]
    extract = inspect.signature(crawlers.extract_article).parameters
    assert list(extract) == ["html", "url", "min_chars"]
    assert extract["min_chars"].kind is inspect.Parameter.KEYWORD_ONLY
    assert extract["min_chars"].default == 200
