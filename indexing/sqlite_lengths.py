"""Every row's length in ``items_fts``, kept in memory for ``pd_rank``.

bm25 divides each match's term frequency by the row's length against the average.
FTS5 reads that length from the table's docsize record, one SQL lookup per match: at a
million items, four fifths of ``pd_rank``'s own time, about 0.5 µs a match (a boolean
query with 250,000 matches spent 165 of its 390 ms on it, bench/README.md). A
``RowLengths`` holds the same numbers, read once with ``pd_length`` (the sum of a
docsize record's varints, what ``xColumnSize(-1)`` returns), as a numpy array by
``doc`` that ``indexing._rank`` reads directly under a key named in the SQL.

The array follows the store through ``facet_log``, as the facet columns do
(``indexing.facets``): each search first applies the rows logged since it last looked,
in its own read transaction, so a length always matches the postings the search reads.
A row the array does not hold (-1) is looked up by ``pd_rank`` as ``bm25()`` does: a
stale array could cost time, never a different score. 4 bytes a row: 4 MB at a million.
"""

from __future__ import annotations

import itertools
import json
import logging
import sqlite3
import threading
import weakref
from types import ModuleType

import numpy as np
import numpy.typing as npt

from indexing.sqlite_schema import DOCS_CHUNK, changed_since, generation

_ALL = "SELECT pd_pairs(id, pd_length(sz)) FROM items_fts_docsize"
_SOME = "SELECT pd_pairs(id, pd_length(sz)) FROM items_fts_docsize WHERE id IN (SELECT value FROM json_each(?))"

_keys = itertools.count(1)  # 0 is "no lengths" in pd_rank
_log = logging.getLogger(__name__)


class RowLengths:
    """The row lengths of one store's ``items_fts`` as ``pd_rank`` reads them under ``key``.

    Not thread-safe by itself: the store refreshes it and runs the searches that name its
    key under one lock, so the array is never replaced while a search reads it.
    """

    def __init__(self, rank: ModuleType, *, key: int | None = None) -> None:
        self._rank = rank
        self.key = next(_keys) if key is None else key  # a helper process keeps its store's key
        self._seq = -1
        self._lengths: npt.NDArray[np.int32] = np.full(0, -1, dtype=np.int32)
        self.refreshes = 0  # full reads of every length (a test checks that changes are applied instead)
        self._lock = threading.Lock()
        weakref.finalize(self, rank.lengths, self.key, None)

    def refresh(self, conn: sqlite3.Connection) -> None:
        """Catch up with the table as ``conn``'s read transaction sees it, and (re)register the array."""
        seq = generation(conn)
        with self._lock:
            if seq == self._seq:
                return
            changed = changed_since(conn, self._seq if self._seq >= 0 else None, seq)
            if changed is None:
                self._read_all(conn)
            else:
                self._apply(conn, changed)
            self._seq = seq
            try:
                self._rank.lengths(self.key, self._lengths)
            except RuntimeError as exc:  # every slot taken: many stores open in one process
                _log.warning("row lengths not kept for this store (%s); ranking looks them up, same scores", exc)

    @property
    def covered(self) -> int:
        """How many rows have a kept length (the rest are looked up per match)."""
        with self._lock:
            return int(np.count_nonzero(self._lengths >= 0))

    def forget(self) -> None:
        """Drop the array (the next ``refresh`` reads it again); ``pd_rank`` looks lengths up meanwhile."""
        with self._lock:
            self._rank.lengths(self.key, None)
            self._seq = -1
            self._lengths = np.full(0, -1, dtype=np.int32)

    def _read_all(self, conn: sqlite3.Connection) -> None:
        docs, lengths = _pairs(conn.execute(_ALL).fetchone()[0])
        top = int(docs.max()) if len(docs) else 0
        array = np.full(max(1024, top + 1 + top // 8), -1, dtype=np.int32)  # room for the next items
        array[docs] = lengths
        self._lengths = array
        self.refreshes += 1

    def _apply(self, conn: sqlite3.Connection, changed: list[int]) -> None:
        """Re-read the lengths of ``changed``; a ``doc`` no longer indexed gets -1."""
        if not changed:
            return
        self._grow(max(changed))
        self._lengths[np.asarray(changed, dtype=np.int64)] = -1
        for start in range(0, len(changed), DOCS_CHUNK):
            chunk = json.dumps(changed[start : start + DOCS_CHUNK])
            docs, lengths = _pairs(conn.execute(_SOME, (chunk,)).fetchone()[0])
            self._lengths[docs] = lengths

    def _grow(self, top: int) -> None:
        """Make the array long enough to index ``doc`` ``top``, doubling so that appends stay cheap."""
        size = len(self._lengths)
        if top < size:
            return
        grown = np.full(max(top + 1, size * 2, 1024), -1, dtype=np.int32)
        grown[:size] = self._lengths
        self._lengths = grown


def _pairs(blob: bytes | None) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]:
    """``pd_pairs``' BLOB of ``(doc, length)`` doubles as two arrays."""
    pairs = np.frombuffer(blob or b"", dtype=np.float64).reshape(-1, 2)
    return pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int32)
