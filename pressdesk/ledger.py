"""The crawl ledger: which article URLs were already fetched, stored or not.

The store keeps only items about the locality, so without this ledger every cycle would
fetch the same off-topic articles again. One SQLite table under the data directory.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from core.sqlite import Database, ids_present

#: Migration 1 keeps ``IF NOT EXISTS``: files written before the ledger had a schema version
#: already hold the table.
_MIGRATIONS = (
    """
    CREATE TABLE IF NOT EXISTS seen (
        item_id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        source_id TEXT NOT NULL,
        outcome TEXT NOT NULL,
        seen_at TEXT NOT NULL
    );
    """,
)


class CrawlLedger:
    """Remembers every article URL the pipeline has handled, and how it ended.

    Every method raises ``StoreUnavailable`` when the file cannot be opened or stays locked
    past the busy timeout (the pipeline then keeps its work in the spool), and ``StoreError``
    when a statement fails.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = Database(path, _MIGRATIONS, "the crawl ledger")

    def seen(self, item_ids: Iterable[str]) -> set[str]:
        """Return the ids among ``item_ids`` handled in an earlier cycle."""
        ids = list(item_ids)
        return self._db.run(lambda db: ids_present(db, "seen", "item_id", ids))

    def mark(self, item_id: str, url: str, source_id: str, outcome: str) -> None:
        """Record that ``item_id`` was handled with ``outcome`` (stored, off-topic, error: ...)."""
        self.mark_many([(item_id, url, source_id, outcome)])

    def mark_many(self, marks: Iterable[tuple[str, str, str, str]]) -> None:
        """Record several ``(item_id, url, source_id, outcome)`` in one transaction (marking again is harmless)."""
        at = datetime.now(UTC).isoformat()
        rows = [(*mark, at) for mark in marks]
        self._db.run(lambda db: db.executemany("INSERT OR REPLACE INTO seen VALUES (?, ?, ?, ?, ?)", rows))

    def close(self) -> None:
        self._db.close()
