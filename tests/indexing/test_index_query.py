"""The query text parser, and its FTS5 form run against a real FTS5 table."""

from __future__ import annotations

import sqlite3

import pytest

from core import QueryError, SearchQuery, Sort
from indexing.query import ParsedQuery, Term, active_filters, check, effective_sort, parse
from indexing.sqlite_query import compile_search, fts5_match

NASTY = [
    "AND",
    "OR NOT",
    "NEAR(a b, 2)",
    "*",
    "a*",
    '"',
    '"unclosed phrase',
    '""',
    "(",
    "a) OR (b",
    "-x",
    "title:x",
    "{title body}: x",
    "^start",
    "x + y",
    "'; DROP TABLE items; --",
    "Đà Nẵng\tvà\nHội An",
    "\x00",
    "🙂 emoji",
]


def words(parsed: ParsedQuery) -> list[tuple[str, ...]]:
    return [term.words for term in parsed.terms]


def test_words_are_separate_terms() -> None:
    assert words(parse("Đà  Nẵng\tdu lịch")) == [("Đà",), ("Nẵng",), ("du",), ("lịch",)]


def test_quoted_words_are_one_phrase() -> None:
    parsed = parse('cảng "tàu du lịch" biển')
    assert parsed.terms == (
        Term(("cảng",)),
        Term(("tàu", "du", "lịch")),
        Term(("biển",)),
    )


def test_unclosed_quote_runs_to_the_end() -> None:
    assert parse('APEC "Đà Nẵng 2017').terms[-1] == Term(("Đà", "Nẵng", "2017"))


def test_words_without_letters_or_digits_are_dropped() -> None:
    assert words(parse('* - : ( ) "" " "')) == []
    assert parse("").terms == ()


def test_operators_are_kept_as_words() -> None:
    assert words(parse("culture AND visitors")) == [("culture",), ("AND",), ("visitors",)]


def test_text_is_normalised_to_nfc() -> None:
    decomposed = "Đa\u0300 Na\u0306\u0303ng"  # "Đà Nẵng" typed with combining marks
    assert words(parse(decomposed)) == [("Đà",), ("Nẵng",)]


def test_tokens_fold_unless_exact() -> None:
    term = Term(("(mã:HBC)",))
    assert term.tokens(exact=False) == ("ma", "hbc")
    assert term.tokens(exact=True) == ("mã", "hbc")
    assert Term(("Đường",)).tokens(exact=False) == ("duong",)


def test_fts5_expression_quotes_every_phrase() -> None:
    parsed = parse('Đà Nẵng "tàu biển" AND')
    assert fts5_match(parsed, exact=False) == (
        '{title body} : "da" AND {title body} : "nang" AND {title body} : "tau bien" AND {title body} : "and"'
    )
    assert fts5_match(parse("Bắc"), exact=True) == '{title_exact body_exact} : "bắc"'


@pytest.mark.parametrize("text", NASTY)
@pytest.mark.parametrize("exact", [False, True])
def test_fts5_accepts_whatever_the_analyst_types(text: str, exact: bool) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE items_fts USING fts5(title, body, title_exact, body_exact)")
    conn.execute("INSERT INTO items_fts VALUES ('and or not near', 'title body x y', '', '')")
    parsed = parse(text)
    if parsed.terms:
        rows = conn.execute("SELECT rowid FROM items_fts WHERE items_fts MATCH ?", (fts5_match(parsed, exact=exact),))
        assert isinstance(rows.fetchall(), list)
    else:
        assert fts5_match(parsed, exact=exact) == ""
    conn.close()


def test_compiled_sql_binds_every_value() -> None:
    query = SearchQuery(text="x'); DROP TABLE items; --", filters={"outlet": ("Báo'; --",)})
    sql = compile_search(query, parse(query.text))
    assert "DROP" not in sql.where and "Báo" not in sql.where
    assert sql.params[1:] == ("Báo'; --",)


def test_check_rejects_unknown_fields_and_negative_paging() -> None:
    check(SearchQuery(filters={"stance": ("negative",)}))
    with pytest.raises(QueryError, match="cannot filter on author, email"):
        check(SearchQuery(filters={"email": ("a",), "author": ("b",)}))
    with pytest.raises(QueryError, match="offset"):
        check(SearchQuery(offset=-5))


def test_filters_without_values_do_not_constrain() -> None:
    query = SearchQuery(filters={"topic": (), "stance": ("positive",)})
    assert active_filters(query) == [("stance", ("positive",))]


def test_relevance_without_words_means_newest() -> None:
    assert effective_sort(SearchQuery(), parse("")) is Sort.NEWEST
    assert effective_sort(SearchQuery(text="x"), parse("x")) is Sort.RELEVANCE
    assert effective_sort(SearchQuery(sort=Sort.OLDEST), parse("")) is Sort.OLDEST
