"""A collection cycle takes listing sources through the spiders into the same extraction and storage path as feeds."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.enums import SourceKind
from core.identity import item_id
from core.ports import Embedder
from core.settings import Settings
from core.source import Outlet, Source
from crawlers import source_health
from pressdesk.pipeline import run_cycle
from pressdesk.replay import ReplaySite, load_articles
from pressdesk.wiring import build_journey, load_project

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


@pytest.mark.slow
def test_listing_sources_are_crawled_extracted_stored_and_counted_in_health(
    tmp_path: Path, embedder: Embedder, serve: Callable[..., Any], route: Any
) -> None:
    articles = load_articles(NOW)
    # Articles plainly about the locality (its name leads the title), and two that never name it.
    local = [a for a in articles if a.title.startswith("Đà Nẵng")][:3]
    elsewhere = [a for a in articles if not any(n in a.title + " ".join(a.paragraphs) for n in ("Đà Nẵng", "Quảng"))]
    other = elsewhere[:2]
    chosen = local + other
    replay = ReplaySite(chosen)
    links = "".join(f'<h3><a href="{a.path}">{html.escape(a.title)}</a></h3>' for a in chosen)
    routes = {
        "/robots.txt": route(b"User-agent: *\nDisallow: /private/\n", headers=(("Content-Type", "text/plain"),)),
        "/chuyen-muc/": route(f'<html><body><div class="dong-tin">{links}</div></body></html>'.encode()),
        **{a.path: route((replay.article(a.path) or "").encode()) for a in chosen},
    }
    site = serve(routes)
    source = Source(
        id="baothu.chuyen-muc",
        url=site.url("/chuyen-muc/"),
        outlet=Outlet("Báo Thử"),
        kind=SourceKind.LISTING,
        article_css="div.dong-tin",
    )
    settings = Settings(data_dir=tmp_path)
    journey = build_journey(settings, load_project(settings), embedder=embedder, min_delay=0.05)

    first = run_cycle(journey, [source], now=NOW)
    seen = len(site.received)
    again = run_cycle(journey, [source], now=NOW + timedelta(hours=1), every=True)
    journey.fetcher.close()

    assert (first.sources, first.entries, first.feeds_failed) == (1, len(chosen), 0)
    assert first.fetched == first.extracted == len(chosen)
    assert first.relevant >= 1 and first.stored == first.relevant
    stored = journey.store.existing([item_id(site.url(a.path)) for a in chosen])
    assert len(stored) == first.stored
    # The second cycle reads the listing again; its articles come from the HTTP cache and the ledger knows them.
    assert [r.path for r in site.received[seen:]] == ["/robots.txt", "/chuyen-muc/"]
    assert (again.already_seen, again.fetched) == (len(chosen), 0)
    [row] = source_health(journey.poller.state, [source], NOW + timedelta(hours=1))
    assert row.status == "ok" and row.errors == {}
    assert row.items_per_day == round(len(chosen) / 7, 2)
    assert {r.headers.get("user-agent") for r in site.received} == {settings.user_agent}
