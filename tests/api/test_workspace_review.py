"""The review queue page and the one-click label form: the same path as the JSON API, audited, post/redirect/get."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import AuditLog
from api.accounts import AccountBook
from classify import ReviewQueue
from core import Item, Stance, Store, Topic


@pytest.fixture
def queued(tmp_path: Path, items: list[Item]) -> Item:
    """The English tourism item waits for review with a shaky 'neutral' suggestion."""
    item = items[1]
    queue = ReviewQueue(tmp_path / "review.db")  # where the app's settings put the review file
    queue.enqueue(
        item_id=item.id,
        title=item.title,
        text=item.text,
        stance=Stance.NEUTRAL,
        stance_confidence=0.41,
        topic=Topic.TOURISM_CULTURE,
        model_version="heads-v3",
    )
    queue.close()
    return item


def test_the_queue_page_lists_waiting_items_with_suggestion_confidence_and_buttons(
    client: TestClient, csrf: str, queued: Item
) -> None:
    page = client.get("/review")
    assert page.status_code == 200
    assert queued.title in page.text
    assert "41%" in page.text and "heads-v3" in page.text
    assert "Xác nhận gợi ý" in page.text
    # One-click buttons: one per stance, each a submit button of a form that carries the session's CSRF token.
    for stance in Stance:
        assert f'name="stance" value="{stance.value}"' in page.text
    assert f'action="/items/{queued.id}/labels"' in page.text
    assert f'name="csrf_token" value="{csrf}"' in page.text
    assert '<input type="hidden" name="back" value="review">' in page.text
    assert "style=" not in page.text and "<script" not in page.text  # the CSP allows neither
    english = client.get("/review?lang=en")
    assert "Confirm the suggestion" in english.text and "1 items waiting" in english.text


def test_one_click_sets_the_label_audits_it_and_leaves_the_queue(
    client: TestClient, csrf: str, queued: Item, store: Store, audit: AuditLog, tmp_path: Path
) -> None:
    done = client.post(
        f"/items/{queued.id}/labels",
        data={"csrf_token": csrf, "stance": "positive", "back": "review"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/review?saved={queued.id}"

    stored = store.get(queued.id)
    assert stored is not None and stored.classified is not None
    assert stored.classified.stance is Stance.POSITIVE and stored.classified.stance_confidence == 1.0
    assert stored.classified.topic is Topic.TOURISM_CULTURE  # untouched
    assert stored.classified.model_version == "analyst"
    [entry] = audit.entries(action="label.change")
    assert entry.actor == "account:admin"
    assert entry.detail["item_id"] == queued.id
    assert entry.detail["after"]["stance"] == "positive"

    page = client.get(done.headers["location"])
    assert "Đã lưu nhãn cho tin:" in page.text and queued.title in page.text
    assert "Không còn tin nào chờ duyệt." in page.text
    assert ReviewQueue(tmp_path / "review.db").pending() == []


def test_confirming_the_suggestion_sets_both_labels(client: TestClient, csrf: str, queued: Item, store: Store) -> None:
    done = client.post(
        f"/items/{queued.id}/labels",
        data={"csrf_token": csrf, "stance": "neutral", "topic": "tourism_culture", "back": "review"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    stored = store.get(queued.id)
    assert stored is not None and stored.classified is not None
    assert (stored.classified.stance, stored.classified.topic) == (Stance.NEUTRAL, Topic.TOURISM_CULTURE)
    assert (stored.classified.stance_confidence, stored.classified.topic_confidence) == (1.0, 1.0)


def test_the_item_form_returns_to_the_item_and_not_about_clears_the_stance(
    client: TestClient, csrf: str, items: list[Item], store: Store
) -> None:
    item = items[2]
    done = client.post(f"/items/{item.id}/labels", data={"csrf_token": csrf, "about": "no"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/items/{item.id}"
    stored = store.get(item.id)
    assert stored is not None and stored.classified is not None
    assert stored.classified.about is False and stored.classified.stance is None

    page = client.get(done.headers["location"])
    assert "Biên tập viên đã duyệt" in page.text  # the evidence now says who set the labels


def test_bad_forms_change_nothing(
    client: TestClient, csrf: str, items: list[Item], store: Store, audit: AuditLog
) -> None:
    item = items[0]
    url = f"/items/{item.id}/labels"
    assert client.post(url, data={"stance": "positive"}, follow_redirects=False).status_code == 403  # no CSRF token
    contradiction = {"csrf_token": csrf, "stance": "negative", "about": "no"}
    refused = client.post(url, data=contradiction, follow_redirects=False)
    assert refused.status_code == 400 and "Nhãn không hợp lệ" in refused.text
    assert client.post(url, data={"csrf_token": csrf, "stance": "hostile"}).status_code == 400
    assert client.post(url, data={"csrf_token": csrf}).status_code == 400  # nothing to set
    missing = client.post("/items/no-such-item/labels", data={"csrf_token": csrf, "topic": "health"})
    assert missing.status_code == 404
    assert audit.entries(action="label.change") == []
    assert store.get(item.id) == item


def test_page_and_api_corrections_are_recorded_alike(
    app_client: TestClient,
    accounts: AccountBook,
    items: list[Item],
    audit: AuditLog,
    login: Callable[[TestClient, AccountBook, str], str],
    token_headers: Callable[[AccountBook, str], dict[str, str]],
) -> None:
    item = items[0]
    api = app_client.post(
        f"/api/items/{item.id}/labels", json={"topic": "environment"}, headers=token_headers(accounts, "lan.analyst")
    )
    assert api.status_code == 200
    token = login(app_client, accounts, "lan.analyst")
    page = app_client.post(f"/items/{item.id}/labels", data={"csrf_token": token, "topic": "health"})
    assert page.status_code == 200  # followed the redirect back to the item
    first, second = audit.entries(action="label.change")
    assert {first.actor, second.actor} == {"account:lan.analyst"}
    assert set(first.detail) == set(second.detail)
    topics = sorted(entry.detail["after"]["topic"] for entry in (first, second))
    assert topics == ["environment", "health"]
