"""The login page, logout, the 403 page, and the demo account: real sessions on a real account book."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from api.accounts import THROTTLE_FAILURES, AccountBook
from api.auth import SESSION_COOKIE
from api.login import LOGIN_CSRF_COOKIE
from core import Settings
from pressdesk.demo import DEMO_ACCOUNT, DEMO_MARKER, ensure_demo_account, is_demo_data

Login = Callable[[TestClient, AccountBook, str], str]
PASSWORD = "mot hai ba bon nam"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _form_token(client: TestClient, url: str = "/login") -> str:
    found = _TOKEN.search(client.get(url).text)
    assert found is not None
    return found.group(1)


def test_login_page_is_vietnamese_first_with_english_on_request(app_client: TestClient) -> None:
    page = app_client.get("/login")

    assert page.status_code == 200
    assert '<html lang="vi">' in page.text
    assert '<label for="login-username">Tên tài khoản</label>' in page.text
    assert 'autocomplete="current-password"' in page.text
    assert page.cookies.get(LOGIN_CSRF_COOKIE) == _TOKEN.search(page.text).group(1)  # type: ignore[union-attr]
    english = app_client.get("/login", params={"lang": "en"})
    assert '<label for="login-username">Account name</label>' in english.text
    assert 'action="/login?lang=en"' in english.text


def test_logging_in_returns_to_the_page_asked_for_and_the_header_names_the_account(
    app_client: TestClient, accounts: AccountBook
) -> None:
    asked = app_client.get("/?q=da+nang", follow_redirects=False)
    assert (asked.status_code, asked.headers["location"]) == (303, "/login?next=/%3Fq%3Dda%2Bnang")

    token = _form_token(app_client, asked.headers["location"])
    done = app_client.post(
        "/login",
        data={"username": "lan.analyst", "password": PASSWORD, "csrf_token": token, "next": "/?q=da+nang"},
        follow_redirects=False,
    )

    assert (done.status_code, done.headers["location"]) == (303, "/?q=da+nang")
    assert "httponly" in done.headers["set-cookie"].lower() and "samesite=strict" in done.headers["set-cookie"].lower()
    page = app_client.get("/?q=da+nang")
    assert "Đang đăng nhập: lan.analyst (biên tập viên)" in page.text
    session = accounts.session(app_client.cookies[SESSION_COOKIE])
    assert session is not None
    assert '<form method="post" action="/logout" class="inline logout">' in page.text
    assert f'name="csrf_token" value="{session[1]}"' in page.text


def test_login_after_login_never_leaves_the_site(app_client: TestClient) -> None:
    token = _form_token(app_client)
    done = app_client.post(
        "/login",
        data={"username": "admin", "password": PASSWORD, "csrf_token": token, "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert (done.status_code, done.headers["location"]) == (303, "/")


def test_a_login_posted_without_the_pages_token_is_refused(app_client: TestClient) -> None:
    """A cross-site form cannot read or set our login cookie, so it cannot echo it."""
    _form_token(app_client)  # the browser holds a login cookie, the attacker's form does not know it
    forged = app_client.post(
        "/login", data={"username": "admin", "password": PASSWORD, "csrf_token": "guessed"}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert "Trang đăng nhập đã cũ" in forged.text
    assert SESSION_COOKIE not in app_client.cookies


def test_wrong_password_and_throttling_are_shown_as_messages(app_client: TestClient) -> None:
    for _ in range(THROTTLE_FAILURES):
        token = _form_token(app_client)
        wrong = app_client.post("/login", data={"username": "admin", "password": "sai mat khau", "csrf_token": token})
        if wrong.status_code == 429:
            break
        assert wrong.status_code == 401
        assert "Sai tên tài khoản hoặc mật khẩu." in wrong.text
        assert 'value="admin"' in wrong.text  # the name stays filled in; the password does not

    token = _form_token(app_client)
    throttled = app_client.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token})
    assert throttled.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in throttled.text
    assert int(throttled.headers["retry-after"]) > 0
    assert SESSION_COOKIE not in app_client.cookies


def test_logout_needs_the_sessions_token_and_ends_the_session_on_the_server(
    app_client: TestClient, accounts: AccountBook, login: Login
) -> None:
    csrf = login(app_client, accounts, "admin")
    cookie = app_client.cookies[SESSION_COOKIE]

    assert app_client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert accounts.session(cookie) is not None
    done = app_client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)

    assert (done.status_code, done.headers["location"]) == (303, "/login")
    assert accounts.session(cookie) is None
    assert app_client.get("/", follow_redirects=False).status_code == 303


def test_a_role_without_the_page_sees_the_403_page(app_client: TestClient, accounts: AccountBook, login: Login) -> None:
    login(app_client, accounts, "leader")

    page = app_client.get("/")

    assert page.status_code == 403
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>Không có quyền truy cập</h1>" in page.text
    assert "Đang đăng nhập: leader (lãnh đạo)" in page.text
    assert '<a href="/reports/weekly">Báo cáo tuần</a>' in page.text  # somewhere a leader may go
    assert 'href="/">Quay lại tìm kiếm' not in page.text
    assert "<h1>Not allowed</h1>" in app_client.get("/", params={"lang": "en"}).text


def test_the_demo_account_is_made_once_and_only_in_the_demo_folder(tmp_path: Path, accounts: AccountBook) -> None:
    settings = Settings(data_dir=tmp_path / "demo")
    assert not is_demo_data(settings)
    settings.data_dir.mkdir(exist_ok=True)
    settings.path(DEMO_MARKER).touch()
    assert is_demo_data(settings)

    fresh = AccountBook(tmp_path / "demo" / "accounts.db", hasher=accounts._hasher)
    password = ensure_demo_account(fresh)

    assert password is not None and len(password) >= 12
    assert fresh.authenticate(DEMO_ACCOUNT, password, "127.0.0.1") is not None
    assert ensure_demo_account(fresh) is None  # a second start prints nothing and changes nothing
    assert ensure_demo_account(accounts) is None  # a book that has accounts gets no demo account
    assert accounts.get(DEMO_ACCOUNT) is None


def test_every_post_form_in_the_templates_carries_the_csrf_field() -> None:
    templates = Path(__file__).resolve().parents[2] / "api" / "templates"
    forms = 0
    for template in templates.glob("*.html"):
        for form in re.findall(r'<form method="post".*?</form>', template.read_text(encoding="utf-8"), re.DOTALL):
            forms += 1
            assert 'name="csrf_token"' in form, f"{template.name}: {form[:80]}"
    assert forms >= 6  # acknowledge, answer, save, delete, logout, login
