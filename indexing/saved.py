"""Saved searches: named queries an analyst keeps, and that alerts will run on a schedule.

A ``SavedSearchBook`` is a small SQLite file of its own (not the item store, which may be
Elasticsearch). The query is kept as JSON: its text, filters, dates, mode, "more like
this" item and exactness, never its paging, which belongs to one viewing.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.enums import Stance, Topic
from core.errors import QueryError, StoreError, StoreUnavailable
from core.item import Item
from core.search import SavedSearch, SearchMode, SearchQuery, Sort
from core.sqlite import connect
from indexing.hybrid import Searchable, all_hits
from indexing.query import check

_SCHEMA = """
CREATE TABLE saved_searches (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    alert_unit TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT
);
"""
_COLUMNS = "id, name, query, alert_unit, created_by, created_at"


def query_to_json(query: SearchQuery) -> dict[str, Any]:
    """The lasting part of ``query`` as JSON: what is searched, not which page is shown."""
    return {
        "text": query.text,
        "filters": {name: list(values) for name, values in query.filters.items() if values},
        "since": query.since.isoformat() if query.since else None,
        "until": query.until.isoformat() if query.until else None,
        "exact": query.exact,
        "sort": query.sort.value,
        "mode": query.mode.value,
        "like": query.like,
    }


def query_from_json(data: dict[str, Any]) -> SearchQuery:
    """The ``SearchQuery`` that ``query_to_json`` wrote; missing keys take their defaults.

    Raises:
        ValueError: a value is of the wrong kind (a damaged row).
    """
    return SearchQuery(
        text=str(data.get("text", "")),
        filters={str(name): tuple(str(v) for v in values) for name, values in dict(data.get("filters", {})).items()},
        since=datetime.fromisoformat(data["since"]) if data.get("since") else None,
        until=datetime.fromisoformat(data["until"]) if data.get("until") else None,
        exact=bool(data.get("exact", False)),
        sort=Sort(data.get("sort", Sort.RELEVANCE.value)),
        mode=SearchMode(data.get("mode", SearchMode.KEYWORD.value)),
        like=str(data.get("like", "")),
    )


class SavedSearchBook:
    """Saved searches in a SQLite file, opened on first use and shared by threads behind a lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def add(
        self, name: str, query: SearchQuery, *, alert_unit: str = "", created_by: str = "", at: datetime | None = None
    ) -> SavedSearch:
        """Save ``query`` under ``name`` with a new id and return it.

        Raises:
            QueryError: the name is empty or the query filters on an unknown field.
            StoreUnavailable: the file cannot be opened or is locked.
        """
        saved = SavedSearch(
            id=uuid.uuid4().hex[:12],
            name=name.strip(),
            query=query,
            alert_unit=alert_unit,
            created_by=created_by,
            created_at=at or datetime.now(UTC),
        )
        self._write("INSERT INTO saved_searches ({columns}) VALUES (?, ?, ?, ?, ?, ?)", _row(_checked(saved)))
        return saved

    def update(self, saved: SavedSearch) -> bool:
        """Replace the saved search with ``saved.id`` (name, query, alert unit); ``False`` if there is none.

        Raises:
            QueryError: the name is empty or the query filters on an unknown field.
        """
        _, name, query, unit, _, _ = _row(_checked(saved))
        count = self._write(
            "UPDATE saved_searches SET name = ?, query = ?, alert_unit = ? WHERE id = ?", (name, query, unit, saved.id)
        )
        return count == 1

    def delete(self, saved_id: str) -> bool:
        """Forget a saved search; ``False`` if there was none with this id."""
        return self._write("DELETE FROM saved_searches WHERE id = ?", (saved_id,)) == 1

    def get(self, saved_id: str) -> SavedSearch | None:
        """The saved search with this id, or ``None``."""
        rows = self._read(f"SELECT {_COLUMNS} FROM saved_searches WHERE id = ?", (saved_id,))  # noqa: S608 - fixed columns
        return _saved(rows[0]) if rows else None

    def list_all(self) -> list[SavedSearch]:
        """Every saved search, by name."""
        rows = self._read(f"SELECT {_COLUMNS} FROM saved_searches ORDER BY name, id", ())  # noqa: S608 - fixed columns
        return [_saved(row) for row in rows]

    def close(self) -> None:
        """Close the file; the next call reopens it."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _write(self, sql: str, args: tuple[object, ...]) -> int:
        with self._lock:
            conn = self._open()
            with _translated(self.path), conn:
                return conn.execute(sql.format(columns=_COLUMNS), args).rowcount

    def _read(self, sql: str, args: tuple[object, ...]) -> list[tuple[Any, ...]]:
        with self._lock:
            conn = self._open()
            with _translated(self.path):
                return conn.execute(sql, args).fetchall()

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect(self.path, (_SCHEMA,), "the saved searches")
        return self._conn


def matching_since(source: Searchable, saved: SavedSearch, since: datetime) -> list[Item]:
    """Items matching ``saved`` published at or after ``since``, oldest first (what an alert run wants).

    Raises:
        QueryError: the saved query is no longer valid.
    """
    start = since if saved.query.since is None else max(since, saved.query.since)
    query = replace(saved.query, since=start, sort=Sort.OLDEST, offset=0)
    return [hit.item for hit in all_hits(source, query)]


@contextmanager
def _translated(path: Path) -> Iterator[None]:
    """Turn sqlite3 errors into the store errors callers handle (busy → retry later)."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise StoreUnavailable(f"the saved searches {path} are busy ({exc}); retry later") from exc
        raise StoreError(f"the saved searches {path} failed: {exc}") from exc
    except sqlite3.Error as exc:
        raise StoreError(f"the saved searches {path} failed: {exc}") from exc


def _checked(saved: SavedSearch) -> SavedSearch:
    """``saved`` if it can be shown and run later; labels are checked too, since a typo would match nothing forever."""
    if not saved.name.strip():
        raise QueryError("give the saved search a name")
    check(saved.query)
    for name, labels in (("stance", Stance), ("topic", Topic)):
        known = {label.value for label in labels}
        unknown = sorted(set(saved.query.filters.get(name, ())) - known)
        if unknown:
            raise QueryError(f"unknown {name} {', '.join(unknown)}; use one of {', '.join(sorted(known))}")
    return saved


def _row(saved: SavedSearch) -> tuple[object, ...]:
    query = json.dumps(query_to_json(saved.query), ensure_ascii=False)
    created = saved.created_at.isoformat() if saved.created_at else None
    return (saved.id, saved.name.strip(), query, saved.alert_unit, saved.created_by, created)


def _saved(row: tuple[Any, ...]) -> SavedSearch:
    saved_id, name, query, unit, by, created = row
    try:
        parsed = query_from_json(json.loads(query))
    except (ValueError, TypeError) as exc:
        raise StoreError(f"the saved search {saved_id!r} cannot be read ({exc}); delete and save it again") from exc
    return SavedSearch(
        id=saved_id,
        name=name,
        query=parsed,
        alert_unit=unit,
        created_by=by,
        created_at=datetime.fromisoformat(created) if created else None,
    )
