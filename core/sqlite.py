"""SQLite files the components keep beside the store: opened on first use, migrated by ``user_version``.

Every small database (alerts, triage memory, fact-checks, stories, saved searches, accounts,
the audit log) opens the same way: folder created, WAL mode, foreign keys on, migration
scripts applied in order, and a file from a newer pressdesk refused rather than misread.
``connect`` does that once for all of them; ``Database`` adds one shared connection behind a
lock (the web app calls from worker threads) with errors in ``core.errors`` terms.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from core.errors import StoreError, StoreUnavailable

T = TypeVar("T")


class Database:
    """A SQLite file opened on first use (WAL mode) and migrated to the latest schema.

    Args:
        path: the database file; its folder is created on first use.
        migrations: SQL scripts; script ``n`` moves the schema from version ``n`` to ``n + 1``.
        label: what the file holds, for error messages ("alert book").
    """

    def __init__(self, path: Path, migrations: Sequence[str], label: str) -> None:
        self.path = path
        self._migrations = tuple(migrations)
        self._label = label
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` inside one transaction; commit on success, roll back on error.

        Raises:
            StoreUnavailable: the file cannot be opened or is locked by another writer.
            StoreError: the statement failed.
        """
        with self._lock:
            conn = self._open()
            try:
                with conn:
                    return work(conn)
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise StoreUnavailable(f"{self._label} {self.path} is busy: {exc}; retry later") from exc
                raise StoreError(f"{self._label} {self.path}: {exc}") from exc
            except sqlite3.Error as exc:
                raise StoreError(f"{self._label} {self.path}: {exc}") from exc

    def close(self) -> None:
        """Close the connection; the next call reopens it."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect(self.path, self._migrations, self._label)
            self._conn.row_factory = sqlite3.Row
        return self._conn


#: Ids per ``IN (...)`` list: well under SQLite's limit on bound parameters.
ID_CHUNK = 500


def ids_present(conn: sqlite3.Connection, table: str, column: str, ids: Iterable[str]) -> set[str]:
    """The ids among ``ids`` found in ``table.column``, asked ``ID_CHUNK`` at a time.

    ``table`` and ``column`` are the caller's own names, never user input.
    """
    wanted = list(dict.fromkeys(ids))
    found: set[str] = set()
    for start in range(0, len(wanted), ID_CHUNK):
        chunk = wanted[start : start + ID_CHUNK]
        marks = ", ".join("?" * len(chunk))
        sql = f"SELECT {column} FROM {table} WHERE {column} IN ({marks})"  # noqa: S608 - only our names and placeholders
        found.update(str(row[0]) for row in conn.execute(sql, chunk))
    return found


def connect(path: Path, migrations: Sequence[str], label: str) -> sqlite3.Connection:
    """Open ``path`` (creating its folder), switch to WAL, and apply the migrations it lacks.

    Args:
        path: the database file.
        migrations: SQL scripts; script ``n`` moves the schema from version ``n`` to ``n + 1``
            (the version bump is added here, in the same transaction).
        label: what the file holds, for error messages ("the fact-check registry").

    Returns:
        a connection usable from any thread (callers serialise access), in SQLite's default
        deferred-transaction mode, so ``with conn:`` commits or rolls back.

    Raises:
        StoreUnavailable: the file cannot be opened or migrated, or its schema is newer than
            this pressdesk knows.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=5.0, check_same_thread=False, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise StoreUnavailable(f"cannot open {label} {path}: {exc}") from exc
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        _migrate(conn, migrations)
    except sqlite3.Error as exc:
        conn.close()
        raise StoreUnavailable(f"cannot open {label} {path}: {exc}") from exc
    # Explicit BEGIN per transaction from here on; `with conn` then commits or rolls back.
    conn.isolation_level = "DEFERRED"
    return conn


def _migrate(conn: sqlite3.Connection, migrations: Sequence[str]) -> None:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > len(migrations):
        raise sqlite3.DatabaseError(
            f"schema version {version} is newer than this pressdesk knows ({len(migrations)}); upgrade pressdesk"
        )
    for number, script in enumerate(migrations[version:], start=version + 1):
        # executescript commits on its own, so the version bump rides in the same script.
        conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
