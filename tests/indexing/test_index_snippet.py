"""Highlighted excerpts: original spelling, escaped HTML, a window around the first match."""

from __future__ import annotations

from indexing.query import parse
from indexing.snippet import snippet

BODY = (
    "Sáng nay (1/1/2018), tại cảng Tiên Sa, thành phố Đà Nẵng đã tổ chức Lễ đón tàu du lịch biển "
    "cập cảng đầu tiên trong năm mới 2018."
)


def test_matches_are_marked_in_their_original_spelling() -> None:
    assert "<mark>Tiên</mark> <mark>Sa</mark>" in snippet("", BODY, parse("tien sa"), exact=False)


def test_html_is_escaped_outside_and_inside_marks() -> None:
    text = snippet("", 'Giá <b>vé</b> & "pháo hoa" <script>x</script>', parse("ve"), exact=False)
    assert text == "Giá &lt;b&gt;<mark>vé</mark>&lt;/b&gt; &amp; &quot;pháo hoa&quot; &lt;script&gt;x&lt;/script&gt;"


def test_a_phrase_is_marked_only_where_its_words_are_adjacent() -> None:
    text = snippet("", "tàu du lịch, du khách đi tàu biển", parse('"tàu biển"'), exact=False)
    assert text == "tàu du lịch, du khách đi <mark>tàu</mark> <mark>biển</mark>"


def test_exact_marks_only_the_same_diacritics() -> None:
    body = "Bạc Liêu và Bắc Giang"
    assert snippet("", body, parse("Bắc"), exact=True) == "Bạc Liêu và <mark>Bắc</mark> Giang"
    assert snippet("", body, parse("Bắc"), exact=False) == "<mark>Bạc</mark> Liêu và <mark>Bắc</mark> Giang"


def test_long_text_is_cut_around_the_first_match() -> None:
    body = " ".join(f"từ{n}" for n in range(100)) + " Đà Nẵng " + " ".join(f"chữ{n}" for n in range(100))
    text = snippet("", body, parse("đà nẵng"), exact=False)
    assert text.startswith("…từ92 ")
    assert "<mark>Đà</mark> <mark>Nẵng</mark>" in text
    assert text.endswith("…")
    assert len(text.split()) == 32  # the window's words, the ellipses glued to the first and last


def test_title_is_used_when_only_it_matches() -> None:
    assert snippet("Cô gái Bắc Giang", BODY, parse("bac giang"), exact=False) == (
        "Cô gái <mark>Bắc</mark> <mark>Giang</mark>"
    )


def test_without_a_match_the_start_of_the_body_is_shown() -> None:
    assert snippet("Tiêu đề", "Mưa lớn <kéo> dài.", parse(""), exact=False) == "Mưa lớn &lt;kéo&gt; dài."
    assert snippet("Tiêu đề", "", parse("xyz"), exact=False) == "Tiêu đề"
    assert snippet("", "", parse("xyz"), exact=False) == ""
