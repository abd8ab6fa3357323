"""A parsed query compiled to Elasticsearch query DSL.

Every term becomes a ``multi_match`` phrase query, which runs the text through the
field's analyzer and never interprets it as query syntax (no ``query_string``).
"""

from __future__ import annotations

from typing import Any

from core.errors import QueryError
from core.search import FACET_FIELDS, SearchQuery, Sort
from indexing.fields import as_utc
from indexing.query import ParsedQuery, active_filters, effective_sort

#: Elasticsearch refuses ``from + size`` beyond ``index.max_result_window`` (10,000 by default).
MAX_WINDOW = 10_000
#: Values counted per facet: every outlet of a large deployment, bounded.
FACET_SIZE = 1_000
_SNIPPET_CHARS = 200
_SORT: dict[Sort, list[dict[str, Any]]] = {
    Sort.RELEVANCE: [{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}],
    Sort.NEWEST: [{"published": {"order": "desc"}}, {"id": {"order": "desc"}}],
    Sort.OLDEST: [{"published": {"order": "asc"}}, {"id": {"order": "asc"}}],
}


def compile_search(query: SearchQuery, parsed: ParsedQuery) -> dict[str, Any]:
    """Return the keyword arguments for ``Elasticsearch.search`` (index aside).

    Raises:
        QueryError: the page lies beyond the first ``MAX_WINDOW`` results.
    """
    if query.offset + query.limit > MAX_WINDOW:
        raise QueryError(
            f"results beyond the first {MAX_WINDOW:,} cannot be paged to; narrow the search with filters or dates"
        )
    suffix = ".exact" if query.exact else ""
    must = [
        {"multi_match": {"query": term.text, "type": "phrase", "fields": [f"title{suffix}^2", f"body{suffix}"]}}
        for term in parsed.terms
    ]
    filters: list[dict[str, Any]] = [{"terms": {name: list(values)}} for name, values in active_filters(query)]
    published: dict[str, str] = {}
    if query.since is not None:
        published["gte"] = as_utc(query.since).isoformat()
    if query.until is not None:
        published["lt"] = as_utc(query.until).isoformat()
    if published:
        filters.append({"range": {"published": published}})
    # A bool query without ``must`` matches every document, with a score of 0.
    condition: dict[str, Any] = {"filter": filters}
    if must:
        condition["must"] = must
    search: dict[str, Any] = {
        "query": {"bool": condition},
        "sort": _SORT[effective_sort(query, parsed)],
        "from_": query.offset,
        "size": query.limit,
        "track_total_hits": True,
        "track_scores": True,
    }
    if query.facets:
        search["aggs"] = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACET_FIELDS}
    if must:
        search["highlight"] = {
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "encoder": "html",
            "fields": {
                f"body{suffix}": {"fragment_size": _SNIPPET_CHARS, "number_of_fragments": 1},
                f"title{suffix}": {"number_of_fragments": 0},
            },
        }
    return search
