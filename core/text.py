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
# Letters Unicode does not decompose, both cases. "Ð" (U+00D0, eth) stands in for "Đ"
# (U+0110) in Vietnamese text that went through a legacy encoding: "Ðà Nẵng" must fold as
# "Đà Nẵng" does. (Mapped in lower case only, it folded to "ða nang".)
_FOLD_EXTRA = str.maketrans(
    {"đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o"}
    | {"æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ß": "ss", "ẞ": "ss"}
)


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
    result's text to mark matches, and news text reuses a few thousand words. Longer
    texts take a character table first (``_fold_by_table``).
    """
    if len(text) <= _CACHED_LENGTH:
        return _fold_word(text)
    return _fold_by_table(text)


def _fold_by_table(text: str) -> str:
    """``_fold(text)``, one C-speed ``str.translate`` for the text of Latin-script news.

    Each character of the Latin blocks, the combining diacritics, and common
    punctuation is mapped to its own fold. When the result holds nothing but ASCII and
    that punctuation, folding character by character is the same as folding the
    whole: no character left can compose with, decompose into, or change the case of
    its neighbours. Anything else (Greek, Cyrillic, CJK, Hangul, a stray mark outside
    the table) takes the exact path. On 2,000 characters of a VNTC article it took 56 µs
    instead of 363 µs; folding was the largest Python cost of indexing an item.
    """
    folded = text.translate(_TABLE)
    if _UNSAFE.search(folded) is None:
        return folded
    return _fold(text)


@functools.lru_cache(maxsize=65_536)
def _fold_word(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower()


#: Punctuation and symbols whose fold is themselves and that never combine: what may
#: remain in a table-folded text besides ASCII (Vietnamese news is full of “ ” – …).
_INERT = (range(0x2000, 0x2070), range(0x20A0, 0x20D0))
_BLOCKS = (range(0x250), range(0x300, 0x370), range(0x1E00, 0x1F00), *_INERT)
_TABLE = {code: _fold(chr(code)) for block in _BLOCKS for code in block}
_UNSAFE = re.compile("[^\\x00-\\x7f" + "".join(f"{chr(r.start)}-{chr(r.stop - 1)}" for r in _INERT) + "]")
