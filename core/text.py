"""Text normalisation and the Vietnamese-aware folding used for matching and search.

Folding removes diacritics *and* maps đ/Đ to d, which Unicode decomposition alone
does not do: "da nang" must find "Đà Nẵng".
"""

from __future__ import annotations

import html
import re
import unicodedata

_WS = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss"})


def normalise_text(text: str) -> str:
    """Return ``text`` as NFC with HTML entities decoded and whitespace tidied.

    Paragraph breaks survive as single blank lines; runs of spaces become one.
    """
    text = html.unescape(text)
    text = unicodedata.normalize("NFC", text)
    lines = [_WS.sub(" ", line).strip() for line in text.split("\n")]
    joined = "\n".join(lines)
    return _BLANK_LINES.sub("\n\n", joined).strip()


def fold(text: str) -> str:
    """Lower-case ``text`` and strip diacritics (đ→d included) for accent-insensitive matching."""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower()
