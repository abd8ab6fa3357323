"""A query tree compiled to Elasticsearch query DSL objects; never ``query_string``.

Words and phrases become ``multi_match`` phrase queries (the field's analyzer folds
them as it folded the documents), prefixes ``prefix`` queries on the folded token,
NEAR an ``intervals`` query, fields ``term`` and dates ``range`` filters; AND, OR and
NOT become ``bool`` ``must``/``filter``, ``should`` and ``must_not``. Field and date
leaves never add to the score, so relevance comes from the positive text alone.

Beyond the first ``MAX_WINDOW`` results the store walks with ``search_after`` (see
``continued`` and ``seek``); every sort ends on ``id`` so that the walk is stable.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from core.search import DAY_FACET, FACET_FIELDS, SearchQuery, Sort
from indexing.fields import as_utc
from indexing.query import active_filters, effective_sort
from indexing.query_tree import And, FieldIs, Near, Node, Not, Or, PublishedIn, Term, positive_text

#: Elasticsearch refuses ``from + size`` beyond ``index.max_result_window`` (10,000 by default).
MAX_WINDOW = 10_000
#: Values counted per facet: every outlet of a large deployment, bounded.
FACET_SIZE = 1_000
#: Words the last word of a prefixed phrase (``covid-19*``) may stand for.
PHRASE_EXPANSIONS = 200
_SNIPPET_CHARS = 200
_SORT: dict[Sort, list[dict[str, Any]]] = {
    Sort.RELEVANCE: [{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}],
    Sort.NEWEST: [{"published": {"order": "desc"}}, {"id": {"order": "desc"}}],
    Sort.OLDEST: [{"published": {"order": "asc"}}, {"id": {"order": "asc"}}],
}
_DAYS = {
    "date_histogram": {
        "field": "published",
        "calendar_interval": "day",
        "time_zone": "+07:00",  # the office's calendar days, as the SQLite store counts them
        "format": "yyyy-MM-dd",
        "min_doc_count": 1,
    }
}


def compile_search(query: SearchQuery, tree: Node | None) -> dict[str, Any]:
    """Return the keyword arguments for ``Elasticsearch.search`` (index aside) for ``query``'s page.

    The page is asked for with ``from_``/``size``, which Elasticsearch serves only within
    the first ``MAX_WINDOW`` results; past that, resume it with ``continued``.
    """
    exact = query.exact
    conjuncts: list[Node] = [] if tree is None else list(tree.children) if isinstance(tree, And) else [tree]
    clauses = _clauses(conjuncts, exact=exact)
    filters = clauses.setdefault("filter", [])
    filters += [{"terms": {name: list(values)}} for name, values in active_filters(query)]
    since = None if query.since is None else as_utc(query.since)
    until = None if query.until is None else as_utc(query.until)
    filters += _range(since, until)
    search: dict[str, Any] = {
        "query": {"bool": clauses},
        "sort": _SORT[effective_sort(query, tree)],
        "from_": query.offset,
        "size": query.limit,
        "track_total_hits": True,
        "track_scores": query.scored,  # relevance order scores regardless
    }
    if query.facets:
        search["aggs"] = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACET_FIELDS}
        search["aggs"][DAY_FACET] = _DAYS
    positive = positive_text(tree)
    if positive:
        suffix = ".exact" if exact else ""
        search["highlight"] = {
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "encoder": "html",
            # Only what the analyst looks for: excluded words are never marked.
            "highlight_query": {"bool": {"should": [_dsl(leaf, exact=exact) for leaf in positive]}},
            "fields": {
                f"body{suffix}": {"fragment_size": _SNIPPET_CHARS, "number_of_fragments": 1},
                f"title{suffix}": {"number_of_fragments": 0},
            },
        }
    return search


def continued(search: dict[str, Any], after: list[Any] | None, size: int, *, first: bool) -> dict[str, Any]:
    """Return ``search`` resumed after the hit whose sort values are ``after`` (from the start if ``None``).

    Only the ``first`` request of a page counts facets and the total; the rest only read hits.
    """
    request = {key: value for key, value in search.items() if key != "from_"}
    request["size"] = size
    if after is not None:
        request["search_after"] = after
    if not first:
        request.pop("aggs", None)
        request["track_total_hits"] = False
    return request


def seek(search: dict[str, Any], after: list[Any] | None, size: int) -> dict[str, Any]:
    """Return a request for just the sort values of the ``size`` hits after ``after``, to skip them."""
    request = {key: search[key] for key in ("query", "sort", "track_scores")}
    request.update(size=size, source=False, track_total_hits=False)
    if after is not None:
        request["search_after"] = after
    return request


def _clauses(nodes: list[Node], *, exact: bool) -> dict[str, list[dict[str, Any]]]:
    """The ``bool`` clauses requiring every node: text scores, fields filter, NOT excludes."""
    clauses: dict[str, list[dict[str, Any]]] = {}
    for node in nodes:
        if isinstance(node, Not):
            clauses.setdefault("must_not", []).append(_dsl(node.child, exact=exact))
        elif isinstance(node, FieldIs | PublishedIn):
            clauses.setdefault("filter", []).extend(_filter(node))
        else:
            clauses.setdefault("must", []).append(_dsl(node, exact=exact))
    return clauses


def _dsl(node: Node, *, exact: bool) -> dict[str, Any]:
    match node:
        case Term():
            return _term(node, exact=exact)
        case Near(left, right, distance):
            rules = [_interval(left, exact=exact), _interval(right, exact=exact)]
            near = {"all_of": {"ordered": False, "max_gaps": distance, "intervals": rules}}
            return _either({"intervals": {field: {**near, "boost": boost}}} for field, boost in _fields(exact=exact))
        case FieldIs() | PublishedIn():
            return {"bool": {"filter": _filter(node)}}  # in a filter: matches without scoring
        case And(children):
            return {"bool": _clauses(list(children), exact=exact)}
        case Or(children):
            return _either(_dsl(child, exact=exact) for child in children)
        case Not(child):
            return {"bool": {"must_not": [_dsl(child, exact=exact)]}}
    raise AssertionError(f"no DSL for {node!r}")  # unreachable: the cases cover ``Node``


def _term(term: Term, *, exact: bool) -> dict[str, Any]:
    fields = [f"{field}^{boost:g}" if boost != 1 else field for field, boost in _fields(exact=exact)]
    if not term.prefix:
        return {"multi_match": {"query": term.text, "type": "phrase", "fields": fields}}
    if len(term.words) > 1:
        return {
            "multi_match": {
                "query": term.text,
                "type": "phrase_prefix",
                "fields": fields,
                "max_expansions": PHRASE_EXPANSIONS,
            }
        }
    # A prefix query is not analysed: give it the token as the index holds it.
    (token,) = term.tokens(exact=exact)
    return _either({"prefix": {field: {"value": token, "boost": boost}}} for field, boost in _fields(exact=exact))


def _interval(term: Term, *, exact: bool) -> dict[str, Any]:
    if not term.prefix:
        return {"match": {"query": term.text, "max_gaps": 0, "ordered": True}}
    prefix = {"prefix": {"prefix": term.tokens(exact=exact)[-1]}}
    if len(term.words) == 1:
        return prefix
    head = {"match": {"query": " ".join(term.words[:-1]), "max_gaps": 0, "ordered": True}}
    return {"all_of": {"ordered": True, "max_gaps": 0, "intervals": [head, prefix]}}


def _filter(leaf: FieldIs | PublishedIn) -> list[dict[str, Any]]:
    if isinstance(leaf, FieldIs):
        return [{"term": {leaf.field: leaf.value}}]
    return _range(*leaf.bounds())


def _range(start: datetime | None, end: datetime | None) -> list[dict[str, Any]]:
    published = {} if start is None else {"gte": start.isoformat()}
    if end is not None:
        published["lt"] = end.isoformat()
    return [{"range": {"published": published}}] if published else []


def _either(queries: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {"bool": {"should": list(queries), "minimum_should_match": 1}}


def _fields(*, exact: bool) -> list[tuple[str, float]]:
    """The searched fields and their weights: a word in the title says more than one in the body."""
    suffix = ".exact" if exact else ""
    return [(f"title{suffix}", 2.0), (f"body{suffix}", 1.0)]
