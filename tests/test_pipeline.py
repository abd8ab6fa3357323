"""The pipeline keeps going when a source fails, and says so once, with the source."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.enums import SourceKind
from core.ports import Embedder
from core.settings import Settings
from core.source import Outlet, Source
from pressdesk.pipeline import run_cycle
from pressdesk.replay import ReplayServer, ReplaySite, load_articles
from pressdesk.wiring import build_journey, load_project

pytestmark = pytest.mark.slow


def test_failing_source_is_logged_once_and_the_cycle_goes_on(
    tmp_path: Path, embedder: Embedder, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(data_dir=tmp_path)
    config = load_project(settings)
    now = datetime.now(UTC)
    with ReplayServer(ReplaySite(load_articles(now))) as replay:
        good = next(s for s in replay.site.sources() if s.id == "tuoitre.thoi-su")
        broken = Source(
            id="gone", url=f"{replay.base_url}/no-such-outlet/rss/x.rss", outlet=Outlet("Gone"), kind=SourceKind.FEED
        )
        journey = build_journey(settings, config, embedder=embedder, min_delay=0.0)
        with caplog.at_level(logging.WARNING):
            summary = run_cycle(journey, [broken, good], now=now)
        journey.fetcher.close()
    assert summary.feeds_failed == 1
    assert summary.problems == ["gone: HTTP 404"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == ["feed gone failed: HTTP 404"]
    assert summary.fetched > 0 and summary.extracted == summary.fetched
    assert summary.relevant == summary.stored == journey.store.count()
