"""The language of an article, from its text first and the page's ``lang`` second.

Templates keep ``lang="vi"`` on their English pages and ``lang="en"`` on Vietnamese ones,
so the declaration is only a tie-breaker. The detector is py3langid (langid.py's
97-language naive Bayes model, shipped inside the wheel: nothing is downloaded), loaded
once per process on first use.
"""

from __future__ import annotations

from functools import cache
from typing import Protocol

from py3langid.langid import MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]

from crawlers.encoding import VIETNAMESE_ONLY

# Vietnamese news text has a median near 19% of letters only Vietnamese uses and rarely
# falls below 5%; English text dense with Vietnamese place names stays under 4%. This
# rule also catches Vietnamese that langid mistakes for another language on short texts.
_VIETNAMESE_SHARE = 0.05
# langid's normalised probability above which its answer beats the page's declaration.
_CONFIDENT = 0.9
# A few thousand characters decide the language; the rest only costs time.
_SAMPLE_CHARS = 1500


class _Identifier(Protocol):
    def classify(self, text: str) -> tuple[str, float]: ...


def detect_language(text: str, declared: str = "") -> str:
    """The ISO 639-1 code of ``text``'s language.

    Args:
        text: the article text (title and body).
        declared: the page's ``lang`` attribute (``"vi-VN"``, ``"en"``...), possibly empty.

    Returns:
        a lower-case primary language code: what the text is written in when the
        detector is confident, else the declaration when the text does not contradict
        it, else the detector's best guess; ``""`` for text with no letters.
    """
    sample = text[:_SAMPLE_CHARS]
    letters = [ch for ch in sample if ch.isalpha()]
    if not letters:
        return ""
    vietnamese = sum(ch in VIETNAMESE_ONLY for ch in letters)
    if vietnamese >= 3 and vietnamese / len(letters) >= _VIETNAMESE_SHARE:
        return "vi"
    detected, confidence = _identifier().classify(sample)
    primary = declared.strip().lower().replace("_", "-").split("-")[0]
    if confidence >= _CONFIDENT or not primary.isalpha() or len(primary) not in (2, 3):
        return str(detected)
    # Vietnamese text without its letters is not Vietnamese text (an English page on a
    # Vietnamese template); any other declaration is believed when langid hesitates.
    return str(detected) if primary == "vi" else primary


@cache
def _identifier() -> _Identifier:
    """The model, read on first use (about a second): importing this module stays cheap."""
    identifier: _Identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return identifier
