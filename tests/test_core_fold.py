"""Folding long texts through the character table gives exactly what folding the whole text gives."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import SearchQuery
from core.text import _TABLE, _UNSAFE, _fold, _fold_by_table, fold
from indexing import SqliteStore
from tests.indexing.store_contract import article

# Vietnamese letters in both normal forms, the punctuation of news, and characters that
# must take the exact path (Greek final sigma, Turkish dotted I, CJK, Hangul, stray marks).
_ALPHABET = st.sampled_from(
    list("aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")
    + list("ÀÁẢÃẠẰẮẲẴẶẦẤẨẪẬĐÈÉẺẼẸỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌỒỐỔỖỘỜỚỞỠỢÙÚỦŨỤỪỨỬỮỰỲÝỶỸỴ0123456789.,;:!?()-\n\t")
    + ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u034f", "“", "”", "–", "—", "…", "€", "\u2000", "\u200b"]
    + ["Σ", "ς", "ΟΔΟΣ", "İ", "ǅ", "ß", "æ", "Ø", "K", "北京", "한국", "ﬁ", "\u20d0", "ℌ"]
)


# Texts where folding piece by piece could differ from folding the whole: combining marks
# after a space, decomposed letters, final sigma, đ, runs of spaces, tabs and newlines.
AWKWARD = (
    "Đà Nẵng  đón\tkhách\n\nquốc tế và những người bạn",
    "ĐẠI LỘ  \u0301a e\u0301 \u0301 thêm vài chữ cho đủ dài",
    "ΟΔΟΣ ΟΔΟΣ. ΣΟΦΟΣ và chữ Việt cho đủ dài nhé",
    "Ṩ ǅ ﬃ İstanbul — một thành phố, đủ dài",
    " leading and trailing spaces, long enough ",
    "",
)


@pytest.mark.parametrize("text", AWKWARD)
def test_awkward_texts_fold_as_a_whole(text: str) -> None:
    assert fold(text) == _fold(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, min_size=33, max_size=300).map("".join))
def test_table_fold_equals_whole_text_fold(text: str) -> None:
    assert _fold_by_table(text) == _fold(text)
    assert fold(text) == _fold(text)


def test_vietnamese_news_takes_the_table_path() -> None:
    text = "Đà Nẵng đón “khách” quốc tế – hơn 2.000 lượt… ẤN TƯỢNG"
    assert _UNSAFE.search(text.translate(_TABLE)) is None  # no fall-back to the slow path
    assert _fold_by_table(text) == "da nang don “khach” quoc te – hon 2.000 luot… an tuong"


def test_letters_without_a_decomposition_fold_in_both_cases() -> None:
    # "Ð" (eth) is how "Đ" often arrives from legacy Vietnamese encodings.
    assert fold("Ðà Nẵng") == fold("Đà Nẵng") == "da nang"
    assert fold("ÐÀ NẴNG, một thành phố đáng sống") == "da nang, mot thanh pho dang song"
    assert [fold(ch) for ch in "ÐŁØÆŒẞ"] == [fold(ch) for ch in "ðłøæœß"] == ["d", "l", "o", "ae", "oe", "ss"]


def test_a_store_finds_an_article_spelled_with_eth(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "items.db")
    when = datetime(2026, 3, 1, tzinfo=UTC)
    store.upsert([article("eth", "ÐÀ NẴNG đón khách", "Thành phố Ðà Nẵng đón hơn một triệu lượt khách.", when)])
    assert store.search(SearchQuery(text="da nang")).total == 1
    assert store.search(SearchQuery(text='"Đà Nẵng"')).total == 1
    store.close()
