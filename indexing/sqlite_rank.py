"""Relevance in the SQLite store: FTS5's bm25, with each phrase's document count kept between searches.

FTS5's ``bm25()`` needs, for every phrase of the query, how many rows hold it, and finds
out by running the phrase over the whole table on every query. At 1,000,000 items that
is about a third of a boolean search and half of a phrase search (bench/README.md). A
``PhraseCounts`` keeps those counts and hands them to ``pd_rank`` (``indexing/_rank.c``),
which is ``bm25()`` given the counts: the same scores, the same order.

Each count remembers where the store's ``facet_log`` stood when it was taken (every
insert, update and delete of an item appends to it, in the transaction that changes its
full-text rows) and the largest ``doc`` then. Collection only adds items, numbered past
the largest, so after its writes a count is brought up to date by counting the new rows
alone; an item replaced since means counting the phrase again. A phrase never seen is
counted in the query's read transaction, at the cost ``bm25()`` pays every time; the next
page, a facet clicked or another analyst's search with the same words finds it kept.

It also keeps every row's length for ``pd_rank`` (``indexing.sqlite_lengths``): FTS5 reads
a row's length with one SQL lookup per match, most of the ranking's own time.

Where the extension was not built (no C compiler or SQLite headers at install) or cannot
reach the connection (a Python with its own copy of SQLite), relevance stays ``bm25()``.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from dataclasses import dataclass, replace
from functools import cache

from indexing.sqlite_fts import PAIR
from indexing.sqlite_lengths import RowLengths
from indexing.sqlite_query import BM25, COLUMNS, PAIR_COLUMNS, WEIGHTS, SqlSearch
from indexing.sqlite_schema import generation

_log = logging.getLogger(__name__)

# Each phrase of a compiled MATCH expression, in order: ``"tokens"`` or ``"tokens" *``.
# Tokens are runs of letters and digits (``indexing.sqlite_query._phrase``): no quote
# ever appears inside one. FTS5 numbers the phrases in this same order.
_PHRASE = re.compile(r'"[^"]*"(?: \*)?')
_COUNT = "SELECT count(*) FROM items_fts WHERE items_fts MATCH ?"
#: Phrases kept per generation; past this the cache starts again (a bound, not a tuning knob).
MAX_PHRASES = 20_000


@dataclass(frozen=True)
class RankingStatus:
    """How the SQLite store ranks by relevance in this process, and why (``pressdesk config check`` prints it)."""

    kept_counts: bool
    reason: str


@cache
def status() -> RankingStatus:
    """Whether ``pd_rank`` is registered on the connections this process opens (checked once, for real)."""
    try:
        from indexing import _rank  # noqa: PLC0415 - optional compiled module
    except ImportError:
        reason = "indexing._rank was not built: install gcc and libsqlite3-dev, then reinstall pressdesk"
        _log.info("relevance uses FTS5's bm25(): %s", reason)
        return RankingStatus(kept_counts=False, reason=reason)
    _rank.register()
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE t USING fts5(a)")
        probe.execute("INSERT INTO t (a) VALUES ('x')")
        probe.execute("SELECT pd_rank(t, 0, 1.0, 1) FROM t WHERE t MATCH 'x'").fetchall()
    except sqlite3.OperationalError as exc:
        reason = (
            f"pd_rank, built for SQLite {_rank.library_version()}, is not on this Python's SQLite "
            f"{sqlite3.sqlite_version} ({exc}): this Python links its own copy of SQLite"
        )
        _log.warning("relevance uses FTS5's bm25(): %s", reason)
        return RankingStatus(kept_counts=False, reason=reason)
    finally:
        probe.close()
    return RankingStatus(kept_counts=True, reason=f"indexing._rank on SQLite {sqlite3.sqlite_version}")


def available() -> bool:
    """Whether ``pd_rank`` with kept counts can rank here (``status`` says why not)."""
    return status().kept_counts


def _row_lengths() -> RowLengths:
    from indexing import _rank  # noqa: PLC0415 - optional compiled module, present when available()

    return RowLengths(_rank)


def phrases(match: str) -> list[str]:
    """The phrases of a compiled MATCH expression, in FTS5's order, each as a MATCH of its own.

    A phrase of word pairs is on the pair columns (``indexing.sqlite_query``), any other on the words'.
    """
    return [f"{PAIR_COLUMNS if PAIR in phrase else COLUMNS} : {phrase}" for phrase in _PHRASE.findall(match)]


@dataclass(frozen=True)
class _Count:
    """How many rows held a phrase when ``facet_log`` stood at ``seq`` and the largest ``doc`` was ``last_doc``."""

    rows: int
    seq: int
    last_doc: int


class PhraseCounts:
    """How many rows hold each phrase, kept across writes that only add items, and the ranking that uses them."""

    def __init__(self, *, enabled: bool | None = None, keep_lengths: bool = True) -> None:
        self._enabled = available() if enabled is None else enabled
        self._counts: dict[str, _Count] = {}
        self._lock = threading.Lock()
        self._lengths = _row_lengths() if self._enabled and keep_lengths else None

    @property
    def lengths_key(self) -> int:
        """The key ``pd_rank`` finds this store's row lengths under (0: none kept, looked up per row)."""
        return 0 if self._lengths is None else self._lengths.key

    def forget_lengths(self) -> None:
        """Drop the kept row lengths (the store is closing; the next search reads them again)."""
        if self._lengths is not None:
            self._lengths.forget()

    @property
    def enabled(self) -> bool:
        """Whether searches rank with ``pd_rank`` (and may use the module's other functions, ``pd_pairs``)."""
        return self._enabled

    @property
    def kept(self) -> int:
        """How many phrases' counts are kept now (0 when ranking with ``bm25()``)."""
        with self._lock:
            return len(self._counts)

    def ranked(self, conn: sqlite3.Connection, sql: SqlSearch) -> SqlSearch:
        """``sql`` with ``bm25()`` replaced by ``pd_rank`` and the counts; call inside the search's read transaction."""
        if not self._enabled or sql.rank_match is None:
            return sql
        counts = self.counts(conn, phrases(sql.rank_match))
        if self._lengths is not None:
            self._lengths.refresh(conn)
        arguments = ", ".join([str(self.lengths_key), *map(str, WEIGHTS), *map(str, counts)])
        expression = f"-pd_rank(items_fts, {arguments})"
        return replace(
            sql,
            ranked=sql.ranked.replace(BM25, expression),
            score=sql.score.replace(BM25, expression),
            collect=sql.collect.replace(BM25, expression),
            bm25=sql.bm25.replace(BM25, expression),
        )

    def counts(self, conn: sqlite3.Connection, wanted: list[str]) -> list[int]:
        """The number of rows matching each of ``wanted`` (MATCH expressions), as ``conn`` sees the table now.

        A count kept from before writes that only added items (every ``doc`` they logged
        is past the largest one at counting time: new items are numbered on) is brought up
        to date by counting the new rows alone, a seek to the end of the phrase's postings
        (under a millisecond at a million items, against 20-120 ms for the whole count).
        Any other write since (an item replaced or removed) means counting again.
        """
        seq = generation(conn)
        with self._lock:
            if len(self._counts) > MAX_PHRASES:
                self._counts = {}
            known = {phrase: self._counts.get(phrase) for phrase in dict.fromkeys(wanted)}
        current = {phrase: kept for phrase, kept in known.items() if kept is not None and kept.seq == seq}
        stale = [phrase for phrase in known if phrase not in current]
        if not stale:
            return [current[phrase].rows for phrase in wanted]
        last_doc = int(conn.execute("SELECT coalesce(max(doc), 0) FROM items").fetchone()[0])
        first_changed: dict[int, int | None] = {}  # per kept ``seq``: the smallest ``doc`` logged since
        fresh: dict[str, _Count] = {}
        for phrase in stale:
            kept = known[phrase]
            if kept is not None and kept.seq not in first_changed:
                since = conn.execute("SELECT min(doc) FROM facet_log WHERE seq > ?", (kept.seq,)).fetchone()[0]
                first_changed[kept.seq] = None if since is None else int(since)
            changed = None if kept is None else first_changed[kept.seq]
            if kept is not None and changed is not None and changed > kept.last_doc:
                added = conn.execute(_COUNT + " AND rowid > ?", (phrase, kept.last_doc)).fetchone()[0]
                fresh[phrase] = _Count(kept.rows + int(added), seq, last_doc)
            else:
                fresh[phrase] = _Count(int(conn.execute(_COUNT, (phrase,)).fetchone()[0]), seq, last_doc)
        with self._lock:
            for phrase, count in fresh.items():
                held = self._counts.get(phrase)
                if held is None or held.seq <= seq:
                    self._counts[phrase] = count
        now = current | fresh
        return [now[phrase].rows for phrase in wanted]
