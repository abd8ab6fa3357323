"""The query tree compiled to Elasticsearch DSL: structure per leaf and operator, facets, highlight, paging."""

from __future__ import annotations

import json
from typing import Any

from core import DAY_FACET, FACET_FIELDS, SearchQuery, Sort
from indexing.elasticsearch_query import MAX_WINDOW, compile_search, continued, seek
from indexing.query import parse

FIELDS = ["title^2", "body"]


def compiled(text: str, **options: object) -> dict[str, Any]:
    query = SearchQuery(text=text, **options)  # type: ignore[arg-type]
    return compile_search(query, parse(text))


def query_of(text: str, **options: object) -> dict[str, Any]:
    bool_query: dict[str, Any] = compiled(text, **options)["query"]["bool"]
    return bool_query


def phrase(text: str, fields: list[str] = FIELDS) -> dict[str, Any]:
    return {"multi_match": {"query": text, "type": "phrase", "fields": fields}}


def either(*queries: dict[str, Any]) -> dict[str, Any]:
    return {"bool": {"should": list(queries), "minimum_should_match": 1}}


def test_words_and_phrases_are_phrase_queries_analysed_by_the_field() -> None:
    assert query_of('Đà Nẵng "tàu biển"') == {"must": [phrase("Đà"), phrase("Nẵng"), phrase("tàu biển")], "filter": []}
    assert query_of("Bắc", exact=True)["must"] == [phrase("Bắc", ["title.exact^2", "body.exact"])]


def test_a_prefix_is_a_prefix_query_on_the_folded_token() -> None:
    assert query_of("Quảng*")["must"] == [
        either(
            {"prefix": {"title": {"value": "quang", "boost": 2.0}}},
            {"prefix": {"body": {"value": "quang", "boost": 1.0}}},
        )
    ]
    exact = query_of("Quảng*", exact=True)["must"][0]
    assert exact["bool"]["should"][0] == {"prefix": {"title.exact": {"value": "quảng", "boost": 2.0}}}


def test_a_prefixed_phrase_expands_its_last_word() -> None:
    (prefixed,) = query_of("covid-19x*")["must"]
    assert prefixed == {
        "multi_match": {"query": "covid 19x", "type": "phrase_prefix", "fields": FIELDS, "max_expansions": 200}
    }


def test_near_is_an_unordered_intervals_query_per_field() -> None:
    (near,) = query_of('lũ NEAR/5 "Quảng Nam"')["must"]
    rules = [
        {"match": {"query": "lũ", "max_gaps": 0, "ordered": True}},
        {"match": {"query": "Quảng Nam", "max_gaps": 0, "ordered": True}},
    ]
    within = {"all_of": {"ordered": False, "max_gaps": 5, "intervals": rules}}
    assert near == either(
        {"intervals": {"title": {**within, "boost": 2.0}}}, {"intervals": {"body": {**within, "boost": 1.0}}}
    )


def test_near_takes_prefixes() -> None:
    (near,) = query_of("thiên* NEAR/2 covid-19x*")["must"]
    left, right = near["bool"]["should"][0]["intervals"]["title"]["all_of"]["intervals"]
    assert left == {"prefix": {"prefix": "thien"}}
    assert right == {
        "all_of": {
            "ordered": True,
            "max_gaps": 0,
            "intervals": [{"match": {"query": "covid", "max_gaps": 0, "ordered": True}}, {"prefix": {"prefix": "19x"}}],
        }
    }


def test_and_requires_text_filters_fields_and_excludes_not() -> None:
    assert query_of('lũ stance:negative outlet:"Tuổi Trẻ" -bão published:[2026-11-01 TO *]') == {
        "must": [phrase("lũ")],
        "filter": [
            {"term": {"stance": "negative"}},
            {"term": {"outlet": "Tuổi Trẻ"}},
            {"range": {"published": {"gte": "2026-10-31T17:00:00+00:00"}}},
        ],
        "must_not": [phrase("bão")],
    }


def test_or_is_should_and_fields_inside_it_do_not_score() -> None:
    assert query_of("lũ OR stance:negative")["must"] == [
        either(phrase("lũ"), {"bool": {"filter": [{"term": {"stance": "negative"}}]}})
    ]


def test_nested_groups_and_not_inside_or() -> None:
    assert query_of("(lũ OR bão) AND NOT (mưa AND topic:health)") == {
        "must": [either(phrase("lũ"), phrase("bão"))],
        "must_not": [{"bool": {"must": [phrase("mưa")], "filter": [{"term": {"topic": "health"}}]}}],
        "filter": [],
    }
    assert query_of("lũ OR NOT bão")["must"] == [either(phrase("lũ"), {"bool": {"must_not": [phrase("bão")]}})]


def test_a_day_range_covers_whole_vietnam_days() -> None:
    assert query_of("published:[2026-11-01 TO 2026-11-15]")["filter"] == [
        {"range": {"published": {"gte": "2026-10-31T17:00:00+00:00", "lt": "2026-11-15T17:00:00+00:00"}}}
    ]
    assert query_of("published:[* TO *]")["filter"] == []


def test_request_filters_and_dates_join_the_query_filters() -> None:
    filters = query_of("lũ unit:disaster", filters={"stance": ("negative", "neutral")})["filter"]
    assert filters == [{"term": {"unit": "disaster"}}, {"terms": {"stance": ["negative", "neutral"]}}]


def test_only_constructs_dsl_objects() -> None:
    text = '(lũ OR stance:negative) AND thiên* NEAR/3 "Quảng Nam" -bão published:[2026-01-01 TO *] \'; DROP'
    serialised = json.dumps(compiled(text))
    assert "query_string" not in serialised and "simple_query_string" not in serialised


def test_facets_count_fields_and_vietnam_days() -> None:
    aggs = compiled("lũ")["aggs"]
    assert set(aggs) == {*FACET_FIELDS, DAY_FACET}
    assert aggs["stance"] == {"terms": {"field": "stance", "size": 1000}}
    assert aggs[DAY_FACET]["date_histogram"] == {
        "field": "published",
        "calendar_interval": "day",
        "time_zone": "+07:00",
        "format": "yyyy-MM-dd",
        "min_doc_count": 1,
    }
    assert "aggs" not in compiled("lũ", facets=False)


def test_highlight_marks_only_positive_text() -> None:
    highlight = compiled("(lũ OR stance:negative) NOT bão thiên*")["highlight"]
    should = highlight["highlight_query"]["bool"]["should"]
    assert phrase("lũ") in should
    assert len(should) == 2  # lũ and thiên*, never bão nor the stance
    assert "bão" not in json.dumps(should, ensure_ascii=False)
    assert set(highlight["fields"]) == {"title", "body"}
    assert "highlight" not in compiled("stance:negative NOT bão")


def test_sort_ends_on_id_for_search_after() -> None:
    assert compiled("lũ")["sort"] == [{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}]
    assert compiled("stance:negative")["sort"] == [{"published": {"order": "desc"}}, {"id": {"order": "desc"}}]
    assert compiled("lũ", sort=Sort.OLDEST)["sort"] == [{"published": {"order": "asc"}}, {"id": {"order": "asc"}}]


def test_a_date_ordered_search_tracks_scores_unless_told_not_to() -> None:
    assert compiled("lũ", sort=Sort.NEWEST)["track_scores"] is True
    assert compiled("lũ", sort=Sort.NEWEST, scored=False)["track_scores"] is False


def test_pages_past_the_window_are_reached_with_search_after() -> None:
    search = compiled("lũ", offset=MAX_WINDOW * 3, limit=20)
    assert search["from_"] == MAX_WINDOW * 3  # only usable within the window; the store resumes instead
    skip = seek(search, ["0.5", "abc"], MAX_WINDOW)
    assert skip == {
        "query": search["query"],
        "sort": search["sort"],
        "track_scores": True,
        "size": MAX_WINDOW,
        "source": False,
        "track_total_hits": False,
        "search_after": ["0.5", "abc"],
    }
    first = continued(search, ["0.5", "abc"], 20, first=True)
    assert "from_" not in first and first["search_after"] == ["0.5", "abc"] and first["size"] == 20
    assert first["aggs"] == search["aggs"] and first["track_total_hits"] is True
    later = continued(search, None, 20, first=False)
    assert "aggs" not in later and later["track_total_hits"] is False and "search_after" not in later
    assert "highlight" in later
