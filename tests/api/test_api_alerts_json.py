"""The alerts API for a unit's own tools, and the report figures as JSON.

Same rules as the pages: a responder lists, sees, acknowledges and answers only its own
unit's alerts (another unit's is a 404, as a missing one is); every acknowledgement and
answer is in the audit log under the account; a bad answer link is a 422 problem.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from fastapi.testclient import TestClient

from alerts import AlertBook, AlertStatus
from api import AuditLog
from api.accounts import AccountBook
from core import Item, Routed, Urgency


def _two_units(book: AlertBook, items: list[Item]) -> tuple[str, str]:
    """An alert for the responder's unit (health) and one for another unit (tourism)."""
    hospital = items[0]
    assert hospital.routed is not None and hospital.routed.unit_id == "health"
    own = book.record(hospital, hospital.routed).id
    other_item = items[1]
    routed = Routed("tourism", "Tin tiêu cực về du lịch", Urgency.ROUTINE, hospital.routed.routed_at)
    other = book.record(replace(other_item, routed=routed), routed).id
    return own, other


def test_a_responder_works_only_its_own_units_alerts(
    app_client: TestClient,
    book: AlertBook,
    items: list[Item],
    audit: AuditLog,
    accounts: AccountBook,
    token_headers: Callable[[AccountBook, str], dict[str, str]],
) -> None:
    own, other = _two_units(book, items)
    headers = token_headers(accounts, "health.desk")

    listed = app_client.get("/api/alerts?unit=tourism", headers=headers)  # the unit filter cannot widen its view
    assert listed.status_code == 200
    assert [a["id"] for a in listed.json()["alerts"]] == [own]
    assert app_client.get(f"/api/alerts/{other}", headers=headers).status_code == 404
    assert app_client.post(f"/api/alerts/{other}/acknowledge", headers=headers).status_code == 404
    assert book.get(other).status is AlertStatus.OPEN  # type: ignore[union-attr]

    acknowledged = app_client.post(f"/api/alerts/{own}/acknowledge", headers=headers)
    assert acknowledged.status_code == 200
    assert acknowledged.json()["status"] == "acknowledged" and acknowledged.json()["acknowledged_at"]

    bad = app_client.post(f"/api/alerts/{own}/answer", json={"link": "javascript:alert(1)"}, headers=headers)
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert book.get(own).status is AlertStatus.ACKNOWLEDGED  # type: ignore[union-attr]

    link = "https://danang.gov.vn/thong-cao/benh-vien"
    answered = app_client.post(f"/api/alerts/{own}/answer", json={"link": link}, headers=headers)
    assert answered.status_code == 200
    assert answered.json()["status"] == "answered" and answered.json()["answer_link"] == link
    stored = book.get(own)
    assert stored is not None and stored.status is AlertStatus.ANSWERED and stored.answer_link == link

    actions = [(e.action, e.actor, e.detail["alert"]) for e in audit.entries() if e.action in ("acknowledge", "answer")]
    assert sorted(actions) == [("acknowledge", "account:health.desk", own), ("answer", "account:health.desk", own)]


def test_an_analyst_sees_every_unit_and_filters_by_status_and_unit(
    app_client: TestClient,
    book: AlertBook,
    items: list[Item],
    accounts: AccountBook,
    token_headers: Callable[[AccountBook, str], dict[str, str]],
) -> None:
    own, other = _two_units(book, items)
    headers = token_headers(accounts, "lan.analyst")

    everything = app_client.get("/api/alerts", headers=headers).json()["alerts"]
    assert {a["id"] for a in everything} == {own, other}
    tourism = app_client.get("/api/alerts?unit=tourism", headers=headers).json()["alerts"]
    assert [(a["id"], a["unit"]) for a in tourism] == [(other, "tourism")]
    assert app_client.post(f"/api/alerts/{other}/acknowledge", headers=headers).status_code == 200
    still_open = app_client.get("/api/alerts?status=open", headers=headers).json()["alerts"]
    assert [a["id"] for a in still_open] == [own]
    assert app_client.get("/api/alerts?status=forgotten", headers=headers).status_code == 422


def test_report_figures_are_the_numbers_of_the_report(
    app_client: TestClient,
    book: AlertBook,
    items: list[Item],
    audit: AuditLog,
    accounts: AccountBook,
    token_headers: Callable[[AccountBook, str], dict[str, str]],
) -> None:
    _two_units(book, items)
    published = items[0].published
    assert published is not None
    year, week, _ = published.isocalendar()
    headers = token_headers(accounts, "leader")

    answer = app_client.get(f"/api/reports/weekly?period={year}-W{week:02d}", headers=headers)

    assert answer.status_code == 200, answer.text
    figures = answer.json()
    assert figures["period"]["key"] == f"{year}-W{week:02d}"
    assert (
        figures["total"]
        == sum(figures["stances"].values())
        == sum(sum(day.values()) for day in figures["by_day_stance"].values())
    )
    assert figures["total"] >= 1
    # Units by the name the report prints (an id the directory does not know is shown as is).
    assert figures["alerts"]["total"] == 2 and figures["alerts"]["by_unit"] == {"Sở Y tế": 1, "tourism": 1}
    [entry] = audit.entries(action="report.view")
    assert entry.actor == "account:leader" and entry.detail["via"] == "api"
    assert app_client.get("/api/reports/weekly?period=2026-W99", headers=headers).status_code == 422
    # Responders read no reports.
    assert app_client.get("/api/reports/weekly", headers=token_headers(accounts, "health.desk")).status_code == 403
