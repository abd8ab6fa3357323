"""Page bytes to Unicode text, Vietnamese legacy encodings included.

Vietnamese sites written before Unicode took over (and some provincial sites still) use
one of three 8-bit schemes:

* **windows-1258**: base letters precomposed, the five tone marks as combining
  characters. Python's ``cp1258`` codec reads it; NFC then composes the tones.
* **TCVN3** (TCVN 5712:1993, the "ABC" fonts ``.VnTime``/``.VnArial``): each toned
  lower-case letter is one byte in 0xA8-0xFE. Pages declare ``iso-8859-1`` or nothing
  and rely on the font, so a browser shows Vietnamese while the text says ``ViÖt Nam``.
* **VNI** (the ``VNI-Times`` font family): a plain letter followed by a Latin-1
  letter standing for its shape and tone, so ``Việt`` is stored as ``Vieät``.

No codec knows TCVN3 or VNI, and their text is valid Latin-1, so they are recognised by
what the text looks like (and by the font names pages use), then converted with the
tables below.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Mapping
from typing import Final

from charset_normalizer import from_bytes

# TCVN 5712:1993 (table VN1, of which the ABC fonts' VN3 uses the lower-case letters and
# the seven base capitals). Each row lists the byte of a vowel with grave, hook above,
# tilde, acute and dot below, the order of the standard. 0xB0-0xB4 (combining tones in
# VN1) are left as Latin-1 (° ± ² ³ ´): VN3 pages use them as those symbols.
_TCVN3_ROWS: Final = (
    ((0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7), "ĂÂÊÔƠƯĐ"),
    ((0xA8, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE), "ăâêôơưđ"),
    ((0xB5, 0xB6, 0xB7, 0xB8, 0xB9), "àảãáạ"),
    ((0xBB, 0xBC, 0xBD, 0xBE, 0xC6), "ằẳẵắặ"),
    ((0xC7, 0xC8, 0xC9, 0xCA, 0xCB), "ầẩẫấậ"),
    ((0xCC, 0xCE, 0xCF, 0xD0, 0xD1), "èẻẽéẹ"),
    ((0xD2, 0xD3, 0xD4, 0xD5, 0xD6), "ềểễếệ"),
    ((0xD7, 0xD8, 0xDC, 0xDD, 0xDE), "ìỉĩíị"),
    ((0xDF, 0xE1, 0xE2, 0xE3, 0xE4), "òỏõóọ"),
    ((0xE5, 0xE6, 0xE7, 0xE8, 0xE9), "ồổỗốộ"),
    ((0xEA, 0xEB, 0xEC, 0xED, 0xEE), "ờởỡớợ"),
    ((0xEF, 0xF1, 0xF2, 0xF3, 0xF4), "ùủũúụ"),
    ((0xF5, 0xF6, 0xF7, 0xF8, 0xF9), "ừửữứự"),
    ((0xFA, 0xFB, 0xFC, 0xFD, 0xFE), "ỳỷỹýỵ"),
    # VN1 capitals placed in the gaps of the rows above.
    ((0xAF, 0xBA, 0xBF, 0xC0, 0xC1, 0xC2, 0xC3, 0xC4), "ẰẲẴẮẦẨẪẤ"),
    ((0xC5, 0xCD, 0xD9, 0xDA, 0xDB, 0xE0, 0xF0, 0xFF), "ỀỂỄẾỒỔỖỐ"),
)
TCVN3: Final[Mapping[str, str]] = {
    chr(byte): letter for codes, letters in _TCVN3_ROWS for byte, letter in zip(codes, letters, strict=True)
}
"""TCVN3 as read through Latin-1 (the character whose code point is the byte) → Unicode."""

# VNI Windows: letters that stand alone (ơ ư đ, and the i/y forms that have one code)...
VNI_LETTERS: Final[Mapping[str, str]] = {
    "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư", "ñ": "đ", "Ñ": "Đ",
    "æ": "ỉ", "Æ": "Ỉ", "ó": "ĩ", "Ó": "Ĩ", "ò": "ị", "Ò": "Ị", "î": "ỵ", "Î": "Ỵ",
}  # fmt: skip
"""VNI letters that replace a whole Vietnamese letter (``í``/``ì`` are the same in both)."""
# ...and codes that follow a vowel: circumflex or breve, then the tone (as combining marks).
_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_CIRCUMFLEX, _BREVE = "\u0302", "\u0306"
_VNI_MARK_CODES: Final = (
    ("ùÙ", _ACUTE), ("øØ", _GRAVE), ("ûÛ", _HOOK), ("õÕ", _TILDE), ("ïÏ", _DOT),
    ("âÂ", _CIRCUMFLEX), ("áÁ", _CIRCUMFLEX + _ACUTE), ("àÀ", _CIRCUMFLEX + _GRAVE),
    ("åÅ", _CIRCUMFLEX + _HOOK), ("ãÃ", _CIRCUMFLEX + _TILDE), ("äÄ", _CIRCUMFLEX + _DOT),
    ("êÊ", _BREVE), ("éÉ", _BREVE + _ACUTE), ("èÈ", _BREVE + _GRAVE),
    ("úÚ", _BREVE + _HOOK), ("üÜ", _BREVE + _TILDE), ("ëË", _BREVE + _DOT),
)  # fmt: skip
VNI_MARKS: Final[Mapping[str, str]] = {code: marks for codes, marks in _VNI_MARK_CODES for code in codes}
"""VNI code after a vowel → the combining marks it stands for (composed by NFC)."""

_VNI_PAIR = re.compile(f"([AEIOUYaeiouyÔÖôö])([{''.join(VNI_MARKS)}])")
_VNI_LETTER_TABLE = str.maketrans(dict(VNI_LETTERS))
_TCVN3_TABLE = str.maketrans(dict(TCVN3))
# In TCVN3 text these Latin-1 symbols are letters (á à ả ã ạ ă â ê ô ơ ư đ ...), so they sit
# inside words; in any real Latin-1 text they stand between words.
# (The soft hyphen, ư in TCVN3, is left out: German and French pages use it inside words.)
_TCVN3_SYMBOLS = "¨©ª«¬®µ¶·¸¹»¼½¾×"
_TCVN3_SYMBOL_IN_WORD = re.compile(f"[A-Za-z][{_TCVN3_SYMBOLS}]|[{_TCVN3_SYMBOLS}][a-z]")
# VNI's tone codes: most toned syllables carry one.
_VNI_TONES = "ùøûõïÙØÛÕÏ"
_TCVN3_FONT = re.compile(
    r"""(?:face\s*=\s*["']?|font-family\s*:\s*["']?)\.?vn(?:time|arial|helv|avant|univers)""", re.I
)
_VNI_FONT = re.compile(r"""(?:face\s*=\s*["']?|font-family\s*:\s*["']?)vni[- ]""", re.I)
# Letters only Vietnamese uses among Latin-script languages: ă đ ơ ư ĩ ũ and the
# precomposed tone/shape combinations of U+1EA0-U+1EF9.
VIETNAMESE_ONLY: Final = frozenset("ăĂđĐơƠưƯĩĨũŨ") | frozenset(chr(c) for c in range(0x1EA0, 0x1EFA))
_WORD = re.compile(r"[^\W\d_]+")
_HIDDEN = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.-]+)""", re.IGNORECASE)
_WESTERN = frozenset({"latin_1", "iso8859-1", "cp1252", "ascii", "iso8859-15"})
# Vietnamese news has a median near 57% of words with a Vietnamese-only letter (never
# under 43% in a VNTC sample); German read through the TCVN3 table (ä→ọ, ü→ỹ) stays
# well under 30%.
_VIETNAMESE_WORDS = 0.3
_ALREADY_VIETNAMESE = 0.05
# A page with fewer tell-tale characters than this is not legacy-encoded: counting them
# saves the statistics on the many pages that hold none.
_FEW = 10


def decode_html(body: bytes) -> str:
    """Decode an HTML body to NFC text, Vietnamese legacy encodings included.

    The order: a BOM; UTF-8 when the bytes are valid UTF-8 (a page that says
    ``iso-8859-1`` but is UTF-8 is common, the reverse nearly impossible); the declared
    charset, except that a Western declaration (or none) is checked for windows-1258,
    TCVN3 and VNI first; a guess last. TCVN3 and VNI text is converted by
    ``repair_vietnamese`` whatever the charset (UTF-8 pages keep old articles in them too).
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return repair_vietnamese(unicodedata.normalize("NFC", body[len(bom) :].decode(encoding, errors="replace")))
    try:
        return repair_vietnamese(unicodedata.normalize("NFC", body.decode("utf-8")))
    except UnicodeDecodeError:
        pass
    declared = _declared_charset(body)
    if declared not in ("", *_WESTERN):
        return repair_vietnamese(unicodedata.normalize("NFC", body.decode(declared, errors="replace")))
    windows_1258 = unicodedata.normalize("NFC", body.decode("cp1258", errors="replace"))
    if _vietnamese_share(_visible(windows_1258)) >= _VIETNAMESE_WORDS:
        return windows_1258
    western = unicodedata.normalize("NFC", body.decode("cp1252", errors="replace"))
    repaired = repair_vietnamese(western)
    return repaired if declared or repaired != western else repair_vietnamese(_guess(body))


def repair_vietnamese(text: str) -> str:
    """Convert TCVN3 or VNI text (read as Latin-1) to Unicode; leave any other text alone.

    A page is converted when the conversion turns it into Vietnamese (many words with
    letters only Vietnamese has) and it was not Vietnamese before. The font names the
    legacy encodings need (``.VnTime``, ``VNI-Times``) lower the bar, because they say
    what the text is.
    """
    # Counting characters is cheap; most pages hold too few of these to look further.
    if max(sum(map(text.count, _TCVN3_SYMBOLS)), sum(map(text.count, _VNI_TONES))) < _FEW:
        return text
    visible = _visible(text)
    if _vietnamese_share(visible) >= _ALREADY_VIETNAMESE:
        return text
    tcvn3_marks = len(_TCVN3_SYMBOL_IN_WORD.findall(visible))
    vni_marks = len(_VNI_PAIR.findall(visible))
    words = max(len(_WORD.findall(visible)), 1)
    tcvn3_bar = 0.01 if _TCVN3_FONT.search(text) else 0.05
    if tcvn3_marks / words >= tcvn3_bar and _vietnamese_share(from_tcvn3(visible)) >= _VIETNAMESE_WORDS:
        return from_tcvn3(text)
    vni_bar = 0.02 if _VNI_FONT.search(text) else 0.1
    if vni_marks / words >= vni_bar and _vietnamese_share(from_vni(visible)) >= _VIETNAMESE_WORDS:
        return from_vni(text)
    return text


def from_vni(text: str) -> str:
    """Convert VNI-encoded text (as Latin-1 characters) to NFC Unicode."""
    paired = _VNI_PAIR.sub(lambda m: m.group(1).translate(_VNI_LETTER_TABLE) + VNI_MARKS[m.group(2)], text)
    return unicodedata.normalize("NFC", paired.translate(_VNI_LETTER_TABLE))


def from_tcvn3(text: str) -> str:
    """Convert TCVN3-encoded text (as Latin-1 characters) to Unicode."""
    return text.translate(_TCVN3_TABLE)


def _visible(markup: str) -> str:
    """The page's text without scripts, styles and tags: what the statistics are about."""
    return _TAG.sub(" ", _HIDDEN.sub(" ", markup))


def _vietnamese_share(text: str) -> float:
    """The share of words that hold a letter only Vietnamese uses."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    return sum(1 for word in words if not VIETNAMESE_ONLY.isdisjoint(word)) / len(words)


def _declared_charset(body: bytes) -> str:
    """The codec named by ``<meta charset>``, ``""`` when none or unknown.

    UTF-16 declared in a page that could be scanned as ASCII is a lie (HTML standard).
    """
    declared = _META_CHARSET.search(body[:4096])
    if not declared:
        return ""
    try:
        name = codecs.lookup(declared.group(1).decode("ascii")).name
    except LookupError:
        return ""
    return "" if name.startswith("utf-16") or name == "utf-8" else name


def _guess(body: bytes) -> str:
    guess = from_bytes(body).best()
    return str(guess) if guess is not None else body.decode("cp1252", errors="replace")
