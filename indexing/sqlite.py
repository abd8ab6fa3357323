"""The default store: one SQLite file with an FTS5 index and the embeddings beside the rows.

Searches are accent-insensitive because the index holds ``core.text.fold``-ed text
("da nang" finds "Đà Nẵng"); a second pair of columns keeps the diacritics for
``SearchQuery.exact``. Nearest-neighbour search is a brute-force cosine over the stored
vectors, read in chunks: exact, and fast enough for a city's coverage.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from core.errors import StoreError, StoreUnavailable
from core.item import Item, Vector
from core.search import FACET_FIELDS, SearchHit, SearchPage, SearchQuery, UpsertResult
from core.text import fold
from indexing.fields import index_fields
from indexing.query import check, parse
from indexing.records import item_to_record, record_to_item
from indexing.snippet import snippet
from indexing.sqlite_query import compile_search
from indexing.sqlite_schema import migrate, transaction

_ID_CHUNK = 500  # ids per IN (...) lookup, well under SQLite's bound-parameter limit
_VECTOR_CHUNK = 4096  # embeddings read per pass of ``nearest``: ~6 MB of 384-d float32

_INSERT = (
    "INSERT INTO items (id, outlet, language, stance, topic, unit, about, published, record, embedding) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_UPDATE = (
    "UPDATE items SET id = ?, outlet = ?, language = ?, stance = ?, topic = ?, unit = ?, about = ?, "
    "published = ?, record = ?, embedding = ? WHERE doc = ?"
)
_FTS_INSERT = "INSERT INTO items_fts (rowid, title, body, title_exact, body_exact) VALUES (?, ?, ?, ?, ?)"
_FTS_DELETE = (
    "INSERT INTO items_fts (items_fts, rowid, title, body, title_exact, body_exact) VALUES ('delete', ?, ?, ?, ?, ?)"
)

# Errors that mean "not now" rather than "broken": the caller may retry later.
_UNAVAILABLE = {
    sqlite3.SQLITE_BUSY: "is locked by another process; retry later, or stop the other process writing to it",
    sqlite3.SQLITE_LOCKED: "is locked by another connection; retry later",
    sqlite3.SQLITE_CANTOPEN: "cannot be opened; check that its directory exists and is writable (PRESSDESK_DATA_DIR)",
    sqlite3.SQLITE_READONLY: "is read-only; give the pressdesk user write access to the file and its directory",
    sqlite3.SQLITE_PERM: "cannot be accessed; give the pressdesk user access to the file and its directory",
    sqlite3.SQLITE_FULL: "cannot grow because the disk is full; free space and retry",
    sqlite3.SQLITE_IOERR: "could not be read or written (I/O error); check the disk",
}


class SqliteStore:
    """``core.ports.Store`` over a single SQLite file.

    The connection opens on first use (creating the file and its directory) and is
    shared by the API's threads behind a lock. Search hits carry the full item,
    embedding included.

    Args:
        path: the database file.
        busy_timeout: seconds to wait for another process's lock before giving up
            with ``StoreUnavailable``.
    """

    def __init__(self, path: Path, *, busy_timeout: float = 5.0) -> None:
        self._path = path
        self._busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None

    def upsert(self, items: Sequence[Item]) -> UpsertResult:
        """Write ``items`` in one transaction; an item already stored is replaced."""
        added = updated = 0
        with self._session() as conn, transaction(conn, "BEGIN IMMEDIATE"):
            for item in items:
                row = conn.execute("SELECT doc, record FROM items WHERE id = ?", (item.id,)).fetchone()
                values = _row_values(item)
                if row is None:
                    doc = conn.execute(_INSERT, values).lastrowid
                    added += 1
                else:
                    # The FTS table is contentless: remove the old row by replaying its values.
                    doc, old_record = row
                    old = record_to_item(json.loads(old_record))
                    conn.execute(_FTS_DELETE, (doc, *_fts_values(old)))
                    conn.execute(_UPDATE, (*values, doc))
                    updated += 1
                conn.execute(_FTS_INSERT, (doc, *_fts_values(item)))
        return UpsertResult(added=added, updated=updated)

    def get(self, item_id: str) -> Item | None:
        """Return the stored item with this id, embedding included, or ``None``."""
        with self._session() as conn:
            row = conn.execute("SELECT record, embedding FROM items WHERE id = ?", (item_id,)).fetchone()
        return None if row is None else _item(row[0], row[1])

    def existing(self, item_ids: Iterable[str]) -> set[str]:
        """Return the subset of ``item_ids`` already stored."""
        ids = list(dict.fromkeys(item_ids))
        found: set[str] = set()
        with self._session() as conn:
            for start in range(0, len(ids), _ID_CHUNK):
                chunk = ids[start : start + _ID_CHUNK]
                marks = ", ".join("?" * len(chunk))
                found.update(r[0] for r in conn.execute(f"SELECT id FROM items WHERE id IN ({marks})", chunk))  # noqa: S608 - only placeholders are interpolated
        return found

    def search(self, query: SearchQuery) -> SearchPage:
        """Run ``query``: every term must match; filters, dates, order, paging and facets as asked.

        Raises:
            QueryError: an unknown filter field or a negative limit or offset.
            StoreUnavailable: the database cannot be opened or is locked.
        """
        check(query)
        parsed = parse(query.text)
        sql = compile_search(query, parsed)
        matches = f"FROM {sql.source} WHERE {sql.where}"
        with self._session() as conn, transaction(conn):
            total = int(conn.execute(f"SELECT count(*) {matches}", sql.params).fetchone()[0])
            rows = conn.execute(
                f"SELECT i.record, i.embedding, {sql.score} AS score {matches} ORDER BY {sql.order} LIMIT ? OFFSET ?",
                (*sql.params, query.limit, query.offset),
            ).fetchall()
            facets = _facets(conn, matches, sql.params) if query.facets else {}
        hits = []
        for record, blob, score in rows:
            item = _item(record, blob)
            fields = index_fields(item)
            text = snippet(fields.title, fields.body, parsed, exact=query.exact)
            hits.append(SearchHit(item=item, score=float(score), snippet=text))
        return SearchPage(total=total, hits=tuple(hits), facets=facets)

    def nearest(self, vector: Vector, k: int = 10) -> list[tuple[str, float]]:
        """Return up to ``k`` ``(id, cosine)`` pairs, most similar first (ties by id).

        Only embeddings of the query's dimension take part; items without one never do.
        """
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        norm = float(np.linalg.norm(query))
        if k <= 0 or norm == 0.0:
            return []
        query = query / norm
        best_ids: list[str] = []
        best = np.empty(0, dtype=np.float32)
        last_doc = 0
        with self._session() as conn, transaction(conn):
            while True:
                rows = conn.execute(
                    "SELECT doc, id, embedding FROM items WHERE doc > ? AND length(embedding) = ? ORDER BY doc LIMIT ?",
                    (last_doc, query.nbytes, _VECTOR_CHUNK),
                ).fetchall()
                if not rows:
                    break
                last_doc = rows[-1][0]
                matrix = np.frombuffer(b"".join(r[2] for r in rows), dtype="<f4").reshape(len(rows), query.size)
                norms = np.linalg.norm(matrix, axis=1)
                usable = norms > 0
                scores = (matrix[usable] @ query) / norms[usable]
                best_ids += [r[1] for r, ok in zip(rows, usable, strict=True) if ok]
                best = np.concatenate([best, scores.astype(np.float32)])
                if len(best_ids) > k:
                    keep = np.argpartition(-best, k - 1)[:k]
                    best_ids = [best_ids[i] for i in keep]
                    best = best[keep]
        pairs = [(item_id, float(score)) for item_id, score in zip(best_ids, best, strict=True)]
        return sorted(pairs, key=lambda pair: (-pair[1], pair[0]))

    def count(self) -> int:
        """Return how many items are stored."""
        with self._session() as conn:
            return int(conn.execute("SELECT count(*) FROM items").fetchone()[0])

    def close(self) -> None:
        """Close the connection; the next call reopens it."""
        with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None:
                with self._translated():
                    try:
                        conn.execute("PRAGMA optimize")  # keeps the query planner's statistics fresh
                    finally:
                        conn.close()

    @contextmanager
    def _session(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._translated():
            yield self._connection()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                self._path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreUnavailable(
                    f"cannot create the directory of the SQLite store {self._path}: {exc.strerror}; "
                    "set PRESSDESK_DATA_DIR to a writable directory"
                ) from exc
            conn = sqlite3.connect(
                self._path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
            )
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")  # durable enough under WAL, and much faster
                migrate(conn)
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            code = exc.sqlite_errorcode & 0xFF
            if code in _UNAVAILABLE:
                raise StoreUnavailable(f"the SQLite store {self._path} {_UNAVAILABLE[code]} ({exc})") from exc
            if code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
                raise StoreError(
                    f"{self._path} is not a usable pressdesk store ({exc}); restore it from a backup, "
                    "or move it away to start an empty one"
                ) from exc
            raise StoreError(f"the SQLite store {self._path} failed: {exc}") from exc


def _row_values(item: Item) -> tuple[object, ...]:
    fields = index_fields(item)
    facets = fields.facets
    record = json.dumps(item_to_record(item), ensure_ascii=False, separators=(",", ":"))
    blob = None if item.embedding is None else np.asarray(item.embedding, dtype="<f4").tobytes()
    return (
        item.id,
        facets["outlet"],
        facets["language"],
        facets["stance"],
        facets["topic"],
        facets["unit"],
        int(fields.about),
        fields.published.timestamp(),
        record,
        blob,
    )


def _fts_values(item: Item) -> tuple[str, str, str, str]:
    fields = index_fields(item)
    title, body = (unicodedata.normalize("NFC", text) for text in (fields.title, fields.body))
    return fold(title), fold(body), title.lower(), body.lower()


def _item(record: str, blob: bytes | None) -> Item:
    embedding = None if blob is None else np.frombuffer(blob, dtype="<f4").astype(np.float32)
    return record_to_item(json.loads(record), embedding)


def _facets(conn: sqlite3.Connection, matches: str, params: tuple[object, ...]) -> dict[str, dict[str, int]]:
    # One pass over the matches, materialised once, then a GROUP BY per field.
    # The field names come from FACET_FIELDS, never from the request.
    groups = " UNION ALL ".join(
        f"SELECT '{name}', {name}, count(*) FROM m WHERE {name} IS NOT NULL GROUP BY {name}"  # noqa: S608 - names are FACET_FIELDS
        for name in FACET_FIELDS
    )
    columns = ", ".join(f"i.{name} AS {name}" for name in FACET_FIELDS)
    facets: dict[str, dict[str, int]] = {name: {} for name in FACET_FIELDS}
    statement = f"WITH m AS MATERIALIZED (SELECT {columns} {matches}) {groups}"
    for name, value, number in conn.execute(statement, params):
        facets[name][value] = int(number)
    return facets
