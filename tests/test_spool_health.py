"""/healthz and /metrics report the collection spool: degraded while the collector cannot write to the store."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api import AuditLog, create_app
from core.settings import Settings
from indexing import SqliteStore
from pressdesk.spool import Spool
from tests.test_spool_basics import _item


def test_health_and_metrics_follow_the_spool(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    app = create_app(settings, SqliteStore(tmp_path / "items.db"), AuditLog(tmp_path / "audit.db"))
    spool = Spool.for_settings(settings)
    app.state.spool = spool
    with TestClient(app) as client:
        calm = client.get("/healthz")
        assert calm.status_code == 200
        assert calm.json()["checks"]["spool"]["ok"] is True and calm.json()["summary"] == "ok"

        spool.put([(_item(n), []) for n in range(3)])
        since = spool.store_down("the SQLite store items.db is locked by another process")
        down = client.get("/healthz")
        metrics = client.get("/metrics").text
        spool.store_up()
        draining = client.get("/healthz")

    assert down.status_code == 503
    body = down.json()
    assert body["status"] == "degraded"
    assert body["summary"].startswith(
        f"degraded: store unavailable since {since.isoformat(timespec='seconds')}, 3 items spooled"
    )
    assert body["checks"]["store"]["ok"] is True  # the store itself still answers reads
    spool_check = body["checks"]["spool"]
    assert (spool_check["ok"], spool_check["depth"], spool_check["store"]) == (False, 3, "unavailable")
    assert "locked" in spool_check["store_error"]
    assert "pressdesk_spool_depth 3.0" in metrics
    assert "pressdesk_store_writable 0.0" in metrics
    assert "pressdesk_spool_oldest_seconds" in metrics
    # Writable again, items still waiting: healthy, and the line says the spool is draining.
    assert draining.status_code == 200
    assert draining.json()["summary"].startswith("draining: 3 items spooled")


def test_health_without_a_spool_attached_is_unchanged(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    app = create_app(settings, SqliteStore(tmp_path / "items.db"), AuditLog(tmp_path / "audit.db"))
    with TestClient(app) as client:
        body = client.get("/healthz").json()
        metrics = client.get("/metrics").text
    assert set(body["checks"]) == {"store", "audit"} and "summary" not in body
    assert "pressdesk_spool_depth" not in metrics
