"""A real pressdesk server on 127.0.0.1 over real SQLite files, and Debian chromium driven by Playwright.

The data is made here: items published over the last days (so the dashboard's window holds
them), one alert for the health unit, one item waiting in the review queue, and one staff
account per role. Screenshots go to ``artifacts/`` at the repository root (kept by CI).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn
from argon2 import PasswordHasher
from playwright.sync_api import Browser, Page, sync_playwright

from alerts import AlertBook
from api import AuditLog, create_app
from api.accounts import AccountBook, Role
from classify import ReviewQueue
from core import (
    ClaimMatch,
    Classified,
    Extracted,
    Fetched,
    Item,
    LocalityMention,
    Routed,
    Settings,
    Stance,
    Topic,
    Urgency,
    item_id,
    load_config,
)
from indexing import SqliteStore

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
PROFILE = Path(__file__).resolve().parents[2] / "pressdesk" / "profiles" / "da_nang.toml"
PASSWORD = "mot hai ba bon nam"
STAFF = {"lan.analyst": Role.ANALYST, "health.desk": Role.RESPONDER, "leader": Role.LEADER}
FACTCHECK = "https://factcheck.example/benh-vien"

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)"
)


@dataclass(frozen=True)
class Site:
    """The running server and what its data holds."""

    url: str
    data: Path
    hospital: Item
    bridge: Item
    alert_id: str


def _item(url: str, title: str, text: str, outlet: str, published: datetime, **labels: object) -> Item:
    return Item(
        id=item_id(url),
        fetched=Fetched(url=url, source_id="test", outlet=outlet, fetched_at=published),
        extracted=Extracted(title=title, text=text, published=published, language=str(labels.pop("language", "vi"))),
        classified=Classified(localities=(LocalityMention("Đà Nẵng", about=True, hits=2),), about=True, **labels),  # type: ignore[arg-type]
    )


def _coverage(now: datetime) -> list[Item]:
    hospital = _item(
        "https://tuoitre.example/benh-vien-qua-tai.html",
        "Bệnh viện Đà Nẵng quá tải vì sốt xuất huyết",
        "Nhiều bệnh viện ở Đà Nẵng quá tải vì sốt xuất huyết.\n\nSở Y tế đã tăng cường giường bệnh.",
        "Tuổi Trẻ",
        now - timedelta(hours=5),
        stance=Stance.NEGATIVE,
        stance_confidence=0.81,
        topic=Topic.HEALTH,
        topic_confidence=0.77,
        model_version="heads-2026-11",
        claims=(ClaimMatch("fc-12", 0.93, "auto", FACTCHECK),),
    )
    bridge = _item(
        "https://baodanang.example/cau-rong.html",
        "Cầu Rồng phun lửa phục vụ du khách cuối tuần",
        "Cầu Rồng ở Đà Nẵng phun lửa vào tối thứ bảy, thu hút đông du khách.",
        "Báo Đà Nẵng",
        now - timedelta(days=1),
        stance=Stance.NEUTRAL,
        stance_confidence=0.52,
        topic=Topic.TOURISM_CULTURE,
        topic_confidence=0.7,
        model_version="heads-2026-11",
    )
    tourists = _item(
        "https://e.vnexpress.example/da-nang-tourists.html",
        "Da Nang welcomes record number of tourists",
        "Da Nang welcomed more international visitors than ever this year.",
        "VnExpress International",
        now - timedelta(days=2),
        stance=Stance.POSITIVE,
        stance_confidence=0.9,
        topic=Topic.TOURISM_CULTURE,
        topic_confidence=0.85,
        model_version="heads-2026-11",
        language="en",
    )
    return [hospital, bridge, tourists]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """The full app served by uvicorn on a free port of 127.0.0.1, as ``pressdesk serve`` does."""
    now = datetime.now(UTC)
    config = load_config(PROFILE)
    hospital, bridge, tourists = _coverage(now)
    store = SqliteStore(tmp_path / "items.db")
    store.upsert([hospital, bridge, tourists])
    book = AlertBook(tmp_path / "alerts.db")
    alert = book.record(
        hospital,
        Routed("health", "Tin lặp lại thông tin đã được đính chính là sai", Urgency.URGENT, now - timedelta(hours=1)),
        trigger="false_claim",
        evidence_url=FACTCHECK,
    )
    review = ReviewQueue(tmp_path / "review.db")
    review.enqueue(
        item_id=bridge.id,
        title=bridge.title,
        text=bridge.text,
        stance=Stance.NEUTRAL,
        stance_confidence=0.52,
        topic=Topic.TOURISM_CULTURE,
        model_version="heads-2026-11",
    )
    review.close()
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # behaviour, not hashing strength
    accounts = AccountBook(tmp_path / "accounts.db", hasher=cheap)
    for name, role in STAFF.items():
        accounts.create(name, PASSWORD, role, unit_id="health" if role is Role.RESPONDER else None)
    app = create_app(
        Settings(data_dir=tmp_path),
        store,
        AuditLog(tmp_path / "audit.db"),
        config=config,
        alerts=book,
        accounts=accounts,
    )
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield Site(f"http://127.0.0.1:{port}", tmp_path, hospital, bridge, alert.id)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.close()
        book.close()
        accounts.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian chromium, headless, with nothing that reaches the internet on its own."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser profile (no cookies) at an office PC's screen size; fails the test on any page error.

    A Content-Security-Policy violation (an inline style or script) shows up as a console error.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == [], f"the browser reported errors: {errors}"


def shot(page: Page, name: str) -> Path:
    """Save the whole page as ``artifacts/<name>.png`` for people (and CI) to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"{name}.png"
    target.unlink(missing_ok=True)
    page.screenshot(path=str(target), full_page=True)
    assert target.read_bytes().startswith(b"\x89PNG"), target
    return target


def log_in(page: Page, site: Site, username: str, next_path: str = "/") -> None:
    """Log in through the real login form, as a person does."""
    page.goto(f"{site.url}{next_path}")
    assert "/login" in page.url  # every page needs a login
    page.get_by_label("Tên tài khoản").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{site.url}{next_path}")
