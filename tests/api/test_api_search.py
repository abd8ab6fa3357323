"""GET /api/search: results, facets, filters, errors as problem+json, and the audit entry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import AuditLog, create_app
from api.accounts import AccountBook
from core import Settings, Store
from indexing import sqlite

TokenHeaders = Callable[[AccountBook, str], dict[str, str]]


@pytest.fixture
def client(api_client: TestClient) -> TestClient:
    """These are JSON API tests: the client sends an API token."""
    return api_client


def test_search_returns_hits_and_facets(client: TestClient, audit: AuditLog) -> None:
    response = client.get("/api/search", params={"q": "da nang benh vien"})

    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    [hit] = body["hits"]
    assert hit["title"] == "Bệnh viện Đà Nẵng quá tải vì sốt xuất huyết"
    assert (hit["outlet"], hit["language"], hit["stance"], hit["topic"]) == ("Tuổi Trẻ", "vi", "negative", "health")
    assert hit["stance_confidence"] == 0.87
    assert hit["unit"] == "health"
    assert hit["url"] == "https://tuoitre.example/benh-vien-qua-tai.html"
    assert hit["published"] == "2026-11-21T23:15:00+00:00"
    assert "<mark>" in hit["snippet"]
    assert set(hit) >= {
        "id",
        "title",
        "url",
        "outlet",
        "published",
        "language",
        "stance",
        "stance_confidence",
        "topic",
        "unit",
        "snippet",
    }
    assert body["facets"]["stance"] == {"negative": 1}
    assert "author" not in body["facets"]


def test_every_search_is_audited(client: TestClient, audit: AuditLog) -> None:
    client.get("/api/search", params={"q": "Đà Nẵng", "stance": ["negative", "neutral"], "topic": "health"})

    [entry] = audit.entries(action="search")
    assert entry.actor == "account:admin"
    assert entry.detail["q"] == "Đà Nẵng"
    assert entry.detail["filters"] == {"stance": ["negative", "neutral"], "topic": ["health"]}
    assert entry.detail["total"] == 1
    assert entry.detail["client"] == "testclient"
    assert entry.detail["via"] == "api"


def test_filters_facets_and_paging(client: TestClient) -> None:
    everything = client.get("/api/search").json()
    neutral_or_positive = client.get("/api/search", params={"stance": ["positive", "neutral"]}).json()
    second_page = client.get("/api/search", params={"size": 2, "page": 2}).json()

    assert everything["total"] == 3
    assert everything["facets"]["stance"] == {"negative": 1, "neutral": 1, "positive": 1}
    assert everything["facets"]["language"] == {"vi": 2, "en": 1}
    assert neutral_or_positive["total"] == 2
    assert {h["stance"] for h in neutral_or_positive["hits"]} == {"positive", "neutral"}
    assert (second_page["total"], len(second_page["hits"]), second_page["page"]) == (3, 1, 2)


def test_invalid_parameters_are_a_problem(client: TestClient, audit: AuditLog) -> None:
    response = client.get("/api/search", params={"stance": "very-bad", "size": 1000})

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "stance" in response.json()["detail"] and "size" in response.json()["detail"]
    assert audit.entries() == []


def test_query_error_is_a_400_problem_and_still_audited(
    tmp_path: Path, settings: Settings, store: Store, accounts: AccountBook, token_headers: TokenHeaders
) -> None:
    audit = AuditLog(tmp_path / "audit.db")
    client = TestClient(create_app(settings, store, audit, accounts=accounts))
    client.headers.update(token_headers(accounts, "lan.analyst"))

    response = client.get("/api/search", params={"q": "(da nang"})

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert "(" in body["detail"] and "close" in body["detail"].lower()
    assert body["position"] == 0
    [entry] = audit.entries()
    assert entry.detail["error"] == body["detail"]


def test_exact_search_keeps_diacritics(client: TestClient, audit: AuditLog) -> None:
    folded = client.get("/api/search", params={"q": "Da Nang"}).json()
    exact = client.get("/api/search", params={"q": "Da Nang", "exact": "true"}).json()

    assert folded["total"] == 3
    assert [h["language"] for h in exact["hits"]] == ["en"]
    assert audit.entries()[0].detail["exact"] is True


def test_page_shows_a_query_error_in_place(
    tmp_path: Path, settings: Settings, store: Store, accounts: AccountBook, token_headers: TokenHeaders
) -> None:
    client = TestClient(create_app(settings, store, AuditLog(tmp_path / "audit.db"), accounts=accounts))
    client.headers.update(token_headers(accounts, "lan.analyst"))

    response = client.get("/", params={"q": "du lịch or văn hóa"})

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert 'role="alert"' in response.text
    assert "did you mean OR" in response.text


def test_date_ordered_hits_carry_scores_unless_the_client_asks_not(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    scored_pages: list[list[int]] = []
    real = sqlite._scores

    def counting(conn: object, sql: object, docs: list[int]) -> dict[int, float]:
        scored_pages.append(docs)
        return real(conn, sql, docs)  # type: ignore[arg-type]

    monkeypatch.setattr(sqlite, "_scores", counting)
    asked = {"q": "da nang", "sort": "newest"}
    scored = client.get("/api/search", params=asked).json()["hits"]
    unscored = client.get("/api/search", params={**asked, "scores": "false"}).json()["hits"]

    assert len(scored_pages) == 1 and scored and all(hit["score"] > 0 for hit in scored)
    assert [hit["id"] for hit in unscored] == [hit["id"] for hit in scored]
    assert all(hit["score"] == 0.0 for hit in unscored)


def test_the_search_page_does_not_score_a_date_ordered_page(
    app_client: TestClient, csrf: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    del csrf  # logged in
    monkeypatch.setattr(sqlite, "_scores", lambda *args: pytest.fail("the page shows no scores"))

    page = app_client.get("/", params={"q": "da nang", "sort": "newest"})

    assert page.status_code == 200 and "<mark>" in page.text
