"""``ElasticsearchStore`` against a live cluster: the store contract plus monthly-index placement.

Runs only when ``PRESSDESK_ES_URL`` names a node with the analysis-icu plugin
(``docker compose up elasticsearch``). Each test gets its own index prefix, and its
indices and template are deleted afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from indexing import ElasticsearchStore
from tests.indexing.query_contract import QueryContract
from tests.indexing.store_contract import StoreContract, corpus
from tests.indexing.vector_contract import VectorContract

ES_URL = os.environ.get("PRESSDESK_ES_URL", "")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not ES_URL, reason="set PRESSDESK_ES_URL (e.g. http://localhost:9200, a node with analysis-icu) to run"
    ),
]


@pytest.fixture
def es_store() -> Iterator[ElasticsearchStore]:
    elasticsearch = pytest.importorskip("elasticsearch")
    prefix = f"pdtest-{uuid.uuid4().hex[:12]}"
    store = ElasticsearchStore(ES_URL, prefix)
    yield store
    store.close()
    client = elasticsearch.Elasticsearch(ES_URL)
    # Wildcard deletes are refused by default (action.destructive_requires_name), so name each index.
    indices = client.indices.get(index=f"{store.alias}-*", allow_no_indices=True, ignore_unavailable=True)
    for name in indices.body:
        client.indices.delete(index=name)
    if client.indices.exists_index_template(name=store.alias):  # only tests that wrote created it
        client.indices.delete_index_template(name=store.alias)
    client.close()


class TestElasticsearchStore(StoreContract, VectorContract, QueryContract):
    @pytest.fixture
    def store(self, es_store: ElasticsearchStore) -> ElasticsearchStore:
        return es_store


def test_items_go_to_the_month_they_were_published(es_store: ElasticsearchStore) -> None:
    item = corpus()["tau-bien"]
    assert es_store.index_for(item) == f"{es_store.alias}-2018.01"
    es_store.upsert([item])
    assert item.extracted is not None
    moved = replace(item, extracted=replace(item.extracted, published=datetime(2018, 3, 9, tzinfo=UTC)))
    # The corrected date belongs to another month, but the item stays where it lives.
    assert es_store.upsert([moved]).updated == 1
    assert es_store.count() == 1
    stored = es_store.get(item.id)
    assert stored is not None and stored.published == moved.published
