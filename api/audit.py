"""The audit log: every search, export and label change is written here, append-only.

The log is how the office shows what its monitoring was used for. Rows cannot be
changed or deleted through SQLite (triggers refuse it), only added.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.errors import StoreError, StoreUnavailable
from core.sqlite import connect

_SCHEMA = """
CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_action ON audit (action, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded action.

    Attributes:
        actor: who acted: ``"account:<name>"`` for a logged-in account (``api.auth.Principal.actor``).
        detail: what was asked and answered (query, filters, result count, client address).
    """

    id: int
    at: datetime
    action: str
    actor: str
    detail: dict[str, object]


def _utc(moment: datetime) -> datetime:
    """Entries are stored as UTC ISO text, so filters must be UTC too to compare as text."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class AuditLog:
    """An append-only audit log in a SQLite file, opened on first use (WAL mode)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def record(self, action: str, actor: str, detail: dict[str, object], at: datetime | None = None) -> None:
        """Append one entry; ``at`` defaults to now (UTC).

        Raises:
            StoreUnavailable: the log cannot be opened; the caller must not go on unaudited.
            StoreError: the write failed.
        """
        when = (at or datetime.now(UTC)).isoformat()
        row = (when, action, actor, json.dumps(detail, ensure_ascii=False, default=str))
        with self._lock:
            self._execute("INSERT INTO audit (at, action, actor, detail) VALUES (?, ?, ?, ?)", row)

    def entries(self, limit: int = 100, action: str | None = None) -> list[AuditEntry]:
        """Return up to ``limit`` entries, newest first, optionally only one ``action``."""
        where, args = ("WHERE action = ?", (action, limit)) if action else ("", (limit,))
        with self._lock:
            rows = self._execute(
                f"SELECT id, at, action, actor, detail FROM audit {where} ORDER BY id DESC LIMIT ?",  # noqa: S608 - fixed clause
                args,
            ).fetchall()
        return [AuditEntry(int(r[0]), datetime.fromisoformat(r[1]), r[2], r[3], json.loads(r[4])) for r in rows]

    def search(
        self,
        *,
        action: str | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[AuditEntry], int]:
        """Entries matching every given filter, newest first, one page of them and the count of all.

        ``since`` is inclusive and ``until`` exclusive, both compared as UTC instants.
        """
        clauses: list[str] = []
        args: list[object] = []
        if action:
            clauses.append("action = ?")
            args.append(action)
        if actor:
            clauses.append("actor = ?")
            args.append(actor)
        if since is not None:
            clauses.append("at >= ?")
            args.append(_utc(since).isoformat())
        if until is not None:
            clauses.append("at < ?")
            args.append(_utc(until).isoformat())
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._lock:
            total = int(self._execute(f"SELECT count(*) FROM audit {where}", tuple(args)).fetchone()[0])  # noqa: S608 - fixed clauses
            rows = self._execute(
                f"SELECT id, at, action, actor, detail FROM audit {where} ORDER BY id DESC LIMIT ? OFFSET ?",  # noqa: S608 - fixed clauses
                (*args, limit, offset),
            ).fetchall()
        entries = [AuditEntry(int(r[0]), datetime.fromisoformat(r[1]), r[2], r[3], json.loads(r[4])) for r in rows]
        return entries, total

    def close(self) -> None:
        """Close the file; the next call reopens it."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _execute(self, sql: str, args: tuple[object, ...]) -> sqlite3.Cursor:
        conn = self._open()
        try:
            with conn:
                return conn.execute(sql, args)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreUnavailable(f"audit log {self.path} is busy: {exc}; retry later") from exc
            raise StoreError(f"audit log {self.path}: {exc}") from exc
        except sqlite3.Error as exc:
            raise StoreError(f"audit log {self.path}: {exc}") from exc

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect(self.path, (_SCHEMA,), "audit log")
        return self._conn
