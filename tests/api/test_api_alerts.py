"""The acknowledge page a digest links to."""

from __future__ import annotations

from fastapi.testclient import TestClient

from alerts import AlertBook, AlertStatus
from api import AuditLog
from core import Item


def test_viewing_changes_nothing_and_the_button_acknowledges(
    client: TestClient, csrf: str, book: AlertBook, items: list[Item], audit: AuditLog
) -> None:
    assert items[0].routed is not None
    alert = book.record(items[0], items[0].routed)

    page = client.get(f"/alerts/{alert.id}")
    assert page.status_code == 200
    assert "Tin tiêu cực về Đà Nẵng, chủ đề: y tế" in page.text
    assert f'action="/alerts/{alert.id}/acknowledge"' in page.text
    assert f'name="csrf_token" value="{csrf}"' in page.text
    assert book.get(alert.id).status is AlertStatus.OPEN  # type: ignore[union-attr]

    forged = client.post(f"/alerts/{alert.id}/acknowledge", data={"csrf_token": "forged"}, follow_redirects=False)
    assert forged.status_code == 403
    assert "tải lại trang" in forged.text
    assert book.get(alert.id).status is AlertStatus.OPEN  # type: ignore[union-attr]

    done = client.post(f"/alerts/{alert.id}/acknowledge", data={"csrf_token": csrf}, follow_redirects=False)

    assert done.status_code == 303
    assert done.headers["location"] == f"/alerts/{alert.id}"
    assert book.get(alert.id).status is AlertStatus.ACKNOWLEDGED  # type: ignore[union-attr]
    assert "đã tiếp nhận" in client.get(done.headers["location"]).text
    [entry] = audit.entries(action="acknowledge")
    assert entry.detail["alert"] == alert.id
    assert entry.actor == "account:admin"


def test_unknown_alert_is_a_404_page(client: TestClient, csrf: str) -> None:
    assert client.get("/alerts/nope").status_code == 404
    assert client.post("/alerts/nope/acknowledge", data={"csrf_token": csrf}).status_code == 404
