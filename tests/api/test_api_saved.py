"""Saved searches over HTTP: the JSON API, the search page's forms, and their audit entries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import AuditLog, create_app
from api.accounts import AccountBook
from api.auth import CSRF_HEADER
from core import ProjectConfig, SearchMode, Settings, Store
from indexing import SavedSearchBook


@pytest.fixture
def saved_book(tmp_path: Path) -> SavedSearchBook:
    return SavedSearchBook(tmp_path / "saved.db")


@pytest.fixture
def saving_app(
    settings: Settings,
    store: Store,
    audit: AuditLog,
    config: ProjectConfig,
    saved_book: SavedSearchBook,
    accounts: AccountBook,
) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store, audit, config=config, saved=saved_book, accounts=accounts)) as client:
        yield client


@pytest.fixture
def token(saving_app: TestClient, accounts: AccountBook, login: Callable[[TestClient, AccountBook, str], str]) -> str:
    """Logs the analyst in through the login page; the session's CSRF token that changes must echo."""
    return login(saving_app, accounts, "lan.analyst")


@pytest.fixture
def saving(saving_app: TestClient, token: str) -> TestClient:
    """A browser logged in as an analyst (a real session cookie)."""
    del token  # logged in by the fixture
    return saving_app


def test_save_list_and_delete_through_the_api(
    saving: TestClient, token: str, saved_book: SavedSearchBook, audit: AuditLog
) -> None:
    created = saving.post(
        "/api/saved-searches",
        headers={CSRF_HEADER: token},
        json={
            "name": "Sốt xuất huyết",
            "q": "sốt xuất huyết",
            "mode": "hybrid",
            "filters": {"stance": ["negative"]},
            "alert_unit": "health",
        },
    )

    assert created.status_code == 201
    saved = created.json()
    assert saved["query"] == {
        "q": "sốt xuất huyết",
        "mode": "hybrid",
        "exact": False,
        "like": "",
        "filters": {"stance": ["negative"]},
        "sort": "relevance",
    }
    assert saved["alert_unit"] == "health"
    assert saved["created_by"] == "account:lan.analyst"
    assert saved["url"] == "/?q=s%E1%BB%91t+xu%E1%BA%A5t+huy%E1%BA%BFt&mode=hybrid&stance=negative"
    [kept] = saved_book.list_all()
    assert kept.query.mode is SearchMode.HYBRID and kept.query.filters == {"stance": ("negative",)}
    assert saving.get("/api/saved-searches").json() == {"saved_searches": [saved]}

    assert saving.delete(f"/api/saved-searches/{saved['id']}").status_code == 403  # no CSRF token
    assert saving.delete(f"/api/saved-searches/{saved['id']}", headers={CSRF_HEADER: token}).status_code == 204
    assert saving.delete(f"/api/saved-searches/{saved['id']}", headers={CSRF_HEADER: token}).status_code == 404
    assert saved_book.list_all() == []
    assert [e.action for e in audit.entries()] == ["delete-saved-search", "save-search"]
    assert {e.actor for e in audit.entries()} == {"account:lan.analyst"}


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"name": "Theo tác giả", "filters": {"author": ["A"]}}, 400, "author"),
        ({"name": "Đơn vị lạ", "q": "lũ", "alert_unit": "ministry-of-magic"}, 400, "health"),
        ({"name": "", "q": "lũ"}, 422, "name"),
    ],
)
def test_invalid_saved_searches_are_problems(
    saving: TestClient, token: str, body: dict[str, object], status: int, words: str
) -> None:
    response = saving.post("/api/saved-searches", json=body, headers={CSRF_HEADER: token})

    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert words in response.json()["detail"]


def test_without_a_book_the_routes_say_so(client: TestClient) -> None:
    response = client.get("/api/saved-searches")

    assert response.status_code == 503
    assert "not enabled" in response.json()["detail"]
    assert "Tìm kiếm đã lưu" not in client.get("/").text


def test_page_saves_the_current_search_and_lists_it(
    saving: TestClient, token: str, saved_book: SavedSearchBook
) -> None:
    page = saving.get("/", params={"q": "cầu rồng", "topic": "tourism_culture"}).text
    assert "Chưa có tìm kiếm nào được lưu." in page
    assert '<input type="hidden" name="topic" value="tourism_culture">' in page

    response = saving.post(
        "/saved-searches",
        data={
            "name": "Cầu Rồng",
            "q": "cầu rồng",
            "mode": "keyword",
            "topic": ["tourism_culture"],
            "csrf_token": token,
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/?q=c%E1%BA%A7u+r%E1%BB%93ng&topic=tourism_culture"
    [saved] = saved_book.list_all()
    assert saved.query.filters == {"topic": ("tourism_culture",)}
    listed = saving.get("/").text
    assert f'<a href="{response.headers["location"].replace("&", "&amp;")}">Cầu Rồng</a>' in listed
    assert f'action="/saved-searches/{saved.id}/delete"' in listed

    assert f'name="csrf_token" value="{token}"' in listed
    deleted = saving.post(f"/saved-searches/{saved.id}/delete", data={"csrf_token": token}, follow_redirects=False)
    assert (deleted.status_code, deleted.headers["location"]) == (303, "/")
    assert saved_book.list_all() == []
    assert saving.post(f"/saved-searches/{saved.id}/delete", data={"csrf_token": token}).status_code == 404


def test_page_refuses_a_search_without_a_name(saving: TestClient, token: str, saved_book: SavedSearchBook) -> None:
    response = saving.post("/saved-searches", data={"name": "  ", "q": "lũ", "csrf_token": token})

    assert response.status_code == 400
    assert "Hãy đặt tên" in response.text
    assert saved_book.list_all() == []
