"""The sources book: sources an admin added in the web UI, and sources an admin paused.

The project config file (TOML) stays the source of truth for what an office configured
by hand, and the server never rewrites it: a file an office keeps under version control
must not change behind its back. What the admin pages change lives here instead, in
``sourcebook.db`` under the data directory, and ``merged`` lays it over the config's
sources. ``pressdesk.wiring.load_project`` applies it, so every command that collects
(``collect``, ``run``, ``crawl``, ``sources health``) sees the same list as the web UI.

- an added source is a full ``core.Source`` (validated by the config's own rules);
- a pause names a source id, configured or added: a paused source is not polled, and
  comes back with its state (interval, validators) when resumed.

The file is opened on first use (WAL, ``user_version`` migrations), like every other book.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.enums import SourceKind
from core.errors import PressdeskError
from core.source import Outlet, Source
from core.sqlite import Database

FILE_NAME = "sourcebook.db"

_MIGRATIONS = (
    """
    CREATE TABLE added_source (
        source_id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        outlet TEXT NOT NULL,
        kind TEXT NOT NULL,
        language TEXT NOT NULL,
        country TEXT NOT NULL,
        priority INTEGER NOT NULL DEFAULT 0,
        interval_minutes INTEGER NOT NULL,
        listing_urls TEXT NOT NULL DEFAULT '[]',
        article_pattern TEXT NOT NULL DEFAULT '',
        article_css TEXT NOT NULL DEFAULT '',
        delay_seconds REAL,
        added_at TEXT NOT NULL,
        added_by TEXT NOT NULL
    );
    CREATE TABLE paused_source (
        source_id TEXT PRIMARY KEY,
        paused_at TEXT NOT NULL,
        paused_by TEXT NOT NULL
    );
    """,
)


class SourceExists(PressdeskError):
    """A source with this id is already configured or added."""


@dataclass(frozen=True, slots=True)
class AddedSource:
    """A source added in the web UI, with who added it (an account, for the record) and when."""

    source: Source
    added_at: datetime
    added_by: str


class SourceBook:
    """The file of admin-added and paused sources (see the module doc).

    Args:
        path: the SQLite file; its folder is created on first use.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = Database(path, _MIGRATIONS, "the sources book")

    def added(self) -> list[AddedSource]:
        """Every added source, oldest first."""
        rows = self._db.run(lambda c: c.execute("SELECT * FROM added_source ORDER BY added_at, source_id").fetchall())
        return [_added(row) for row in rows]

    def paused(self) -> dict[str, datetime]:
        """Paused source ids with when they were paused."""
        rows = self._db.run(lambda c: c.execute("SELECT source_id, paused_at FROM paused_source").fetchall())
        return {str(row[0]): datetime.fromisoformat(str(row[1])) for row in rows}

    def add(self, source: Source, actor: str, taken: Sequence[str] = ()) -> AddedSource:
        """Keep ``source``; its id must be new here and not in ``taken`` (the config's ids).

        Raises:
            SourceExists: the id is already used.
            StoreUnavailable: the file cannot be opened or is busy.
            StoreError: the write failed.
        """
        if source.id in taken:
            raise SourceExists(f"a source with id {source.id!r} is already in the config file; choose another id")
        now = datetime.now(UTC)
        row = (
            source.id, source.url, source.outlet.name, source.kind.value, source.outlet.language,
            source.outlet.country, int(source.priority), source.interval_minutes, json.dumps(list(source.listing_urls)),
            source.article_pattern, source.article_css, source.delay_seconds, now.isoformat(), actor,
        )  # fmt: skip

        def insert(conn: sqlite3.Connection) -> bool:
            sql = "INSERT OR IGNORE INTO added_source VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            return conn.execute(sql, row).rowcount > 0

        if not self._db.run(insert):
            raise SourceExists(f"a source with id {source.id!r} was already added; choose another id")
        return AddedSource(source, now, actor)

    def set_paused(self, source_id: str, paused: bool, actor: str) -> bool:
        """Pause or resume ``source_id``; whether anything changed."""
        if paused:
            sql = "INSERT OR IGNORE INTO paused_source VALUES (?, ?, ?)"
            args: tuple[str, ...] = (source_id, datetime.now(UTC).isoformat(), actor)
        else:
            sql, args = "DELETE FROM paused_source WHERE source_id = ?", (source_id,)
        return bool(self._db.run(lambda c: c.execute(sql, args).rowcount > 0))

    def merged(self, configured: Sequence[Source]) -> tuple[Source, ...]:
        """The sources to collect: ``configured`` then the added ones, without the paused.

        Idempotent: a list that already holds added sources gets each once, so the result of
        ``load_project`` can be merged again by the web app without doubling anything.
        """
        added = [entry.source for entry in self.added()]
        added_ids = {source.id for source in added}
        paused = self.paused()
        kept = [s for s in configured if s.id not in added_ids] + added
        return tuple(s for s in kept if s.id not in paused)

    def close(self) -> None:
        """Close the file; the next call reopens it."""
        self._db.close()


def _added(row: sqlite3.Row) -> AddedSource:
    source = Source(
        id=row["source_id"],
        url=row["url"],
        outlet=Outlet(name=row["outlet"], country=row["country"], language=row["language"]),
        kind=SourceKind(row["kind"]),
        priority=bool(row["priority"]),
        interval_minutes=int(row["interval_minutes"]),
        listing_urls=tuple(json.loads(row["listing_urls"])),
        article_pattern=row["article_pattern"],
        article_css=row["article_css"],
        delay_seconds=row["delay_seconds"],
    )
    return AddedSource(source, datetime.fromisoformat(row["added_at"]), row["added_by"])
