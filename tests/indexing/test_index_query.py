"""The query language parser: tree shapes, precedence, and every error with its position and message."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core import QueryError, SearchQuery, Sort
from indexing.query import active_filters, check, effective_sort, parse
from indexing.query_tree import And, FieldIs, Near, Not, Or, PublishedIn, Term, positive_text


def t(*words: str, prefix: bool = False) -> Term:
    return Term(words, prefix)


class TestTrees:
    def test_words_side_by_side_are_all_required(self) -> None:
        assert parse("đà nẵng du lịch") == And((t("đà"), t("nẵng"), t("du"), t("lịch")))

    def test_one_word_is_a_term(self) -> None:
        assert parse("Đà") == t("Đà")

    def test_quoted_words_are_one_phrase(self) -> None:
        assert parse('cảng "tàu du lịch"') == And((t("cảng"), t("tàu", "du", "lịch")))

    def test_inner_punctuation_makes_a_phrase_of_one_word(self) -> None:
        assert parse("covid-19") == t("covid", "19")

    def test_explicit_and_is_the_same_as_side_by_side(self) -> None:
        assert parse("lũ AND lụt") == parse("lũ lụt") == And((t("lũ"), t("lụt")))
        assert parse("lũ AND quảng nam") == And((t("lũ"), t("quảng"), t("nam")))

    def test_or(self) -> None:
        assert parse('lũ OR "sạt lở" OR bão') == Or((t("lũ"), t("sạt", "lở"), t("bão")))

    def test_parentheses_group_and_nest(self) -> None:
        assert parse("(lũ OR bão) AND (Quảng OR Huế)") == And((Or((t("lũ"), t("bão"))), Or((t("Quảng"), t("Huế")))))
        assert parse("((lũ))") == t("lũ")

    def test_same_operator_groups_are_flattened(self) -> None:
        assert parse("(a1 OR b1) OR c1") == Or((t("a1"), t("b1"), t("c1")))
        assert parse("a1 (b1 c1)") == And((t("a1"), t("b1"), t("c1")))

    def test_not_and_leading_minus_exclude(self) -> None:
        expected = And((t("lũ"), Not(t("bão"))))
        assert parse("lũ NOT bão") == parse("lũ AND NOT bão") == parse("lũ -bão") == expected
        assert parse('"Quảng Nam" -(lũ OR bão)') == And((t("Quảng", "Nam"), Not(Or((t("lũ"), t("bão"))))))

    def test_a_lone_hyphen_is_punctuation_not_not(self) -> None:
        assert parse("Đà Nẵng - Hội An") == And((t("Đà"), t("Nẵng"), t("Hội"), t("An")))

    def test_not_inside_or_is_allowed(self) -> None:
        assert parse("lũ OR NOT bão") == Or((t("lũ"), Not(t("bão"))))

    def test_prefix(self) -> None:
        assert parse("quảng*") == t("quảng", prefix=True)
        assert parse("covid-19x*") == t("covid", "19x", prefix=True)

    def test_near_binds_tighter_than_and(self) -> None:
        assert parse('lũ NEAR/5 "Quảng Nam" bão') == And((Near(t("lũ"), t("Quảng", "Nam"), 5), t("bão")))
        assert parse("thiên* NEAR/3 (tai)") == Near(t("thiên", prefix=True), t("tai"), 3)

    def test_fields(self) -> None:
        assert parse('outlet:"Tuổi Trẻ"') == FieldIs("outlet", "Tuổi Trẻ")
        assert parse("outlet:VnExpress unit:culture") == And(
            (FieldIs("outlet", "VnExpress"), FieldIs("unit", "culture"))
        )
        assert parse("Stance:NEGATIVE") == FieldIs("stance", "negative")  # names and closed values ignore case
        assert parse("topic:disasters_weather language:VI") == And(
            (FieldIs("topic", "disasters_weather"), FieldIs("language", "vi"))
        )

    def test_fields_mix_with_text_and_not(self) -> None:
        assert parse("lũ OR stance:negative") == Or((t("lũ"), FieldIs("stance", "negative")))
        assert parse("stance:negative NOT bão") == And((FieldIs("stance", "negative"), Not(t("bão"))))

    def test_date_ranges(self) -> None:
        assert parse("published:[2026-11-01 TO 2026-11-15]") == PublishedIn(date(2026, 11, 1), date(2026, 11, 15))
        assert parse("published:[* TO 2026-11-15]") == PublishedIn(None, date(2026, 11, 15))
        assert parse("published:[2026-11-01 TO *]") == PublishedIn(date(2026, 11, 1), None)
        assert parse("published:2026-11-01") == PublishedIn(date(2026, 11, 1), date(2026, 11, 1))

    def test_a_date_range_is_whole_days_in_vietnam(self) -> None:
        days = PublishedIn(date(2026, 11, 1), date(2026, 11, 15))
        assert days.bounds() == (datetime(2026, 10, 31, 17, tzinfo=UTC), datetime(2026, 11, 15, 17, tzinfo=UTC))
        assert PublishedIn(None, None).bounds() == (None, None)

    def test_a_colon_not_glued_to_a_value_is_punctuation(self) -> None:
        assert parse("Đà Nẵng: mưa") == And((t("Đà"), t("Nẵng"), t("mưa")))
        assert parse("10:30") == t("10", "30")

    def test_operator_words_in_quotes_or_at_the_edges_are_words(self) -> None:
        assert parse('"or"') == t("or")
        assert parse("du lịch or") == And((t("du"), t("lịch"), t("or")))
        assert parse("near") == t("near")

    @pytest.mark.parametrize("text", ["", "   ", "-", " - ", ":", "^", '""', "\\", "…"])
    def test_text_without_words_is_no_tree(self, text: str) -> None:
        assert parse(text) is None

    def test_engine_syntax_is_only_words(self) -> None:
        assert parse("'; DROP TABLE items; --") == And((t("DROP"), t("TABLE"), t("items")))
        assert parse("{title}: x") == And((t("title"), t("x")))

    def test_text_is_normalised_to_nfc(self) -> None:
        assert parse("Đa\u0300 Na\u0306\u0303ng") == And((t("Đà"), t("Nẵng")))

    def test_tokens_fold_unless_exact(self) -> None:
        assert t("Đường", "Mã").tokens(exact=False) == ("duong", "ma")
        assert t("Đường", "Mã").tokens(exact=True) == ("đường", "mã")

    def test_positive_text_leaves_out_excluded_words(self) -> None:
        tree = parse('lũ NOT (bão OR NOT "Quảng Nam") stance:negative thiên* NEAR/2 tai')
        assert positive_text(tree) == [t("lũ"), t("Quảng", "Nam"), Near(t("thiên", prefix=True), t("tai"), 2)]


def error(text: str) -> QueryError:
    with pytest.raises(QueryError) as raised:
        parse(text)
    return raised.value


# (query, position, words the message must contain): every error the language can give.
ERRORS = [
    ("du lịch or văn hóa", 8, ['"or" at character 9', "did you mean OR?", "upper-case", 'the word "or", quote it']),
    ("du lịch and văn hóa", 8, ["did you mean AND?"]),
    ("lũ Or bão", 3, ["did you mean OR?"]),
    ("lũ not bão", 3, ["did you mean NOT?"]),
    ("not bão", 0, ["did you mean NOT?"]),
    ("lũ near/5 bão", 3, ["did you mean NEAR/5?"]),
    ("lũ AND bão OR mưa", 11, ["AND and OR at the same level are ambiguous", "character 12", "add parentheses"]),
    ("lũ OR bão AND mưa", 10, ["AND and OR at the same level are ambiguous"]),
    ("đà nẵng OR hội an", 8, ["ambiguous", "character 9", '"đà nẵng" OR "hội an"', "parentheses"]),
    ("lũ OR bão mưa", 10, ["ambiguous"]),
    ("lũ OR bão NOT mưa", 10, ["ambiguous"]),
    ("đà*", 0, ['the wildcard "đà*" is too short', "at least 3 letters"]),
    ("*", 0, ["too short"]),
    ("lũ (ab*)", 4, ["too short"]),
    ("*nẵng", 0, ['leading wildcard in "*nẵng"', "can only end a word"]),
    ("nẵ*ng", 2, ['wildcard inside "nẵ*ng"']),
    ("quảng**", 5, ["wildcard inside"]),
    ('"tàu biển"*', 10, ['a wildcard after a "phrase"']),
    ("(lũ OR bão", 0, ['unclosed "("', 'add a ")"']),
    ("(", 0, ['unclosed "("']),
    ("lũ) OR (bão", 2, ['this ")" has no matching "("']),
    (")", 0, ["no matching"]),
    ('"Quảng Nam', 0, ["unclosed quote", 'closing "']),
    ('lũ "', 3, ["unclosed quote"]),
    ("author:Nguyễn", 0, ['unknown field "author"', "outlet, language", "no author field", "content, not people"]),
    ("title:apec", 0, ['unknown field "title"', "stance, topic, outlet, language, unit, published", "quotes"]),
    ("(mã:HBC)", 1, ['unknown field "mã"']),
    ("stance:tốt", 7, ['stance "tốt" is not known', "positive, neutral, negative"]),
    ("topic:lũ", 6, ['topic "lũ" is not known', "disasters_weather"]),
    ("language:vietnamese", 9, ["not a language code", "vi or en"]),
    ("outlet:", 0, ["outlet: has no value", 'outlet:"Tuổi Trẻ"']),
    ('unit:"', 5, ["unclosed quote"]),
    ("outlet:Tuổi*", 7, ["a wildcard in outlet:Tuổi*", "match whole"]),
    ("NEAR/5 lũ", 0, ["NEAR/5 needs a word or phrase on each side"]),
    ("lũ NEAR/5", 3, ["needs a word or phrase on each side"]),
    ("lũ NEAR/5 (bão OR mưa)", 3, ["needs a word or phrase on each side"]),
    ("lũ NEAR/5 stance:negative", 3, ["needs a word or phrase on each side"]),
    ("lũ NEAR/5 NOT bão", 3, ["needs a word or phrase on each side"]),
    ("lũ NEAR/5 AND bão", 3, ["needs a word or phrase on each side"]),
    ("lũ NEAR/0 bão", 3, ["NEAR/0 is out of range", "from 1 to 50"]),
    ("lũ NEAR/51 bão", 3, ["NEAR/51 is out of range"]),
    ("lũ NEAR bão", 3, ["NEAR has no distance", "NEAR/n"]),
    ("lũ NEAR/x bão", 3, ["has no distance"]),
    ("lũ NEAR/2 bão NEAR/3 mưa", 14, ["NEAR/3 follows another NEAR", "exactly two"]),
    ("published:[2026-13-01 TO *]", 11, ['"2026-13-01" is not a date', "YYYY-MM-DD"]),
    ("published:[2026-11-01 TO 15/11/2026]", 25, ['"15/11/2026" is not a date']),
    ("published:hôm-nay", 10, ["is not a date"]),
    ("published:[2026-11-15 TO 2026-11-01]", 10, ["ends before it starts"]),
    ("published:[2026-11-01 to 2026-11-15]", 10, ["is not understood", "published:[2026-11-01 TO 2026-11-15]"]),
    ("published:[2026-11-01 TO 2026-11-15", 10, ['unclosed "["']),
    ("published:{2026-11-01 TO *}", 10, ["a range in braces"]),
    ("published:*", 10, ["published:* says nothing"]),
    ("lũ ()", 3, ["empty parentheses"]),
    ("( - )", 0, ["empty parentheses"]),
    ("NOT bão", 0, ["the query only excludes", "du lịch NOT bão", "stance:negative NOT bão"]),
    ("-bão -lũ", 0, ["only excludes"]),
    ("NOT stance:negative", 0, ["only excludes"]),
    ("AND", 0, ["AND needs something to search before it"]),
    ("OR lũ", 0, ["OR needs something to search before it"]),
    ("lũ AND", 3, ["AND needs something to search on both sides"]),
    ("lũ AND OR bão", 3, ["AND needs something to search on both sides"]),
    ("(lũ OR)", 4, ["OR needs something to search on both sides"]),
    ("lũ NOT", 3, ["NOT needs something after it to exclude"]),
]


@pytest.mark.parametrize(("text", "position", "says"), ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_say_where_and_how_to_fix(text: str, position: int, says: list[str]) -> None:
    raised = error(text)
    assert raised.position == position
    message = str(raised)
    assert f"at character {position + 1}:" in message
    for words in says:
        assert words in message
    assert message.endswith(")")  # the Vietnamese hint closes every message


def test_check_rejects_unknown_filter_fields_and_negative_paging() -> None:
    check(SearchQuery(filters={"stance": ("negative",)}))
    with pytest.raises(QueryError, match="cannot filter on author, email"):
        check(SearchQuery(filters={"email": ("a",), "author": ("b",)}))
    with pytest.raises(QueryError, match="offset"):
        check(SearchQuery(offset=-5))


def test_filters_without_values_do_not_constrain() -> None:
    query = SearchQuery(filters={"topic": (), "stance": ("positive",)})
    assert active_filters(query) == [("stance", ("positive",))]


def test_relevance_without_positive_words_means_newest() -> None:
    assert effective_sort(SearchQuery(), parse("")) is Sort.NEWEST
    assert effective_sort(SearchQuery(), parse("stance:negative NOT lũ")) is Sort.NEWEST
    assert effective_sort(SearchQuery(), parse("lũ")) is Sort.RELEVANCE
    assert effective_sort(SearchQuery(sort=Sort.OLDEST), parse("")) is Sort.OLDEST
