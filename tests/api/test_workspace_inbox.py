"""The unit inbox: open alerts first, responders confined to their unit, the forms post to the alert routes."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from alerts import Alert, AlertBook, AlertStatus
from api import AuditLog
from api.accounts import AccountBook
from core import Item, Routed, Urgency


@pytest.fixture
def alerts(book: AlertBook, items: list[Item]) -> dict[str, Alert]:
    """Health: an overdue urgent alert, a fresh routine one and an answered one; police: one open alert."""
    now = datetime.now(UTC)
    hospital = items[0]
    overdue = book.record(hospital, Routed("health", "Tin tiêu cực về y tế", Urgency.URGENT, now - timedelta(days=3)))
    fresh = book.record(
        replace(hospital, id="fresh", fetched=replace(hospital.fetched, url="https://a.example/fresh")),
        Routed("health", "Tin mới cần phản hồi", Urgency.ROUTINE, now - timedelta(minutes=5)),
    )
    done = book.record(
        replace(hospital, id="done", fetched=replace(hospital.fetched, url="https://a.example/done")),
        Routed("health", "Đã xử lý", Urgency.ROUTINE, now - timedelta(days=1)),
    )
    book.answer(done.id, "https://danang.gov.example/da-tra-loi", now - timedelta(hours=2))
    police = book.record(
        replace(hospital, id="police", fetched=replace(hospital.fetched, url="https://a.example/police")),
        Routed("police", "Giả mạo cơ quan chức năng", Urgency.URGENT, now - timedelta(hours=1)),
    )
    return {"overdue": overdue, "fresh": fresh, "done": done, "police": police}


def _order(page: str) -> list[str]:
    return re.findall(r'<h2 id="a-([0-9a-f]+)">', page)


def test_a_responder_sees_its_own_unit_open_first_whatever_the_filter_says(
    app_client: TestClient,
    accounts: AccountBook,
    alerts: dict[str, Alert],
    login: Callable[[TestClient, AccountBook, str], str],
) -> None:
    login(app_client, accounts, "health.desk")
    page = app_client.get("/inbox?unit=police")
    assert page.status_code == 200
    assert "<h1>Hộp thư đơn vị: Sở Y tế</h1>" in page.text
    assert _order(page.text) == [alerts["overdue"].id, alerts["fresh"].id, alerts["done"].id]
    assert alerts["police"].id not in page.text
    assert 'id="unit"' not in page.text  # no unit filter for a responder
    assert "Quá hạn tiếp nhận" in page.text  # the urgent alert raised three days ago
    assert page.text.count("Quá hạn tiếp nhận") == 1
    assert "https://danang.gov.example/da-tra-loi" in page.text
    # Open alerts offer both forms, acknowledged ones the answer form, answered ones none.
    assert page.text.count("/acknowledge") == 2 and page.text.count('/answer"') == 2
    assert "2 yêu cầu đang chờ, 3 yêu cầu được liệt kê" in page.text


def test_an_analyst_gets_every_unit_and_a_unit_filter(
    app_client: TestClient,
    accounts: AccountBook,
    alerts: dict[str, Alert],
    login: Callable[[TestClient, AccountBook, str], str],
) -> None:
    login(app_client, accounts, "lan.analyst")
    everything = app_client.get("/inbox")
    assert set(_order(everything.text)) == {a.id for a in alerts.values()}
    assert '<select id="unit" name="unit">' in everything.text and '<label for="unit">' in everything.text
    police = app_client.get("/inbox?unit=police&lang=en")
    assert _order(police.text) == [alerts["police"].id]
    assert '<option value="police" selected>' in police.text
    assert "Unit inbox" in police.text


def test_acknowledge_and_answer_from_the_inbox(
    app_client: TestClient,
    accounts: AccountBook,
    book: AlertBook,
    audit: AuditLog,
    alerts: dict[str, Alert],
    login: Callable[[TestClient, AccountBook, str], str],
) -> None:
    token = login(app_client, accounts, "health.desk")
    page = app_client.get("/inbox")
    alert = alerts["fresh"]
    acknowledge = rf'<form method="post" action="/alerts/{alert.id}/acknowledge">\s*<input[^>]+value="([^"]+)"'
    form = re.search(acknowledge, page.text)
    assert form is not None and form.group(1) == token

    done = app_client.post(f"/alerts/{alert.id}/acknowledge", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    assert book.get(alert.id).status is AlertStatus.ACKNOWLEDGED  # type: ignore[union-attr]
    link = "https://danang.gov.example/tra-loi-moi"
    answered = app_client.post(f"/alerts/{alert.id}/answer", data={"csrf_token": token, "link": link})
    assert answered.status_code == 200
    assert book.get(alert.id).answer_link == link  # type: ignore[union-attr]
    assert [e.actor for e in audit.entries(action="answer")] == ["account:health.desk"]

    after = app_client.get("/inbox")
    # Still open first; the two answered ones after it, newest first.
    assert _order(after.text) == [alerts["overdue"].id, alert.id, alerts["done"].id]
    assert link in after.text
