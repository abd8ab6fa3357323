"""GET /api/sources: the source-health rows from the collection state under the data folder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crawlers import SourceRecord, SourceState


@pytest.fixture
def client(api_client: TestClient) -> TestClient:
    """These are JSON API tests: the client sends an API token."""
    return api_client


def test_sources_lists_health_rows(client: TestClient, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    state = SourceState(tmp_path / "sources.db")
    state.put(
        SourceRecord(
            "vnx.thoi-su",
            "VnExpress",
            3600.0,
            next_due=now + timedelta(hours=2),
            failures=2,
            last_success_at=now - timedelta(days=1),
            last_error="HTTP 503",
            last_error_kind="http_503",
        )
    )
    state.add_items("vnx.thoi-su", 14, now)
    state.add_error("vnx.thoi-su", "http_503", now)
    state.add_error("vnx.thoi-su", "http_503", now)
    state.close()

    response = client.get("/api/sources")

    assert response.status_code == 200
    (row,) = response.json()["sources"]
    assert row == {
        "id": "vnx.thoi-su",
        "outlet": "VnExpress",
        "status": "not configured",  # the test profile configures no sources
        "last_success_at": (now - timedelta(days=1)).isoformat(),
        "items_per_day": 2.0,
        "errors": {"http_503": 2},
        "consecutive_failures": 2,
        "interval_minutes": 60.0,
        "next_due": (now + timedelta(hours=2)).isoformat(),
        "last_error": "HTTP 503",
    }


def test_sources_is_empty_before_any_poll(client: TestClient) -> None:
    response = client.get("/api/sources")
    assert response.status_code == 200
    assert response.json()["sources"] == []
