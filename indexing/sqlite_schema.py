"""The SQLite store's schema, as numbered migration steps tracked in ``PRAGMA user_version``.

Step *n* (1-based) brings a database from version *n - 1* to *n*. Steps are only ever
appended; a released step is never edited, because databases in the field already ran it.

The full-text table is contentless (the text lives once, in the item record), so a row
is removed from it by replaying the values it was indexed with. Any change to what is
indexed (``indexing.sqlite_fts``, ``core.text.fold``) therefore needs a new step that
recreates ``items_fts`` and refills it (``indexing.sqlite_fts.refill``). A step is SQL text
or, where SQL cannot do it, a function of the connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from core.errors import StoreError
from indexing.sqlite_fts import refill

Step = str | Callable[[sqlite3.Connection], None]

MIGRATIONS: tuple[tuple[Step, ...], ...] = (
    (
        # ``doc`` is the integer key FTS rows point at: an aliased rowid survives VACUUM,
        # a bare one does not. ``id`` (the URL hash) is the item's identity.
        """
        CREATE TABLE items (
            doc INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            outlet TEXT,
            language TEXT,
            stance TEXT,
            topic TEXT,
            unit TEXT,
            about INTEGER NOT NULL DEFAULT 0,
            published REAL NOT NULL,
            record TEXT NOT NULL,
            embedding BLOB
        )
        """,
        "CREATE INDEX items_published ON items (published, id)",
        "CREATE INDEX items_stance ON items (stance)",
        "CREATE INDEX items_topic ON items (topic)",
        "CREATE INDEX items_outlet ON items (outlet)",
        "CREATE INDEX items_language ON items (language)",
        "CREATE INDEX items_unit ON items (unit)",
        # Folded columns answer ordinary searches, the ``_exact`` ones ``SearchQuery.exact``
        # (until step 6 dropped them).
        # Text is tokenised by us beforehand (folded or lower-cased), so the tokenizer
        # must leave diacritics alone.
        """
        CREATE VIRTUAL TABLE items_fts USING fts5(
            title, body, title_exact, body_exact,
            content='', tokenize='unicode61 remove_diacritics 0'
        )
        """,
    ),
    (
        # Every change to a stored embedding, in order, so each process's nearest-neighbour
        # index (``indexing.vectors``) catches up with writes made by any process.
        # AUTOINCREMENT: a sequence number is never reused.
        "CREATE TABLE vector_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, doc INTEGER NOT NULL)",
        "CREATE TRIGGER items_vector_added AFTER INSERT ON items WHEN NEW.embedding IS NOT NULL "
        "BEGIN INSERT INTO vector_log (doc) VALUES (NEW.doc); END",
        "CREATE TRIGGER items_vector_changed AFTER UPDATE OF embedding ON items "
        "WHEN NEW.embedding IS NOT OLD.embedding BEGIN INSERT INTO vector_log (doc) VALUES (NEW.doc); END",
        "CREATE TRIGGER items_vector_removed AFTER DELETE ON items WHEN OLD.embedding IS NOT NULL "
        "BEGIN INSERT INTO vector_log (doc) VALUES (OLD.doc); END",
    ),
    (
        # Counting facets and totals looks up every full-text match in ``items``, whose
        # rows are kilobytes wide (record, embedding): about one page read per match.
        # This narrow copy of the facet columns, keyed by ``doc``, answers those lookups
        # from dozens of rows per page. The planner takes it as a covering index only
        # with statistics (``PRAGMA optimize``); ``INDEXED BY items_facets`` makes it certain.
        "CREATE INDEX items_facets ON items (doc, stance, topic, outlet, language, unit, published)",
        # FTS5 merges segments once 8 of a level exist instead of 4: a bulk load rewrites
        # less of the index (about 10 % less CPU at 50,000 items), and queries, which
        # read a term's few segments, were not measurably slower.
        "INSERT INTO items_fts (items_fts, rank) VALUES ('automerge', 8)",
    ),
    (
        # Every ``doc`` whose facet values or publication time appeared, changed or went,
        # in order, so each process's in-memory facet columns (``indexing.facets``) catch
        # up with writes made by any process. An update logs the old ``doc`` as well in
        # case it was renumbered (pressdesk never does; a hand edit might).
        "CREATE TABLE facet_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, doc INTEGER NOT NULL)",
        "CREATE TRIGGER items_facets_added AFTER INSERT ON items "
        "BEGIN INSERT INTO facet_log (doc) VALUES (NEW.doc); END",
        "CREATE TRIGGER items_facets_changed AFTER UPDATE OF doc, stance, topic, outlet, language, unit, published "
        "ON items WHEN NEW.doc IS NOT OLD.doc OR NEW.stance IS NOT OLD.stance OR NEW.topic IS NOT OLD.topic "
        "OR NEW.outlet IS NOT OLD.outlet OR NEW.language IS NOT OLD.language OR NEW.unit IS NOT OLD.unit "
        "OR NEW.published IS NOT OLD.published "
        "BEGIN INSERT INTO facet_log (doc) SELECT NEW.doc UNION SELECT OLD.doc; END",
        "CREATE TRIGGER items_facets_removed AFTER DELETE ON items "
        "BEGIN INSERT INTO facet_log (doc) VALUES (OLD.doc); END",
    ),
    (
        # FTS5 gathers a transaction's new postings in memory and writes them out as a new
        # segment each time they pass ``hashsize`` bytes (1 MB by default): a batch of
        # 2,000 articles became many small segments, each merged again later. With 32 MB
        # a batch is one segment; the index took 27 % less CPU in a bulk load (11.8 instead
        # of 16.2 CPU-s for 50,000 items). The memory is only held while a batch is written.
        "INSERT INTO items_fts (items_fts, rank) VALUES ('hashsize', 33554432)",
    ),
    (
        # One folded copy of the text instead of two: exact-form searches check the
        # folded matches' own text (``indexing.sqlite_exact``). With each word indexed
        # unfolded as well, the index took 2.8 times the CPU to build and twice the
        # space (50,000 bench items: 8.2 against 2.9 CPU-s, 162 against 79 MB). The
        # table's settings go with it, so they are set again; then every stored item
        # is indexed anew (``refill``: minutes at a million items, once).
        "DROP TABLE items_fts",
        "CREATE VIRTUAL TABLE items_fts USING fts5(title, body, content='', tokenize='unicode61 remove_diacritics 0')",
        "INSERT INTO items_fts (items_fts, rank) VALUES ('automerge', 8)",
        "INSERT INTO items_fts (items_fts, rank) VALUES ('hashsize', 33554432)",
        refill,
    ),
    (
        # An item replaced with new text but the same facet values logs its ``doc`` too:
        # the phrases' document counts kept for ranking (``indexing.sqlite_rank``) learn
        # from ``facet_log`` which rows changed since they were taken, so every change to
        # the full-text rows must make an entry. The facet columns merely re-read that ``doc``.
        "CREATE TRIGGER items_text_changed AFTER UPDATE OF record ON items WHEN NEW.record IS NOT OLD.record "
        "BEGIN INSERT INTO facet_log (doc) VALUES (NEW.doc); END",
    ),
    (
        # Every two neighbouring words as one token as well (``indexing.sqlite_fts``):
        # phrases are searched as pairs, each with a short list of its own, instead of
        # walking the positions of two very common syllables. Every item is indexed anew.
        "DROP TABLE items_fts",
        "CREATE VIRTUAL TABLE items_fts USING fts5(title, body, title_pairs, body_pairs, content='', "
        "tokenize='unicode61 remove_diacritics 0')",
        "INSERT INTO items_fts (items_fts, rank) VALUES ('automerge', 8)",
        "INSERT INTO items_fts (items_fts, rank) VALUES ('hashsize', 33554432)",
        refill,
    ),
)


#: Logged changes past which re-reading every row is cheaper than applying them one by one.
RELOAD_ABOVE = 200_000
#: ``doc`` numbers per lookup when a cache applies logged changes.
DOCS_CHUNK = 20_000


def changed_since(conn: sqlite3.Connection, seen: int | None, latest: int) -> list[int] | None:
    """The ``doc``s ``facet_log`` holds past ``seen``, for a cache of the store that stood at ``seen``.

    ``None`` means read everything again: nothing was read yet (``seen`` is ``None``), the
    log stands before ``seen`` (another file, or a restored backup), or more than
    ``RELOAD_ABOVE`` changes were logged since. Call inside the caller's read transaction,
    with ``latest`` as that transaction sees the log.
    """
    if seen is None or latest < seen or latest - seen > RELOAD_ABOVE:
        return None
    return [int(doc) for (doc,) in conn.execute("SELECT DISTINCT doc FROM facet_log WHERE seq > ?", (seen,))]


def generation(conn: sqlite3.Connection) -> int:
    """The store generation ``conn``'s read transaction sees: ``facet_log``'s sequence, 0 before any write.

    Every insert, update and delete of an item advances it, in the transaction that
    writes the item's full-text rows: two reads at the same generation see the same items.
    """
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'facet_log'").fetchone()
    return 0 if row is None else int(row[0])


def schema_version(conn: sqlite3.Connection) -> int:
    """Return the schema version recorded in the database."""
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the steps ``conn``'s database has not run yet, in one transaction; return the version.

    Safe to call on every open and from several processes at once: the version is
    re-read under the write lock, so a step never runs twice.

    Raises:
        StoreError: the database was written by a newer pressdesk.
        sqlite3.Error: a step failed; nothing was changed.
    """
    if schema_version(conn) == len(MIGRATIONS):
        return len(MIGRATIONS)
    with transaction(conn, "BEGIN IMMEDIATE"):
        version = schema_version(conn)
        if version > len(MIGRATIONS):
            raise StoreError(
                f"the SQLite store has schema version {version} but this pressdesk knows only "
                f"{len(MIGRATIONS)}; upgrade pressdesk or restore a backup made by this version"
            )
        for number, steps in enumerate(MIGRATIONS[version:], start=version + 1):
            for step in steps:
                if callable(step):
                    step(conn)
                else:
                    conn.execute(step)
            conn.execute(f"PRAGMA user_version = {number}")
    return len(MIGRATIONS)


@contextmanager
def transaction(conn: sqlite3.Connection, begin: str = "BEGIN") -> Iterator[None]:
    """Run the block in one transaction on an autocommit connection: committed, or rolled back on error.

    A plain ``BEGIN`` also gives reads one consistent snapshot (WAL mode), so a page,
    its total and its facets agree even while another process writes.
    """
    conn.execute(begin)
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
