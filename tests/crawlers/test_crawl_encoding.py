"""Legacy Vietnamese encodings (windows-1258, TCVN3, VNI) and wrong charsets come out as Unicode."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata

import pytest

from crawlers import extract_article
from crawlers.encoding import TCVN3, VNI_LETTERS, VNI_MARKS, decode_html, from_tcvn3, from_vni, repair_vietnamese

# Real words and place names; every letter is one TCVN3 (ABC) can write.
WORDS = ("Việt Nam", "Đà Nẵng", "Quảng Nam", "người", "thành phố", "Thừa Thiên Huế", "khuỷu tay", "ưu đãi")
SENTENCE = (
    "Thành phố Đà Nẵng và tỉnh Quảng Nam đã hợp nhất, người dân Việt Nam được hưởng nhiều ưu đãi "
    "về du lịch, giáo dục và y tế trong năm nay."
)
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_tcvn3(text: str) -> str:
    """Unicode → TCVN3 (as Latin-1 characters), by inverting the module's table."""
    table = {letter: code for code, letter in TCVN3.items()}
    return "".join(table.get(char, char) for char in text)


def to_vni(text: str) -> str:
    """Unicode → VNI, by inverting the module's two tables (letters, then marks after the vowel)."""
    letters = {letter: code for code, letter in VNI_LETTERS.items()}
    marks = {(mark, code.isupper()): code for code, mark in VNI_MARKS.items()}
    out = []
    for char in text:
        if char in letters:
            out.append(letters[char])
            continue
        base, *rest = unicodedata.normalize("NFD", char)
        rest.sort(key=lambda mark: mark not in "\u0302\u0306")  # VNI writes the shape before the tone
        if "\u031b" in rest:  # ơ and ư are letters of their own in VNI
            base = letters[unicodedata.normalize("NFC", base + "\u031b")]
            rest.remove("\u031b")
        if base.lower() == "i" and rest:  # í ì ỉ ĩ ị are single codes
            out.append(letters.get(char, char))
            continue
        out.append(base + (marks[("".join(rest), base.isupper())] if rest else ""))
    return "".join(out)


def to_windows_1258(text: str) -> bytes:
    """Encode as windows-1258 does: base letters precomposed, tone marks as combining characters."""
    out = bytearray()
    for char in text:
        base, *marks = unicodedata.normalize("NFD", char)
        tones = "".join(m for m in marks if m in TONES)
        shaped = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in TONES))
        out += (shaped + tones).encode("cp1258") if tones else char.encode("cp1258")
    return bytes(out)


def page(body: str, head: str = "") -> str:
    """A page whose paragraph says ``body`` three times: an article is longer than a sentence."""
    return f"<html><head>{head}<title>News</title></head><body><p>{' '.join([body] * 3)}</p></body></html>"


@pytest.mark.parametrize("word", WORDS)
def test_tcvn3_table_round_trips_real_words(word: str) -> None:
    encoded = to_tcvn3(word)
    assert encoded != word and all(ord(char) < 256 for char in encoded)
    assert from_tcvn3(encoded) == word


@pytest.mark.parametrize("word", WORDS)
def test_vni_tables_round_trip_real_words(word: str) -> None:
    encoded = to_vni(word)
    assert all(ord(char) < 256 for char in encoded)
    assert from_vni(encoded) == word


def test_known_legacy_spellings_decode() -> None:
    # As they appear on pages set in .VnTime (TCVN3) and VNI-Times.
    assert (
        from_tcvn3("ViÖt Nam, §µ N½ng, Qu¶ng Nam, ng\xadêi, thµnh phè")
        == "Việt Nam, Đà Nẵng, Quảng Nam, người, thành phố"
    )
    assert (
        from_vni("Vieät Nam, Ñaø Naüng, Quaûng Nam, ngöôøi, thaønh phoá")
        == "Việt Nam, Đà Nẵng, Quảng Nam, người, thành phố"
    )
    assert from_vni("ÑAØ NAÜNG") == "ĐÀ NẴNG"


def test_tcvn3_table_agrees_with_glibc() -> None:
    if shutil.which("iconv") is None:
        pytest.skip("iconv (glibc's TCVN5712-1 converter) is not installed")
    for code, letter in TCVN3.items():
        done = subprocess.run(
            ["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=code.encode("latin-1"), capture_output=True, check=True
        )
        assert done.stdout.decode() == letter, hex(ord(code))


def test_tcvn3_page_with_western_declaration_is_converted() -> None:
    markup = page(to_tcvn3(SENTENCE), '<meta charset="iso-8859-1"><style>p{font-family:.VnTime}</style>')
    assert SENTENCE in decode_html(markup.encode("latin-1"))


def test_vni_page_is_converted_without_a_font_hint() -> None:
    assert SENTENCE in decode_html(page(to_vni(SENTENCE)).encode("cp1252"))


def test_vni_text_in_a_utf8_page_is_converted() -> None:
    # Sites that moved to UTF-8 without converting their old articles.
    assert SENTENCE in decode_html(page(to_vni(SENTENCE), '<meta charset="utf-8">').encode("utf-8"))


@pytest.mark.parametrize("declared", ['<meta charset="windows-1258">', ""])
def test_windows_1258_is_decoded_and_composed(declared: str) -> None:
    text = decode_html(to_windows_1258(page(SENTENCE, declared)))
    assert SENTENCE in text
    assert not TONES & set(text), "tone marks must be composed (NFC)"


def test_utf8_page_declared_latin1_is_read_as_utf8() -> None:
    body = page(SENTENCE, '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">').encode("utf-8")
    assert SENTENCE in decode_html(body)


def test_declared_charset_is_honoured_when_the_bytes_are_not_utf8() -> None:
    assert "Ελλάδα" in decode_html(page("Η Ελλάδα", '<meta charset="iso-8859-7">').encode("iso-8859-7"))


@pytest.mark.parametrize(
    "text",
    [
        # German with soft hyphens and umlauts: ä ö ü ß are TCVN3 letters too.
        "Anbieter von Fern\xadwärme haben innerhalb ihres Leitungs\xadnetzes ein Monopol, müssen aber "
        "über Preise informieren; die Größe der Netze und die Ausführung der Verträge spielen dabei eine Rolle.",
        # French: où, goût, naïf and « guillemets » look like VNI or TCVN3 codes.
        "« Où est le goût ? » demande le critique naïf, qui a mangé à la crêperie où l'on sert "
        "des crêpes très chères près de la gare, août après août, à côté du théâtre.",
    ],
)
def test_western_text_is_left_alone(text: str) -> None:
    assert repair_vietnamese(page(text)) == page(text)
    assert text in decode_html(page(text, '<meta charset="windows-1252">').encode("cp1252"))


def test_unicode_vietnamese_is_left_alone() -> None:
    markup = page(SENTENCE + " © 2025 · Báo Đà Nẵng · ® « » µ")
    assert repair_vietnamese(markup) == markup


def test_legacy_page_extracts_as_vietnamese_text() -> None:
    tcvn3 = page(to_tcvn3(SENTENCE), '<meta charset="iso-8859-1"><style>p{font-family:.VnTime}</style>')
    vni = page(to_vni(SENTENCE), "<style>p{font-family:VNI-Times}</style>")
    for body in (tcvn3.encode("latin-1"), vni.encode("cp1252")):
        article = extract_article(body, "https://old.example.vn/tin.htm", min_chars=100)
        assert SENTENCE in article.text and article.language == "vi"
