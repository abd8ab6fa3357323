"""One broad search over both cores: the upper half of the ``doc`` range in a helper process.

A search that scores 100,000-300,000 matches spends nearly all its time inside SQLite on
one core. Run on each half of the ``doc`` range it is two independent scans, and the
scores need nothing from the other half (``pd_rank``'s statistics and the phrase counts
are table-wide, passed in the SQL). Two threads of one process did not go faster: they
wait for each other inside SQLite (bench/README.md). A second process does: at a million
items the best 101 for "giá nhà đất" took 173 ms instead of 327, every boolean query about
half its time.

Exact-form searches split the same way the reading and checking of their candidates'
texts (``indexing.sqlite_exact``), from 4,000 candidates: 2.2 s p95 became 1.1 s.

The store runs the lower half itself while one helper process (started with ``spawn``,
never ``fork``: the server has threads) runs the upper half on its own connection. The
helper answers only if its read transaction sees the same store generation (the
``facet_log`` sequence) as the search's own; otherwise, or if the helper is not running
yet or has failed, the store scans the upper half itself. So the result is always the
one a single scan in the search's transaction gives.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import cast

from indexing.query_tree import TextLeaf
from indexing.sqlite_lengths import RowLengths
from indexing.sqlite_query import ExactMatches
from indexing.sqlite_schema import generation

_log = logging.getLogger(__name__)

#: Stores spanning fewer ``doc`` numbers are scanned in one piece (a helper saves nothing there).
SPLIT_ABOVE = 200_000


class HalfScans:
    """The helper process of one store, started on first use, and the scans it runs."""

    def __init__(self, path: Path, *, above: int | None = SPLIT_ABOVE, lengths_key: int = 0) -> None:
        self._path = path
        self._above = above
        self._lengths_key = lengths_key  # the store's ``RowLengths`` key: the helper keeps its own under it
        self._pool: ProcessPoolExecutor | None = None
        self._ready: Future[bool] | None = None
        self._lock = threading.Lock()
        self.answered = 0  # halves the helper scanned (the rest were scanned here)

    @property
    def enabled(self) -> bool:
        """Whether this store splits scans at all (``above`` is not ``None``)."""
        return self._above is not None

    def wanted(self, first_doc: int, last_doc: int) -> bool:
        """Whether a scan over ``first_doc..last_doc`` is worth splitting (and the helper is up, starting it if not)."""
        if self._above is None or last_doc - first_doc < self._above:
            return False
        with self._lock:
            if self._pool is None:
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=context, initializer=_follow_parent, initargs=(os.getpid(),)
                )
                self._ready = self._pool.submit(_warm, str(self._path), self._lengths_key)
            ready = self._ready
        return ready is not None and ready.done() and ready.exception() is None

    def submit(self, sql: str, params: tuple[object, ...], generation: int) -> Future[object | None] | None:
        """Run ``sql`` in the helper; its result, or ``None`` if the helper saw another generation."""
        return self.call(_scan, sql, params, generation, self._lengths_key)

    def exact_upper_half(
        self, generation: int
    ) -> Callable[[dict[TextLeaf, set[int]], list[int]], Callable[[], ExactMatches | None]]:
        """What ``indexing.sqlite_exact.exact_matches`` takes as ``upper_half``, for a search at ``generation``."""

        def start(candidates: dict[TextLeaf, set[int]], docs: list[int]) -> Callable[[], ExactMatches | None]:
            future = self.call(_exact, candidates, docs, generation)
            return lambda: cast("ExactMatches | None", self.join(future))

        return start

    def call(self, function: Callable[..., object], *args: object) -> Future[object | None] | None:
        """Run ``function(path, *args)`` in the helper (a module-level function, so it can be sent)."""
        with self._lock:
            pool = self._pool
        if pool is None:
            return None
        try:
            return pool.submit(function, str(self._path), *args)
        except RuntimeError as exc:  # a broken or shut-down pool: the caller works alone
            _log.warning("the search helper process is gone (%s); working in one piece", exc)
            self.close()
            return None

    def ready(self, timeout: float = 0.0) -> bool:
        """Whether the helper is up, waiting up to ``timeout`` seconds for one that is starting."""
        with self._lock:
            ready = self._ready
        if ready is None:
            return False
        try:
            return bool(ready.result(timeout=timeout))
        except Exception:  # still starting (a timeout), or it failed to start
            return False

    def join(self, future: Future[object | None] | None) -> object | None:
        """The helper's result for ``future``, or ``None`` when the caller must scan that half itself."""
        if future is None:
            return None
        try:
            result = future.result()
        except Exception as exc:  # any failure there means scanning here
            _log.warning("the search helper process failed (%s); scanning its half here", exc)
            return None
        if result is not None:
            self.answered += 1
        return result

    def close(self) -> None:
        """Stop the helper process (the next split search starts a new one)."""
        with self._lock:
            pool, self._pool, self._ready = self._pool, None, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


# In the helper process: one connection per store file, opened on first use.
_connections: dict[str, sqlite3.Connection] = {}


def _connection(path: str) -> sqlite3.Connection:
    if path not in _connections:
        from indexing.sqlite_rank import available  # noqa: PLC0415 - registers pd_rank in this process

        available()
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA query_only = 1")
        _connections[path] = conn
    return _connections[path]


def _follow_parent(parent: int) -> None:
    """End the helper when the store's process is gone, even killed with SIGKILL.

    The pool's pipes stay open in the helper itself, so it would otherwise wait on them
    forever, an orphan holding its connection. Polling the parent's pid is cruder than
    ``PR_SET_PDEATHSIG`` but safe: that fires when the parent *thread* that started the
    helper ends, and a server's request threads come and go.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="pressdesk-follow-parent", daemon=True).start()


def _warm(path: str, lengths_key: int) -> bool:
    """Open the connection and read the row lengths, so the first split search finds them."""
    conn = _connection(path)
    if lengths_key:
        conn.execute("BEGIN")
        try:
            _row_lengths(path, lengths_key, conn)
        finally:
            conn.execute("COMMIT")
    return True


# In the helper process: the row lengths ``pd_rank`` reads for a store, under the store's key.
_lengths: dict[str, RowLengths] = {}


def _row_lengths(path: str, key: int, conn: sqlite3.Connection) -> None:
    """Bring this process's row lengths of ``path`` up to ``conn``'s read transaction, under ``key``."""
    from indexing import _rank  # noqa: PLC0415 - present: the store splits only with pd_rank

    kept = _lengths.get(path)
    if kept is None or kept.key != key:
        kept = _lengths[path] = RowLengths(_rank, key=key)
    kept.refresh(conn)


def _at(path: str, expected: int, work: Callable[[sqlite3.Connection], object]) -> object | None:
    """``work`` in one read transaction at the search's generation, or ``None`` if the store has moved on."""
    conn = _connection(path)
    conn.execute("BEGIN")
    try:
        return work(conn) if generation(conn) == expected else None
    finally:
        conn.execute("COMMIT")


def _exact(path: str, candidates: dict[TextLeaf, set[int]], docs: list[int], expected: int) -> object | None:
    from indexing.sqlite_exact import checked  # noqa: PLC0415 - only the helper needs it

    return _at(path, expected, lambda conn: checked(conn, candidates, docs))


def kept_lengths(path: str) -> int:
    """How many rows' lengths this process keeps for ``path`` (run in the helper: a test's and an operator's check)."""
    kept = _lengths.get(path)
    return 0 if kept is None else kept.covered


def _scan(path: str, sql: str, params: tuple[object, ...], expected: int, lengths_key: int) -> object | None:
    def work(conn: sqlite3.Connection) -> object:
        if lengths_key:
            _row_lengths(path, lengths_key, conn)
        return conn.execute(sql, params).fetchall()

    return _at(path, expected, work)
