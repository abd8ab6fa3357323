"""Fixtures for the API tests: the real SQLite store, audit log and alert book in a temporary folder."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette 1.x warns once, at import, that its TestClient would rather run on httpx2;
    # the project pins httpx, so this one message is not ours to fix (filterwarnings=error
    # would otherwise fail collection before any per-test mark applies).
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from alerts import AlertBook, route
from api import AuditLog, create_app
from api.accounts import AccountBook, Role
from api.auth import SESSION_COOKIE
from core import (
    ClaimMatch,
    Classified,
    Extracted,
    Fetched,
    Item,
    LocalityMention,
    ProjectConfig,
    Settings,
    Stance,
    Store,
    Topic,
    item_id,
    load_config,
)
from indexing import SqliteStore

PROFILE = Path(__file__).resolve().parents[2] / "pressdesk" / "profiles" / "da_nang.toml"
PASSWORD = "mot hai ba bon nam"
#: argon2id with small costs: the tests check behaviour, not hashing strength.
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
#: One account per role; the responder answers for the unit the hospital item is routed to.
STAFF = {"admin": Role.ADMIN, "lan.analyst": Role.ANALYST, "health.desk": Role.RESPONDER, "leader": Role.LEADER}
RESPONDER_UNIT = "health"
_LOGIN_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def staff_book(path: Path) -> AccountBook:
    """A real account book with one account per role (cheap hashing)."""
    book = AccountBook(path, hasher=CHEAP)
    for name, role in STAFF.items():
        book.create(name, PASSWORD, role, unit_id=RESPONDER_UNIT if role is Role.RESPONDER else None)
    return book


def sign_in(client: TestClient, accounts: AccountBook, username: str = "admin") -> str:
    """Log ``client`` in through the real login form (double-submit token included); the session's CSRF token."""
    form = client.get("/login")
    token = _LOGIN_CSRF.search(form.text)
    assert token is not None, "the login form carries its CSRF token"
    done = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1), "next": "/"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    session = accounts.session(client.cookies[SESSION_COOKIE])
    assert session is not None
    return session[1]


def bearer(accounts: AccountBook, username: str = "admin") -> dict[str, str]:
    """The header an API client sends: a fresh token for ``username``."""
    return {"Authorization": f"Bearer {accounts.issue_token(username, 'tests')}"}


NOW = datetime(2026, 11, 22, 8, 30, tzinfo=UTC)
EVIL_TITLE = "<script>alert('x')</script> Cầu Rồng phun lửa cuối tuần"


def _item(
    url: str,
    title: str,
    text: str,
    outlet: str,
    language: str,
    stance: Stance,
    topic: Topic,
    claims: tuple[ClaimMatch, ...] = (),
) -> Item:
    return Item(
        id=item_id(url),
        fetched=Fetched(url=url, source_id="test", outlet=outlet, fetched_at=NOW),
        extracted=Extracted(
            title=title, text=text, published=datetime(2026, 11, 21, 23, 15, tzinfo=UTC), language=language
        ),
        classified=Classified(
            localities=(LocalityMention("Đà Nẵng", about=True, hits=2),),
            about=True,
            stance=stance,
            stance_confidence=0.87,
            topic=topic,
            topic_confidence=0.74,
            claims=claims,
        ),
    )


@pytest.fixture(scope="session")
def config() -> ProjectConfig:
    return load_config(PROFILE)


@pytest.fixture
def items(config: ProjectConfig) -> list[Item]:
    hospital = _item(
        "https://tuoitre.example/benh-vien-qua-tai.html",
        "Bệnh viện Đà Nẵng quá tải vì sốt xuất huyết",
        "Nhiều bệnh viện ở Đà Nẵng quá tải.\n\nSở Y tế đã tăng cường giường bệnh.",
        "Tuổi Trẻ",
        "vi",
        Stance.NEGATIVE,
        Topic.HEALTH,
        claims=(ClaimMatch("fc-7", 0.71, "suggest", "https://factcheck.example/7"),),
    )
    routed = route(hospital, config, NOW)
    assert routed is not None
    return [
        hospital.with_routed(routed),
        _item(
            "https://e.vnexpress.example/da-nang-tourists.html",
            "Da Nang welcomes record number of tourists",
            "Da Nang welcomed more international visitors than ever this year.",
            "VnExpress International",
            "en",
            Stance.POSITIVE,
            Topic.TOURISM_CULTURE,
        ),
        _item(
            "https://baodanang.example/cau-rong.html",
            EVIL_TITLE,
            "Cầu Rồng ở Đà Nẵng phun lửa vào tối thứ bảy <img src=x onerror=alert(1)>.",
            "Báo Đà Nẵng",
            "vi",
            Stance.NEUTRAL,
            Topic.TOURISM_CULTURE,
        ),
    ]


@pytest.fixture
def open_store() -> Callable[[Path], Store]:
    """Opens the real SQLite store at a path (for tests that need one in an odd place)."""
    return SqliteStore


@pytest.fixture
def store(tmp_path: Path, items: list[Item]) -> Iterator[Store]:
    store = SqliteStore(tmp_path / "items.db")
    store.upsert(items)
    yield store
    store.close()


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.db")


@pytest.fixture
def book(tmp_path: Path) -> AlertBook:
    return AlertBook(tmp_path / "alerts.db")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, public_url="http://testserver")


@pytest.fixture
def accounts(tmp_path: Path) -> Iterator[AccountBook]:
    book = staff_book(tmp_path / "accounts.db")
    yield book
    book.close()


@pytest.fixture
def app_client(
    settings: Settings, store: Store, audit: AuditLog, config: ProjectConfig, book: AlertBook, accounts: AccountBook
) -> Iterator[TestClient]:
    """A client of the full app, not logged in."""
    app = create_app(settings, store, audit, config=config, alerts=book, accounts=accounts)
    with TestClient(app) as client:
        yield client


@pytest.fixture
def csrf(app_client: TestClient, accounts: AccountBook) -> str:
    """Logs ``app_client`` in as the admin through the login page; the session's CSRF token for forms."""
    return sign_in(app_client, accounts)


@pytest.fixture
def client(app_client: TestClient, csrf: str) -> TestClient:
    """A browser: logged in as the admin with a real session cookie (forms must carry ``csrf``)."""
    del csrf  # the session is what matters here
    return app_client


@pytest.fixture
def api_client(app_client: TestClient, accounts: AccountBook) -> TestClient:
    """An API client: the admin's bearer token on every request, no cookie."""
    app_client.headers.update(bearer(accounts))
    return app_client


@pytest.fixture
def login() -> Callable[[TestClient, AccountBook, str], str]:
    """``login(client, accounts, username)`` logs in through the form; returns the session's CSRF token."""
    return sign_in


@pytest.fixture
def token_headers() -> Callable[[AccountBook, str], dict[str, str]]:
    """``token_headers(accounts, username)``: an Authorization header with a fresh API token."""
    return bearer
