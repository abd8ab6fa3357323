"""What the SQLite store's full-text table ``items_fts`` holds for an item, and how it is refilled.

The table is contentless: it keeps postings, not text, so a row is removed by replaying
the values it was indexed with, and a change to those values (this module,
``core.text.fold``) needs a schema step that refills the table (``refill``).

It holds each item's title and body once, folded ("Đà Nẵng" as "da nang"). Searches
that keep diacritics (``SearchQuery.exact``) take the folded matches as candidates and
check each one's own text (``indexing.sqlite_exact``): a second, unfolded copy of every
word made the index cost 2.8 times the CPU to build (8.2 against 2.9 CPU-s for the
full-text rows of 50,000 bench items) for one search mode.
"""

from __future__ import annotations

import logging
import sqlite3
import unicodedata

import orjson

from core.item import Item
from core.text import fold
from indexing.fields import TEXT_PATHS, index_fields, text_from_record_paths

INSERT = "INSERT INTO items_fts (rowid, title, body) VALUES (?, ?, ?)"
# The same for a JSON array of ``[rowid, title, body]`` rows: one statement step indexes
# a whole chunk without taking the GIL back (see ``indexing.sqlite._prepared_in_turn``).
INSERT_JSON = (
    "INSERT INTO items_fts (rowid, title, body) SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?)"
)
DELETE = "INSERT INTO items_fts (items_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)"

#: The columns that read an ``items.record``'s texts in SQL, in ``indexing.fields.TEXT_PATHS``
#: order (``text_from_record_paths`` makes the title and body of them): no item is decoded.
RECORD_TEXTS = ", ".join(f"json_extract(record, '{path}')" for path in TEXT_PATHS)

_REFILL_CHUNK = 2000
_log = logging.getLogger(__name__)


def fts_values(item: Item) -> tuple[str, str]:
    """The ``items_fts`` columns of ``item``: its title and body, folded."""
    fields = index_fields(item)
    return _folded(fields.title, fields.body)


def refill(conn: sqlite3.Connection) -> None:
    """Index every stored item into an empty ``items_fts``; a schema step, run inside its transaction.

    The two texts are read out of each record in SQL (``indexing.fields.TEXT_PATHS``),
    without decoding whole items. A million items still take minutes (the text is
    folded again), so the start is logged: the first open after an upgrade is slow once.
    """
    total = int(conn.execute("SELECT count(*) FROM items").fetchone()[0])
    if total:
        _log.info("rebuilding the full-text index of %s stored items (once, after an upgrade)", f"{total:,}")
    rows = conn.execute(f"SELECT doc, {RECORD_TEXTS} FROM items ORDER BY doc")  # noqa: S608 - fixed paths
    while chunk := rows.fetchmany(_REFILL_CHUNK):
        values = [(doc, *_folded(*text_from_record_paths(paths))) for doc, *paths in chunk]
        conn.execute(INSERT_JSON, (orjson.dumps(values).decode("utf-8"),))


def _folded(title: str, body: str) -> tuple[str, str]:
    return fold(unicodedata.normalize("NFC", title)), fold(unicodedata.normalize("NFC", body))
