"""Reading the audit log: GET /api/audit and the /audit page, filtered and paged, for admins and leaders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from api import AuditLog
from api.accounts import AccountBook

TokenHeaders = Callable[[AccountBook, str], dict[str, str]]
Login = Callable[[TestClient, AccountBook, str], str]
AT = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam


def _fill(audit: AuditLog) -> None:
    audit.record("search", "account:lan.analyst", {"q": "Cầu Rồng"}, at=AT)
    audit.record("export", "account:lan.analyst", {"format": "csv"}, at=AT + timedelta(days=1))
    audit.record("search", "account:admin", {"q": "Hội An"}, at=AT + timedelta(days=2))
    audit.record("label.change", "account:lan.analyst", {"item_id": "x"}, at=AT + timedelta(days=3))


def test_filters_by_action_actor_and_dates(
    app_client: TestClient, audit: AuditLog, accounts: AccountBook, token_headers: TokenHeaders
) -> None:
    _fill(audit)
    leader = token_headers(accounts, "leader")

    def ask(**params: str) -> dict[str, object]:
        response = app_client.get("/api/audit", params=params, headers=leader)
        assert response.status_code == 200
        body: dict[str, object] = response.json()
        return body

    everything = ask()
    assert everything["total"] == 4
    assert [e["action"] for e in everything["entries"]] == ["label.change", "search", "export", "search"]  # type: ignore[union-attr]
    assert ask(action="search")["total"] == 2
    by_analyst = ask(actor="account:lan.analyst")
    assert {e["actor"] for e in by_analyst["entries"]} == {"account:lan.analyst"}  # type: ignore[union-attr]
    assert by_analyst["total"] == 3
    # Dates without a zone are the office's (Vietnam) days: 23/11 and 24/11, the end exclusive.
    window = ask(since="2026-11-23", until="2026-11-25")
    assert [e["action"] for e in window["entries"]] == ["search", "export"]  # type: ignore[union-attr]
    assert ask(since="2026-11-22T00:00:00+07:00", until="2026-11-22T07:59:00+07:00")["total"] == 0


def test_pages_through_the_log(
    app_client: TestClient, audit: AuditLog, accounts: AccountBook, token_headers: TokenHeaders
) -> None:
    _fill(audit)
    admin = token_headers(accounts, "admin")

    first = app_client.get("/api/audit", params={"size": 3}, headers=admin).json()
    second = app_client.get("/api/audit", params={"size": 3, "page": 2}, headers=admin).json()

    assert (first["total"], len(first["entries"]), len(second["entries"])) == (4, 3, 1)
    assert second["entries"][0]["detail"] == {"q": "Cầu Rồng"}
    assert app_client.get("/api/audit", params={"size": 0}, headers=admin).status_code == 422


def test_analysts_and_responders_may_not_read_it(
    app_client: TestClient, accounts: AccountBook, token_headers: TokenHeaders
) -> None:
    for name in ("lan.analyst", "health.desk"):
        assert app_client.get("/api/audit", headers=token_headers(accounts, name)).status_code == 403
    assert app_client.get("/api/audit").status_code == 401


def test_the_audit_page_shows_who_did_what_and_links_the_next_page(
    app_client: TestClient, audit: AuditLog, accounts: AccountBook, login: Login
) -> None:
    _fill(audit)
    login(app_client, accounts, "leader")

    page = app_client.get("/audit", params={"actor": "account:lan.analyst", "size": 2, "since": ""})

    assert page.status_code == 200
    assert "<h1>Nhật ký truy cập</h1>" in page.text
    assert "3 mục" in page.text
    assert "<td>label.change</td><td>account:lan.analyst</td>" in page.text
    assert "Cầu Rồng" not in page.text  # the oldest entry is on page 2
    assert 'href="/audit?actor=account%3Alan.analyst&amp;size=2&amp;page=2" rel="next"' in page.text
    assert "Cầu Rồng" in app_client.get("/audit", params={"actor": "account:lan.analyst", "size": 2, "page": 2}).text
