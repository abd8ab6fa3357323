"""Highlighted excerpts: original spelling, escaped HTML, the window that best shows the query."""

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


FILLER = " ".join(f"chữ{n}" for n in range(40))


def test_the_window_showing_every_word_of_the_query_wins_over_the_first_match() -> None:
    # "đã" folds to "da" and matches first; the passage naming the city shows both words.
    body = f"Hôm qua trời đã mưa. {FILLER} Thành phố Đà Nẵng đón khách. {FILLER}"
    text = snippet("", body, parse("đà nẵng"), exact=False)
    assert "<mark>Đà</mark> <mark>Nẵng</mark>" in text
    assert "<mark>đã</mark>" not in text


def test_among_windows_with_every_word_the_spelling_typed_wins() -> None:
    body = f"Họ đã nâng cao năng lực. {FILLER} Thành phố Đà Nẵng đón khách. {FILLER}"
    text = snippet("", body, parse("đà nẵng"), exact=False)
    assert "<mark>Đà</mark> <mark>Nẵng</mark>" in text and "<mark>năng</mark>" not in text
    # Typed without diacritics, no spelling is preferred: the first window with both words is shown.
    plain = snippet("", body, parse("da nang"), exact=False)
    assert "<mark>đã</mark>" in plain and "<mark>năng</mark>" in plain and "Nẵng" not in plain


def test_a_prefix_or_phrase_typed_with_diacritics_counts_as_typed() -> None:
    body = f"Sông Hương đẹp. {FILLER} Về Huế mùa thu. {FILLER} Hoa huệ nở."
    assert "<mark>Huế</mark>" in snippet("", body, parse("huế*"), exact=False)
    body = f"Ông Bác Liêu phát biểu. {FILLER} Đội bóng Bạc Liêu thắng. {FILLER}"
    text = snippet("", body, parse('"bạc liêu"'), exact=False)
    assert "<mark>Bạc</mark> <mark>Liêu</mark>" in text and "Bác" not in text


def test_equal_windows_keep_the_earliest() -> None:
    body = f"Đà Nẵng mưa. {FILLER} Đà Nẵng nắng. {FILLER}"
    assert snippet("", body, parse("đà nẵng"), exact=False).startswith("<mark>Đà</mark> <mark>Nẵng</mark> mưa")


def test_coverage_counts_without_diacritics_too() -> None:
    body = f"Cơn bão đi qua. {FILLER} Bão lũ làm sạt lở đường. {FILLER}"
    text = snippet("", body, parse("bao AND lu"), exact=False)
    assert "<mark>Bão</mark> <mark>lũ</mark>" in text and "Cơn" not in text
