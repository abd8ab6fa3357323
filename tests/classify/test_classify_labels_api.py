"""The review queue and label-correction API on a real SQLite store, audit log and account book."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from api import AuditLog, create_app
from api.accounts import AccountBook, Role
from classify import ReviewQueue
from core import Classified, Extracted, Fetched, Item, Settings, Stance, Topic, item_id
from indexing import SqliteStore

CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
URL = "https://baodanang.example/tin/1"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[TestClient, SqliteStore, AuditLog, str, str]]:
    store = SqliteStore(tmp_path / "items.db")
    item = Item(
        id=item_id(URL),
        fetched=Fetched(url=URL, source_id="t", outlet="Báo Đà Nẵng", fetched_at=datetime(2026, 12, 1, tzinfo=UTC)),
        extracted=Extracted(
            title="Đà Nẵng xử lý rác thải", text="Thành phố khởi công nhà máy xử lý rác.", language="vi"
        ),
        classified=Classified(
            about=True, stance=None, stance_confidence=0.41, topic=Topic.ENVIRONMENT, model_version="v0001/x"
        ),
    )
    store.upsert([item])
    ReviewQueue(tmp_path / "review.db").enqueue(
        item_id=item.id,
        title=item.title,
        text="Thành phố khởi công nhà máy xử lý rác.",
        stance=Stance.NEGATIVE,
        stance_confidence=0.41,
        topic=Topic.ENVIRONMENT,
        model_version="v0001/x",
    )
    accounts = AccountBook(tmp_path / "accounts.db", hasher=CHEAP)
    accounts.create("lan.analyst", "a long enough password 1", Role.ANALYST)
    accounts.create("minh.responder", "a long enough password 2", Role.RESPONDER, unit_id="press-office")
    audit = AuditLog(tmp_path / "audit.db")
    settings = Settings(data_dir=tmp_path)
    app = create_app(settings, store, audit, accounts=accounts)
    with TestClient(app) as client:
        yield (
            client,
            store,
            audit,
            accounts.issue_token("lan.analyst", "test"),
            accounts.issue_token("minh.responder", "test"),
        )
    store.close()


def test_the_queue_needs_the_label_permission(world: tuple[TestClient, SqliteStore, AuditLog, str, str]) -> None:
    client, _, _, _, responder = world
    assert client.get("/api/review-queue").status_code == 401
    assert client.get("/api/review-queue", headers={"Authorization": f"Bearer {responder}"}).status_code == 403


def test_an_analyst_correction_updates_the_item_is_audited_and_leaves_the_queue(
    world: tuple[TestClient, SqliteStore, AuditLog, str, str], tmp_path: Path
) -> None:
    client, store, audit, analyst, _ = world
    auth = {"Authorization": f"Bearer {analyst}"}
    queue = client.get("/api/review-queue", headers=auth).json()
    assert [(q["id"], q["suggested_stance"]) for q in queue["items"]] == [(item_id(URL), "negative")]

    response = client.post(f"/api/items/{item_id(URL)}/labels", json={"stance": "positive"}, headers=auth)
    assert response.status_code == 200, response.text
    stored = store.get(item_id(URL))
    assert stored is not None and stored.classified is not None
    assert (stored.classified.stance, stored.classified.topic) == (Stance.POSITIVE, Topic.ENVIRONMENT)
    assert stored.classified.model_version == "analyst"

    entries = audit.entries(action="label.change")
    assert len(entries) == 1 and entries[0].actor == "account:lan.analyst"
    assert entries[0].detail["before"]["stance"] is None and entries[0].detail["after"]["stance"] == "positive"
    assert client.get("/api/review-queue", headers=auth).json()["count"] == 0
    examples = ReviewQueue(tmp_path / "review.db").examples()
    assert [(e.title, e.stance) for e in examples] == [("Đà Nẵng xử lý rác thải", Stance.POSITIVE)]


def test_bad_corrections_are_refused(world: tuple[TestClient, SqliteStore, AuditLog, str, str]) -> None:
    client, _, audit, analyst, _ = world
    auth = {"Authorization": f"Bearer {analyst}"}
    assert client.post("/api/items/nope/labels", json={"topic": "health"}, headers=auth).status_code == 404
    assert client.post(f"/api/items/{item_id(URL)}/labels", json={}, headers=auth).status_code == 422
    assert client.post(f"/api/items/{item_id(URL)}/labels", json={"stance": "hostile"}, headers=auth).status_code == 422
    both = {"about": False, "stance": "negative"}
    assert client.post(f"/api/items/{item_id(URL)}/labels", json=both, headers=auth).status_code == 422
    assert audit.entries(action="label.change") == []
