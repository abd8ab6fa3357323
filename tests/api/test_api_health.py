"""/healthz names what is broken; /metrics counts requests by route template and reads live counts."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api import AuditLog, create_app
from core import Settings, Store


def test_healthz_is_ok_when_store_and_audit_answer(client: TestClient, store: Store) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["store"] == {"ok": True, "items": store.count()}
    assert body["checks"]["audit"] == {"ok": True}


def test_healthz_is_503_and_names_the_audit_log_when_it_cannot_open(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the audit log's folder should be")
    audit = AuditLog(blocker / "audit.db")
    with TestClient(create_app(settings, store, audit)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["store"]["ok"] is True
    assert body["checks"]["audit"]["ok"] is False
    assert "audit log" in body["checks"]["audit"]["error"]


def test_metrics_count_route_templates_never_raw_paths(client: TestClient, store: Store) -> None:
    client.get("/api/search", params={"q": "Cầu Rồng"})
    client.get("/api/items/does-not-exist")
    text = client.get("/metrics").text
    assert 'pressdesk_http_requests_total{method="GET",route="/api/search",status="200"} 1.0' in text
    assert 'route="/api/items/{item_id}",status="404"' in text
    assert "does-not-exist" not in text
    assert "Cầu Rồng" not in text
    assert f"pressdesk_items {float(store.count())}" in text
    assert 'pressdesk_alerts{status="open"}' in text
