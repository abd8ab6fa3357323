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
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import replace
from datetime import timedelta
from typing import Protocol, runtime_checkable

from core.errors import EmbeddingError, QueryError
from core.item import Item, Vector
from core.ports import Embedder, Store
from core.search import DAY_FACET, FACET_FIELDS, SearchHit, SearchMode, SearchPage, SearchQuery, Sort
from indexing.fields import index_fields
from indexing.query import check, parse
from indexing.snippet import snippet

#: The rank offset of reciprocal rank fusion; 60 is the paper's value and everyone's default.
RRF_K = 60
#: Results of each ranking that take part in semantic and hybrid search.
DEPTH = 100
_SNIPPET_WORDS = 40
_CACHED_QUERIES = 256  # query vectors kept per Searcher: 384 floats each, some 400 KB in all
_VIETNAM = timedelta(hours=7)  # the office's calendar day, for the day facet (no daylight saving)


class Searchable(Protocol):
    """Anything that answers a ``SearchQuery`` with a page: a ``Store`` or a ``Searcher``."""

    def search(self, query: SearchQuery) -> SearchPage:
        """Return one page of results for ``query``."""
        ...


@runtime_checkable
class RanksIds(Protocol):
    """A store that can rank a keyword query's ids alone (``SqliteStore``): hybrid search needs no more."""

    def ranked_ids(self, query: SearchQuery) -> list[str]:
        """Return the ids of ``query``'s page in order, as ``search`` would list them."""
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
        # Query text → vector: the next page, a changed filter or another analyst's same
        # search embeds nothing again (about 17 ms a query on two cores). Bounded, oldest out.
        self._vectors: OrderedDict[str, Vector] = OrderedDict()
        self._vectors_lock = threading.Lock()
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
        keyword_query = replace(
            query, mode=SearchMode.KEYWORD, sort=Sort.RELEVANCE, offset=0, limit=self._depth, facets=False
        )
        if isinstance(self._store, RanksIds):
            # Only the ranking: records and highlighted snippets are made for the page alone (``_page``).
            words = self._store.ranked_ids(keyword_query)
            fused = reciprocal_rank_fusion([words, [item_id for item_id, _ in nearest]])
            return self._page(query, fused, {}, set(words))
        keyword = self._store.search(keyword_query)
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
        with self._vectors_lock:
            cached = self._vectors.get(text)
            if cached is not None:
                self._vectors.move_to_end(text)
                return cached
        vector: Vector = self._embedder.embed_queries([text])[0]
        with self._vectors_lock:
            self._vectors[text] = vector
            if len(self._vectors) > _CACHED_QUERIES:
                self._vectors.popitem(last=False)
        return vector

    def _page(
        self,
        query: SearchQuery,
        ranking: list[tuple[str, float]],
        known: dict[str, SearchHit],
        words: AbstractSet[str] = frozenset(),
    ) -> SearchPage:
        """Cut ``query``'s page from ``ranking``.

        Facets and date order need every ranked item, so then all are fetched. In
        relevance order without facets only the page's items are: the rest are merely
        checked to still exist, so ``total`` counts exactly what the full path would.
        Items in ``words`` were found by keyword and get a highlighted snippet.
        """
        if query.sort is Sort.RELEVANCE and not query.facets:
            present = self._store.existing(item_id for item_id, _ in ranking if item_id not in known) | known.keys()
            kept = [pair for pair in ranking if pair[0] in present]
            page = kept[query.offset : query.offset + query.limit]
            return SearchPage(total=len(kept), hits=tuple(self._hits(page, known, words, query)))
        hits = list(self._hits(ranking, known, words, query))
        if query.sort is not Sort.RELEVANCE:
            newest = query.sort is Sort.NEWEST
            hits.sort(key=lambda hit: (index_fields(hit.item).published, hit.item.id), reverse=newest)
        return SearchPage(
            total=len(hits),
            hits=tuple(hits[query.offset : query.offset + query.limit]),
            facets=facet_counts(hit.item for hit in hits) if query.facets else {},
        )

    def _hits(
        self, ranking: list[tuple[str, float]], known: dict[str, SearchHit], words: AbstractSet[str], query: SearchQuery
    ) -> Iterator[SearchHit]:
        """Hits in ranking order, scored by it; an item deleted since it was ranked is skipped."""
        tree = parse(query.text) if words else None
        for item_id, score in ranking:
            if item_id in known:
                yield replace(known[item_id], score=score)
            elif (item := self._store.get(item_id)) is None:
                continue
            elif item_id in words:
                # The snippet the store's own search gives: the query's words marked.
                fields = index_fields(item)
                text = snippet(fields.title, fields.body, tree, exact=query.exact)
                yield SearchHit(item=item, score=score, snippet=text)
            else:
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
