"""The weekly page served by the real web app and rendered by Debian chromium, kept as a PNG for people to look at."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from argon2 import PasswordHasher
from PIL import Image
from starlette.types import ASGIApp, Receive, Scope, Send

from alerts import AlertBook
from api import AuditLog, create_app
from api.accounts import AccountBook, Role
from core.settings import Settings
from indexing import SqliteStore

from .conftest import DataDir

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AsLeader:
    """Sends every request with a leader's API token, as a script would: chromium's command line cannot log in.

    The guard itself is tested in tests/api/test_api_roles.py; here the page only has to render.
    """

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.header = (b"authorization", f"Bearer {token}".encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = {**scope, "headers": [*scope["headers"], self.header]}
        await self.app(scope, receive, send)


@pytest.fixture
def served(data_dir: DataDir) -> Iterator[str]:
    settings = Settings(data_dir=data_dir.path)
    accounts = AccountBook(
        data_dir.path / "accounts.db", hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    accounts.create("leader", "mot hai ba bon nam", Role.LEADER)
    app = AsLeader(
        create_app(
            settings,
            SqliteStore(data_dir.path / "items.db"),
            AuditLog(data_dir.path / "audit.db"),
            config=data_dir.config,
            alerts=AlertBook(data_dir.path / "alerts.db"),
            accounts=accounts,
        ),
        accounts.issue_token("leader", "chromium"),
    )
    port = _port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_weekly_page_and_docx_are_served_and_audited(served: str, data_dir: DataDir) -> None:
    with urllib.request.urlopen(f"{served}/reports/weekly?period=2026-W47", timeout=60) as response:
        page = response.read().decode("utf-8")
        assert "img-src 'self'" in response.headers["Content-Security-Policy"]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page
    assert '<link rel="stylesheet" href="/reports/report.css">' in page
    assert "data:image" not in page  # the site's CSP forbids inline images: charts are served by URL
    with urllib.request.urlopen(f"{served}/reports/weekly/2026-W47/charts/topics.png", timeout=60) as response:
        assert response.read().startswith(b"\x89PNG")
    with urllib.request.urlopen(f"{served}/reports/weekly/2026-W47.docx", timeout=60) as response:
        assert response.read().startswith(b"PK")
    actions = [entry.action for entry in AuditLog(data_dir.path / "audit.db").entries()]
    assert "report.view" in actions and "report.export" in actions


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed: apt-get install -y chromium")
def test_weekly_page_renders_in_chromium(served: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "weekly-report-2026-W47.png"
    target.unlink(missing_ok=True)
    profile = ARTIFACTS / ".chromium-profile"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--window-size=1000,3000",
        "--virtual-time-budget=10000",
        f"--screenshot={target}",
        f"{served}/reports/weekly?period=2026-W47",
    ]
    try:
        subprocess.run(command, capture_output=True, timeout=180, check=True)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    with Image.open(target) as shot:
        assert shot.size == (1000, 3000)
        rgb = shot.convert("RGB")
        # The charts were loaded: the stance colours (green, grey, red-brown) appear in the picture.
        colours = {colour for _, colour in rgb.getcolors(maxcolors=1_000_000) or []}
    assert (0x2E, 0x7D, 0x32) in colours and (0xB2, 0x3B, 0x22) in colours
