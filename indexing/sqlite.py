"""The default store: one SQLite file with an FTS5 index and the embeddings beside the rows.

Searches are accent-insensitive because the index holds ``core.text.fold``-ed text
("da nang" finds "Đà Nẵng"); a second pair of columns keeps the diacritics for
``SearchQuery.exact``. Nearest-neighbour search is exact over small or narrowly
filtered sets and uses an HNSW index saved beside the file otherwise (``indexing.vectors``).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import orjson

from core.errors import StoreError, StoreUnavailable
from core.item import Item, Vector
from core.search import DAY_FACET, FACET_FIELDS, SearchHit, SearchPage, SearchQuery, Sort, UpsertResult
from core.text import fold
from indexing.fields import index_fields
from indexing.query import check, parse
from indexing.records import item_to_json, record_to_item
from indexing.snippet import snippet
from indexing.sqlite_query import SqlSearch, compile_search
from indexing.sqlite_schema import migrate, transaction
from indexing.vectors import EXACT_BELOW, VectorIndex

_ID_CHUNK = 500  # ids per IN (...) lookup, well under SQLite's bound-parameter limit
_PREPARE_CHUNK = 250  # items whose values are prepared while the previous chunk is written
_FOLDED_MAX = 200_000  # distinct words kept folded by ``_fold_words``: a few tens of MB at most
_FOLDED: dict[str, str] = {}
_VIETNAM_OFFSET = 7 * 3600  # the office's calendar (UTC+7, no daylight saving), for the day facet
_EPOCH = date(1970, 1, 1)
# One search's matches and their scores (``_collect``); emptied after each search.
_MATCHES_TABLE = "CREATE TEMP TABLE IF NOT EXISTS search_matches (doc INTEGER PRIMARY KEY, score REAL NOT NULL)"

_Row = tuple[object, ...]

_INSERT = (
    "INSERT INTO items (doc, id, outlet, language, stance, topic, unit, about, published, record, embedding) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_UPDATE = (
    "UPDATE items SET id = ?, outlet = ?, language = ?, stance = ?, topic = ?, unit = ?, about = ?, "
    "published = ?, record = ?, embedding = ? WHERE doc = ?"
)
_FTS_INSERT = "INSERT INTO items_fts (rowid, title, body, title_exact, body_exact) VALUES (?, ?, ?, ?, ?)"
# The same for a JSON array of ``[rowid, title, body, title_exact, body_exact]`` rows:
# one statement step indexes a whole chunk without taking the GIL back (see ``upsert``).
_FTS_INSERT_JSON = (
    "INSERT INTO items_fts (rowid, title, body, title_exact, body_exact) "
    "SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each(?)"
)
_FTS_DELETE = (
    "INSERT INTO items_fts (items_fts, rowid, title, body, title_exact, body_exact) VALUES ('delete', ?, ?, ?, ?, ?)"
)

_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",  # durable enough under WAL, and much faster
    # 256 MiB of page cache (the default is 2 MiB) keeps the upper levels of the FTS
    # segments and of the seven B-trees hot while a million items are loaded.
    "PRAGMA cache_size = -262144",
    "PRAGMA temp_store = MEMORY",  # facet and sort scratch space stays off the disk
    "PRAGMA analysis_limit = 1000",  # ``PRAGMA optimize`` on close samples: seconds saved at a million rows
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
        exact_below: nearest-neighbour search is exact while fewer rows can match
            (``indexing.vectors``); 0 always uses the saved HNSW index (``path`` + ``.vectors``).
    """

    def __init__(self, path: Path, *, busy_timeout: float = 5.0, exact_below: int = EXACT_BELOW) -> None:
        self._path = path
        self._busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._vectors = VectorIndex(path.with_name(path.name + ".vectors"), exact_below=exact_below)

    def upsert(self, items: Sequence[Item]) -> UpsertResult:
        """Write ``items`` in one transaction; an item already stored is replaced.

        An id given twice in ``items`` counts as written twice (added, then updated),
        and its last version is the one stored, as if the items were written in turn.
        New items are prepared in chunks, the next one in a second thread while SQLite
        writes the current one with two statements (see ``_prepared_in_turn``): a bulk
        load is bound by per-item work, not by the disk. Once the store needs its
        nearest-neighbour graph, the new vectors are then queued for it
        (``VectorIndex.follow``), to be added while the next batch is written.
        """
        latest = {item.id: item for item in items}
        with self._session() as conn:
            added = self._write(conn, latest)
            dims = [len(item.embedding) for item in latest.values() if item.embedding is not None]
            self._vectors.follow(conn, dims[0] if dims else None)
        return UpsertResult(added=added, updated=len(items) - added)

    def _write(self, conn: sqlite3.Connection, latest: dict[str, Item]) -> int:
        """Write the items in one transaction; return how many were new."""
        with transaction(conn, "BEGIN IMMEDIATE"):
            stored = _stored(conn, list(latest))
            fresh = [item for item_id, item in latest.items() if item_id not in stored]
            if stored:
                # The FTS table is contentless: remove the old rows by replaying their values.
                old = [(doc, record_to_item(orjson.loads(record))) for doc, record in stored.values()]
                conn.executemany(_FTS_DELETE, [(doc, *_fts_values(item)) for doc, item in old])
                replaced = [(stored[item_id][0], latest[item_id]) for item_id in stored]
                conn.executemany(_UPDATE, [(*_row_values(item), doc) for doc, item in replaced])
                conn.executemany(_FTS_INSERT, [(doc, *_fts_values(item)) for doc, item in replaced])
            if fresh:
                # The write lock is held, so numbering past the largest ``doc`` cannot collide.
                first = int(conn.execute("SELECT coalesce(max(doc), 0) + 1 FROM items").fetchone()[0])
                for rows, fts in _prepared_in_turn(list(enumerate(fresh, start=first))):
                    conn.execute(_FTS_INSERT_JSON, (fts,))
                    conn.executemany(_INSERT, rows)
        return len(fresh)

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
        """Run ``query``: its text in the boolean language, filters, dates, order, paging and facets as asked.

        Raises:
            QueryError: invalid query text (with its position), an unknown filter field, or
                a negative limit or offset.
            StoreUnavailable: the database cannot be opened or is locked.
        """
        check(query)
        tree = parse(query.text)
        sql = compile_search(query, tree)
        with self._session() as conn, transaction(conn):
            try:
                _collect(conn, sql)
                docs = _page_docs(conn, sql.sort, query.offset + query.limit)[query.offset :]
                rows = _records(conn, [doc for doc, _ in docs])
                if query.facets:
                    facets = _facets(conn)
                    total = sum(facets[DAY_FACET].values())  # every match has exactly one day: saves a count
                else:
                    facets = {}
                    total = int(conn.execute("SELECT count(*) FROM temp.search_matches").fetchone()[0])
            finally:
                conn.execute("DELETE FROM temp.search_matches")
        hits = []
        for doc, score in docs:
            record, blob = rows[doc]
            item = _item(record, blob)
            fields = index_fields(item)
            text = snippet(fields.title, fields.body, tree, exact=query.exact)
            hits.append(SearchHit(item=item, score=score, snippet=text))
        return SearchPage(total=total, hits=tuple(hits), facets=facets)

    def nearest(self, vector: Vector, k: int = 10, within: SearchQuery | None = None) -> list[tuple[str, float]]:
        """Return up to ``k`` ``(id, cosine)`` pairs, most similar first (ties by id).

        Only embeddings of the query's dimension take part; items without one never do.
        With ``within``, only items passing its filters and date range (its text is ignored).

        Raises:
            QueryError: ``within`` filters on an unknown field.
            StoreUnavailable: the database cannot be opened or is locked.
        """
        with self._session() as conn:
            return self._vectors.nearest(conn, vector, k, within)

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
                        self._vectors.close(conn)
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
                for pragma in _PRAGMAS:
                    conn.execute(pragma)
                migrate(conn)
                # Each search's matches, kept for its page, total and facets (see ``_collect``).
                conn.execute(_MATCHES_TABLE)
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


def _stored(conn: sqlite3.Connection, item_ids: list[str]) -> dict[str, tuple[int, str]]:
    """Return ``id → (doc, record)`` for those of ``item_ids`` already stored."""
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(item_ids), _ID_CHUNK):
        chunk = item_ids[start : start + _ID_CHUNK]
        marks = ", ".join("?" * len(chunk))
        rows = conn.execute(f"SELECT id, doc, record FROM items WHERE id IN ({marks})", chunk)  # noqa: S608 - only placeholders are interpolated
        found.update((item_id, (doc, record)) for item_id, doc, record in rows)
    return found


def _prepared_in_turn(numbered: list[tuple[int, Item]]) -> Iterator[tuple[list[_Row], str]]:
    """Yield ``(items rows, items_fts rows as JSON)`` chunk by chunk, preparing the next chunk while one is written.

    Preparing values (folding, JSON) is Python work and writing them is SQLite work,
    during which ``sqlite3`` releases the GIL: on two cores the two overlap. They only
    overlap if the writer seldom needs the GIL back: ``executemany`` takes it between
    rows, and then waits for the preparing thread's switch interval (5 ms) each time.
    So the full-text rows, most of the writing, go to SQLite as one JSON parameter
    and are indexed in one step, while the next chunk is prepared.
    """
    chunks = [numbered[at : at + _PREPARE_CHUNK] for at in range(0, len(numbered), _PREPARE_CHUNK)]
    if len(chunks) == 1:
        yield _prepare(chunks[0])
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pressdesk-sqlite-prepare") as pool:
        pending = pool.submit(_prepare, chunks[0])
        for chunk in chunks[1:]:
            ready = pending.result()
            pending = pool.submit(_prepare, chunk)
            yield ready
        yield pending.result()


def _prepare(numbered: list[tuple[int, Item]]) -> tuple[list[_Row], str]:
    rows = [(doc, *_row_values(item)) for doc, item in numbered]
    fts = orjson.dumps([(doc, *_fts_values(item)) for doc, item in numbered]).decode("utf-8")
    return rows, fts


def _row_values(item: Item) -> tuple[object, ...]:
    """The ``items`` columns after ``doc``, in ``_INSERT`` order."""
    fields = index_fields(item)
    facets = fields.facets
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
        item_to_json(item),
        blob,
    )


def _fts_values(item: Item) -> tuple[str, str, str, str]:
    """The ``items_fts`` columns: title and body folded, then lower-cased with their diacritics."""
    fields = index_fields(item)
    title, body = (unicodedata.normalize("NFC", text) for text in (fields.title, fields.body))
    return _fold_words(title), _fold_words(body), title.lower(), body.lower()


def _fold_words(text: str) -> str:
    """``core.text.fold(text)``, folding each distinct space-separated word once.

    Folding a whole article character by character in Python was the largest cost of a
    bulk load, yet news text reuses a few thousand words. Splitting at U+0020 changes
    nothing: a space neither composes nor reorders with its neighbours under NFD/NFC,
    and it ends the context of case mappings such as the final sigma.
    """
    if len(_FOLDED) > _FOLDED_MAX:
        _FOLDED.clear()  # a crude bound: the hot words come back within a batch
    parts = text.split(" ")
    _FOLDED.update({word: fold(word) for word in set(parts).difference(_FOLDED)})
    # ``or fold``: another thread may have cleared the cache in between.
    return " ".join([_FOLDED.get(word) or fold(word) for word in parts])


def _item(record: str, blob: bytes | None) -> Item:
    embedding = None if blob is None else np.frombuffer(blob, dtype="<f4").astype(np.float32)
    return record_to_item(json.loads(record), embedding)


def _collect(conn: sqlite3.Connection, sql: SqlSearch) -> None:
    """Fill ``temp.search_matches`` with every match of ``sql`` and its score, running its MATCH once.

    A date window becomes a ``doc`` range beside the MATCH (``SqlSearch.window``): the
    lowest and highest ``doc`` published in it, read from ``items_published``. Every
    item of the window lies in that range, so the range never drops a match; the
    window's own condition still decides.
    """
    params = sql.collect_params
    if sql.window is not None:
        start, end = sql.window
        bounds = [] if start is None else ["published >= ?"]
        bounds += [] if end is None else ["published < ?"]
        values = tuple(value for value in (start, end) if value is not None)
        low, high = conn.execute(
            f"SELECT min(doc), max(doc) FROM items INDEXED BY items_published WHERE {' AND '.join(bounds)}",  # noqa: S608 - fixed text
            values,
        ).fetchone()
        if low is None:
            return  # nothing was published in the window
        params = (*params, low, high)
    conn.execute(f"INSERT INTO temp.search_matches (doc, score) {sql.collect}", params)


def _page_docs(conn: sqlite3.Connection, sort: Sort, count: int) -> list[tuple[int, float]]:
    """The first ``count`` matches in ``sort`` order, as ``(doc, score)``.

    Ordering every match by its tie-breaker ``id`` would read every match's wide row.
    Instead the ``count``-th best key is found from the narrow columns, and only the
    matches whose key is at least as good (the page, plus any ties) are ordered in full.
    """
    if count <= 0:
        return []
    if sort is Sort.RELEVANCE:
        key, join = "m.score", ""
        direction, better = "DESC", ">="
    else:
        key, join = "f.published", " CROSS JOIN items AS f INDEXED BY items_facets ON f.doc = m.doc"
        direction, better = ("DESC", ">=") if sort is Sort.NEWEST else ("ASC", "<=")
    cut = conn.execute(
        f"SELECT {key} FROM temp.search_matches AS m{join} ORDER BY {key} {direction} LIMIT 1 OFFSET ?",  # noqa: S608 - fixed text
        (count - 1,),
    ).fetchone()
    where = "" if cut is None else f" WHERE {key} {better} ?"
    candidates = conn.execute(
        f"SELECT m.doc, m.score, i.published, i.id FROM temp.search_matches AS m{join} CROSS "  # noqa: S608 - fixed text
        f"JOIN items AS i ON i.doc = m.doc{where}",
        () if cut is None else (cut[0],),
    ).fetchall()
    if sort is Sort.RELEVANCE:
        candidates.sort(key=lambda row: (-row[1], row[3]))
    else:
        candidates.sort(key=lambda row: (row[2], row[3]), reverse=sort is Sort.NEWEST)
    return [(int(doc), float(score)) for doc, score, _, _ in candidates[:count]]


def _records(conn: sqlite3.Connection, docs: list[int]) -> dict[int, tuple[str, bytes | None]]:
    """``doc → (record, embedding)`` for ``docs``, in one statement."""
    if not docs:
        return {}
    rows = conn.execute(
        "SELECT doc, record, embedding FROM items WHERE doc IN (SELECT value FROM json_each(?))", (json.dumps(docs),)
    )
    return {doc: (record, blob) for doc, record, blob in rows}


def _facets(conn: sqlite3.Connection) -> dict[str, dict[str, int]]:
    """Count the facet values and Vietnam calendar days of the matches in ``temp.search_matches``.

    The values come from the narrow ``items_facets`` index, never from the wide rows;
    one pass materialises them, then a GROUP BY per field. A day is grouped as its
    number since 1970 (integer arithmetic, floored also before 1970) and named here.
    """
    # The field names come from FACET_FIELDS, never from the request.
    groups = " UNION ALL ".join(
        f"SELECT '{name}', {name}, count(*) FROM m WHERE {name} IS NOT NULL GROUP BY {name}"  # noqa: S608 - names are FACET_FIELDS
        for name in (*FACET_FIELDS, DAY_FACET)
    )
    columns = ", ".join(f"f.{name} AS {name}" for name in FACET_FIELDS)
    # The calendar day in Vietnam of the UTC timestamp ``published``: UTC+7, no daylight saving.
    local = f"(f.published + {_VIETNAM_OFFSET})"
    day = f"CAST({local} / 86400 AS INTEGER) - ({local} < 0 AND CAST({local} / 86400 AS INTEGER) * 86400 != {local})"
    statement = (
        f"WITH m AS MATERIALIZED (SELECT {columns}, {day} AS {DAY_FACET} FROM temp.search_matches AS t "  # noqa: S608 - fixed text
        f"CROSS JOIN items AS f INDEXED BY items_facets ON f.doc = t.doc) {groups}"
    )
    facets: dict[str, dict[str, int]] = {name: {} for name in (*FACET_FIELDS, DAY_FACET)}
    days: dict[str, int] = {}
    for name, value, number in conn.execute(statement):
        if name == DAY_FACET:
            days[(_EPOCH + timedelta(days=int(value))).isoformat()] = int(number)
        else:
            facets[name][value] = int(number)
    facets[DAY_FACET] = dict(sorted(days.items()))
    return facets
