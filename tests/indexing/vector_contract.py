"""The nearest-neighbour half of the ``Store`` contract: ``nearest`` with ``within``, and vector updates.

A test class inherits ``VectorContract`` and provides a ``store`` fixture returning an
empty store of its own (as for ``StoreContract``). Items come from the store contract's
corpus, whose embeddings have known cosines with ``QUERY_VECTOR``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest

from core import Item, QueryError, SearchQuery, Stance, Store
from tests.indexing.store_contract import QUERY_VECTOR, corpus, vector_at


def _ids(pairs: list[tuple[str, float]]) -> list[str]:
    return [item_id for item_id, _ in pairs]


class VectorContract:
    """``nearest`` restricted by a query's filters and dates; vectors replaced by upserts."""

    @pytest.fixture
    def items(self, store: Store) -> dict[str, Item]:
        stored = corpus()
        store.upsert(list(stored.values()))
        return stored

    def test_within_keeps_only_items_passing_the_filters(self, store: Store, items: dict[str, Item]) -> None:
        positive = store.nearest(QUERY_VECTOR, k=10, within=SearchQuery(filters={"stance": ("positive",)}))
        # "apec-en" is positive too and has a vector, far from the query: it comes last.
        assert _ids(positive) == [items[s].id for s in ("tau-bien", "phao-hoa", "apec-en")]
        two_outlets = SearchQuery(filters={"outlet": ("Tuổi Trẻ", "VnExpress")})
        assert _ids(store.nearest(QUERY_VECTOR, k=10, within=two_outlets)) == [
            items[s].id for s in ("xe-buyt", "phao-hoa", "hoa-binh")
        ]

    def test_within_applies_the_date_range_and_combines_with_filters(
        self, store: Store, items: dict[str, Item]
    ) -> None:
        year_2018 = SearchQuery(
            since=datetime(2018, 1, 1, 8, 0, tzinfo=UTC), until=datetime(2018, 6, 15, 5, 0, tzinfo=UTC)
        )
        # since is inclusive (tau-bien at exactly 08:00), until exclusive (apec-en at exactly 05:00).
        assert _ids(store.nearest(QUERY_VECTOR, k=10, within=year_2018)) == [
            items[s].id for s in ("tau-bien", "xe-buyt", "hoa-binh")
        ]
        neutral_2018 = replace(year_2018, filters={"stance": (Stance.NEUTRAL.value,)})
        assert _ids(store.nearest(QUERY_VECTOR, k=10, within=neutral_2018)) == [
            items[s].id for s in ("xe-buyt", "hoa-binh")
        ]

    def test_within_ignores_its_text_and_keeps_k(self, store: Store, items: dict[str, Item]) -> None:
        within = SearchQuery(text="không có bài nào chứa cụm này", filters={"stance": ("positive",)})
        assert _ids(store.nearest(QUERY_VECTOR, k=1, within=within)) == [items["tau-bien"].id]

    def test_items_passing_the_filters_without_a_vector_are_never_returned(
        self, store: Store, items: dict[str, Item]
    ) -> None:
        # "bac-giang" is the only item routed to the police, and it has no embedding.
        assert store.nearest(QUERY_VECTOR, k=5, within=SearchQuery(filters={"unit": ("police",)})) == []
        assert store.nearest(QUERY_VECTOR, k=5, within=SearchQuery(filters={"stance": ("hostile",)})) == []

    def test_within_rejects_an_unknown_filter_field(self, store: Store, items: dict[str, Item]) -> None:
        with pytest.raises(QueryError, match="author"):
            store.nearest(QUERY_VECTOR, within=SearchQuery(filters={"author": ("Nguyễn Văn A",)}))

    def test_upsert_replaces_the_vector(self, store: Store, items: dict[str, Item]) -> None:
        assert _ids(store.nearest(QUERY_VECTOR, k=1)) == [items["tau-bien"].id]
        closer = replace(items["hoa-binh"], embedding=vector_at(0.99, seed=7))
        store.upsert([closer])
        (best, cosine), *_ = store.nearest(QUERY_VECTOR, k=3)
        assert best == closer.id and cosine == pytest.approx(0.99, abs=0.02)
        store.upsert([replace(items["tau-bien"], embedding=None)])
        assert items["tau-bien"].id not in _ids(store.nearest(QUERY_VECTOR, k=10))

    def test_new_items_are_found_after_earlier_searches(self, store: Store, items: dict[str, Item]) -> None:
        store.nearest(QUERY_VECTOR, k=3)
        newcomer = replace(items["bac-giang"], embedding=vector_at(0.98, seed=11))
        store.upsert([newcomer])
        assert _ids(store.nearest(QUERY_VECTOR, k=1)) == [newcomer.id]
        assert _ids(store.nearest(-QUERY_VECTOR.astype(np.float32), k=1)) == [items["apec-en"].id]
