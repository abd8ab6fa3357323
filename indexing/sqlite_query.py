"""A parsed query compiled to SQL over ``items`` and its FTS5 table ``items_fts``.

User text reaches FTS5 only as double-quoted strings of letters and digits, so FTS5
syntax (``AND``, ``*``, ``NEAR``, ``col:``) typed by an analyst is just words.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.search import SearchQuery, Sort
from indexing.fields import as_utc
from indexing.query import ParsedQuery, active_filters, effective_sort

# Column weights for bm25, in table order (title, body, title_exact, body_exact):
# a word in the title says more about the item than one in the body.
_WEIGHTS = {False: "2.0, 1.0, 0.0, 0.0", True: "0.0, 0.0, 2.0, 1.0"}
_COLUMNS = {False: "{title body}", True: "{title_exact body_exact}"}
_ORDER = {
    Sort.RELEVANCE: "score DESC, i.id",
    Sort.NEWEST: "i.published DESC, i.id DESC",  # both keys reversed: the index serves either order
    Sort.OLDEST: "i.published ASC, i.id",
}


@dataclass(frozen=True, slots=True)
class SqlSearch:
    """The pieces of the search statements; ``params`` bind the ``?`` in ``where``, in order."""

    source: str
    where: str
    params: tuple[object, ...]
    score: str
    order: str


def fts5_match(parsed: ParsedQuery, *, exact: bool) -> str:
    """Return the FTS5 MATCH expression for ``parsed`` (every term, each as a phrase)."""
    columns = _COLUMNS[exact]
    phrases = [f'{columns} : "{" ".join(term.tokens(exact=exact))}"' for term in parsed.terms]
    return " AND ".join(phrases)


def compile_search(query: SearchQuery, parsed: ParsedQuery) -> SqlSearch:
    """Compile ``query`` (already checked by ``indexing.query.check``) with its parsed text."""
    clauses: list[str] = []
    params: list[object] = []
    if parsed.terms:
        source = "items_fts JOIN items AS i ON i.doc = items_fts.rowid"
        clauses.append("items_fts MATCH ?")
        params.append(fts5_match(parsed, exact=query.exact))
        score = f"-bm25(items_fts, {_WEIGHTS[query.exact]})"
    else:
        source = "items AS i"
        score = "0.0"
    for name, values in active_filters(query):
        # ``name`` is one of FACET_FIELDS (checked), each a column of ``items``.
        clauses.append(f"i.{name} IN ({', '.join('?' * len(values))})")
        params.extend(values)
    if query.since is not None:
        clauses.append("i.published >= ?")
        params.append(as_utc(query.since).timestamp())
    if query.until is not None:
        clauses.append("i.published < ?")
        params.append(as_utc(query.until).timestamp())
    return SqlSearch(
        source=source,
        where=" AND ".join(clauses) or "1",
        params=tuple(params),
        score=score,
        order=_ORDER[effective_sort(query, parsed)],
    )
