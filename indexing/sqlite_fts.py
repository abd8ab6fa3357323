"""What the SQLite store's full-text table ``items_fts`` holds for an item, and how it is refilled.

The table is contentless: it keeps postings, not text, so a row is removed by replaying
the values it was indexed with, and a change to those values (this module,
``core.text.fold``) needs a schema step that refills the table (``refill``).

It holds each item's title and body once, folded ("Đà Nẵng" as "da nang"). Searches
that keep diacritics (``SearchQuery.exact``) take the folded matches as candidates and
check each one's own text (``indexing.sqlite_exact``): a second, unfolded copy of every
word made the index cost 2.8 times the CPU to build (8.2 against 2.9 CPU-s for the
full-text rows of 50,000 bench items) for one search mode.

Beside them, ``title_pairs`` and ``body_pairs`` hold every two neighbouring words as one
token ("da nang" as ``da\ue000nang``; U+E000 is a private-use character, a letter to
FTS5's unicode61 and never a word of the text). Vietnamese words are mostly two
syllables, and its syllables are few and frequent: a phrase such as "nước ngoài" made
FTS5 walk the positions of two of the commonest syllables in every item that has both.
As a pair it is one token with its own short list (``indexing.sqlite_query`` searches
phrases of two or more words there): a boolean query's MATCH took 10 to 25 times less
time on 200,000 bench items, for an index 2.6 times the size that took about 4 times
the CPU to build (bench/README.md). Pair *n* stands at position *n*, so a phrase of three
words is two pairs in a row, and a prefix on the last word a prefix on the last pair.
"""

from __future__ import annotations

import logging
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from itertools import pairwise

import orjson

from core.item import Item
from core.text import fold
from indexing.fields import TEXT_PATHS, index_fields, text_from_record_paths
from indexing.query_tree import split_tokens

#: What joins two neighbouring words into one token of the pair columns.
PAIR = "\ue000"

INSERT = "INSERT INTO items_fts (rowid, title, body, title_pairs, body_pairs) VALUES (?, ?, ?, ?, ?)"
# The same for a JSON array of ``[rowid, title, body, title_pairs, body_pairs]`` rows: one
# statement step indexes a whole chunk without taking the GIL back (``indexing.sqlite._prepared_in_turn``).
INSERT_JSON = (
    "INSERT INTO items_fts (rowid, title, body, title_pairs, body_pairs) "
    "SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each(?)"
)
# The same from ``[rowid, title, body]`` rows, the pairs made in SQL by ``pd_word_pairs``
# (``indexing._rank``) where it is registered: the JSON is a third of the size, and SQLite
# 3.40 parses a row again for each ``->>``. Each row is read out of the JSON once.
INSERT_JSON_PAIRED_IN_SQL = (
    "WITH r (doc, title, body) AS MATERIALIZED (SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?)) "
    "INSERT INTO items_fts (rowid, title, body, title_pairs, body_pairs) "
    "SELECT doc, title, body, pd_word_pairs(title), pd_word_pairs(body) FROM r"
)
DELETE = (
    "INSERT INTO items_fts (items_fts, rowid, title, body, title_pairs, body_pairs) VALUES ('delete', ?, ?, ?, ?, ?)"
)

#: The columns that read an ``items.record``'s texts in SQL, in ``indexing.fields.TEXT_PATHS``
#: order (``text_from_record_paths`` makes the title and body of them): no item is decoded.
RECORD_TEXTS = ", ".join(f"json_extract(record, '{path}')" for path in TEXT_PATHS)

_REFILL_CHUNK = 2000
# Schema steps 6 and 7 made the table with the folded texts alone.
_INSERT_FOLDED_JSON = (
    "INSERT INTO items_fts (rowid, title, body) SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?)"
)
_log = logging.getLogger(__name__)


def fts_values(item: Item) -> tuple[str, str, str, str]:
    """The ``items_fts`` columns of ``item``: its title and body, folded, and their word pairs."""
    return _indexed(*_texts(item))


def pairs(tokens: Sequence[str]) -> list[str]:
    """Each two neighbouring ``tokens`` as one pair-column token, in order."""
    return [f"{first}{PAIR}{second}" for first, second in pairwise(tokens)]


def word_pairs(text: str) -> str:
    """A pair column's text for ``text`` (folded): its pairs of neighbouring words, space-separated.

    ``pd_word_pairs`` in ``indexing/_rank.c`` makes the same string in SQL, character for
    character; a test holds the two to it. They must agree: the table is contentless, so
    a row is removed by replaying its values, whichever of the two wrote them.
    """
    return " ".join(pairs(split_tokens(text)))


def pairs_in_sql(conn: sqlite3.Connection) -> bool:
    """Whether ``pd_word_pairs`` is registered on ``conn`` (``indexing._rank`` was built and reaches it)."""
    try:
        conn.execute("SELECT pd_word_pairs('')").fetchone()
    except sqlite3.OperationalError:
        return False
    return True


def rows_json(numbered: Iterable[tuple[int, Item]], *, paired_in_sql: bool) -> str:
    """``items_fts`` rows of the numbered items as one JSON array.

    For ``INSERT_JSON_PAIRED_IN_SQL`` if ``paired_in_sql`` (no pairs here), else for ``INSERT_JSON``.
    """
    columns = 2 if paired_in_sql else 4
    return orjson.dumps(
        [(doc, *_indexed(*_texts(item), pair=not paired_in_sql)[:columns]) for doc, item in numbered]
    ).decode("utf-8")


def refill(conn: sqlite3.Connection) -> None:
    """Index every stored item into an empty ``items_fts``; a schema step, run inside its transaction.

    The two texts are read out of each record in SQL (``indexing.fields.TEXT_PATHS``),
    without decoding whole items. A million items still take minutes (the text is
    folded again), so the start is logged: the first open after an upgrade is slow once.
    An older step's table, without the pair columns, is filled with the folded texts
    alone: a store several versions behind is refilled by each step that recreates the table.
    """
    total = int(conn.execute("SELECT count(*) FROM items").fetchone()[0])
    if total:
        _log.info("rebuilding the full-text index of %s stored items (once, after an upgrade)", f"{total:,}")
    paired = len(conn.execute("PRAGMA table_info(items_fts)").fetchall()) == 4
    in_sql = paired and pairs_in_sql(conn)
    insert = (INSERT_JSON_PAIRED_IN_SQL if in_sql else INSERT_JSON) if paired else _INSERT_FOLDED_JSON
    columns = 4 if paired and not in_sql else 2
    rows = conn.execute(f"SELECT doc, {RECORD_TEXTS} FROM items ORDER BY doc")  # noqa: S608 - fixed paths
    while chunk := rows.fetchmany(_REFILL_CHUNK):
        values = [
            (doc, *_indexed(*text_from_record_paths(paths), pair=columns == 4)[:columns]) for doc, *paths in chunk
        ]
        conn.execute(insert, (orjson.dumps(values).decode("utf-8"),))


def _texts(item: Item) -> tuple[str, str]:
    fields = index_fields(item)
    return fields.title, fields.body


def _indexed(title: str, body: str, *, pair: bool = True) -> tuple[str, str, str, str]:
    folded_title, folded_body = fold(unicodedata.normalize("NFC", title)), fold(unicodedata.normalize("NFC", body))
    if not pair:
        return folded_title, folded_body, "", ""
    return folded_title, folded_body, word_pairs(folded_title), word_pairs(folded_body)
