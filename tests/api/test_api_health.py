"""GET /healthz over the real store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from api import AuditLog, create_app
from core import Settings, Store


def test_healthz_counts_items(client: TestClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "items": 3}


def test_healthz_is_a_503_problem_when_the_store_cannot_open(
    tmp_path: Path, settings: Settings, open_store: Callable[[Path], Store]
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    app = create_app(settings, open_store(blocker / "items.db"), AuditLog(tmp_path / "audit.db"))

    response = TestClient(app).get("/healthz")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "30"
    body = response.json()
    assert body["status"] == 503 and body["title"] == "Service Unavailable"
    assert "items.db" in body["detail"]


def test_building_the_app_does_no_io(tmp_path: Path, settings: Settings, open_store: Callable[[Path], Store]) -> None:
    create_app(settings, open_store(tmp_path / "db" / "items.db"), AuditLog(tmp_path / "logs" / "audit.db"))

    assert not (tmp_path / "db").exists()
    assert not (tmp_path / "logs").exists()


def test_interactive_docs_are_off_but_the_schema_is_served(client: TestClient) -> None:
    # Swagger UI would load its scripts from a CDN the office PC cannot reach.
    assert client.get("/docs").status_code == 404
    assert "/api/search" in client.get("/openapi.json").json()["paths"]
