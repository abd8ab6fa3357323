"""The query tree compiled for SQLite: FTS5 expressions, the one-MATCH plan, the boolean plan, bound values."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from core import SearchQuery, Sort
from indexing.query import parse
from indexing.query_tree import Term, text_leaves
from indexing.sqlite_query import SqlSearch, compile_search, fts5_match
from indexing.sqlite_schema import migrate

ANY = "{title body}"
PAIRS = "{title_pairs body_pairs}"
P = "\ue000"  # joins two neighbouring words into one pair token (indexing.sqlite_fts)


def compiled(text: str, **options: object) -> SqlSearch:
    """``text`` compiled; in exact form, each text leaf is given an empty checked set (the store checks them)."""
    query = SearchQuery(text=text, **options)  # type: ignore[arg-type]
    tree = parse(text)
    return compile_search(query, tree, {leaf: [] for leaf in text_leaves(tree)} if query.exact else None)


def match(text: str) -> str | None:
    tree = parse(text)
    assert tree is not None
    return fts5_match(tree)


class TestFts5Expressions:
    def test_every_token_is_quoted_and_folded(self) -> None:
        assert match('Đà Nẵng "tàu biển"') == f'({ANY} : "da" AND {ANY} : "nang" AND {PAIRS} : "tau{P}bien")'

    def test_a_phrase_is_its_word_pairs_in_a_row_and_a_prefix_the_last_pairs(self) -> None:
        assert match('"bất động sản"') == f'{PAIRS} : "bat{P}dong dong{P}san"'
        assert match("covid-19") == f'{PAIRS} : "covid{P}19"'  # one word of two tokens
        assert match("sars-cov*") == f'{PAIRS} : "sars{P}cov" *'  # the last word a prefix: the last pair's

    def test_prefix_and_near(self) -> None:
        assert match("quảng*") == f'{ANY} : "quang" *'
        assert match('lũ NEAR/5 "Quảng Nam"') == f'{ANY} : NEAR("lu" "quang nam", 5)'  # words apart: no pairs
        assert match("thiên* NEAR/2 tai") == f'{ANY} : NEAR("thien" * "tai", 2)'

    def test_or_and_not_nest_with_explicit_parentheses(self) -> None:
        assert match("lũ OR bão") == f'({ANY} : "lu" OR {ANY} : "bao")'
        assert match("lũ NOT (bão OR mưa)") == f'({ANY} : "lu" NOT ({ANY} : "bao" OR {ANY} : "mua"))'
        assert match("lũ -bão -mưa") == match("lũ NOT (bão OR mưa)")
        assert match("(lũ NOT bão) OR mưa") == f'(({ANY} : "lu" NOT {ANY} : "bao") OR {ANY} : "mua")'

    def test_a_group_that_only_excludes_has_no_match_form(self) -> None:
        assert match("lũ OR NOT bão") is None

    def test_operator_words_of_fts5_are_quoted_tokens(self) -> None:
        assert match('"AND" "NEAR" "OR"') == f'({ANY} : "and" AND {ANY} : "near" AND {ANY} : "or")'


class TestPlans:
    def test_words_and_fields_use_one_match_that_drives_and_ranks(self) -> None:
        sql = compiled('lũ "Quảng Nam" stance:negative outlet:"Tuổi Trẻ" -bão')
        assert sql.matches.startswith(
            "FROM items_fts CROSS JOIN items AS i ON i.doc = items_fts.rowid WHERE items_fts MATCH ?"
        )
        assert sql.matches.count("MATCH") == 1
        assert sql.params == (
            f'(({ANY} : "lu" AND {PAIRS} : "quang{P}nam") NOT {ANY} : "bao")',
            "negative",
            "Tuổi Trẻ",
        )
        assert "i.stance IS ?" in sql.matches and "i.outlet IS ?" in sql.matches
        assert sql.ranked == sql.matches and sql.ranked_params == sql.params
        assert sql.score == "-bm25(items_fts, 2.0, 1.0, 2.0, 1.0)"
        assert sql.order == "score DESC, i.id"

    def test_exact_form_leaves_are_their_checked_sets_under_the_folded_match(self) -> None:
        query = SearchQuery(text="Bắc -Giang stance:negative", exact=True)
        tree = parse(query.text)
        bac, giang = Term(("Bắc",)), Term(("Giang",))
        sql = compile_search(query, tree, {bac: [3, 1], giang: [1]})
        # The folded words every match needs drive and rank (an exact "Bắc" is a folded "bac");
        # the excluded word is not in the MATCH: a folded NOT would also drop "giàng".
        assert sql.matches == (
            "FROM items_fts CROSS JOIN items AS i ON i.doc = items_fts.rowid WHERE items_fts MATCH ? "
            "AND (i.doc IN (SELECT value FROM json_each(?)) "
            "AND NOT (i.doc IN (SELECT value FROM json_each(?))) AND i.stance IS ?)"
        )
        assert sql.params == (f'{ANY} : "bac"', "[3, 1]", "[1]", "negative")
        assert sql.rank_match == f'{ANY} : "bac"' and sql.score == "-bm25(items_fts, 2.0, 1.0, 2.0, 1.0)"

    def test_exact_form_with_only_excluded_words_takes_the_boolean_plan(self) -> None:
        query = SearchQuery(text="NOT Giang stance:negative", exact=True)
        sql = compile_search(query, parse(query.text), {Term(("Giang",)): [1]})
        assert sql.matches == (
            "FROM items AS i WHERE (NOT (i.doc IN (SELECT value FROM json_each(?))) AND i.stance IS ?)"
        )
        assert sql.params == ("[1]", "negative") and sql.rank_match is None

    def test_an_exact_form_query_without_its_checked_sets_is_refused(self) -> None:
        with pytest.raises(ValueError, match="checked matches"):
            compile_search(SearchQuery(text="Bắc", exact=True), parse("Bắc"))
        with pytest.raises(ValueError, match="no checked exact-form matches"):
            compile_search(SearchQuery(text="Bắc Giang", exact=True), parse("Bắc Giang"), {Term(("Bắc",)): []})

    def test_or_across_text_and_fields_is_a_sql_boolean_ranked_by_the_positive_text(self) -> None:
        sql = compiled("lũ OR stance:negative")
        assert sql.matches == (
            "FROM items AS i WHERE (i.doc IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?) OR i.stance IS ?)"
        )
        assert sql.params == (f'{ANY} : "lu"', "negative")
        assert "LEFT JOIN (SELECT rowid AS doc, -bm25(items_fts" in sql.ranked
        assert sql.ranked_params == (f'{ANY} : "lu"', *sql.params)
        assert sql.score == "coalesce(r.relevance, 0.0)"

    def test_words_in_one_group_share_one_subquery(self) -> None:
        sql = compiled("(lũ OR bão OR stance:negative) AND thiên*")
        assert sql.matches.count("MATCH") == 2
        assert f'({ANY} : "lu" OR {ANY} : "bao")' in sql.params
        # Ranked by every positive word, wherever it sits.
        assert sql.ranked_params[0] == f'{ANY} : "lu" OR {ANY} : "bao" OR {ANY} : "thien" *'

    def test_excluding_words_beside_a_field_negates_a_subquery(self) -> None:
        sql = compiled("stance:negative NOT bão")
        subquery = "SELECT rowid FROM items_fts WHERE items_fts MATCH ?"
        assert sql.matches == f"FROM items AS i WHERE (i.stance IS ? AND NOT (i.doc IN ({subquery})))"
        assert sql.params == ("negative", f'{ANY} : "bao"')
        assert sql.score == "0.0"
        assert sql.order == "i.published DESC, i.id DESC"  # nothing to rank by: newest first

    def test_not_around_a_field_keeps_unknown_values(self) -> None:
        # ``IS`` is never NULL, so NOT keeps the items whose stance is unknown.
        assert "NOT (i.stance IS ?)" in compiled("lũ NOT stance:positive").matches

    def test_day_range_and_request_filters_are_anded(self) -> None:
        sql = compiled(
            "lũ published:[2026-11-01 TO 2026-11-15]",
            filters={"unit": ("disaster",)},
            until=datetime(2026, 11, 10, tzinfo=UTC),
        )
        first, last = datetime(2026, 10, 31, 17, tzinfo=UTC), datetime(2026, 11, 15, 17, tzinfo=UTC)
        assert "i.published >= ? AND i.published < ?" in sql.matches
        assert sql.params[1:] == (
            first.timestamp(),
            last.timestamp(),
            "disaster",
            datetime(2026, 11, 10, tzinfo=UTC).timestamp(),
        )

    def test_no_text_lists_items(self) -> None:
        sql = compiled("", filters={"stance": ("negative", "neutral")}, sort=Sort.OLDEST)
        assert sql.matches == "FROM items AS i WHERE i.stance IN (?, ?)"
        assert sql.params == ("negative", "neutral")
        assert sql.order == "i.published ASC, i.id"
        assert compiled("").matches == "FROM items AS i WHERE 1"

    def test_every_value_is_bound(self) -> None:
        text = "x'; DROP TABLE items; -- outlet:\"Báo'; --\" unit:x'--"
        sql = compiled(text, filters={"outlet": ("Báo'; --",)})
        for statement in (sql.matches, sql.ranked):
            assert "DROP" not in statement and "Báo" not in statement and "'--" not in statement
        assert sql.params[1:] == ("Báo'; --", "x'--", "Báo'; --")


@pytest.fixture(scope="module")
def schema() -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    migrate(conn)
    yield conn
    conn.close()


RUNNABLE = [
    "lũ",
    'lũ "Quảng Nam" -bão',
    "quảng* NEAR/3 lũ",
    "lũ OR stance:negative",
    "lũ OR NOT bão",
    "NOT (lũ OR bão) AND (stance:negative OR topic:health)",
    "(lũ NOT bão) OR (outlet:VnExpress AND published:[2026-01-01 TO *])",
    "stance:negative NOT (bão OR lũ NEAR/2 mưa)",
    "(lũ OR (bão AND NOT mưa)) unit:disaster",
    "published:2026-11-01",
    "'; DROP TABLE items; --",
    '"AND" "NEAR" "OR" "NOT"',
]


@pytest.mark.parametrize("text", RUNNABLE)
@pytest.mark.parametrize("exact", [False, True])
def test_every_plan_runs_on_the_real_schema(schema: sqlite3.Connection, text: str, exact: bool) -> None:
    sql = compiled(text, exact=exact)
    assert schema.execute(f"SELECT count(*) {sql.matches}", sql.params).fetchone() == (0,)
    page = f"SELECT {sql.score} AS score {sql.ranked} ORDER BY {sql.order} LIMIT 5"
    assert schema.execute(page, sql.ranked_params).fetchall() == []


@pytest.mark.parametrize("text", RUNNABLE)
@pytest.mark.parametrize("exact", [False, True])
def test_every_collect_statement_runs_on_the_real_schema(schema: sqlite3.Connection, text: str, exact: bool) -> None:
    sql = compiled(text, exact=exact)
    bounds = () if sql.window is None else (1, 10)  # the doc range the store reads from ``items_published``
    assert schema.execute(sql.collect, (*sql.collect_params, *bounds)).fetchall() == []


def test_a_date_window_bounds_the_match_by_doc() -> None:
    sql = compiled(
        "lũ published:[2026-11-01 TO 2026-11-15]",
        since=datetime(2026, 11, 3, tzinfo=UTC),
        until=datetime(2026, 12, 1, tzinfo=UTC),
    )
    # The tightest of each end: the request's start, the query's last day (Vietnam time).
    start, end = datetime(2026, 11, 3, tzinfo=UTC), datetime(2026, 11, 15, 17, tzinfo=UTC)
    assert sql.window == (start.timestamp(), end.timestamp())
    assert sql.collect.endswith("AND items_fts.rowid BETWEEN ? AND ?")
    assert "INDEXED BY items_facets" in sql.collect  # conditions read the narrow index, not the wide rows
    assert compiled("lũ").window is None and "BETWEEN" not in compiled("lũ").collect
    # Under OR a date is no bound on every match.
    assert compiled("lũ OR published:[2026-11-01 TO 2026-11-15]").window is None
