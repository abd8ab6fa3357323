"""Keyword, semantic and hybrid search over any ``Store``, and "more like this".

Keyword search is the store's own. Semantic search embeds the text (the e5 ``query:``
side) and ranks by cosine over the stored vectors, restricted by the query's filters
and dates. Hybrid search fuses the two rankings by reciprocal rank fusion (Cormack,
Clarke and Büttcher, SIGIR 2009): an item's score is the sum over the rankings of
``1 / (RRF_K + rank)``, rank counted from 1. RRF needs no score calibration between
BM25 and cosine, and doing it here keeps it off Elasticsearch, whose own RRF is a paid
feature.

Semantic and hybrid results are the top ``depth`` of each ranking, not every match:
``total`` counts those, facets are counted over them, and pages are cut from them.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Protocol

from core.errors import EmbeddingError, QueryError
from core.item import Item, Vector
from core.ports import Embedder, Store
from core.search import DAY_FACET, FACET_FIELDS, SearchHit, SearchMode, SearchPage, SearchQuery, Sort
from indexing.fields import index_fields
from indexing.query import check

#: The rank offset of reciprocal rank fusion; 60 is the paper's value and everyone's default.
RRF_K = 60
#: Results of each ranking that take part in semantic and hybrid search.
DEPTH = 100
_SNIPPET_WORDS = 40
_VIETNAM = timedelta(hours=7)  # the office's calendar day, for the day facet (no daylight saving)


class Searchable(Protocol):
    """Anything that answers a ``SearchQuery`` with a page: a ``Store`` or a ``Searcher``."""

    def search(self, query: SearchQuery) -> SearchPage:
        """Return one page of results for ``query``."""
        ...


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = RRF_K) -> list[tuple[str, float]]:
    """Fuse rankings of ids into one: ``(id, sum of 1 / (k + rank))``, best first, ties by id.

    An id missing from a ranking simply gets nothing from it.
    """
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item_id in enumerate(ranking, start=1):
            scores[item_id] = scores.get(item_id, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


class Searcher:
    """Runs a ``SearchQuery`` in its ``mode``, or as "more like this" when ``like`` is set.

    Args:
        store: where items are searched and fetched.
        embedder: turns query text into a vector; without one, semantic and hybrid
            search raise ``EmbeddingError`` (keyword search and "more like this" still work).
        depth: results of each ranking that semantic and hybrid search consider.
    """

    def __init__(self, store: Store, embedder: Embedder | None = None, *, depth: int = DEPTH) -> None:
        self._store = store
        self._embedder = embedder
        self._depth = depth

    @property
    def semantic(self) -> bool:
        """Whether semantic and hybrid search are available (an embedder was given)."""
        return self._embedder is not None

    def search(self, query: SearchQuery) -> SearchPage:
        """Return one page of ``query``'s results.

        Without text, semantic and hybrid search have nothing to rank by meaning and
        list the filtered items as keyword search does (newest first).

        Raises:
            QueryError: the query is invalid, or ``like`` names no stored item with an embedding.
            EmbeddingError: semantic or hybrid search without an embedder, or the model failed.
            StoreUnavailable: the store cannot be reached.
        """
        check(query)
        if query.like:
            return self._similar(query)
        if query.mode is SearchMode.KEYWORD or not query.text.strip():
            return self._store.search(query)
        vector = self._embed(query.text)
        nearest = self._store.nearest(vector, self._depth, within=query)
        if query.mode is SearchMode.SEMANTIC:
            return self._page(query, nearest, {})
        keyword = self._store.search(
            replace(query, mode=SearchMode.KEYWORD, sort=Sort.RELEVANCE, offset=0, limit=self._depth, facets=False)
        )
        known = {hit.item.id: hit for hit in keyword.hits}
        fused = reciprocal_rank_fusion([list(known), [item_id for item_id, _ in nearest]])
        return self._page(query, fused, known)

    def _similar(self, query: SearchQuery) -> SearchPage:
        item = self._store.get(query.like)
        if item is None:
            raise QueryError(f"no stored item has the id {query.like!r}, so there is nothing to compare with")
        if item.embedding is None:
            raise QueryError(f"the item {query.like!r} has no embedding (it was never classified) to compare with")
        nearest = self._store.nearest(item.embedding, self._depth + 1, within=query)
        return self._page(query, [pair for pair in nearest if pair[0] != item.id][: self._depth], {})

    def _embed(self, text: str) -> Vector:
        if self._embedder is None:
            raise EmbeddingError(
                "semantic and hybrid search need the embedding model, and this server runs without one; "
                "search by keyword, or start pressdesk with an embedder (PRESSDESK_EMBEDDER)"
            )
        vector: Vector = self._embedder.embed_queries([text])[0]
        return vector

    def _page(self, query: SearchQuery, ranking: list[tuple[str, float]], known: dict[str, SearchHit]) -> SearchPage:
        """Cut ``query``'s page from ``ranking``; every item is fetched, since facets and date order need them."""
        hits = list(self._hits(ranking, known))
        if query.sort is not Sort.RELEVANCE:
            newest = query.sort is Sort.NEWEST
            hits.sort(key=lambda hit: (index_fields(hit.item).published, hit.item.id), reverse=newest)
        return SearchPage(
            total=len(hits),
            hits=tuple(hits[query.offset : query.offset + query.limit]),
            facets=facet_counts(hit.item for hit in hits) if query.facets else {},
        )

    def _hits(self, ranking: list[tuple[str, float]], known: dict[str, SearchHit]) -> Iterator[SearchHit]:
        """Hits in ranking order, scored by it; an item deleted since it was ranked is skipped."""
        for item_id, score in ranking:
            if item_id in known:
                yield replace(known[item_id], score=score)
            elif (item := self._store.get(item_id)) is not None:
                yield _hit(item, score)


def all_hits(source: Searchable, query: SearchQuery, *, page_size: int = 500) -> Iterator[SearchHit]:
    """Every hit of ``query`` from its ``offset`` on, a page at a time (memory stays bounded)."""
    offset = query.offset
    while True:
        page = source.search(replace(query, offset=offset, limit=page_size, facets=False))
        yield from page.hits
        if len(page.hits) < page_size:
            return
        offset += page_size


def facet_counts(items: Iterable[Item]) -> dict[str, dict[str, int]]:
    """Count the ``FACET_FIELDS`` values and Vietnam calendar days (``DAY_FACET``) of ``items``."""
    facets: dict[str, dict[str, int]] = {name: {} for name in (*FACET_FIELDS, DAY_FACET)}
    for item in items:
        fields = index_fields(item)
        values = {**fields.facets, DAY_FACET: f"{fields.published + _VIETNAM:%Y-%m-%d}"}
        for name, value in values.items():
            if value is not None:
                facets[name][value] = facets[name].get(value, 0) + 1
    facets[DAY_FACET] = dict(sorted(facets[DAY_FACET].items()))
    return facets


def _hit(item: Item, score: float) -> SearchHit:
    """A hit found by meaning: no words to mark, so the snippet is the lead (else the text's start), escaped."""
    lead = item.extracted.lead if item.extracted else ""
    words = (lead or index_fields(item).body).split()
    text = " ".join(words[:_SNIPPET_WORDS]) + (" …" if len(words) > _SNIPPET_WORDS else "")
    return SearchHit(item=item, score=score, snippet=html.escape(text))
