"""Snippets for every kind of positive leaf of the query language, and never for excluded words."""

from __future__ import annotations

from indexing.query import parse
from indexing.snippet import snippet

TITLE = "Danh ca Ngọc Sơn trao hơn 300 triệu cho đồng bào vùng bão lũ Quảng Nam"
BODY = (
    "Thành phố Đà Nẵng và tỉnh Quảng Nam đã xây dựng các phương án ứng phó thời tiết xấu, "
    "mưa bão lũ lụt, sóng thần... trong tuần lễ cấp cao APEC."
)


def marked(text: str, *, title: str = "", body: str = BODY, exact: bool = False) -> str:
    return snippet(title, body, parse(text), exact=exact)


def test_a_prefix_marks_every_word_it_expands_to() -> None:
    text = marked("thời*")
    assert "ứng phó <mark>thời</mark> tiết" in text and text.count("<mark>") == 1
    assert "<mark>Quảng</mark> Nam" in marked("quan*")


def test_near_marks_its_sides_only_where_they_are_near() -> None:
    # "Quảng Nam" and "lũ" are 13 words apart in the body: too far for NEAR/5, so the title is shown.
    assert marked('lũ NEAR/5 "Quảng Nam"', title=TITLE).endswith(
        "vùng bão <mark>lũ</mark> <mark>Quảng</mark> <mark>Nam</mark>"
    )
    near_enough = marked('lũ NEAR/13 "Quảng Nam"', title=TITLE)
    assert "<mark>Quảng</mark> <mark>Nam</mark> đã" in near_enough and "<mark>lũ</mark> lụt" in near_enough
    assert "<mark>Đà</mark>" not in marked("Đà NEAR/1 lũ")  # nowhere near: nothing marked


def test_excluded_words_are_never_marked() -> None:
    text = marked('(bão NOT lũ) OR "Quảng Nam" OR sóng')
    assert "<mark>bão</mark> lũ lụt" in text
    assert "<mark>lũ</mark>" not in text
    assert "<mark>Quảng</mark> <mark>Nam</mark>" in text and "<mark>sóng</mark>" in text
    assert "<mark>" not in marked("stance:negative NOT bão")


def test_fields_are_not_words_of_the_text() -> None:
    assert "<mark>" not in marked('outlet:"Quảng Nam" tuần', body="Quảng Nam")
