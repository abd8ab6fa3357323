"""What can be checked of the Elasticsearch adapter without a cluster: mapping, DSL, laziness, errors."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from core import DAY_FACET, FACET_FIELDS, ConfigError, SearchQuery, Sort, StoreUnavailable, fold
from indexing import ElasticsearchStore
from indexing.elasticsearch import load_template, to_document
from indexing.elasticsearch_query import compile_search
from indexing.query import parse
from tests.indexing.store_contract import DIM, corpus, full_item


def _compiled(query: SearchQuery) -> dict[str, Any]:
    return compile_search(query, parse(query.text))


def test_mapping_folds_vietnamese_and_indexes_vectors() -> None:
    template = load_template()
    analysis = template["settings"]["analysis"]
    assert analysis["analyzer"]["folded"]["tokenizer"] == "icu_tokenizer"
    assert "icu_folding" in analysis["analyzer"]["folded"]["filter"]
    assert "đ => d" in analysis["char_filter"]["fold_extra"]["mappings"]
    properties = template["mappings"]["properties"]
    assert properties["embedding"] == {
        "type": "dense_vector",
        "dims": DIM,
        "index": True,
        "similarity": "cosine",
        "index_options": {"type": "int8_hnsw"},
    }
    assert all(properties[name]["type"] == "keyword" for name in (*FACET_FIELDS, "id"))
    assert properties["title"]["fields"]["exact"]["analyzer"] == "exact"


def test_every_document_field_is_mapped() -> None:
    # The mapping is strict: an unmapped field would make every write fail.
    properties = load_template()["mappings"]["properties"]
    for item in (full_item(), *corpus().values()):
        assert set(to_document(item)) <= set(properties)


def test_document_keeps_the_record_and_the_vector() -> None:
    item = full_item()
    document = to_document(item)
    json.dumps(document)  # what the bulk helper will send
    assert document["record"]["id"] == item.id
    assert len(document["embedding"]) == DIM
    assert document["published"] == "2025-07-02T00:45:00+00:00"
    assert "embedding" not in to_document(corpus()["bac-giang"])


def test_monthly_index_by_publication_else_fetch_date() -> None:
    store = ElasticsearchStore("http://localhost:9200", "office")
    items = corpus()
    assert store.alias == "office-items"
    assert store.index_for(items["phao-hoa"]) == "office-items-2017.03"
    assert store.index_for(items["mua-lon"]) == "office-items-2018.07"  # feed-only: fetched in July
    late = replace(full_item(), extracted=None)
    late = replace(
        late, fetched=replace(late.fetched, feed_published=datetime(2025, 7, 1, 3, tzinfo=timezone(timedelta(hours=7))))
    )
    assert store.index_for(late) == "office-items-2025.06"  # 30 June in UTC


def test_init_is_lazy_and_unreachable_cluster_is_unavailable() -> None:
    pytest.importorskip("elasticsearch")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = ElasticsearchStore(f"http://127.0.0.1:{port}", request_timeout=2)
    with pytest.raises(StoreUnavailable, match="PRESSDESK_ES_URL"):
        store.count()
    with pytest.raises(StoreUnavailable):
        store.upsert([corpus()["tau-bien"]])
    store.close()


@pytest.mark.parametrize("prefix", ["", "Pressdesk", "-items", "a b", "x/y"])
def test_invalid_index_prefix_is_a_config_error(prefix: str) -> None:
    with pytest.raises(ConfigError, match="index prefix"):
        ElasticsearchStore("http://localhost:9200", prefix)


def test_importing_indexing_does_not_import_the_client() -> None:
    code = "import sys, indexing; assert 'elasticsearch' not in sys.modules, 'imported eagerly'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_words_compile_to_phrase_queries_never_query_string() -> None:
    compiled = _compiled(SearchQuery(text='đà nẵng "tàu biển" AND (x y)'))
    must = compiled["query"]["bool"]["must"]
    assert [clause["multi_match"]["query"] for clause in must] == ["đà", "nẵng", "tàu biển", "x", "y"]
    assert all(clause["multi_match"]["type"] == "phrase" for clause in must)
    assert must[0]["multi_match"]["fields"] == ["title^2", "body"]
    assert "query_string" not in json.dumps(compiled)
    assert compiled["sort"][0] == {"_score": {"order": "desc"}}


def test_exact_searches_the_unfolded_subfields() -> None:
    compiled = _compiled(SearchQuery(text="Bắc", exact=True))
    assert compiled["query"]["bool"]["must"][0]["multi_match"]["fields"] == ["title.exact^2", "body.exact"]
    assert set(compiled["highlight"]["fields"]) == {"title.exact", "body.exact"}


def test_filters_dates_facets_and_paging() -> None:
    query = SearchQuery(
        filters={"stance": ("negative", "neutral"), "unit": ()},
        since=datetime(2025, 7, 1, tzinfo=timezone(timedelta(hours=7))),
        until=datetime(2025, 8, 1),
        sort=Sort.OLDEST,
        limit=30,
        offset=60,
    )
    compiled = _compiled(query)
    assert compiled["query"]["bool"] == {
        "filter": [
            {"terms": {"stance": ["negative", "neutral"]}},
            {"range": {"published": {"gte": "2025-06-30T17:00:00+00:00", "lt": "2025-08-01T00:00:00+00:00"}}},
        ]
    }
    assert compiled["sort"] == [{"published": {"order": "asc"}}, {"id": {"order": "asc"}}]
    assert (compiled["from_"], compiled["size"]) == (60, 30)
    assert set(compiled["aggs"]) == {*FACET_FIELDS, DAY_FACET}
    assert "highlight" not in compiled
    assert "aggs" not in _compiled(SearchQuery(facets=False))


def test_empty_text_is_newest_first() -> None:
    assert _compiled(SearchQuery())["sort"][0] == {"published": {"order": "desc"}}


def test_naive_dates_are_utc() -> None:
    compiled = _compiled(SearchQuery(since=datetime(2025, 1, 1)))
    assert compiled["query"]["bool"]["filter"] == [{"range": {"published": {"gte": "2025-01-01T00:00:00+00:00"}}}]


def test_missing_client_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "elasticsearch", None)  # as if the extra were not installed
    store = ElasticsearchStore("http://localhost:9200")
    with pytest.raises(ConfigError, match=r"pip install 'pressdesk\[elasticsearch\]'"):
        store.count()


def test_mapping_folds_the_letters_core_folds() -> None:
    # Unicode decomposition leaves đ, ø, æ... alone; the char filter must agree with core.text.fold.
    mappings = load_template()["settings"]["analysis"]["char_filter"]["fold_extra"]["mappings"]
    for rule in mappings:
        letter, folded = (part.strip() for part in rule.split("=>"))
        assert fold(letter) == folded, rule
