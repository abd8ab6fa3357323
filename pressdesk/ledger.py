"""The crawl ledger: which article URLs were already fetched, stored or not.

The store keeps only items about the locality, so without this ledger every cycle would
fetch the same off-topic articles again. One SQLite table under the data directory.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from core.errors import StoreError, StoreUnavailable

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    item_id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    source_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    seen_at TEXT NOT NULL
)
"""


class CrawlLedger:
    """Remembers every article URL the pipeline has handled, and how it ended."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(_SCHEMA)
            except (sqlite3.Error, OSError) as exc:
                raise StoreUnavailable(f"cannot open the crawl ledger {self.path}: {exc}") from exc
            self._conn = conn
        return self._conn

    def seen(self, item_ids: Iterable[str]) -> set[str]:
        """Return the ids among ``item_ids`` handled in an earlier cycle."""
        ids = list(item_ids)
        found: set[str] = set()

        def work(db: sqlite3.Connection) -> None:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                found.update(r[0] for r in db.execute(f"SELECT item_id FROM seen WHERE item_id IN ({marks})", chunk))  # noqa: S608 - only placeholders are interpolated

        self._run(work)
        return found

    def mark(self, item_id: str, url: str, source_id: str, outcome: str) -> None:
        """Record that ``item_id`` was handled with ``outcome`` (stored, off-topic, error: ...)."""
        self.mark_many([(item_id, url, source_id, outcome)])

    def mark_many(self, marks: Iterable[tuple[str, str, str, str]]) -> None:
        """Record several ``(item_id, url, source_id, outcome)`` in one transaction (marking again is harmless)."""
        at = datetime.now(UTC).isoformat()
        rows = [(*mark, at) for mark in marks]

        def work(db: sqlite3.Connection) -> None:
            with db:
                db.executemany("INSERT OR REPLACE INTO seen VALUES (?, ?, ?, ?, ?)", rows)

        self._run(work)

    def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` on the connection; a lock held too long comes out as ``StoreUnavailable``.

        Raises:
            StoreUnavailable: the file cannot be opened or stayed locked past the busy timeout.
            StoreError: a statement failed.
        """
        with self._lock:
            db = self._db()
            try:
                return work(db)
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise StoreUnavailable(f"the crawl ledger {self.path} is locked: {exc}; retry later") from exc
                raise StoreError(f"the crawl ledger {self.path}: {exc}") from exc
            except sqlite3.Error as exc:
                raise StoreError(f"the crawl ledger {self.path}: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
