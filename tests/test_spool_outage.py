"""Store locked: collection goes on into the spool, /healthz says so, and it all arrives afterwards.

A real second SQLite connection holds ``BEGIN EXCLUSIVE`` on ``items.db`` (what a stuck
backup or migration does) while real cycles run on the local replay of real news with the
real model. The store's writer gives up after its busy timeout; the items wait in the
spool; the health endpoint reports the outage; after the lock is released the next cycle
drains the spool, and the store and the alert book hold exactly what a reference run
without an outage holds.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import AuditLog, create_app
from classify import CachedEmbedder
from core.ports import Embedder
from core.settings import Settings
from pressdesk.drill import read_outcome, store_locked
from pressdesk.pipeline import run_cycle
from pressdesk.replay import ReplayServer, ReplaySite, load_articles
from pressdesk.wiring import build_journey, load_project

pytestmark = pytest.mark.slow


def test_store_locked_items_wait_in_the_spool_and_catch_up(
    tmp_path: Path, embedder: Embedder, caplog: pytest.LogCaptureFixture
) -> None:
    now = datetime.now(UTC)
    # One content-keyed cache for both runs: the outage run reuses the reference's vectors (same labels, less time).
    embedder = CachedEmbedder(embedder, tmp_path / "embeddings.db")
    with ReplayServer(ReplaySite(load_articles(now))) as replay:
        sources = replay.site.sources()
        reference_settings = Settings(data_dir=tmp_path / "reference")
        config = load_project(reference_settings)
        reference_journey = build_journey(reference_settings, config, embedder=embedder, min_delay=0.0)
        reference = run_cycle(reference_journey, sources, now=now, every=True)
        reference_journey.fetcher.close()
        assert reference.stored == reference.relevant > 0 and reference.alerts > 0

        settings = Settings(data_dir=tmp_path / "outage")
        journey = build_journey(settings, config, embedder=embedder, min_delay=0.0)
        assert journey.store.count() == 0  # the store exists, as in a running deployment
        app = create_app(settings, journey.store, AuditLog(settings.path("audit.db")))
        app.state.spool = journey.durable
        with TestClient(app) as client:
            assert client.get("/healthz").status_code == 200
            with store_locked(settings.path("items.db")), caplog.at_level(logging.WARNING):
                first = run_cycle(journey, sources, now=now, every=True)
                second = run_cycle(journey, sources, now=now, every=True)
                during = client.get("/healthz")
                metrics = client.get("/metrics").text
            outage_lines = [r.getMessage() for r in caplog.records if "store unavailable" in r.getMessage()]
            caplog.clear()
            with caplog.at_level(logging.WARNING):
                third = run_cycle(journey, sources, now=now, every=True)
            after = client.get("/healthz")
        journey.fetcher.close()

    # Collection went on: everything fetched and judged, nothing stored, all of it spooled.
    assert (first.fetched, first.relevant) == (reference.fetched, reference.relevant)
    assert (first.stored, first.alerts) == (0, 0)
    assert first.spooled == reference.relevant
    assert "locked" in first.store_unavailable
    # The next cycle during the outage fetches nothing again and doubles nothing.
    assert (second.fetched, second.relevant, second.stored, second.spooled) == (0, 0, 0, reference.relevant)
    # One readable line per cycle.
    assert len(outage_lines) == 2
    assert all(f"{reference.relevant} items kept in the spool" in line for line in outage_lines)

    assert during.status_code == 503
    body = during.json()
    assert body["status"] == "degraded"
    assert body["summary"].startswith("degraded: store unavailable since ")
    assert f", {reference.relevant} items spooled" in body["summary"]
    assert body["checks"]["store"]["ok"] is True  # reads still work in WAL mode; writes do not
    assert body["checks"]["spool"]["depth"] == reference.relevant
    assert f"pressdesk_spool_depth {float(reference.relevant)}" in metrics
    assert "pressdesk_store_writable 0.0" in metrics

    # Lock released: the spool drains in one cycle and the outcome equals the reference run's.
    assert (third.fetched, third.stored, third.alerts, third.spooled) == (0, reference.stored, reference.alerts, 0)
    assert third.store_unavailable == ""
    assert any("store available again" in r.getMessage() for r in caplog.records)
    assert after.status_code == 200 and after.json()["checks"]["spool"]["depth"] == 0
    outage, clean = read_outcome(settings.data_dir), read_outcome(reference_settings.data_dir)
    assert outage.items == clean.items and outage.item_rows == clean.item_rows
    assert outage.alerts == clean.alerts and outage.alert_rows == clean.alert_rows
