"""A query tree compiled to SQL over ``items`` and its FTS5 table ``items_fts``.

Text leaves become FTS5 MATCH expressions in which every token is double-quoted (only
letters and digits ever reach FTS5); field and date leaves become SQL conditions on
``items``. The common query, words and phrases ANDed with fields, compiles to one
MATCH that drives a join to ``items`` and ranks it. Anything else (OR or NOT across
text and fields, a group that only excludes words) compiles to a SQL boolean over
``doc IN (… MATCH ?)`` subqueries, ranked by a second MATCH over the positive text.

An exact-form query (``SearchQuery.exact``) arrives with each text leaf's matching
``doc`` set already checked (``indexing.sqlite_exact``): the index holds folded words
only. Its leaves become ``doc IN (…)`` conditions; the folded MATCH of the words every
match needs drives the join and ranks, as in the common query.

``SqlSearch.collect`` selects each match's ``doc`` and score once, ``SqlSearch.docs``
the ``doc`` alone (date order scores only the page); the store cuts the page, the
total and the facets from those in memory (``indexing.sqlite``, ``indexing.facets``),
so a search runs its MATCH once instead of up to three times.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from core.search import SearchQuery, Sort
from indexing.fields import as_utc
from indexing.query import active_filters, effective_sort
from indexing.query_tree import (
    And,
    FieldIs,
    Near,
    Node,
    Not,
    Or,
    PublishedIn,
    Term,
    TextLeaf,
    has_text,
    is_text_only,
    positive_text,
)
from indexing.sqlite_fts import pairs

# Column weights for bm25, in table order (title, body, then their word pairs): a word in
# the title says more about the item than one in the body. ``indexing.sqlite_rank`` swaps
# ``BM25`` for its cached-count twin with the same weights.
WEIGHTS = (2.0, 1.0, 2.0, 1.0)
BM25 = f"-bm25(items_fts, {', '.join(map(str, WEIGHTS))})"
COLUMNS = "{title body}"
#: Where a phrase of two or more words is searched, as pairs (``indexing.sqlite_fts``).
PAIR_COLUMNS = "{title_pairs body_pairs}"
_IN_MATCH = "i.doc IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)"
_IN_SET = "i.doc IN (SELECT value FROM json_each(?))"

#: Each text leaf's matching ``doc``s in an exact-form query, checked against the items' own text.
ExactMatches = Mapping[TextLeaf, Sequence[int]]
_ORDER = {
    Sort.RELEVANCE: "score DESC, i.id",
    Sort.NEWEST: "i.published DESC, i.id DESC",  # both keys reversed: the index serves either order
    Sort.OLDEST: "i.published ASC, i.id",
}


@dataclass(frozen=True, slots=True)
class SqlSearch:
    """The pieces of the search statements.

    Attributes:
        matches: ``FROM … WHERE …`` selecting the matching items as ``i``, for counts and facets.
        params: the values bound to ``matches``, in order.
        ranked: the same rows with ``score`` computable, for the page itself.
        ranked_params: the values bound to ``ranked``, in order.
        score: the relevance expression (higher is better) over ``ranked``.
        order: the ``ORDER BY`` terms; ``score`` names the selected relevance.
        collect: ``SELECT doc, score …``: every match once, with its relevance.
        collect_params: the values bound to ``collect``, in order. When ``window`` is
            set, two more follow: the lowest and highest ``doc`` published in it.
        window: ``(start, end)`` timestamps every match is published in (``None`` for
            an open end), or ``None`` when ``collect`` takes no ``doc`` range. Items
            arrive roughly in publication order, so the range of ``doc`` published in
            a window is narrow, and FTS5 skips the rest of each term's list.
        sort: the effective order of the page.
        docs: ``SELECT doc …``: every match once, without a score; in date order the
            score is needed for the page alone (bm25 over every match was most of the cost).
        docs_params: the values bound to ``docs``, in order (then the window's two, as ``collect``).
        rank_match: the FTS5 expression whose ``bm25`` is the score, or ``None`` when every score is 0.
        bm25: the relevance expression over ``items_fts`` alone, for ``rank_match``.
    """

    matches: str
    params: tuple[object, ...]
    ranked: str
    ranked_params: tuple[object, ...]
    score: str
    order: str
    collect: str = ""
    collect_params: tuple[object, ...] = ()
    window: tuple[float | None, float | None] | None = None
    sort: Sort = Sort.RELEVANCE
    docs: str = ""
    docs_params: tuple[object, ...] = ()
    rank_match: str | None = None
    bm25: str = ""


@dataclass(frozen=True, slots=True)
class _Sql:
    """A condition on ``items AS i`` and the values its ``?`` bind, in order."""

    sql: str
    params: tuple[object, ...] = ()


def compile_search(query: SearchQuery, tree: Node | None, exact: ExactMatches | None = None) -> SqlSearch:
    """Compile ``query`` (already checked by ``indexing.query.check``) with its parsed text.

    ``exact`` gives every text leaf of ``tree`` its checked matches when ``query.exact``
    (``indexing.sqlite_exact.exact_matches``); without it the words match folded.

    Raises:
        ValueError: ``query.exact`` with text but no ``exact`` matches, or a leaf missing from them.
    """
    if query.exact and tree is not None and has_text(tree) and exact is None:
        raise ValueError("an exact-form query needs its leaves' checked matches (indexing.sqlite_exact)")
    exact = exact if query.exact else None
    conjuncts: list[Node] = [] if tree is None else list(tree.children) if isinstance(tree, And) else [tree]
    text = [node for node in conjuncts if is_text_only(node)]
    rest = [node for node in conjuncts if not is_text_only(node)]
    if exact is None:
        # The fast plan: all the words in one MATCH, which drives the join and ranks.
        match = None if any(has_text(node) for node in rest) else _fts_and(text)
        checked = rest if match is not None else conjuncts
    else:
        # Exact form: the folded MATCH of the words every match needs drives and ranks
        # (an exact match holds them folded), and each conjunct is checked against its
        # leaves' sets. The MATCH keeps the date window's ``doc`` range and bm25 to the
        # matches; without one, the boolean plan below scores every folded match.
        match = _fts_and([node for node in text if not isinstance(node, Not)])
        checked = conjuncts
    conditions = [_condition(node, exact=exact) for node in checked]
    conditions += _request_filters(query)
    where = _join(conditions, " AND ")
    sort = effective_sort(query, tree)
    order = _ORDER[sort]
    if match is not None:
        # CROSS JOIN keeps FTS5 the outer loop: driven from a facet index instead, SQLite
        # would re-run the MATCH for every row of the facet value (seconds instead of ms).
        also = "" if not conditions else f" AND {where.sql}"
        matches = f"FROM items_fts CROSS JOIN items AS i ON i.doc = items_fts.rowid WHERE items_fts MATCH ?{also}"
        params = (match, *where.params)
        score = BM25
        window = _window(query, rest)
        # Every condition is on a column of the narrow ``items_facets`` index: the wide
        # rows (record, embedding) are never read while matching.
        joined = "" if not conditions else " CROSS JOIN items AS i INDEXED BY items_facets ON i.doc = items_fts.rowid"
        within = "" if window is None else " AND items_fts.rowid BETWEEN ? AND ?"
        source = f"FROM items_fts{joined} WHERE items_fts MATCH ?{also}{within}"
        collect = f"SELECT items_fts.rowid, {score} {source}"
        docs = f"SELECT items_fts.rowid AS doc {source}"
        return SqlSearch(
            matches, params, matches, params, score, order, collect, params, window, sort, docs, params, match, score
        )
    matches = f"FROM items AS i WHERE {where.sql}"
    positive = positive_text(tree)
    docs = f"SELECT i.doc AS doc {matches}"
    if not positive:
        collect = f"SELECT i.doc, 0.0 {matches}"
        return SqlSearch(
            matches, where.params, matches, where.params, "0.0", order, collect, where.params, None, sort, docs,
            where.params,
        )  # fmt: skip
    ranked = (
        f"FROM items AS i LEFT JOIN (SELECT rowid AS doc, {BM25} AS relevance "  # noqa: S608 - every value is bound
        f"FROM items_fts WHERE items_fts MATCH ?) AS r ON r.doc = i.doc WHERE {where.sql}"
    )
    rank = " OR ".join(_leaf(leaf) for leaf in positive)
    score = "coalesce(r.relevance, 0.0)"
    ranked_params = (rank, *where.params)
    collect = f"SELECT i.doc, {score} {ranked}"
    return SqlSearch(
        matches, where.params, ranked, ranked_params, score, order, collect, ranked_params, None, sort, docs,
        where.params, rank, BM25,
    )  # fmt: skip


def date_window(query: SearchQuery, tree: Node | None) -> tuple[float | None, float | None] | None:
    """The publication window every match of ``query`` lies in (see ``SqlSearch.window``), or ``None``."""
    return _window(query, [] if tree is None else list(tree.children) if isinstance(tree, And) else [tree])


def _window(query: SearchQuery, conjuncts: list[Node]) -> tuple[float | None, float | None] | None:
    """The publication window every match lies in: the request's dates and each ``published:`` conjunct, intersected."""
    starts: list[float] = []
    ends: list[float] = []
    bounds = [node.bounds() for node in conjuncts if isinstance(node, PublishedIn)]
    bounds.append((query.since and as_utc(query.since), query.until and as_utc(query.until)))
    for start, end in bounds:
        starts += [] if start is None else [start.timestamp()]
        ends += [] if end is None else [end.timestamp()]
    if not starts and not ends:
        return None
    return (max(starts) if starts else None, min(ends) if ends else None)


def fts5_match(node: Node) -> str | None:
    """Return the FTS5 MATCH expression (folded words) for a text-only ``node``; ``None`` when FTS5 cannot say it alone.

    FTS5's NOT is binary (``a NOT b``), so a group that only excludes words has no
    MATCH form; it becomes ``NOT (doc IN (… MATCH ?))`` instead.
    """
    match node:
        case Term() | Near():
            return _leaf(node)
        case And(children):
            return _fts_and(list(children))
        case Or(children):
            parts = [fts5_match(child) for child in children]
            return None if None in parts else _group(parts, "OR")
        case _:
            return None


def _fts_and(nodes: list[Node]) -> str | None:
    wanted = [fts5_match(node) for node in nodes if not isinstance(node, Not)]
    unwanted = [fts5_match(node.child) for node in nodes if isinstance(node, Not)]
    if not wanted or None in wanted or None in unwanted:
        return None
    expression = _group(wanted, "AND")
    return f"({expression} NOT {_group(unwanted, 'OR')})" if unwanted else expression


def _group(parts: list[str | None], operator: str) -> str:
    """Join ``parts`` with ``operator``, in parentheses unless there is one part: precedence never matters."""
    joined = f" {operator} ".join(part for part in parts if part)
    return joined if len(parts) == 1 else f"({joined})"


def _leaf(leaf: TextLeaf) -> str:
    if isinstance(leaf, Near):
        # Words apart are counted in words: NEAR stays on the word columns.
        left = _phrase(leaf.left.tokens(exact=False), leaf.left.prefix)
        right = _phrase(leaf.right.tokens(exact=False), leaf.right.prefix)
        return f"{COLUMNS} : NEAR({left} {right}, {leaf.distance})"
    tokens = leaf.tokens(exact=False)
    if len(tokens) > 1:
        # "a b c" is the pairs "a·b b·c" in a row; "a b*" the pair prefix "a·b*".
        return f"{PAIR_COLUMNS} : {_phrase(pairs(tokens), leaf.prefix)}"
    return f"{COLUMNS} : {_phrase(tokens, leaf.prefix)}"


def _phrase(tokens: Sequence[str], prefix: bool) -> str:
    # Tokens are runs of letters and digits (a pair joins two with U+E000): nothing in them needs escaping.
    quoted = '"' + " ".join(tokens) + '"'
    return f"{quoted} *" if prefix else quoted


def _condition(node: Node, *, exact: ExactMatches | None) -> _Sql:  # noqa: PLR0911 - one return per kind of node
    if exact is not None and isinstance(node, Term | Near):
        return _checked(node, exact)
    if exact is None and is_text_only(node) and (match := fts5_match(node)) is not None:
        return _Sql(_IN_MATCH, (match,))
    match node:
        case FieldIs(field, value):
            # ``field`` was checked by the parser: one of FACET_FIELDS, each a column. IS, not =,
            # so that a NOT around it keeps the items whose value is unknown (NULL).
            return _Sql(f"i.{field} IS ?", (value,))
        case PublishedIn():
            return _join(_range(*node.bounds()), " AND ")
        case Not(child):
            inner = _condition(child, exact=exact)
            return _Sql(f"NOT ({inner.sql})", inner.params)
        case And(children):
            return _junction(list(children), exact=exact, conjunction=True)
        case Or(children):
            return _junction(list(children), exact=exact, conjunction=False)
    raise AssertionError(f"no SQL form for {node!r}")  # unreachable: text leaves always have a MATCH form


def _checked(leaf: TextLeaf, exact: ExactMatches) -> _Sql:
    if leaf not in exact:
        raise ValueError(f"no checked exact-form matches for {leaf!r}")
    return _Sql(_IN_SET, (json.dumps(list(exact[leaf])),))


def _junction(children: list[Node], *, exact: ExactMatches | None, conjunction: bool) -> _Sql:
    # Text children share one MATCH subquery where FTS5 can express them together.
    # (In an exact-form query each leaf is its own checked set instead.)
    text = [child for child in children if exact is None and is_text_only(child)]
    others = [child for child in children if exact is not None or not is_text_only(child)]
    if not text:
        merged = None
    elif conjunction:
        merged = _fts_and(text)
    else:
        merged = fts5_match(Or(tuple(text)))
    parts = [_Sql(_IN_MATCH, (merged,))] if merged is not None else []
    parts += [_condition(child, exact=exact) for child in (others if merged is not None else children)]
    return _join(parts, " AND " if conjunction else " OR ")


def _request_filters(query: SearchQuery) -> list[_Sql]:
    # ``name`` is one of FACET_FIELDS (checked by ``indexing.query.check``), each a column.
    filters = [_Sql(f"i.{name} IN ({', '.join('?' * len(values))})", values) for name, values in active_filters(query)]
    since = None if query.since is None else as_utc(query.since)
    until = None if query.until is None else as_utc(query.until)
    return filters + _range(since, until)


def _range(start: datetime | None, end: datetime | None) -> list[_Sql]:
    bounds = [] if start is None else [_Sql("i.published >= ?", (start.timestamp(),))]
    return bounds + ([] if end is None else [_Sql("i.published < ?", (end.timestamp(),))])


def _join(parts: list[_Sql], joiner: str) -> _Sql:
    if not parts:
        return _Sql("1")
    sql = parts[0].sql if len(parts) == 1 else f"({joiner.join(part.sql for part in parts)})"
    return _Sql(sql, tuple(p for part in parts for p in part.params))
