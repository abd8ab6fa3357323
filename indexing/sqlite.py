"""The default store: one SQLite file with an FTS5 index and the embeddings beside the rows.

Searches are accent-insensitive because the index holds ``core.text.fold``-ed text
("da nang" finds "Đà Nẵng"); ``SearchQuery.exact`` checks the folded matches' own
text (``indexing.sqlite_exact``). Nearest-neighbour search is exact over small or narrowly
filtered sets and uses an HNSW index saved beside the file otherwise (``indexing.vectors``).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from core.errors import StoreError, StoreUnavailable
from core.item import Item, Vector
from core.search import SearchHit, SearchPage, SearchQuery, Sort, UpsertResult
from core.sqlite import ids_present
from indexing.facets import Docs, FacetColumns
from indexing.fields import index_fields
from indexing.query import check, parse
from indexing.query_tree import Node, text_leaves
from indexing.records import item_to_json, record_to_item
from indexing.snippet import snippet
from indexing.sqlite_exact import exact_matches
from indexing.sqlite_fts import DELETE as _FTS_DELETE
from indexing.sqlite_fts import INSERT as _FTS_INSERT
from indexing.sqlite_fts import INSERT_JSON as _FTS_INSERT_JSON
from indexing.sqlite_fts import INSERT_JSON_PAIRED_IN_SQL as _FTS_INSERT_JSON_PAIRED_IN_SQL
from indexing.sqlite_fts import fts_values, pairs_in_sql, rows_json
from indexing.sqlite_query import SqlSearch, compile_search, date_window
from indexing.sqlite_rank import PhraseCounts
from indexing.sqlite_schema import generation, migrate, transaction
from indexing.sqlite_split import HalfScans
from indexing.vectors import EXACT_BELOW, VectorIndex

_ID_CHUNK = 500  # ids per IN (...) lookup, well under SQLite's bound-parameter limit
_PREPARE_CHUNK = 250  # items whose values are prepared while the previous chunk is written

_Row = tuple[object, ...]
_Ranked = tuple[int, float, str]  # a page row: doc, score, id
# The one-MATCH plan's scan (``indexing.sqlite_query``), and the ``doc`` range a half adds to it.
_FAST_COLLECT = "SELECT items_fts.rowid, "
_HALF = " AND items_fts.rowid BETWEEN ? AND ?"
# The store's first and last ``doc``: two subqueries, each one step down the primary key
# (min() and max() side by side would scan the table).
_SPAN = "SELECT (SELECT min(doc) FROM items), (SELECT max(doc) FROM items)"


@dataclass(frozen=True)
class _Split:
    """A scan cut at ``middle``: ``first..middle`` here, ``middle+1..last`` in the helper, at ``generation``."""

    scans: HalfScans
    first: int
    middle: int
    last: int
    generation: int

    def rows(
        self, conn: sqlite3.Connection, sql: str, head: tuple[object, ...], tail: tuple[object, ...] = ()
    ) -> list[Any]:
        """Rows of ``sql`` (which ends in ``_HALF``'s range, then ``tail``'s values) over both halves, lower first.

        The helper scans the upper half while this process scans the lower; if it cannot
        (another generation, a failure), the upper half is scanned here too.
        """
        upper = (*head, self.middle + 1, self.last, *tail)
        theirs = self.scans.submit(sql, upper, self.generation)
        mine = conn.execute(sql, (*head, self.first, self.middle, *tail)).fetchall()
        helped = self.scans.join(theirs)
        return mine + (helped if isinstance(helped, list) else conn.execute(sql, upper).fetchall())


_NO_DOCS = (0, -1)  # an empty ``doc`` range

_INSERT = (
    "INSERT INTO items (doc, id, outlet, language, stance, topic, unit, about, published, record, embedding) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_UPDATE = (
    "UPDATE items SET id = ?, outlet = ?, language = ?, stance = ?, topic = ?, unit = ?, about = ?, "
    "published = ?, record = ?, embedding = ? WHERE doc = ?"
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
        keep_phrase_counts: rank with ``pd_rank`` and the phrases' document counts kept
            between writes (``indexing.sqlite_rank``) where ``indexing._rank`` was built;
            ``False`` ranks with FTS5's ``bm25()`` (the same scores), as a benchmark compares.
        split_above: with ``pd_rank``, a relevance-ranked scan of a store spanning at least
            this many ``doc`` numbers runs its upper half in a helper process
            (``indexing.sqlite_split``; ``SPLIT_ABOVE`` is what the server uses). ``None``,
            the default, never splits: a command that searches once would pay the
            helper's start (about a second of CPU) for nothing.
    """

    def __init__(
        self,
        path: Path,
        *,
        busy_timeout: float = 5.0,
        exact_below: int = EXACT_BELOW,
        keep_phrase_counts: bool = True,
        split_above: int | None = None,
    ) -> None:
        self._path = path
        self._busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._vectors = VectorIndex(path.with_name(path.name + ".vectors"), exact_below=exact_below)
        self._facets = FacetColumns()
        self._ranking = PhraseCounts() if keep_phrase_counts else PhraseCounts(enabled=False)
        self._halves = HalfScans(path, above=split_above, lengths_key=self._ranking.lengths_key)

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
                conn.executemany(_FTS_DELETE, [(doc, *fts_values(item)) for doc, item in old])
                replaced = [(stored[item_id][0], latest[item_id]) for item_id in stored]
                conn.executemany(_UPDATE, [(*_row_values(item), doc) for doc, item in replaced])
                conn.executemany(_FTS_INSERT, [(doc, *fts_values(item)) for doc, item in replaced])
            if fresh:
                # The write lock is held, so numbering past the largest ``doc`` cannot collide.
                first = int(conn.execute("SELECT coalesce(max(doc), 0) + 1 FROM items").fetchone()[0])
                in_sql = pairs_in_sql(conn)
                insert = _FTS_INSERT_JSON_PAIRED_IN_SQL if in_sql else _FTS_INSERT_JSON
                for rows, fts in _prepared_in_turn(list(enumerate(fresh, start=first)), paired_in_sql=in_sql):
                    conn.execute(insert, (fts,))
                    conn.executemany(_INSERT, rows)
        return len(fresh)

    def get(self, item_id: str) -> Item | None:
        """Return the stored item with this id, embedding included, or ``None``."""
        with self._session() as conn:
            row = conn.execute("SELECT record, embedding FROM items WHERE id = ?", (item_id,)).fetchone()
        return None if row is None else _item(row[0], row[1])

    def existing(self, item_ids: Iterable[str]) -> set[str]:
        """Return the subset of ``item_ids`` already stored."""
        with self._session() as conn:
            return ids_present(conn, "items", "id", item_ids)

    def search(self, query: SearchQuery) -> SearchPage:
        """Run ``query``: its text in the boolean language, filters, dates, order, paging and facets as asked.

        Raises:
            QueryError: invalid query text (with its position), an unknown filter field, or
                a negative limit or offset.
            StoreUnavailable: the database cannot be opened or is locked.
        """
        check(query)
        tree = parse(query.text)
        with self._session() as conn, transaction(conn):
            sql = self._ranking.ranked(conn, _compiled(conn, query, tree, self._exact_helper(conn, query)))
            docs, matched = self._page(conn, sql, query, facets=query.facets)
            rows = _records(conn, [doc for doc, _, _ in docs])
            facets = self._facets.counts(matched) if query.facets else {}
        total = len(matched)
        hits = []
        for doc, score, _ in docs:
            record, blob = rows[doc]
            item = _item(record, blob)
            fields = index_fields(item)
            text = snippet(fields.title, fields.body, tree, exact=query.exact)
            hits.append(SearchHit(item=item, score=score, snippet=text))
        return SearchPage(total=total, hits=tuple(hits), facets=facets)

    def ranked_ids(self, query: SearchQuery) -> list[str]:
        """Return the ids of ``query``'s page, in order, without reading records or making snippets.

        What a fused ranking needs from the keyword side (``indexing.hybrid``): the same
        matches and order as ``search``, at a fraction of its cost for a deep page.

        Raises:
            QueryError: as ``search``.
            StoreUnavailable: the database cannot be opened or is locked.
        """
        check(query)
        tree = parse(query.text)
        count = query.offset + query.limit
        with self._session() as conn, transaction(conn):
            sql = self._ranking.ranked(conn, _compiled(conn, query, tree, self._exact_helper(conn, query)))
            top = self._top(conn, sql, count) if sql.sort is Sort.RELEVANCE and sql.window is None else None
            docs = top[query.offset :] if top is not None else self._page(conn, sql, query, facets=False)[0]
        return [item_id for _, _, item_id in docs]

    def _page(
        self, conn: sqlite3.Connection, sql: SqlSearch, query: SearchQuery, *, facets: bool
    ) -> tuple[list[_Ranked], Docs]:
        """``query``'s page as ``(doc, score, id)``, and every match's ``doc``.

        In relevance order every match is scored (the order needs it). In date order the
        matches come unscored, are ordered by the in-memory publication times, and only
        the page's rows are scored, if ``query.scored``. Call under the lock, inside one
        read transaction.
        """
        scored = sql.sort is Sort.RELEVANCE
        split = self._split(conn, sql) if scored else None
        matched, scores = _collect(conn, sql, scored=scored, packed=self._ranking.enabled, split=split)
        if facets or not scored:
            self._facets.refresh(conn)  # in this transaction: the same snapshot as the matches
        published = None if scored else self._facets.published(matched)
        docs = _page_docs(conn, matched, scores, published, sort=sql.sort, count=query.offset + query.limit)
        docs = docs[query.offset :]
        if scored:
            return docs, matched
        page_scores = _scores(conn, sql, [doc for doc, _, _ in docs]) if query.scored else {}
        return [(doc, page_scores.get(doc, 0.0), item_id) for doc, _, item_id in docs], matched

    def _exact_helper(self, conn: sqlite3.Connection, query: SearchQuery) -> HalfScans | None:
        """The helper process, when ``query`` is in exact form and its candidates may be checked half there."""
        if not query.exact or not self._halves.enabled:
            return None
        return self._halves if self._helped_span(conn) is not None else None

    def _helped_span(self, conn: sqlite3.Connection) -> tuple[int, int] | None:
        """The store's first and last ``doc`` when the helper is up and the store is broad enough to split."""
        first, last = conn.execute(_SPAN).fetchone()
        if first is None or not self._halves.wanted(int(first), int(last)):
            return None
        return int(first), int(last)

    def _split(self, conn: sqlite3.Connection, sql: SqlSearch) -> _Split | None:
        """How to split a scored scan of ``sql`` between this process and the helper, or ``None`` to scan it whole.

        Only the one-MATCH plan without a date window is split (a window is a narrow scan
        already), and only with ``pd_rank``, whose ``pd_pairs`` packs the matches.
        """
        if not self._halves.enabled or not self._ranking.enabled:
            return None
        if sql.window is not None or not sql.collect.startswith(_FAST_COLLECT):
            return None
        span = self._helped_span(conn)
        if span is None:
            return None
        first, last = span
        return _Split(self._halves, first, (first + last) // 2, last, generation(conn))

    def _top(self, conn: sqlite3.Connection, sql: SqlSearch, count: int) -> list[_Ranked] | None:
        """The best ``count`` matches as ``(doc, score, id)``, ranked in SQLite; ``None`` when ties need every match.

        Handing every match to Python costs about 1 µs a row (100 ms for 113,000 matches);
        SQLite keeps only the best ``count + 1`` while it scores. If the one past the page
        ties with the last on it, the ``id`` tie-break needs all the tied rows: the caller
        then takes the general path. Split, each half keeps its best ``count + 1``: the
        best of both are the best of all.
        """
        if count <= 0:
            return []
        split = self._split(conn, sql)
        if split is None:
            rows = conn.execute(f"{sql.collect} ORDER BY 2 DESC LIMIT ?", (*sql.collect_params, count + 1)).fetchall()
        else:
            ranged = f"{sql.collect}{_HALF} ORDER BY 2 DESC LIMIT ?"
            rows = split.rows(conn, ranged, sql.collect_params, (count + 1,))
            rows = sorted(rows, key=lambda row: -row[1])[: count + 1]
        if len(rows) > count and rows[count][1] == rows[count - 1][1]:
            return None
        ids = _ids(conn, [int(doc) for doc, _ in rows[:count]])
        ranked = [(int(doc), float(score), ids[int(doc)]) for doc, score in rows[:count]]
        ranked.sort(key=lambda row: (-row[1], row[2]))
        return ranked

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
        """Close the connection and stop the search helper; the next call reopens what it needs."""
        self._halves.close()
        with self._lock:
            self._ranking.forget_lengths()
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


def _compiled(
    conn: sqlite3.Connection, query: SearchQuery, tree: Node | None, halves: HalfScans | None = None
) -> SqlSearch:
    """``query`` compiled; an exact-form one first has its text leaves checked (in the caller's transaction).

    Only candidates inside the query's date window are checked: reading their text is
    the cost, and analysts mostly search recent weeks. With ``halves`` (the store's
    helper process is up), many candidates are checked half there.
    """
    if not query.exact:
        return compile_search(query, tree)
    window = date_window(query, tree)
    within = None if window is None else _doc_range(conn, window) or _NO_DOCS
    upper_half = None if halves is None else halves.exact_upper_half(generation(conn))
    return compile_search(query, tree, exact_matches(conn, text_leaves(tree), within, upper_half=upper_half))


def _doc_range(conn: sqlite3.Connection, window: tuple[float | None, float | None]) -> tuple[int, int] | None:
    """The lowest and highest ``doc`` published in ``window`` (``SqlSearch.window``); ``None`` if none was.

    Every item of the window lies in that range (items arrive roughly in publication
    order, so it is narrow), and FTS5 skips the rest of each term's list.
    """
    start, end = window
    bounds = [] if start is None else ["published >= ?"]
    bounds += [] if end is None else ["published < ?"]
    values = tuple(value for value in (start, end) if value is not None)
    low, high = conn.execute(
        f"SELECT min(doc), max(doc) FROM items INDEXED BY items_published WHERE {' AND '.join(bounds)}",  # noqa: S608 - fixed text
        values,
    ).fetchone()
    return None if low is None else (int(low), int(high))


def _stored(conn: sqlite3.Connection, item_ids: list[str]) -> dict[str, tuple[int, str]]:
    """Return ``id → (doc, record)`` for those of ``item_ids`` already stored."""
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(item_ids), _ID_CHUNK):
        chunk = item_ids[start : start + _ID_CHUNK]
        marks = ", ".join("?" * len(chunk))
        rows = conn.execute(f"SELECT id, doc, record FROM items WHERE id IN ({marks})", chunk)  # noqa: S608 - only placeholders are interpolated
        found.update((item_id, (doc, record)) for item_id, doc, record in rows)
    return found


def _prepared_in_turn(numbered: list[tuple[int, Item]], *, paired_in_sql: bool) -> Iterator[tuple[list[_Row], str]]:
    """Yield ``(items rows, items_fts rows as JSON)`` chunk by chunk, preparing the next chunk while one is written.

    Preparing values (folding, JSON) is Python work and writing them is SQLite work,
    during which ``sqlite3`` releases the GIL: on two cores the two overlap. They only
    overlap if the writer seldom needs the GIL back: ``executemany`` takes it between
    rows, and then waits for the preparing thread's switch interval (5 ms) each time.
    So the full-text rows, most of the writing, go to SQLite as one JSON parameter
    and are indexed in one step, while the next chunk is prepared. (The ``items`` rows
    were tried the same way: slower, 570-630 against 390-480 µs an item over three runs
    each at 40,000 items, as SQLite 3.40 parses a row's JSON again for each ``->>`` and
    the records are kilobytes long.)
    """
    chunks = [numbered[at : at + _PREPARE_CHUNK] for at in range(0, len(numbered), _PREPARE_CHUNK)]
    if len(chunks) == 1:
        yield _prepare(chunks[0], paired_in_sql)
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pressdesk-sqlite-prepare") as pool:
        pending = pool.submit(_prepare, chunks[0], paired_in_sql)
        for chunk in chunks[1:]:
            ready = pending.result()
            pending = pool.submit(_prepare, chunk, paired_in_sql)
            yield ready
        yield pending.result()


def _prepare(numbered: list[tuple[int, Item]], paired_in_sql: bool) -> tuple[list[_Row], str]:
    rows = [(doc, *_row_values(item)) for doc, item in numbered]
    return rows, rows_json(numbered, paired_in_sql=paired_in_sql)


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


def _item(record: str, blob: bytes | None) -> Item:
    embedding = None if blob is None else np.frombuffer(blob, dtype="<f4").astype(np.float32)
    return record_to_item(json.loads(record), embedding)


def _collect(
    conn: sqlite3.Connection, sql: SqlSearch, *, scored: bool, packed: bool = False, split: _Split | None = None
) -> tuple[Docs, npt.NDArray[np.float64]]:
    """Every match of ``sql`` and its score (0 unless ``scored``), as two arrays, running its MATCH once.

    The matches go straight into numpy: the page, the total and the facets are all cut
    from these arrays (no temporary table, no second pass over the matches in SQL).
    A date window becomes a ``doc`` range beside the MATCH (``SqlSearch.window``): the
    lowest and highest ``doc`` published in it, read from ``items_published``. Every
    item of the window lies in that range, so the range never drops a match; the
    window's own condition still decides. With ``packed`` (``indexing._rank`` is there),
    scored matches come as one BLOB of ``pd_pairs`` instead of a Python tuple each;
    with ``split`` too, the upper half of the ``doc`` range is packed by the helper
    process meanwhile (the halves join in ``doc`` order, as one scan gives them).
    """
    params = sql.collect_params if scored else sql.docs_params
    if sql.window is not None:
        bounds = _doc_range(conn, sql.window)
        if bounds is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)  # nothing was published in the window
        params = (*params, *bounds)
    if not scored:
        # One JSON array instead of a Python tuple per match.
        text = conn.execute(f"SELECT json_group_array(doc) FROM ({sql.docs})", params).fetchone()[0]  # noqa: S608 - fixed text
        docs = np.asarray(orjson.loads(text), dtype=np.int64)
        return docs, np.zeros(len(docs), dtype=np.float64)
    if packed:
        # LIMIT -1 keeps the matches a subquery of their own: flattened into the aggregate,
        # FTS5 would refuse its ranking function there.
        if split is None:
            packing = f"WITH m(doc, score) AS ({sql.collect} LIMIT -1) SELECT pd_pairs(doc, score) FROM m"  # noqa: S608 - fixed text
            blob = conn.execute(packing, params).fetchone()[0] or b""
        else:
            packing = f"WITH m(doc, score) AS ({sql.collect}{_HALF} LIMIT -1) SELECT pd_pairs(doc, score) FROM m"  # noqa: S608 - fixed text
            blob = b"".join(packed or b"" for (packed,) in split.rows(conn, packing, params))
        flat = np.frombuffer(blob, dtype=np.float64).reshape(-1, 2)
    else:
        rows = conn.execute(sql.collect, params).fetchall()
        flat = np.fromiter(chain.from_iterable(rows), dtype=np.float64, count=2 * len(rows)).reshape(-1, 2)
    # ``doc`` numbers are far below 2**53, so they pass through float64 exactly.
    return flat[:, 0].astype(np.int64), np.ascontiguousarray(flat[:, 1])


def _scores(conn: sqlite3.Connection, sql: SqlSearch, docs: list[int]) -> dict[int, float]:
    """The relevance of ``docs`` alone, equal to what ``collect`` gives them (bm25 statistics are table-wide)."""
    if sql.rank_match is None or not docs:
        return {}
    # ``+rowid``: offered to FTS5, the IN list would drive one MATCH per row, each redoing
    # bm25's table-wide statistics (275 ms instead of 16 at 200,000 items). The range lets
    # FTS5 skip to the page's rows: a date-ordered page is narrow, items arrive in order.
    rows = conn.execute(
        f"SELECT rowid, {sql.bm25} FROM items_fts WHERE items_fts MATCH ? "  # noqa: S608 - fixed text
        "AND rowid BETWEEN ? AND ? AND +rowid IN (SELECT value FROM json_each(?))",
        (sql.rank_match, min(docs), max(docs), json.dumps(docs)),
    )
    return {int(doc): float(score) for doc, score in rows}


def _page_docs(
    conn: sqlite3.Connection,
    docs: Docs,
    scores: npt.NDArray[np.float64],
    published: npt.NDArray[np.float64] | None,
    *,
    sort: Sort,
    count: int,
) -> list[tuple[int, float, str]]:
    """The first ``count`` matches in ``sort`` order, as ``(doc, score, id)``.

    Ordering every match by its tie-breaker ``id`` would read every match's wide row.
    Instead the ``count``-th best key (score, or publication time from ``published``)
    is found in memory, and only the matches whose key is at least as good (the page,
    plus any ties) have their ``id`` read and are ordered in full.
    """
    if count <= 0 or not len(docs):
        return []
    key = scores if published is None else published
    # Smaller is better in ``rising``: the best ``count`` are then a partition away.
    rising = key if sort is Sort.OLDEST else -key
    chosen = np.arange(len(docs))
    if count < len(docs):
        cut = np.partition(rising, count - 1)[count - 1]
        chosen = np.flatnonzero(rising <= cut)
    ids = _ids(conn, [int(doc) for doc in docs[chosen]])
    candidates = [(int(docs[at]), float(scores[at]), float(key[at]), ids[int(docs[at])]) for at in chosen]
    if sort is Sort.RELEVANCE:
        candidates.sort(key=lambda row: (-row[1], row[3]))
    else:
        candidates.sort(key=lambda row: (row[2], row[3]), reverse=sort is Sort.NEWEST)
    return [(doc, score, item_id) for doc, score, _, item_id in candidates[:count]]


def _ids(conn: sqlite3.Connection, docs: list[int]) -> dict[int, str]:
    """``doc → id`` for ``docs``, in one statement."""
    rows = conn.execute("SELECT doc, id FROM items WHERE doc IN (SELECT value FROM json_each(?))", (json.dumps(docs),))
    return {int(doc): str(item_id) for doc, item_id in rows}


def _records(conn: sqlite3.Connection, docs: list[int]) -> dict[int, tuple[str, bytes | None]]:
    """``doc → (record, embedding)`` for ``docs``, in one statement."""
    if not docs:
        return {}
    rows = conn.execute(
        "SELECT doc, record, embedding FROM items WHERE doc IN (SELECT value FROM json_each(?))", (json.dumps(docs),)
    )
    return {doc: (record, blob) for doc, record, blob in rows}
