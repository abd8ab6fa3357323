"""Nearest-neighbour search for the SQLite store: exact where that is cheap, HNSW where it is not.

A brute-force cosine over a million 384-d float32 vectors reads 1.5 GB and takes well
over 150 ms, too slow for hybrid search. So the embeddings (kept as BLOBs in ``items``)
are also held in an approximate index, an HNSW graph from usearch, saved beside the
database as ``items.db.vectors``:

- usearch over faiss-cpu and hnswlib: it installs as one small wheel (hnswlib has no
  wheel for our Python, faiss-cpu is an 18 MB one without type information), ships type
  hints, quantises to int8 (a million vectors in about 400 MB of memory), saves to one
  file, and adds and removes vectors by integer key, so the index stays keyed by the
  ``doc`` rowid of ``items``.
- The index is a cache. Triggers on ``items`` append every embedding change to
  ``vector_log``; the saved file records the last log entry it reflects, and each query
  first applies newer entries. An index opened by ``pressdesk serve`` therefore sees
  what ``pressdesk collect`` stored in another process, and a missing, damaged or
  foreign file is rebuilt from the BLOBs.
- Small stores (fewer than ``exact_below`` rows) and narrow filters (fewer than four
  times that pass) are scored exactly over just those rows: that is fast enough, and
  an over-fetched graph search would mostly return rows the filter then drops.
  Otherwise the graph is searched for several times ``k`` candidates, growing until
  enough pass the filter, and those are rescored exactly from their BLOBs, so scores
  are true cosines and int8 rounding does not reorder the results.
- Once a store is large enough to need the graph, each write feeds its new vectors to
  the in-memory graph (``follow``) in a background thread, while SQLite writes the next
  batch: a bulk load no longer ends with one long build (216 s at a million items).
  Every other use of the graph waits for that work first.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from usearch.index import Index

from core.errors import StoreError
from core.item import Vector
from core.search import SearchQuery
from indexing.fields import as_utc
from indexing.query import active_filters, check
from indexing.sqlite_schema import transaction

log = logging.getLogger(__name__)

#: Below this many rows in the store nearest-neighbour search is exact. Reading a row's
#: vector costs about 8 µs (its record's overflow pages come first): some 40 ms here.
EXACT_BELOW = 5_000
#: A filtered set is scored exactly up to this many times ``EXACT_BELOW`` rows: below that the
#: graph needs too many rounds of over-fetching (at a million items a 2% filter took 350 ms
#: through the graph, 160 ms exactly).
_FILTERED_FACTOR = 4
_VECTOR_CHUNK = 4096  # rows read per pass of the exact scan: ~6 MB of 384-d float32
_SAVE_EVERY = 50_000  # changes applied since the last save that make the index worth saving again
_FORMAT = 1  # the layout of the saved index and its description; another value means rebuild
_CONNECTIVITY = 16  # HNSW "M"
# HNSW "efConstruction": 128 finds a few more true neighbours but doubles the build (about
# 6 CPU-minutes per million vectors at 64); the exact rescoring of extra candidates makes up most of it.
_EXPANSION_ADD = 64
_EXPANSION_SEARCH = 512  # HNSW "ef": candidates kept while walking the graph; ~6 ms a search at a million
_CANDIDATES = 3  # candidates rescored exactly per result asked for
_MIN_CANDIDATES = 40
_MAX_SEARCH = 20_000  # the widest graph search; if fewer than k of its candidates pass, score exactly
# ``follow`` builds a graph from the stored vectors only while there are at most this many
# (seconds of work); a larger store without a saved graph is left to the first search.
_FOLLOW_BUILD = 50_000


@dataclass(frozen=True, slots=True)
class _Where:
    """A condition on ``items AS i`` and the values its ``?`` bind."""

    sql: str
    params: tuple[object, ...] = ()


class VectorIndex:
    """Nearest neighbours over the ``items`` embeddings of one SQLite store.

    Used under the store's lock, with its connection; does no I/O until first asked.

    Args:
        path: the index file (its description goes to ``path`` + ``.json``).
        exact_below: stores with fewer rows, and filtered sets with fewer than four
            times as many, are searched exactly; 0 always uses the graph.
    """

    def __init__(self, path: Path, *, exact_below: int = EXACT_BELOW) -> None:
        self._path = path
        self._meta = path.with_name(path.name + ".json")
        self._exact_below = exact_below
        self._index: Index | None = None
        self._seq = 0  # the last ``vector_log`` entry the in-memory index reflects
        self._unsaved = 0  # changes the saved file lacks
        self._pending: Future[None] | None = None  # graph updates queued by ``follow``
        self._worker: ThreadPoolExecutor | None = None

    def follow(self, conn: sqlite3.Connection, dim: int | None) -> None:
        """Queue the embedding changes just committed for the in-memory graph, if one is worth keeping.

        Called after each write, with the size of the vectors written (``None`` when the
        write only removed vectors). Keeps following once the graph is in memory; starts when
        the store reaches ``exact_below`` rows and either a saved graph exists or few
        enough vectors are stored to build one in seconds. The additions run in a
        background thread (usearch releases the GIL), overlapping the next write.

        The write itself is already committed, so a failure of an earlier queued update
        is logged, not raised: the graph is dropped and rebuilt on next use.
        """
        try:
            self._settle()
        except StoreError as exc:
            log.warning("%s; the vector index will be rebuilt on next use", exc)
            return
        if self._index is None:
            if dim is None:
                return  # only vectors removed: nothing worth loading a graph for
            rows = int(conn.execute("SELECT coalesce(max(doc), 0) FROM items").fetchone()[0])
            if rows < self._exact_below or (not self._meta.exists() and _latest(conn) > _FOLLOW_BUILD):
                return
        elif dim is None:
            dim = self._index.ndim
        elif self._index.ndim != dim:
            return  # vectors of another model: the graph of this one stays as it is
        with transaction(conn):
            self._current(conn, dim, background=True)

    def _settle(self) -> None:
        """Wait for queued graph updates; on failure drop the graph (it is rebuilt on next use) and say so."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        try:
            pending.result()
        except StoreError:
            self._index = None
            raise

    def nearest(
        self, conn: sqlite3.Connection, vector: Vector, k: int, within: SearchQuery | None
    ) -> list[tuple[str, float]]:
        """Return up to ``k`` ``(id, cosine)`` pairs among items passing ``within``'s filters and dates.

        Only embeddings of the query's dimension take part; most similar first, ties by id.

        Raises:
            QueryError: ``within`` filters on an unknown field.
            StoreError: the index failed.
        """
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        norm = float(np.linalg.norm(query))
        if k <= 0 or norm == 0.0:
            return []
        query = query / norm
        where = _restriction(within)
        self._settle()
        with transaction(conn):  # one snapshot: the catch-up and the rows it is checked against agree
            if self._narrow(conn, where):
                return _exact(conn, query, k, where)
            index = self._current(conn, query.size)
            pairs = self._approximate(conn, index, query, k, where)
        if self._unsaved >= _SAVE_EVERY:
            self.save(conn)
        return pairs

    def save(self, conn: sqlite3.Connection) -> None:
        """Write the in-memory index and its description if the saved file lacks changes.

        Holds the database's write lock meanwhile, so two processes never interleave
        one's index with the other's description. A failure is logged, not raised: the
        file is only a cache, caught up or rebuilt on the next open.
        """
        self._settle()
        if self._index is None or self._unsaved == 0:
            return
        meta = {"format": _FORMAT, "dim": self._index.ndim, "seq": self._seq}
        try:
            with transaction(conn, "BEGIN IMMEDIATE"):
                # Index first, description second: a description never claims more than its index holds.
                self._index.save(f"{self._path}.tmp")
                os.replace(f"{self._path}.tmp", self._path)
                Path(f"{self._meta}.tmp").write_text(json.dumps(meta), encoding="utf-8")
                os.replace(f"{self._meta}.tmp", self._meta)
        except (OSError, RuntimeError, sqlite3.OperationalError) as exc:
            log.warning("the vector index was not saved to %s (%s); it will be caught up on next use", self._path, exc)
            return
        self._unsaved = 0

    def close(self, conn: sqlite3.Connection) -> None:
        """Save the index if it changed, then free its memory (it is reloaded on next use)."""
        try:
            self.save(conn)
        finally:
            self._index = None
            if self._worker is not None:
                self._worker.shutdown()
                self._worker = None

    def _narrow(self, conn: sqlite3.Connection, where: _Where) -> bool:
        """Whether few enough rows can match that scoring them all beats the graph."""
        # ``doc`` is a rowid: its maximum is an upper bound of the row count, read from the b-tree's edge.
        if int(conn.execute("SELECT coalesce(max(doc), 0) FROM items").fetchone()[0]) < self._exact_below:
            return True
        if not where.params:
            return False
        limit = self._exact_below * _FILTERED_FACTOR
        counted = conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM items AS i WHERE {where.sql} LIMIT ?)",  # noqa: S608 - built from FACET_FIELDS
            (*where.params, limit),
        ).fetchone()[0]
        return int(counted) < limit

    def _current(self, conn: sqlite3.Connection, dim: int, *, background: bool = False) -> Index:
        """The index for ``dim``-sized vectors, loaded or rebuilt, with every logged change applied.

        With ``background``, the logged changes are read now and applied by the worker thread.
        """
        if self._index is None or self._index.ndim != dim:
            loaded = self._load(conn, dim)
            self._index, self._seq = loaded or self._build(conn, dim)
            self._unsaved = 0 if loaded else _SAVE_EVERY  # a rebuilt index is worth saving at once
        self._catch_up(conn, self._index, background=background)
        return self._index

    def _load(self, conn: sqlite3.Connection, dim: int) -> tuple[Index, int] | None:
        """The saved index, if it fits ``dim`` and this database; else ``None``."""
        if not self._meta.exists():
            return None
        try:
            meta = json.loads(self._meta.read_text(encoding="utf-8"))
            index = Index.restore(self._path, expansion_search=_EXPANSION_SEARCH)  # ef is not in the file
        except (OSError, ValueError, RuntimeError) as exc:
            log.warning("the vector index %s cannot be read (%s); rebuilding it", self._path, exc)
            return None
        if index is None or not isinstance(meta, dict) or meta.get("format") != _FORMAT:
            return None
        seq = meta.get("seq")
        # A file newer than the database belongs to another copy of it (or a restored backup).
        if meta.get("dim") != dim or index.ndim != dim or not isinstance(seq, int) or seq > _latest(conn):
            return None
        return index, seq

    def _build(self, conn: sqlite3.Connection, dim: int) -> tuple[Index, int]:
        """A new index of every stored ``dim``-sized embedding (minutes for a million items)."""
        log.info("building the vector index %s from the stored embeddings", self._path)
        index = _new_index(dim)
        rows = conn.execute("SELECT doc, embedding FROM items WHERE length(embedding) = ? ORDER BY doc", (dim * 4,))
        while chunk := rows.fetchmany(_VECTOR_CHUNK):
            _add(index, [r[0] for r in chunk], [r[1] for r in chunk], dim)
        return index, _latest(conn)

    def _catch_up(self, conn: sqlite3.Connection, index: Index, *, background: bool = False) -> None:
        """Apply the embedding changes logged since the index was last brought up to date.

        With ``background``, they are read now and applied by the worker thread.
        """
        latest = _latest(conn)
        if latest == self._seq:
            return
        rows = conn.execute(
            "SELECT l.doc, i.embedding FROM (SELECT DISTINCT doc FROM vector_log WHERE seq > ?) AS l "
            "LEFT JOIN items AS i ON i.doc = l.doc",
            (self._seq,),
        ).fetchall()
        if not background:
            self._apply(index, rows)
        self._seq = latest
        self._unsaved += len(rows)
        if not background:
            return
        if self._worker is None:
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pressdesk-vectors")
        self._pending = self._worker.submit(self._apply, index, rows)

    def _apply(self, index: Index, rows: list[tuple[int, bytes | None]]) -> None:
        """Replace the graph's vectors of the changed ``(doc, embedding)`` rows (removed when ``None``)."""
        changed = np.array([r[0] for r in rows], dtype=np.uint64)
        try:
            index.remove(changed[index.contains(changed)])
        except (RuntimeError, ValueError) as exc:
            raise StoreError(f"the vector index {self._path} failed to update ({exc}); delete it to rebuild") from exc
        fitting = [(doc, blob) for doc, blob in rows if blob is not None and len(blob) == index.ndim * 4]
        _add(index, [doc for doc, _ in fitting], [blob for _, blob in fitting], index.ndim)

    def _approximate(
        self, conn: sqlite3.Connection, index: Index, query: Vector, k: int, where: _Where
    ) -> list[tuple[str, float]]:
        """Search the graph for candidates until enough pass ``where``; rescore them exactly.

        When the filter drops candidates, the next search is widened by the share that
        passed. A filter that drops nearly all the query's neighbours (English items for
        a Vietnamese text) is scored exactly over its rows instead.
        """
        size = len(index)
        wanted = max(_CANDIDATES * k, _MIN_CANDIDATES)
        count = min(size, wanted)
        passing: list[int] = []
        while count > 0:
            # Asked for every vector, the graph may miss a few that no walk reaches: scan them all.
            docs = [int(key) for key in index.search(query, count, exact=count >= size).keys]
            passing = _passing(conn, docs, where) if where.params else docs
            if len(passing) >= wanted or count >= size or (count >= _MAX_SEARCH and len(passing) >= k):
                break
            if count >= _MAX_SEARCH:
                return _exact(conn, query, k, where)
            share = max(len(passing), 1) / max(len(docs), 1)
            count = min(size, _MAX_SEARCH, max(count + _MIN_CANDIDATES, int(1.25 * wanted / share)))
        return _rescored(conn, query, passing[:wanted])[:k]


def _restriction(within: SearchQuery | None) -> _Where:
    """The SQL condition for ``within``'s filters and date range (its text is not used)."""
    if within is None:
        return _Where("1")
    check(within)  # field names are interpolated below: only FACET_FIELDS pass
    clauses = [f"i.{name} IN ({', '.join('?' * len(values))})" for name, values in active_filters(within)]
    params: list[object] = [value for _, values in active_filters(within) for value in values]
    if within.since is not None:
        clauses.append("i.published >= ?")
        params.append(as_utc(within.since).timestamp())
    if within.until is not None:
        clauses.append("i.published < ?")
        params.append(as_utc(within.until).timestamp())
    return _Where(" AND ".join(clauses) or "1", tuple(params))


def _exact(conn: sqlite3.Connection, query: Vector, k: int, where: _Where) -> list[tuple[str, float]]:
    """Score every ``query``-sized embedding passing ``where``, a chunk at a time; keep the best ``k``."""
    rows = conn.execute(
        f"SELECT i.id, i.embedding FROM items AS i WHERE length(i.embedding) = ? AND {where.sql}",  # noqa: S608 - built from FACET_FIELDS
        (query.nbytes, *where.params),
    )
    best_ids: list[str] = []
    best = np.empty(0, dtype=np.float32)
    while chunk := rows.fetchmany(_VECTOR_CHUNK):
        ids, scores = _cosines(query, chunk)
        best_ids += ids
        best = np.concatenate([best, scores])
        if len(best_ids) > k:
            keep = np.argpartition(-best, k - 1)[:k]
            best_ids = [best_ids[i] for i in keep]
            best = best[keep]
    return _ranked(best_ids, best)


def _rescored(conn: sqlite3.Connection, query: Vector, docs: list[int]) -> list[tuple[str, float]]:
    rows = conn.execute(
        "SELECT id, embedding FROM items WHERE doc IN (SELECT value FROM json_each(?)) AND length(embedding) = ?",
        (json.dumps(docs), query.nbytes),
    ).fetchall()
    return _ranked(*_cosines(query, rows))


def _passing(conn: sqlite3.Connection, docs: list[int], where: _Where) -> list[int]:
    """``docs`` (in their order) whose rows pass ``where``."""
    kept = {
        row[0]
        for row in conn.execute(
            f"SELECT i.doc FROM items AS i WHERE i.doc IN (SELECT value FROM json_each(?)) AND {where.sql}",  # noqa: S608 - built from FACET_FIELDS
            (json.dumps(docs), *where.params),
        )
    }
    return [doc for doc in docs if doc in kept]


def _cosines(query: Vector, rows: list[tuple[str, bytes]]) -> tuple[list[str], Vector]:
    """Ids and cosines with ``query`` of ``(id, embedding)`` rows, rows with a zero vector left out."""
    if not rows:
        return [], np.empty(0, dtype=np.float32)
    matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype="<f4").reshape(len(rows), query.size)
    norms = np.linalg.norm(matrix, axis=1)
    usable = norms > 0
    scores: Vector = ((matrix[usable] @ query) / norms[usable]).astype(np.float32)
    return [r[0] for r, ok in zip(rows, usable, strict=True) if ok], scores


def _ranked(ids: list[str], scores: Vector) -> list[tuple[str, float]]:
    return sorted(zip(ids, (float(s) for s in scores), strict=True), key=lambda pair: (-pair[1], pair[0]))


def _latest(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT coalesce(max(seq), 0) FROM vector_log").fetchone()[0])


def _new_index(dim: int) -> Index:
    return Index(
        ndim=dim,
        metric="cos",
        dtype="i8",
        connectivity=_CONNECTIVITY,
        expansion_add=_EXPANSION_ADD,
        expansion_search=_EXPANSION_SEARCH,
    )


def _add(index: Index, docs: list[int], blobs: list[bytes], dim: int) -> None:
    """Add embeddings under their ``doc`` keys; zero vectors have no direction and are left out."""
    if not docs:
        return
    matrix = np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(docs), dim)
    usable = np.linalg.norm(matrix, axis=1) > 0
    try:
        index.add(np.array(docs, dtype=np.uint64)[usable], np.ascontiguousarray(matrix[usable]))
    except (RuntimeError, ValueError) as exc:
        raise StoreError(f"the vector index failed to add embeddings ({exc}); delete its file to rebuild") from exc
