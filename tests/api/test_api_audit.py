"""The audit log on a real SQLite file."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from api import AuditLog
from core import StoreUnavailable

AT = datetime(2026, 11, 22, 8, 30, tzinfo=UTC)


def test_constructor_does_no_io(tmp_path: Path) -> None:
    AuditLog(tmp_path / "logs" / "audit.db")
    assert not (tmp_path / "logs").exists()


def test_entries_newest_first_and_by_action(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.db")
    log.record("search", "anonymous", {"q": "Đà Nẵng", "total": 3}, at=AT)
    log.record("export", "anonymous", {"format": "csv"}, at=AT + timedelta(minutes=1))
    log.record("search", "cli:office", {"q": "Hội An"}, at=AT + timedelta(minutes=2))

    assert [e.detail.get("q") for e in log.entries(action="search")] == ["Hội An", "Đà Nẵng"]
    assert [e.action for e in log.entries(limit=2)] == ["search", "export"]
    first = log.entries()[-1]
    assert (first.at, first.actor, first.detail) == (AT, "anonymous", {"q": "Đà Nẵng", "total": 3})


def test_entries_survive_reopening_and_cannot_be_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    log = AuditLog(path)
    log.record("search", "anonymous", {"q": "x"})
    log.close()

    assert len(AuditLog(path).entries()) == 1
    with sqlite3.connect(path) as conn, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM audit")


def test_unopenable_log_is_store_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreUnavailable, match="audit log"):
        AuditLog(blocker / "audit.db").record("search", "anonymous", {})
