"""Accounts, sessions, tokens, throttling and the permission check, on a real SQLite file and a real app."""

from __future__ import annotations

import sqlite3
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi import Depends, FastAPI
from starlette.exceptions import StarletteDeprecationWarning

from api.accounts import THROTTLE_FAILURES, AccountBook, AccountError, LoginThrottled, Role
from api.auth import CSRF_HEADER, SESSION_COOKIE, Principal, require
from api.auth import router as session_router
from api.permissions import ROLE_PERMISSIONS, Permission, allows

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

PASSWORD = "mot hai ba bon nam"
#: argon2id with small costs: the tests check behaviour, not hashing strength.
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class Clock:
    """A clock the test moves by hand.

    It starts at the real time: the test client drops a cookie whose ``Expires`` has
    passed by the wall clock, so a fixed start made every session test fail twelve
    hours after that start (a session lasts twelve hours).
    """

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def book(tmp_path: Path, clock: Clock) -> AccountBook:
    accounts = AccountBook(tmp_path / "accounts.db", clock=clock, hasher=CHEAP)
    accounts.create("lan.analyst", PASSWORD, Role.ANALYST)
    accounts.create("health.desk", PASSWORD, Role.RESPONDER, unit_id="health")
    accounts.create("leader", PASSWORD, Role.LEADER)
    accounts.create("admin", PASSWORD, Role.ADMIN)
    return accounts


def test_passwords_are_stored_as_argon2_hashes_only(book: AccountBook, tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "accounts.db") as conn:
        hashes = [row[0] for row in conn.execute("SELECT password_hash FROM accounts")]
    assert len(hashes) == 4
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert not any(PASSWORD in h for h in hashes)


@pytest.mark.parametrize(
    ("name", "password", "role", "unit", "says"),
    [
        ("Bad Name", PASSWORD, Role.ANALYST, None, "lower-case"),
        ("ok.name", "short", Role.ANALYST, None, "at least 12"),
        ("desk", PASSWORD, Role.RESPONDER, None, "--unit"),
        ("desk", PASSWORD, Role.ANALYST, "health", "only responder"),
        ("lan.analyst", PASSWORD, Role.ANALYST, None, "already exists"),
    ],
)
def test_account_creation_errors_say_what_to_fix(
    book: AccountBook, name: str, password: str, role: Role, unit: str | None, says: str
) -> None:
    with pytest.raises(AccountError, match=says):
        book.create(name, password, role, unit)


def test_authenticate_accepts_only_the_right_password_of_an_enabled_account(book: AccountBook) -> None:
    account = book.authenticate("lan.analyst", PASSWORD, "10.0.0.1")
    assert account is not None
    assert account.role is Role.ANALYST
    assert book.authenticate("lan.analyst", PASSWORD + "x", "10.0.0.1") is None
    assert book.authenticate("nobody", PASSWORD, "10.0.0.1") is None
    book.disable("lan.analyst")
    assert book.authenticate("lan.analyst", PASSWORD, "10.0.0.1") is None


def test_failed_logins_are_throttled_per_name_then_released(book: AccountBook, clock: Clock) -> None:
    for n in range(THROTTLE_FAILURES):
        assert book.authenticate("admin", f"guess number {n}", f"10.0.0.{n}") is None
    with pytest.raises(LoginThrottled) as caught:
        book.authenticate("admin", PASSWORD, "10.0.0.99")  # even the right password waits
    assert timedelta(0) < caught.value.retry_after <= timedelta(minutes=15)
    clock.now += timedelta(minutes=16)
    assert book.authenticate("admin", PASSWORD, "10.0.0.99") is not None


def test_failed_logins_are_throttled_per_client(book: AccountBook) -> None:
    for n in range(THROTTLE_FAILURES):
        book.authenticate(f"guess{n}", "wrong password!", "203.0.113.7")
    with pytest.raises(LoginThrottled):
        book.authenticate("lan.analyst", PASSWORD, "203.0.113.7")
    assert book.authenticate("lan.analyst", PASSWORD, "203.0.113.8") is not None


def test_sessions_expire_and_end_on_password_change(book: AccountBook, clock: Clock) -> None:
    account = book.authenticate("leader", PASSWORD, "10.0.0.1")
    assert account is not None
    first = book.open_session(account)
    found = book.session(first.token)
    assert found is not None
    assert found[0].username == "leader"
    assert found[1] == first.csrf
    clock.now += timedelta(hours=13)
    assert book.session(first.token) is None
    second = book.open_session(account)
    book.set_password("leader", PASSWORD + " sau")
    assert book.session(second.token) is None


def test_api_tokens_are_shown_once_and_can_be_revoked(book: AccountBook, tmp_path: Path) -> None:
    token = book.issue_token("lan.analyst", "nightly export")
    account = book.token_account(token)
    assert account is not None
    assert account.username == "lan.analyst"
    with sqlite3.connect(tmp_path / "accounts.db") as conn:
        stored = [row[0] for row in conn.execute("SELECT token_hash FROM api_tokens")]
    assert token not in stored
    assert book.revoke_tokens("lan.analyst") == 1
    assert book.token_account(token) is None


def test_role_table_gives_audit_only_to_admins_and_leaders() -> None:
    holders = {role for role, granted in ROLE_PERMISSIONS.items() if Permission.AUDIT in granted}
    assert holders == {Role.ADMIN, Role.LEADER}
    assert allows(Role.RESPONDER, Permission.ALERTS_OWN_UNIT)
    assert not allows(Role.RESPONDER, Permission.SEARCH)


# -- the dependency, through a real app -----------------------------------------------------


def _app(book: AccountBook) -> FastAPI:
    app = FastAPI()
    app.state.accounts = book
    app.include_router(session_router)

    @app.get("/probe/search")
    def probe_search(principal: Principal = Depends(require(Permission.SEARCH))) -> dict[str, str]:  # noqa: B008
        return {"actor": principal.actor, "via": principal.via}

    @app.post("/probe/label")
    def probe_label(principal: Principal = Depends(require(Permission.LABEL))) -> dict[str, str]:  # noqa: B008
        return {"actor": principal.actor}

    return app


def _login(client: TestClient, name: str) -> str:
    response = client.post("/api/session", json={"username": name, "password": PASSWORD})
    assert response.status_code == 200, response.text
    assert SESSION_COOKIE in response.cookies
    csrf = response.json()["csrf_token"]
    assert isinstance(csrf, str)
    return csrf


def test_nobody_logged_in_gets_401(book: AccountBook) -> None:
    with TestClient(_app(book)) as client:
        response = client.get("/probe/search")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_role_without_the_permission_gets_403(book: AccountBook) -> None:
    with TestClient(_app(book)) as client:
        _login(client, "health.desk")
        response = client.get("/probe/search")
    assert response.status_code == 403
    assert "responder" in response.json()["detail"]


def test_session_changes_need_the_csrf_token(book: AccountBook) -> None:
    with TestClient(_app(book)) as client:
        csrf = _login(client, "lan.analyst")
        assert client.get("/probe/search").json() == {"actor": "account:lan.analyst", "via": "session"}
        assert client.post("/probe/label").status_code == 403
        assert client.post("/probe/label", headers={CSRF_HEADER: "forged"}).status_code == 403
        ok = client.post("/probe/label", headers={CSRF_HEADER: csrf})
        assert ok.status_code == 200
        assert ok.json() == {"actor": "account:lan.analyst"}
        form = client.post("/probe/label", data={"csrf_token": csrf})
        assert form.status_code == 200


def test_bearer_tokens_need_no_csrf_and_stop_when_revoked(book: AccountBook) -> None:
    token = book.issue_token("lan.analyst", "script")
    with TestClient(_app(book)) as client:
        headers = {"Authorization": f"Bearer {token}"}
        assert client.post("/probe/label", headers=headers).status_code == 200
        book.revoke_tokens("lan.analyst")
        assert client.post("/probe/label", headers=headers).status_code == 401


def test_logout_ends_the_session_on_the_server(book: AccountBook) -> None:
    with TestClient(_app(book)) as client:
        _login(client, "lan.analyst")
        cookie = client.cookies.get(SESSION_COOKIE)
        assert cookie is not None
        assert client.delete("/api/session").status_code == 204
        assert book.session(cookie) is None
        client.cookies.set(SESSION_COOKIE, cookie)  # a stolen copy of the cookie is dead too
        assert client.get("/probe/search").status_code == 401


def test_login_failures_answer_401_then_429_with_retry_after(book: AccountBook) -> None:
    with TestClient(_app(book)) as client:
        for _ in range(THROTTLE_FAILURES):
            response = client.post("/api/session", json={"username": "admin", "password": "not the password"})
            assert response.status_code == 401
        throttled = client.post("/api/session", json={"username": "admin", "password": PASSWORD})
    assert throttled.status_code == 429
    assert 0 < int(throttled.headers["retry-after"]) <= 900


def test_hashes_made_with_older_costs_are_upgraded_at_the_next_login(book: AccountBook, tmp_path: Path) -> None:
    stronger = AccountBook(tmp_path / "accounts.db", hasher=PasswordHasher(time_cost=2, memory_cost=2048))
    assert stronger.authenticate("leader", PASSWORD, "10.0.0.1") is not None
    with sqlite3.connect(tmp_path / "accounts.db") as conn:
        (digest,) = conn.execute("SELECT password_hash FROM accounts WHERE username = 'leader'").fetchone()
    assert "m=2048,t=2" in digest
    assert stronger.authenticate("leader", PASSWORD, "10.0.0.1") is not None
