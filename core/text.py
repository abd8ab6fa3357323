"""Text normalisation and the Vietnamese-aware folding used for matching and search.

Folding removes diacritics *and* maps đ/Đ to d, which Unicode decomposition alone
does not do: "da nang" must find "Đà Nẵng".
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata

_WS = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_CACHED_LENGTH = 32  # longer texts are folded each time: caching them would hold whole articles
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
    """Lower-case ``text`` and strip diacritics (đ→d included) for accent-insensitive matching.

    Single words are folded once and remembered: search folds every word of each
    result's text to mark matches, and news text reuses a few thousand words.
    """
    if len(text) <= _CACHED_LENGTH:
        return _fold_word(text)
    return _fold(text)


@functools.lru_cache(maxsize=65_536)
def _fold_word(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower()
