"""``ElasticsearchStore`` on the wire, against recorded cluster answers served on 127.0.0.1.

No Elasticsearch runs on the build machines, so these tests check what the adapter
sends (template, bulk lines, parameters) and how it reads answers (hits, highlights,
aggregations, errors). The live behaviour is covered by ``test_store_elasticsearch``.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from core import QueryError, SearchQuery, StoreError, StoreUnavailable, UpsertResult
from indexing import ElasticsearchStore
from indexing.elasticsearch import to_document
from tests.indexing.store_contract import QUERY_VECTOR, corpus

pytest.importorskip("elasticsearch")

Answer = tuple[int, dict[str, Any]]


@dataclass
class Cluster:
    """Recorded answers per ``(method, path)``, given out in order, and the requests received."""

    url: str = ""
    answers: dict[tuple[str, str], deque[Answer]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, list[str]], bytes]] = field(default_factory=list)

    def answer(self, method: str, path: str, *answers: Answer) -> None:
        self.answers.setdefault((method, path), deque()).extend(answers)

    def sent(self, method: str, path: str) -> list[tuple[dict[str, list[str]], bytes]]:
        return [(params, body) for m, p, params, body in self.requests if (m, p) == (method, path)]


def _handler(cluster: Cluster) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            url = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            cluster.requests.append((self.command, url.path, parse_qs(url.query), body))
            queue = cluster.answers.get((self.command, url.path))
            status, payload = queue.popleft() if queue else (404, {"error": {"type": "no_answer_recorded"}})
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _serve  # noqa: N815 - names http.server dispatches to

        def log_message(self, format: str, *args: object) -> None:
            """Keep test output quiet."""

    return Handler


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
def store(cluster: Cluster) -> Iterator[ElasticsearchStore]:
    store = ElasticsearchStore(cluster.url, "office", request_timeout=5)
    yield store
    store.close()


def _hits(*hits: dict[str, Any], total: int | None = None, aggregations: dict[str, Any] | None = None) -> Answer:
    body: dict[str, Any] = {"hits": {"total": {"value": len(hits) if total is None else total}, "hits": list(hits)}}
    if aggregations is not None:
        body["aggregations"] = aggregations
    return 200, body


def _error(status: int, kind: str, reason: str) -> Answer:
    return status, {"error": {"type": kind, "reason": reason, "root_cause": []}, "status": status}


def test_upsert_writes_where_the_item_already_lives(cluster: Cluster, store: ElasticsearchStore) -> None:
    items = corpus()
    known, new = items["tau-bien"], items["xe-buyt"]
    assert known.extracted is not None
    moved = replace(known, extracted=replace(known.extracted, published=datetime(2018, 5, 5, tzinfo=UTC)))
    cluster.answer("PUT", "/_index_template/office-items", (200, {"acknowledged": True}))
    cluster.answer("POST", "/office-items/_search", _hits({"_id": known.id, "_index": "office-items-2018.01"}))
    bulk_items = [
        {"index": {"_index": "office-items-2018.01", "_id": known.id, "status": 200, "result": "updated"}},
        {"index": {"_index": "office-items-2018.02", "_id": new.id, "status": 201, "result": "created"}},
    ]
    cluster.answer("PUT", "/_bulk", (200, {"took": 3, "errors": False, "items": bulk_items}))

    assert store.upsert([moved, new]) == UpsertResult(added=1, updated=1)

    ((_, template),) = cluster.sent("PUT", "/_index_template/office-items")
    sent_template = json.loads(template)
    assert sent_template["index_patterns"] == ["office-items-*"]
    assert sent_template["template"]["aliases"] == {"office-items": {}}
    assert sent_template["template"]["mappings"]["properties"]["embedding"]["dims"] == 384
    ((_, lookup),) = cluster.sent("POST", "/office-items/_search")
    assert json.loads(lookup)["query"] == {"ids": {"values": [known.id, new.id]}}
    ((params, bulk),) = cluster.sent("PUT", "/_bulk")
    assert params["refresh"] == ["wait_for"]
    lines = [json.loads(line) for line in bulk.decode().splitlines()]
    assert lines[0] == {"index": {"_index": "office-items-2018.01", "_id": known.id}}  # not 2018.05
    assert lines[1] == json.loads(json.dumps(to_document(moved)))
    assert lines[2] == {"index": {"_index": "office-items-2018.02", "_id": new.id}}


def test_refused_items_are_a_store_error(cluster: Cluster, store: ElasticsearchStore) -> None:
    item = corpus()["tau-bien"]
    cluster.answer("PUT", "/_index_template/office-items", (200, {"acknowledged": True}))
    cluster.answer("POST", "/office-items/_search", _hits())
    refused = {"_index": "office-items-2018.01", "_id": item.id, "status": 400, "error": {"type": "mapper_exception"}}
    cluster.answer("PUT", "/_bulk", (200, {"took": 1, "errors": True, "items": [{"index": refused}]}))
    with pytest.raises(StoreError, match=r"1 of 1 items were not written.*mapper_exception"):
        store.upsert([item])


def test_missing_icu_plugin_says_how_to_install_it(cluster: Cluster, store: ElasticsearchStore) -> None:
    reason = "Custom Analyzer [folded] failed to find tokenizer under name [icu_tokenizer]"
    cluster.answer("PUT", "/_index_template/office-items", _error(400, "illegal_argument_exception", reason))
    with pytest.raises(StoreError, match="elasticsearch-plugin install analysis-icu"):
        store.upsert([corpus()["tau-bien"]])


def test_search_reads_hits_highlights_and_facets(cluster: Cluster, store: ElasticsearchStore) -> None:
    items = corpus()
    first, second = items["apec-en"], items["mua-lon"]
    buckets: dict[str, Any] = {name: {"buckets": []} for name in ("topic", "outlet", "language", "unit")}
    buckets["stance"] = {"buckets": [{"key": "positive", "doc_count": 3}, {"key": "neutral", "doc_count": 1}]}
    cluster.answer(
        "POST",
        "/office-items/_search",
        _hits(
            {"_id": first.id, "_score": 2.5, "_source": to_document(first), "highlight": {"body": ["<mark>Da</mark>"]}},
            {"_id": second.id, "_score": 1.0, "_source": to_document(second)},
            total=5,
            aggregations=buckets,
        ),
    )
    page = store.search(SearchQuery(text="da nang", limit=2))
    assert page.total == 5
    assert [hit.item for hit in page.hits] == [first, second]
    assert page.hits[0].score == 2.5
    assert page.hits[0].snippet == "<mark>Da</mark>"
    assert "<mark>Đà</mark>" in page.hits[1].snippet  # no highlight came back: computed locally
    assert page.facets["stance"] == {"positive": 3, "neutral": 1}
    assert page.facets["unit"] == {}
    ((params, body),) = cluster.sent("POST", "/office-items/_search")
    assert params["ignore_unavailable"] == ["true"]
    assert json.loads(body)["query"]["bool"]["must"][0]["multi_match"]["query"] == "da"


def test_search_without_an_index_is_empty(cluster: Cluster, store: ElasticsearchStore) -> None:
    cluster.answer("POST", "/office-items/_search", _error(404, "index_not_found_exception", "no such index"))
    page = store.search(SearchQuery(text="da nang"))
    assert page.total == 0 and page.hits == ()


def test_rejected_search_is_a_query_error(cluster: Cluster, store: ElasticsearchStore) -> None:
    cluster.answer("POST", "/office-items/_search", _error(400, "search_phase_execution_exception", "bad"))
    with pytest.raises(QueryError, match="rejected"):
        store.search(SearchQuery(text="da nang"))


def test_busy_cluster_is_unavailable(cluster: Cluster, store: ElasticsearchStore) -> None:
    # The client retries 503 answers itself before giving up.
    answers = [_error(503, "unavailable_shards_exception", "starting")] * 4
    cluster.answer("POST", "/office-items/_count", *answers)
    with pytest.raises(StoreUnavailable, match="busy"):
        store.count()


def test_refused_credentials_are_a_store_error(cluster: Cluster, store: ElasticsearchStore) -> None:
    cluster.answer("POST", "/office-items/_count", _error(401, "security_exception", "missing authentication"))
    with pytest.raises(StoreError, match="credentials") as raised:
        store.count()
    assert not isinstance(raised.value, StoreUnavailable)


def test_nearest_turns_scores_back_into_cosines(cluster: Cluster, store: ElasticsearchStore) -> None:
    cluster.answer("POST", "/office-items/_search", _hits({"_id": "b", "_score": 0.85}, {"_id": "a", "_score": 0.975}))
    (first, first_cosine), (second, second_cosine) = store.nearest(QUERY_VECTOR, k=2)
    assert (first, second) == ("a", "b")
    assert (first_cosine, second_cosine) == pytest.approx((0.95, 0.7))
    ((_, body),) = cluster.sent("POST", "/office-items/_search")
    knn = json.loads(body)["knn"]
    assert (knn["field"], knn["k"], len(knn["query_vector"])) == ("embedding", 2, 384)


def test_nearest_within_filters_the_knn_search(cluster: Cluster, store: ElasticsearchStore) -> None:
    cluster.answer("POST", "/office-items/_search", _hits({"_id": "a", "_score": 0.975}))
    within = SearchQuery(
        text="ignored", filters={"stance": ("negative", "neutral")}, since=datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert [item_id for item_id, _ in store.nearest(QUERY_VECTOR, k=3, within=within)] == ["a"]
    ((_, body),) = cluster.sent("POST", "/office-items/_search")
    assert json.loads(body)["knn"]["filter"] == {
        "bool": {
            "filter": [
                {"terms": {"stance": ["negative", "neutral"]}},
                {"range": {"published": {"gte": "2026-01-01T00:00:00+00:00"}}},
            ]
        }
    }
    with pytest.raises(QueryError, match="author"):
        store.nearest(QUERY_VECTOR, within=SearchQuery(filters={"author": ("x",)}))


def test_existing_and_get_look_up_ids_through_the_alias(cluster: Cluster, store: ElasticsearchStore) -> None:
    item = corpus()["tau-bien"]
    cluster.answer(
        "POST",
        "/office-items/_search",
        _hits({"_id": item.id, "_index": "office-items-2018.01"}),
        _hits({"_id": item.id, "_source": to_document(item)}),
        _hits(),
    )
    assert store.existing([item.id, "x" * 20]) == {item.id}
    stored = store.get(item.id)
    assert stored == item and stored is not None and stored.embedding is not None
    assert store.get("x" * 20) is None
