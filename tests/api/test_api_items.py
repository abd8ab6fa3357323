"""GET /api/items/{id}: detail with labels, places, fact-check matches and routing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from core import Item


@pytest.fixture
def client(api_client: TestClient) -> TestClient:
    """These are JSON API tests: the client sends an API token."""
    return api_client


def test_item_detail(client: TestClient, items: list[Item]) -> None:
    response = client.get(f"/api/items/{items[0].id}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == items[0].id
    assert body["title"] == "Bệnh viện Đà Nẵng quá tải vì sốt xuất huyết"
    assert body["labels"]["stance"] == {"value": "negative", "confidence": 0.87}
    assert body["labels"]["topic"] == {"value": "health", "confidence": 0.74}
    assert body["localities"] == [{"name": "Đà Nẵng", "about": True, "hits": 2}]
    assert body["claims"] == [
        {"claim_id": "fc-7", "score": 0.71, "tier": "suggest", "evidence": "https://factcheck.example/7"}
    ]
    assert body["routing"]["unit"] == "health"
    assert body["routing"]["reason"] == "Tin tiêu cực về Đà Nẵng, chủ đề: y tế"
    assert "author" not in body


def test_unrouted_item_has_no_routing(client: TestClient, items: list[Item]) -> None:
    assert client.get(f"/api/items/{items[1].id}").json()["routing"] is None


def test_missing_item_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/api/items/0000000000")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "no item with id '0000000000'",
        "instance": "/api/items/0000000000",
    }
