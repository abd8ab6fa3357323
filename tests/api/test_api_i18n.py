"""The UI catalogue: both languages complete, Vietnamese by default."""

from __future__ import annotations

from api.i18n import MESSAGES, Translator, pick_language


def test_both_languages_have_every_string() -> None:
    assert set(MESSAGES["vi"]) == set(MESSAGES["en"])


def test_language_choice() -> None:
    assert pick_language(None, None) == "vi"
    assert pick_language("en", "vi") == "en"
    assert pick_language(None, "en") == "en"
    assert pick_language("xx", None) == "vi"
    assert Translator("en")("results_count", total=4) == "4 results"
    assert Translator("vi").language_name("ko") == "Tiếng Hàn"
