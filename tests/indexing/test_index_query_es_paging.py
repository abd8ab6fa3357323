"""``ElasticsearchStore.search`` past the result window, against recorded answers on 127.0.0.1.

The window is shrunk to three hits so that a walk of a few requests shows what a walk
past 10,000 results sends: sort values only while skipping, then the page with
``search_after``, the total and the facets (the day histogram included).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from typing import Any

import pytest

import indexing.elasticsearch
from core import DAY_FACET, SearchQuery
from indexing import ElasticsearchStore
from indexing.elasticsearch import to_document
from tests.indexing.store_contract import corpus
from tests.indexing.test_index_es_wire import Answer, Cluster, _handler

pytest.importorskip("elasticsearch")

SEARCH = ("POST", "/office-items/_search")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    recorded = Cluster()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(recorded))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    recorded.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield recorded
    server.shutdown()
    server.server_close()


@pytest.fixture
def store(cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> Iterator[ElasticsearchStore]:
    monkeypatch.setattr(indexing.elasticsearch, "MAX_WINDOW", 3)
    store = ElasticsearchStore(cluster.url, "office", request_timeout=5)
    yield store
    store.close()


def sorted_hits(*ids: str, total: int = 100, aggregations: dict[str, Any] | None = None) -> Answer:
    items = {item.id: item for item in corpus().values()}
    hits = [
        {"_id": i, "_score": 1.0, "sort": [1.0, i], **({"_source": to_document(items[i])} if i in items else {})}
        for i in ids
    ]
    body: dict[str, Any] = {"hits": {"total": {"value": total}, "hits": hits}}
    if aggregations is not None:
        body["aggregations"] = aggregations
    return 200, body


def bodies(cluster: Cluster) -> list[dict[str, Any]]:
    return [json.loads(body) for _, body in cluster.sent(*SEARCH)]


def test_a_page_past_the_window_skips_by_sort_values_then_reads_the_page(
    cluster: Cluster, store: ElasticsearchStore
) -> None:
    page_ids = [corpus()["tau-bien"].id, corpus()["xe-buyt"].id]
    days = {"buckets": [{"key": 1514764800000, "key_as_string": "2018-01-01", "doc_count": 2}]}
    cluster.answer(
        *SEARCH,
        sorted_hits("a", "b", "c"),
        sorted_hits("d", "e", "f"),
        sorted_hits("g"),
        sorted_hits(*page_ids, total=42, aggregations={DAY_FACET: days}),
    )
    page = store.search(SearchQuery(text="da nang", offset=7, limit=2))
    assert [hit.item.id for hit in page.hits] == page_ids
    assert page.total == 42
    assert page.facets[DAY_FACET] == {"2018-01-01": 2}
    assert page.facets["stance"] == {}
    skip1, skip2, skip3, read = bodies(cluster)
    assert (skip1["size"], skip1["_source"], "search_after" in skip1) == (3, False, False)
    assert (skip2["size"], skip2["search_after"]) == (3, [1.0, "c"])
    assert (skip3["size"], skip3["search_after"]) == (1, [1.0, "f"])
    assert "aggs" not in skip1 and skip1["track_total_hits"] is False
    assert (read["size"], read["search_after"], "from" in read) == (2, [1.0, "g"], False)
    assert set(read["aggs"]) >= {"stance", DAY_FACET} and read["track_total_hits"] is True


def test_an_offset_past_the_last_hit_gives_an_empty_page_with_the_total(
    cluster: Cluster, store: ElasticsearchStore
) -> None:
    cluster.answer(*SEARCH, sorted_hits("a", "b", "c"), sorted_hits("d"), sorted_hits(total=4))
    page = store.search(SearchQuery(text="da nang", offset=10, limit=2))
    assert page.hits == () and page.total == 4
    *_, summary = bodies(cluster)
    assert (summary["size"], summary["search_after"]) == (0, [1.0, "d"])


def test_a_page_larger_than_the_window_is_read_in_parts(cluster: Cluster, store: ElasticsearchStore) -> None:
    ids = [item.id for item in corpus().values()][:5]
    cluster.answer(*SEARCH, sorted_hits(*ids[:3], total=5), sorted_hits(*ids[3:]))
    page = store.search(SearchQuery(text="da nang", limit=5))
    assert [hit.item.id for hit in page.hits] == ids and page.total == 5
    first, second = bodies(cluster)
    assert (first["size"], "search_after" in first, "aggs" in first) == (3, False, True)
    assert (second["size"], second["search_after"], "aggs" in second) == (2, [1.0, ids[2]], False)


def test_within_the_window_one_request_pages_with_from(cluster: Cluster, store: ElasticsearchStore) -> None:
    cluster.answer(*SEARCH, sorted_hits(corpus()["tau-bien"].id, total=3))
    page = store.search(SearchQuery(text="da nang", offset=2, limit=1))
    assert page.total == 3
    ((body),) = bodies(cluster)
    assert (body["from"], body["size"], "search_after" in body) == (2, 1, False)
