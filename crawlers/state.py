"""Per-source polling state, kept in SQLite under the data directory.

Polling that runs for months needs memory: the validators for conditional requests, a
fingerprint of what the source listed last time, the interval it has earned, how long it
has been failing, and daily counts of new items and errors for the health view. One file
(``sources.db``) so that backing up the data folder keeps it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from core.errors import StoreError, StoreUnavailable
from core.settings import Settings
from core.source import Source

#: The state file's name under ``Settings.data_dir``.
SOURCE_STATE_FILE = "sources.db"
#: Daily counts older than this are pruned; the health view looks back a week.
_KEEP_DAYS = 35

_SCHEMA = """
CREATE TABLE IF NOT EXISTS source_state (
    source_id TEXT PRIMARY KEY,
    outlet TEXT NOT NULL,
    etag TEXT NOT NULL,
    last_modified TEXT NOT NULL,
    validators_trusted INTEGER NOT NULL,
    body_hash TEXT NOT NULL,
    entry_keys TEXT NOT NULL,
    interval_seconds REAL NOT NULL,
    next_due TEXT,
    failures INTEGER NOT NULL,
    not_modified_streak INTEGER NOT NULL,
    last_attempt_at TEXT,
    last_success_at TEXT,
    last_error TEXT NOT NULL,
    last_error_kind TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS source_items (
    source_id TEXT NOT NULL,
    day TEXT NOT NULL,
    items INTEGER NOT NULL,
    PRIMARY KEY (source_id, day)
);
CREATE TABLE IF NOT EXISTS source_errors (
    source_id TEXT NOT NULL,
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (source_id, day, kind)
);
"""

_COLUMNS = (
    "source_id, outlet, etag, last_modified, validators_trusted, body_hash, entry_keys, interval_seconds, "
    "next_due, failures, not_modified_streak, last_attempt_at, last_success_at, last_error, last_error_kind"
)


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """What we remember about one source between polls.

    Attributes:
        source_id: the configured source id.
        outlet: the outlet's name at the last poll (so health reads without the config).
        etag: the last ``ETag`` the source sent.
        last_modified: the last ``Last-Modified`` the source sent.
        validators_trusted: False once the source sent the same validators for changed
            content; conditional requests are then no longer sent to it.
        body_hash: fingerprint of the entries at the last successful read.
        entry_keys: item ids listed at the last successful read, to count new ones.
        interval_seconds: the current poll interval, adapted to how often the source changes.
        next_due: when the source should be polled next; ``None`` means now.
        failures: consecutive failed polls (0 after any success).
        not_modified_streak: consecutive 304 answers since the last full read.
        last_attempt_at: when it was last polled.
        last_success_at: when a poll last succeeded (a 304 counts).
        last_error: the reason of the latest failure, kept after recovery for the record.
        last_error_kind: its kind (``"http_404"``, ``"malformed"``, ...).
    """

    source_id: str
    outlet: str
    interval_seconds: float
    etag: str = ""
    last_modified: str = ""
    validators_trusted: bool = True
    body_hash: str = ""
    entry_keys: tuple[str, ...] = ()
    next_due: datetime | None = None
    failures: int = 0
    not_modified_streak: int = 0
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str = ""
    last_error_kind: str = ""

    @classmethod
    def fresh(cls, source: Source) -> SourceRecord:
        """The record of a source never polled: due now, at its configured interval."""
        return cls(source.id, source.outlet.name, source.interval_minutes * 60.0)


class SourceState:
    """The SQLite table of ``SourceRecord`` plus daily counts of new items and errors.

    Args:
        path: the database file; created with its folder on first use, not here.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    @classmethod
    def for_settings(cls, settings: Settings) -> SourceState:
        """The deployment's state file, under the data directory."""
        return cls(settings.data_dir / SOURCE_STATE_FILE)

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(_SCHEMA)
                cutoff = (datetime.now(UTC).date() - timedelta(days=_KEEP_DAYS)).isoformat()
                conn.execute("DELETE FROM source_items WHERE day < ?", (cutoff,))
                conn.execute("DELETE FROM source_errors WHERE day < ?", (cutoff,))
                conn.commit()
            except (sqlite3.Error, OSError) as exc:
                raise StoreUnavailable(f"cannot open the source state {self.path}: {exc}") from exc
            self._conn = conn
        return self._conn

    def get(self, source_id: str) -> SourceRecord | None:
        """The record of ``source_id``, ``None`` when it was never polled."""
        rows = self._read(f"SELECT {_COLUMNS} FROM source_state WHERE source_id = ?", (source_id,))  # noqa: S608 - a constant column list
        return _record(rows[0]) if rows else None

    def records(self) -> list[SourceRecord]:
        """Every record, ordered by source id."""
        return [_record(row) for row in self._read(f"SELECT {_COLUMNS} FROM source_state ORDER BY source_id")]  # noqa: S608 - a constant column list

    def put(self, record: SourceRecord) -> None:
        """Insert or replace the record of ``record.source_id``."""
        values = (
            record.source_id,
            record.outlet,
            record.etag,
            record.last_modified,
            int(record.validators_trusted),
            record.body_hash,
            json.dumps(list(record.entry_keys)),
            record.interval_seconds,
            _iso(record.next_due),
            record.failures,
            record.not_modified_streak,
            _iso(record.last_attempt_at),
            _iso(record.last_success_at),
            record.last_error,
            record.last_error_kind,
        )
        self._write(f"INSERT OR REPLACE INTO source_state ({_COLUMNS}) VALUES ({','.join('?' * 15)})", values)  # noqa: S608 - constants only

    def add_items(self, source_id: str, count: int, now: datetime) -> None:
        """Count ``count`` new items seen from ``source_id`` on ``now``'s day (UTC)."""
        if count > 0:
            self._write(
                "INSERT INTO source_items VALUES (?, ?, ?) "
                "ON CONFLICT (source_id, day) DO UPDATE SET items = items + excluded.items",
                (source_id, _day(now), count),
            )

    def add_error(self, source_id: str, kind: str, now: datetime) -> None:
        """Count one error of ``kind`` against ``source_id`` on ``now``'s day (UTC)."""
        self._write(
            "INSERT INTO source_errors VALUES (?, ?, ?, 1) "
            "ON CONFLICT (source_id, day, kind) DO UPDATE SET count = count + 1",
            (source_id, _day(now), kind),
        )

    def items_since(self, since: date) -> dict[str, int]:
        """New items per source id counted on ``since`` and later."""
        rows = self._read(
            "SELECT source_id, SUM(items) FROM source_items WHERE day >= ? GROUP BY source_id", (since.isoformat(),)
        )
        return {str(source_id): int(str(total)) for source_id, total in rows}

    def errors_since(self, since: date) -> dict[str, dict[str, int]]:
        """Error counts per source id and kind, counted on ``since`` and later."""
        found: dict[str, dict[str, int]] = {}
        rows = self._read(
            "SELECT source_id, kind, SUM(count) FROM source_errors WHERE day >= ? GROUP BY source_id, kind "
            "ORDER BY source_id, kind",
            (since.isoformat(),),
        )
        for source_id, kind, total in rows:
            found.setdefault(str(source_id), {})[str(kind)] = int(str(total))
        return found

    def due(self, sources: Iterable[Source], now: datetime) -> list[Source]:
        """The sources to poll at ``now``: never polled, or past their next due time.

        Returns:
            priority sources first, then the longest overdue, so a short cycle serves the
            sources that matter most.
        """
        chosen = list(sources)
        rows = {
            str(source_id): next_due
            for source_id, next_due in self._read("SELECT source_id, next_due FROM source_state")
        }
        due_at = {s.id: _parse(rows.get(s.id)) for s in chosen}
        ready = [s for s in chosen if (at := due_at[s.id]) is None or at <= now]
        return sorted(ready, key=lambda s: (not s.priority, due_at[s.id] or datetime.min.replace(tzinfo=UTC)))

    def _read(self, sql: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
        try:
            with self._lock:
                return list(self._db().execute(sql, params).fetchall())
        except sqlite3.Error as exc:
            raise StoreError(f"source state {self.path}: {exc}") from exc

    def _write(self, sql: str, params: Sequence[object]) -> None:
        try:
            with self._lock:
                db = self._db()
                db.execute(sql, params)
                db.commit()
        except sqlite3.Error as exc:
            raise StoreError(f"source state {self.path}: {exc}") from exc

    def close(self) -> None:
        """Close the connection; a later call opens it again."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _record(row: Sequence[object]) -> SourceRecord:
    (
        source_id,
        outlet,
        etag,
        last_modified,
        trusted,
        body_hash,
        keys,
        interval,
        next_due,
        failures,
        streak,
        attempt,
        success,
        error,
        kind,
    ) = row
    return SourceRecord(
        source_id=str(source_id),
        outlet=str(outlet),
        etag=str(etag),
        last_modified=str(last_modified),
        validators_trusted=bool(trusted),
        body_hash=str(body_hash),
        entry_keys=tuple(json.loads(str(keys))),
        interval_seconds=float(str(interval)),
        next_due=_parse(next_due),
        failures=int(str(failures)),
        not_modified_streak=int(str(streak)),
        last_attempt_at=_parse(attempt),
        last_success_at=_parse(success),
        last_error=str(error),
        last_error_kind=str(kind),
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def _parse(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _day(moment: datetime) -> str:
    return moment.astimezone(UTC).date().isoformat()
