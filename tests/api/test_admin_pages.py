"""The source-health and admin pages in a logged-in browser: tables, forms with CSRF, both languages."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from alerts import AlertBook
from api import AuditLog, create_app
from api.accounts import AccountBook
from api.admin_ops import SORTS, STATUS_ORDER
from api.i18n import MESSAGES
from api.messages_admin import MESSAGES as ADMIN_MESSAGES
from classify.factchecks import ORIGINS, VERDICTS
from core import Settings, SourceKind, Store, load_config
from crawlers import SourceRecord, SourceState
from pressdesk.wiring import load_project

PROFILE = Path(__file__).resolve().parents[2] / "pressdesk" / "profiles" / "da_nang.toml"
TEMPLATES = Path(__file__).resolve().parents[2] / "api" / "templates"
MY_TEMPLATES = ("sources.html", "admin.html", "admin_factchecks.html", "admin_nav.html")
SOURCES = """

[[sources]]
id = "baodanang.rss"
url = "https://baodanang.example/rss/home.rss"
outlet = "Báo Đà Nẵng"

[[sources]]
id = "vnx.thoi-su"
url = "https://vnexpress.example/rss/thoi-su.rss"
outlet = "VnExpress"

[[sources]]
id = "tn.xa-hoi"
url = "https://thanhnien.example/rss/xa-hoi.rss"
outlet = "Thanh Niên"
"""


@pytest.fixture
def file_settings(tmp_path: Path) -> Settings:
    path = tmp_path / "project.toml"
    path.write_text(PROFILE.read_text(encoding="utf-8") + SOURCES, encoding="utf-8")
    return Settings(data_dir=tmp_path, public_url="http://testserver", config=path, fetch_allow_hosts=[])


@pytest.fixture
def browser(
    file_settings: Settings,
    store: Store,
    audit: AuditLog,
    book: AlertBook,
    accounts: AccountBook,
    login: Callable[[TestClient, AccountBook, str], str],
) -> Iterator[tuple[TestClient, str]]:
    """A browser logged in as the admin (session cookie) and the session's CSRF token."""
    app = create_app(file_settings, store, audit, config=load_project(file_settings), alerts=book, accounts=accounts)
    with TestClient(app) as client:
        yield client, login(client, accounts, "admin")


def _health(settings: Settings) -> None:
    now = datetime.now(UTC)
    state = SourceState(settings.path("sources.db"))
    state.put(SourceRecord("baodanang.rss", "Báo Đà Nẵng", 1800.0, last_success_at=now - timedelta(hours=1)))
    state.put(SourceRecord("vnx.thoi-su", "VnExpress", 3600.0, failures=3, last_error="HTTP 503",
                           last_error_kind="http_503", next_due=now + timedelta(hours=2),
                           last_success_at=now - timedelta(days=2)))  # fmt: skip
    state.add_items("baodanang.rss", 21, now)
    state.add_error("vnx.thoi-su", "http_503", now)
    state.close()


def _order(html: str, *names: str) -> list[str]:
    return sorted(names, key=html.index)


def test_the_health_page_lists_failing_sources_first(browser: tuple[TestClient, str], file_settings: Settings) -> None:
    client, _ = browser
    _health(file_settings)

    page = client.get("/sources")

    assert page.status_code == 200
    assert _order(page.text, "VnExpress", "Báo Đà Nẵng", "Thanh Niên") == ["VnExpress", "Thanh Niên", "Báo Đà Nẵng"]
    assert "đang lỗi" in page.text
    assert "chưa thu thập lần nào" in page.text
    assert "trang yêu cầu chờ (Retry-After)" in page.text  # 503 with a wait: held at the site's request
    assert "<code>http_503</code>: 1" in page.text
    assert "3.0" in page.text  # 21 items over 7 days


def test_the_health_page_sorts_by_other_columns_and_speaks_english(
    browser: tuple[TestClient, str], file_settings: Settings
) -> None:
    client, _ = browser
    _health(file_settings)

    by_name = client.get("/sources", params={"sort": "outlet", "lang": "en"})
    by_items = client.get("/sources", params={"sort": "items"})
    unknown = client.get("/sources", params={"sort": "<script>"})

    assert _order(by_name.text, "VnExpress", "Báo Đà Nẵng", "Thanh Niên") == ["Báo Đà Nẵng", "Thanh Niên", "VnExpress"]
    assert "failing" in by_name.text
    assert "Source health" in by_name.text
    assert _order(by_items.text, "VnExpress", "Báo Đà Nẵng")[0] == "Báo Đà Nẵng"
    assert unknown.status_code == 200
    assert "<script>" not in unknown.text


def test_the_admin_page_lists_sources_and_the_read_only_unit_directory(
    browser: tuple[TestClient, str], file_settings: Settings
) -> None:
    client, _ = browser

    page = client.get("/admin")
    english = client.get("/admin", params={"lang": "en"})

    assert page.status_code == 200
    shown = ("baodanang.rss", "tệp cấu hình", "Sở Y tế", "yte@pressdesk.example", "Chỉ xem", str(file_settings.config))
    for text in shown:
        assert text in page.text, text
    assert "Read-only: the unit directory lives in the config file" in english.text


def test_adding_a_source_through_the_form(
    browser: tuple[TestClient, str], file_settings: Settings, audit: AuditLog
) -> None:
    client, csrf = browser

    done = client.post(
        "/admin/sources",
        data={"csrf_token": csrf, "url": "https://dantri.example/rss/xa-hoi.rss", "outlet": "Dân Trí", "kind": "feed",
              "id": "", "language": "vi", "interval_minutes": "45", "article_pattern": "", "article_css": ""},
        follow_redirects=False,
    )  # fmt: skip

    assert done.status_code == 303
    shown = client.get(done.headers["location"])
    assert "Đã thêm nguồn dantri.example." in shown.text
    assert "Tên miền hiện không phân giải được" in shown.text  # no DNS here: kept, with the note
    assert "thêm trên web" in shown.text
    [entry] = audit.entries(action="sources.add")
    assert entry.actor == "account:admin"
    [added] = [s for s in load_project(file_settings).sources if s.id == "dantri.example"]
    assert added.interval_minutes == 45


def test_a_form_without_the_csrf_token_changes_nothing(
    browser: tuple[TestClient, str], file_settings: Settings
) -> None:
    client, _ = browser

    refused = client.post("/admin/sources", data={"url": "https://dantri.example/rss", "outlet": "Dân Trí"})

    assert refused.status_code == 403
    assert "Biểu mẫu đã cũ" in refused.text
    assert "dantri.example" not in {s.id for s in load_project(file_settings).sources}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"url": "http://192.168.1.10/rss", "outlet": "Mạng nội bộ"}, "Địa chỉ không được phép"),
        ({"url": "https://dantri.example/rss", "outlet": ""}, "Chưa thêm được nguồn"),
        ({"url": "https://dantri.example/", "outlet": "Dân Trí", "kind": "listing"}, "article_pattern"),
        ({"url": "https://dantri.example/rss", "outlet": "Dân Trí", "id": "vnx.thoi-su"}, "Mã nguồn đã có"),
    ],
)
def test_a_refused_source_shows_the_form_again_with_the_reason(
    browser: tuple[TestClient, str], audit: AuditLog, data: dict[str, str], message: str
) -> None:
    client, csrf = browser

    page = client.post("/admin/sources", data={"csrf_token": csrf, **data})

    assert page.status_code == 400
    assert message in page.text
    assert f'value="{data["url"]}"' in page.text  # what was typed is kept
    assert audit.entries(action="sources.add") == []


def test_pausing_and_resuming_through_the_page(
    browser: tuple[TestClient, str], file_settings: Settings, audit: AuditLog
) -> None:
    client, csrf = browser

    paused = client.post("/admin/sources/tn.xa-hoi/pause", data={"csrf_token": csrf}, follow_redirects=False)
    assert paused.status_code == 303
    assert "tn.xa-hoi" not in {s.id for s in load_project(file_settings).sources}
    page = client.get(paused.headers["location"])
    assert "Đã cập nhật nguồn tn.xa-hoi." in page.text
    assert 'action="/admin/sources/tn.xa-hoi/resume"' in page.text
    assert "đã tạm dừng" in client.get("/sources").text

    resumed = client.post("/admin/sources/tn.xa-hoi/resume", data={"csrf_token": csrf}, follow_redirects=False)
    assert resumed.status_code == 303
    assert "tn.xa-hoi" in {s.id for s in load_project(file_settings).sources}
    assert [e.action for e in audit.entries() if e.action.startswith("sources.")] == ["sources.resume", "sources.pause"]

    missing = client.post("/admin/sources/khong-co/pause", data={"csrf_token": csrf})
    assert missing.status_code == 404
    assert "Không tìm thấy nguồn tin này." in missing.text


def test_other_roles_see_what_their_role_allows(
    file_settings: Settings,
    store: Store,
    audit: AuditLog,
    accounts: AccountBook,
    login: Callable[[TestClient, AccountBook, str], str],
) -> None:
    app = create_app(file_settings, store, audit, config=load_config(file_settings.config), accounts=accounts)  # type: ignore[arg-type]
    with TestClient(app) as client:
        login(client, accounts, "lan.analyst")
        health = client.get("/sources")
        assert health.status_code == 200
        assert 'href="/admin/factchecks"' in health.text
        assert 'href="/admin"' not in health.text  # the nav offers only what the role may open
        assert client.get("/admin").status_code == 403


def test_every_admin_string_exists_in_both_languages_and_every_key_used_exists() -> None:
    assert ADMIN_MESSAGES["vi"].keys() == ADMIN_MESSAGES["en"].keys()
    assert all(ADMIN_MESSAGES[lang][key].strip() for lang in ("vi", "en") for key in ADMIN_MESSAGES[lang])
    used = set()
    for name in MY_TEMPLATES:
        used |= set(re.findall(r't\("([a-z_ ]+)"[,)]', (TEMPLATES / name).read_text(encoding="utf-8")))
    assert used, "the templates take their strings from the catalogue"
    # Keys the templates build from a value ("adm_kind_" ~ kind): one per value the code can hold.
    built = {
        "adm_kind_": [kind.value for kind in SourceKind],
        "adm_health_status_": list(STATUS_ORDER),
        "adm_health_sort_": list(SORTS),
        "adm_hold_": ["robots", "retry_after"],
        "adm_verdict_": list(VERDICTS),
        "adm_origin_": ["config", "added", *ORIGINS],
        "adm_digest_": ["hourly", "daily", "weekly"],
    }
    used |= {prefix + value for prefix, values in built.items() for value in values}
    for lang in ("vi", "en"):
        assert used <= MESSAGES[lang].keys(), used - MESSAGES[lang].keys()


@pytest.mark.parametrize("path", ["/sources", "/admin", "/admin/factchecks"])
def test_pages_carry_no_inline_script_or_style(browser: tuple[TestClient, str], path: str) -> None:
    client, _ = browser
    page = client.get(path)
    assert page.status_code == 200
    assert "<script" not in page.text
    assert " style=" not in page.text
    assert "<style" not in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
