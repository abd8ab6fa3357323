"""Facet values of every stored item as numpy columns, for counting a search's matches in memory.

Counting six facets over 90,000 matches in SQL meant 90,000 lookups in the ``items_facets``
index and six GROUP BYs over a temporary table: about a second of CPU at a million items.
Here each facet field is one small integer array indexed by ``doc`` (a code per distinct
value, 0 for none), and publication times one float array, so a search's counts are one
``np.bincount`` per field over its matched ``doc`` numbers (milliseconds).

The columns are a cache of the database. Triggers on ``items`` append every inserted,
changed or removed ``doc`` to ``facet_log`` (``indexing.sqlite_schema``); each use first
applies the entries newer than the last one seen, inside the caller's read transaction,
so counts agree with the rows the same search read, including rows written by another
process. About 28 bytes a row: some 28 MB at a million items, loaded on first use
(about a second at that size).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from core.search import DAY_FACET, FACET_FIELDS
from indexing.sqlite_schema import DOCS_CHUNK, changed_since

_VIETNAM_OFFSET = 7 * 3600  # the office's calendar (UTC+7, no daylight saving), for the day facet
_EPOCH = date(1970, 1, 1)
_FETCH = 50_000  # rows read per step of a full load: bounds the Python objects alive at once

_COLUMNS = ", ".join(FACET_FIELDS)

Docs = npt.NDArray[np.int64]


class FacetColumns:
    """Per-``doc`` facet codes and publication times of one SQLite store, kept in step through ``facet_log``.

    Not thread-safe by itself: the store calls it under its own lock.
    """

    def __init__(self) -> None:
        self._loaded = False
        self._seq = 0
        self._codes: dict[str, npt.NDArray[np.int32]] = {}
        self._values: dict[str, list[str | None]] = {}
        self._lookup: dict[str, dict[str | None, int]] = {}
        self._published = np.zeros(0, dtype=np.float64)
        self._clear()

    def refresh(self, conn: sqlite3.Connection) -> None:
        """Catch up with the database as ``conn`` sees it (call inside the search's read transaction)."""
        latest = int(conn.execute("SELECT coalesce(max(seq), 0) FROM facet_log").fetchone()[0])
        if self._loaded and latest == self._seq:
            return
        changed = changed_since(conn, self._seq if self._loaded else None, latest)
        if changed is None:
            self._load_all(conn)
        else:
            self._apply(conn, changed)
        self._seq = latest
        self._loaded = True

    def published(self, docs: Docs) -> npt.NDArray[np.float64]:
        """Publication timestamps (UTC seconds) of ``docs``, which must be stored items."""
        values: npt.NDArray[np.float64] = self._published[docs]
        return values

    def counts(self, docs: Docs) -> dict[str, dict[str, int]]:
        """Count the ``FACET_FIELDS`` values and Vietnam calendar days of ``docs`` (each a stored item, once).

        Values are listed in sorted order, days by date; a value no doc has is left out,
        and so is "no value" (NULL), as the SQL ``GROUP BY … IS NOT NULL`` did.
        """
        facets: dict[str, dict[str, int]] = {}
        for name in FACET_FIELDS:
            values = self._values[name]
            tally = np.bincount(self._codes[name][docs], minlength=len(values))
            found = {values[code]: int(tally[code]) for code in np.flatnonzero(tally) if code != 0}
            facets[name] = {str(value): found[value] for value in sorted(found)}  # type: ignore[type-var]
        facets[DAY_FACET] = {}
        if len(docs):
            days = np.floor((self._published[docs] + _VIETNAM_OFFSET) / 86400).astype(np.int64)
            first = int(days.min())
            tally = np.bincount(days - first)
            facets[DAY_FACET] = {
                (_EPOCH + timedelta(days=first + int(offset))).isoformat(): int(tally[offset])
                for offset in np.flatnonzero(tally)
            }
        return facets

    def _clear(self) -> None:
        self._codes = {name: np.zeros(0, dtype=np.int32) for name in FACET_FIELDS}
        self._values = {name: [None] for name in FACET_FIELDS}
        self._lookup = {name: {None: 0} for name in FACET_FIELDS}
        self._published = np.zeros(0, dtype=np.float64)

    def _load_all(self, conn: sqlite3.Connection) -> None:
        """Read every row's values, a field at a time, without a Python object per row and field.

        Each field has an index on ``(field, doc)``: grouped by value, SQLite hands over one
        JSON array of ``doc`` numbers per distinct value, which numpy scatters. Only the
        publication times come row by row (a float must not round-trip through text).
        """
        self._clear()
        top = conn.execute("SELECT coalesce(max(doc), 0) FROM items").fetchone()[0]
        self._grow(int(top))
        for name in FACET_FIELDS:
            groups = conn.execute(
                f"SELECT {name}, json_group_array(doc) FROM items INDEXED BY items_{name} "  # noqa: S608 - FACET_FIELDS names
                f"WHERE {name} IS NOT NULL GROUP BY {name}"
            )
            for value, docs in groups:
                self._codes[name][np.asarray(orjson.loads(docs), dtype=np.int64)] = self._code(name, value)
        cursor = conn.execute("SELECT doc, published FROM items INDEXED BY items_facets")
        while rows := cursor.fetchmany(_FETCH):
            pairs = np.fromiter(chain.from_iterable(rows), dtype=np.float64, count=2 * len(rows)).reshape(-1, 2)
            self._published[pairs[:, 0].astype(np.int64)] = pairs[:, 1]  # ``doc`` < 2**53: exact as float64

    def _apply(self, conn: sqlite3.Connection, changed: list[int]) -> None:
        """Re-read the rows of ``changed``; a ``doc`` no longer stored gets no values."""
        if not changed:
            return
        self._grow(max(changed))
        gone = np.asarray(changed, dtype=np.int64)
        for name in FACET_FIELDS:
            self._codes[name][gone] = 0
        self._published[gone] = np.nan
        for start in range(0, len(changed), DOCS_CHUNK):
            chunk = json.dumps(changed[start : start + DOCS_CHUNK])
            rows = conn.execute(
                f"SELECT doc, {_COLUMNS}, published FROM items WHERE doc IN (SELECT value FROM json_each(?))",  # noqa: S608 - fixed names
                (chunk,),
            ).fetchall()
            self._set(rows)

    def _set(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        docs = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        self._grow(int(docs.max()))
        for column, name in enumerate(FACET_FIELDS, start=1):
            codes = np.fromiter((self._code(name, row[column]) for row in rows), dtype=np.int32, count=len(rows))
            self._codes[name][docs] = codes
        self._published[docs] = np.fromiter((row[-1] for row in rows), dtype=np.float64, count=len(rows))

    def _code(self, name: str, value: str | None) -> int:
        """The code of ``value`` in field ``name``, given the next free one if it is new."""
        lookup = self._lookup[name]
        code = lookup.get(value)
        if code is None:
            code = lookup[value] = len(self._values[name])
            self._values[name].append(value)
        return code

    def _grow(self, top: int) -> None:
        """Make every array long enough to index ``doc`` ``top``, doubling so that appends stay cheap."""
        size = len(self._published)
        if top < size:
            return
        new = max(top + 1, size * 2, 1024)
        for name in FACET_FIELDS:
            grown = np.zeros(new, dtype=np.int32)
            grown[:size] = self._codes[name]
            self._codes[name] = grown
        published = np.full(new, np.nan, dtype=np.float64)
        published[:size] = self._published
        self._published = published
