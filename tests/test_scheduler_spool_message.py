"""The collect job's log line says when items wait in the spool, so "0 new items" is not read as "nothing collected"."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from pressdesk import scheduler
from pressdesk.pipeline import CycleSummary


class _Settings:
    public_url = "http://127.0.0.1:8000"


class _Runtime:
    settings: Any = _Settings()
    config: Any = None
    book: Any = None
    courier: Any = None
    journey: Any = None


def _job(monkeypatch: pytest.MonkeyPatch, summary: CycleSummary) -> str:
    monkeypatch.setattr(scheduler, "current_sources", lambda settings, config: ["a source"])
    monkeypatch.setattr(scheduler, "run_cycle", lambda journey, sources, now: summary)
    monkeypatch.setattr(scheduler, "send_urgent", lambda *args: 0)
    return scheduler.collect_job(_Runtime(), datetime(2026, 12, 3, tzinfo=UTC))  # type: ignore[arg-type]


def test_a_store_outage_is_named_with_the_spool_depth(monkeypatch: pytest.MonkeyPatch) -> None:
    down = CycleSummary(sources=3, stored=0, spooled=26, store_unavailable="items.db is locked")
    said = _job(monkeypatch, down)
    assert said.startswith("3 sources polled, 0 new items")
    assert "store unavailable, 26 items waiting in the spool (items.db is locked)" in said


def test_a_normal_cycle_says_nothing_of_the_spool(monkeypatch: pytest.MonkeyPatch) -> None:
    said = _job(monkeypatch, CycleSummary(sources=3, stored=5, alerts=1))
    assert said == "3 sources polled, 5 new items, 1 alerts, 0 urgent sent"
