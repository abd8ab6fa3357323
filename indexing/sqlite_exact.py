"""Exact-form matching (``SearchQuery.exact``) for the SQLite store, over its folded index.

The full-text index holds each word once, folded (``indexing.sqlite_fts``). Every
exact-form match of a word or phrase is also a folded match ("Bắc" and "Bạc" both fold
to "bac"), so the folded index gives each text leaf of the query its candidates, and
each candidate's own title and body decide: lower-cased, diacritics kept, split into
runs of letters and digits as the index splits them. Like FTS5, a phrase or a NEAR
must lie within one field.

Each leaf's checked ``doc`` set then stands for the leaf in the compiled SQL
(``indexing.sqlite_query``), so NOT, OR, fields and dates combine with it as with
any other condition. The cost grows with a leaf's folded matches, 40-120 µs each: a
name or a month is cheap, a common word across a million items costs seconds
(measured in ``bench/README.md``).
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Iterator

from indexing.fields import text_from_record_paths
from indexing.query_tree import Near, Term, TextLeaf, split_tokens
from indexing.snippet import near, occurrences
from indexing.sqlite_fts import RECORD_TEXTS
from indexing.sqlite_query import ExactMatches, fts5_match

_CHUNK = 2000  # candidates whose texts are read (and held) at a time


#: Candidates below which the check is never split with a helper process (``upper_half``).
SPLIT_FROM = 4000


def exact_matches(
    conn: sqlite3.Connection,
    leaves: Iterable[TextLeaf],
    within: tuple[int, int] | None = None,
    *,
    upper_half: Callable[[dict[TextLeaf, set[int]], list[int]], Callable[[], ExactMatches | None]] | None = None,
) -> ExactMatches:
    """Return each of ``leaves`` with the ``doc``s whose text holds it in the exact form.

    ``within`` limits the candidates to a ``doc`` range (the query's date window): the
    sets are then only good for a query that keeps to it. Call inside the search's read
    transaction, so the sets agree with the rest of it.

    ``upper_half``, given the candidates and the upper half of the ``doc``s to read, starts
    checking them elsewhere (the SQLite store's helper process, ``indexing.sqlite_split``)
    and returns how to wait for the result, while this process checks the lower half; a
    result of ``None`` means it could not, and the upper half is checked here too. Only
    worth it from ``SPLIT_FROM`` candidates.
    """
    sql = "SELECT rowid FROM items_fts WHERE items_fts MATCH ?"
    # The range goes to FTS5 itself, which skips the rest of each term's list.
    sql, bounds = (sql, ()) if within is None else (f"{sql} AND rowid BETWEEN ? AND ?", within)
    candidates: dict[TextLeaf, set[int]] = {}
    for leaf in dict.fromkeys(leaves):
        candidates[leaf] = {int(doc) for (doc,) in conn.execute(sql, (fts5_match(leaf), *bounds))}
    everything = sorted(set().union(*candidates.values()))
    if upper_half is None or len(everything) < SPLIT_FROM:
        return checked(conn, candidates, everything)
    middle = len(everything) // 2
    upper = everything[middle:]
    join = upper_half({leaf: docs.intersection(upper) for leaf, docs in candidates.items()}, upper)
    found = checked(conn, candidates, everything[:middle])
    theirs = join()
    rest = theirs if theirs is not None else checked(conn, candidates, upper)
    return {leaf: [*found[leaf], *rest[leaf]] for leaf in candidates}


def checked(
    conn: sqlite3.Connection, candidates: dict[TextLeaf, set[int]], everything: list[int]
) -> dict[TextLeaf, list[int]]:
    """Of ``everything`` (ascending ``doc``s), those holding each leaf in its exact form, in ``doc`` order."""
    checks = [(leaf, docs, _checker(leaf)) for leaf, docs in candidates.items()]
    found: dict[TextLeaf, list[int]] = {leaf: [] for leaf in candidates}
    # Each candidate's text is read once for all the leaves, a chunk at a time: a common
    # word has tens of thousands of candidates, too many texts to hold at once.
    for start in range(0, len(everything), _CHUNK):
        for doc, title, body in _texts(conn, everything[start : start + _CHUNK]):
            for leaf, docs, holds in checks:
                if doc in docs and (holds(title) or holds(body)):
                    found[leaf].append(doc)
    return found


def _texts(conn: sqlite3.Connection, docs: list[int]) -> Iterator[tuple[int, str, str]]:
    """The indexed title and body of ``docs``, in the form exact matching reads (NFC, lower-cased).

    SQLite picks the four texts out of each record, one ``json_extract`` each: 23 µs a
    candidate at 100,000 items, against 41-52 µs when they came back as one JSON array
    decoded in Python.
    """
    rows = conn.execute(
        f"SELECT doc, {RECORD_TEXTS} FROM items WHERE doc IN (SELECT value FROM json_each(?))",  # noqa: S608 - fixed paths
        (json.dumps(docs),),
    )
    for doc, *texts in rows:
        title, body = text_from_record_paths(texts)
        yield int(doc), _lowered(title), _lowered(body)


def _lowered(text: str) -> str:
    return (text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)).lower()


def _checker(leaf: TextLeaf) -> Callable[[str], bool]:
    """A test of one lower-cased field for ``leaf`` in its exact form."""
    if isinstance(leaf, Near):

        def near_enough(text: str) -> bool:
            words = split_tokens(text)
            return bool(near(occurrences(words, leaf.left, True), occurrences(words, leaf.right, True), leaf.distance))

        return near_enough
    return _phrase_pattern(leaf)


def _phrase_pattern(term: Term) -> Callable[[str], bool]:
    """A regular expression for the phrase: its words in order, only non-word characters between them.

    The same as splitting the text into words and comparing, at a fraction of the cost:
    the words must be whole (no letter or digit touches either end) unless the last is
    a prefix. The expression starts with the first word itself, which ``re`` finds by
    a fast scan; the letter before it is checked apart (a leading look-behind, tried at
    every position of the text, took three times as long).
    """
    between = r"[\W_]+"
    words = between.join(re.escape(token) for token in term.tokens(exact=True))
    pattern = re.compile(words if term.prefix else rf"{words}(?![^\W_])")

    def holds(text: str) -> bool:
        return any(found.start() == 0 or not text[found.start() - 1].isalnum() for found in pattern.finditer(text))

    return holds
