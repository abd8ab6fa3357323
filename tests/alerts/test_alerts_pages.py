"""Response tracking on the web: the alert page shows times and evidence; the answer form records the link."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # As in tests/api/conftest.py: Starlette warns at import about httpx, which the project pins.
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from alerts import AlertBook, AlertStatus
from api import AuditLog, create_app
from api.accounts import AccountBook, Role
from api.auth import SESSION_COOKIE
from core import Item, ProjectConfig, Routed, Settings, Urgency
from indexing import SqliteStore

MakeItem = Callable[..., Item]
PASSWORD = "mot hai ba bon nam"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _client(tmp_path: Path, config: ProjectConfig) -> tuple[TestClient, AlertBook, AuditLog, str]:
    """The app with the health unit's responder logged in through the login page; also the session's CSRF token."""
    book, audit = AlertBook(tmp_path / "alerts.db"), AuditLog(tmp_path / "audit.db")
    accounts = AccountBook(
        tmp_path / "accounts.db", hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    accounts.create("health.desk", PASSWORD, Role.RESPONDER, unit_id="health")
    app = create_app(
        Settings(data_dir=tmp_path),
        SqliteStore(tmp_path / "items.db"),
        audit,
        config=config,
        alerts=book,
        accounts=accounts,
    )
    client = TestClient(app)
    form = _TOKEN.search(client.get("/login").text)
    assert form is not None
    data = {"username": "health.desk", "password": PASSWORD, "csrf_token": form.group(1)}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    session = accounts.session(client.cookies[SESSION_COOKIE])
    assert session is not None
    return client, book, audit, session[1]


def test_answer_is_recorded_with_its_link_and_times(
    tmp_path: Path, config: ProjectConfig, make_item: MakeItem, now: datetime
) -> None:
    client, book, audit, csrf = _client(tmp_path, config)
    alert = book.record(
        make_item(),
        Routed("health", "Tin lặp lại thông tin sai", Urgency.URGENT, now),
        trigger="false_claim",
        evidence_url="https://factcheck.example/fc-3",
    )
    book.acknowledge(alert.id, now + timedelta(hours=2))
    page = client.get(f"/alerts/{alert.id}")
    assert page.status_code == 200
    assert 'id="tra-loi"' in page.text and "Ghi nhận kết quả phản hồi" in page.text
    assert "https://factcheck.example/fc-3" in page.text
    assert "sau 2,0 giờ" in page.text

    bad = client.post(
        f"/alerts/{alert.id}/answer", data={"link": "javascript:alert(1)", "csrf_token": csrf}, follow_redirects=False
    )
    assert bad.status_code == 400 and "http:// hoặc https://" in bad.text
    stored = book.get(alert.id)
    assert stored is not None and stored.status is AlertStatus.ACKNOWLEDGED

    done = client.post(
        f"/alerts/{alert.id}/answer",
        data={"link": "https://danang.gov.vn/dinh-chinh", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == f"/alerts/{alert.id}"
    stored = book.get(alert.id)
    assert stored is not None and stored.status is AlertStatus.ANSWERED
    assert stored.answer_link == "https://danang.gov.vn/dinh-chinh"
    (entry,) = [e for e in audit.entries() if e.action == "answer"]
    assert entry.detail["link"] == "https://danang.gov.vn/dinh-chinh"
    english = client.get(f"/alerts/{alert.id}?lang=en")
    assert "Record the response" in english.text and "Answered" in english.text
    assert "after 2.0 h" in english.text


def test_answer_to_an_unknown_alert_is_404(tmp_path: Path, config: ProjectConfig) -> None:
    client, _, _, csrf = _client(tmp_path, config)
    response = client.post("/alerts/nope/answer", data={"link": "https://x.example", "csrf_token": csrf})
    assert response.status_code == 404


def test_forms_from_the_inbox_go_back_to_it_and_never_to_another_site(
    tmp_path: Path, config: ProjectConfig, make_item: MakeItem, now: datetime
) -> None:
    client, book, _, csrf = _client(tmp_path, config)
    alert = book.record(make_item(), Routed("health", "Tin tiêu cực", Urgency.ROUTINE, now))
    back = f"/inbox#a-{alert.id}"

    acknowledged = client.post(
        f"/alerts/{alert.id}/acknowledge", data={"csrf_token": csrf, "next": back}, follow_redirects=False
    )
    assert acknowledged.status_code == 303 and acknowledged.headers["location"] == back
    # Another site (or a scheme-relative path) is not followed: the browser goes home instead.
    answered = client.post(
        f"/alerts/{alert.id}/answer",
        data={"link": "https://danang.gov.vn/tra-loi", "csrf_token": csrf, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert answered.status_code == 303 and answered.headers["location"] == "/"
    stored = book.get(alert.id)
    assert stored is not None and stored.status is AlertStatus.ANSWERED
    # Without ``next`` (the alert page's own forms) the alert page is shown again.
    again = client.post(f"/alerts/{alert.id}/acknowledge", data={"csrf_token": csrf}, follow_redirects=False)
    assert again.headers.get("location") in (f"/alerts/{alert.id}", None)
