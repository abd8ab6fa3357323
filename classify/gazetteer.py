"""Finds the locality's names in an item and decides whether the item is *about* it.

Matching works on folded tokens, so "Quang Nam" and "Quảng Nam" are the same name and
"Hội An" never matches inside "Hội Anh". In edited (mixed-case) text every word a name
capitalises must be capitalised too: "hòa bình" (peace) is not the province Hòa Bình.

An occurrence (a *hit*) is evidence only when it names the place. It is discounted when
the words around it show it names something else (``classify.cues``): a sports club, a
person's home town, one entry in a list of places or one end of a route.

A unit (the locality or a former unit merged into it) is *about* when a counted strong
hit is in the title or the lead, or when counted hits add up to at least three (products
count half). Everything else is a mention, and so is a unit named only once, outside the
title, right after "tại" ("at"): the venue of a national event, not its subject. The
dev-set score of these rules is kept in ``classify/floors.json`` and checked by
``tests/classify/test_classify_dev_scores.py``.

An item is tokenised once (``Document``) and the same tokens are read by every
gazetteer that looks at it: ``classify.provinces`` runs 63 of them over each item, and
re-tokenising per province was most of the stage's cost outside embedding.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from classify.cues import Token, discount_reason, is_match_report, tokenize
from core.item import LocalityMention
from core.locality import LocalityProfile, PlaceName
from core.text import fold


def _not_places() -> tuple[str, ...]:
    data = json.loads(resources.files("classify").joinpath("provinces.json").read_text(encoding="utf-8"))
    return tuple(str(name) for name in data["not_places"])


#: Longer phrases that contain a place name but name something else; matching them first
#: hides the place inside ("Thái Bình Dương", the Pacific, holds Thái Bình and Bình Dương;
#: "Vinh danh" is an honour, not the city of Vinh). Kept as data in ``provinces.json``.
NOT_PLACES: tuple[str, ...] = _not_places()

#: The lead is the first paragraph of the body, cut here when a text has no paragraphs.
LEAD_CHARS = 400

#: Counted hits anywhere that make an item about a unit even with none in the title or lead.
ABOUT_MIN_WEIGHT = 3.0


@dataclass(frozen=True, slots=True)
class _Name:
    place: PlaceName | None  # None: a NOT_PLACES phrase that hides the places inside it
    capitals: tuple[bool, ...]


@dataclass(frozen=True, slots=True)
class _Hit:
    place: PlaceName
    in_title_or_lead: bool
    counted: bool
    in_title: bool = False
    venue: bool = False  # right after "tại" ("at"): where something happened


def _is_latin(folded: str) -> bool:
    return all(ord(ch) < 128 for ch in folded)


def _lead_end(text: str) -> int:
    start = len(text) - len(text.lstrip())
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    return min(end, start + LEAD_CHARS)


def _mixed_case(text: str) -> bool:
    return any(ch.isupper() for ch in text) and any(ch.islower() for ch in text)


#: Longest name, in words, that ``Document.phrases`` indexes (a gazetteer with a longer name
#: still matches it; only its quick pre-check falls back to a scan).
PHRASE_WORDS = 6


@dataclass(frozen=True, slots=True)
class Document:
    """An item prepared once for every gazetteer: NFC fields, tokens and the item-wide cues.

    Build it with ``Document.of``; gazetteers only read it.
    """

    title: str
    text: str
    title_tokens: tuple[Token, ...]
    text_tokens: tuple[Token, ...]
    text_lead_end: int
    title_mixed_case: bool
    text_mixed_case: bool
    match_report: bool
    folded_title: str
    folded_text: str
    phrases: frozenset[tuple[str, ...]]

    @classmethod
    def of(cls, title: str, text: str) -> Document:
        """Tokenise and fold ``title`` and ``text`` (any normalisation form) once."""
        title = unicodedata.normalize("NFC", title)
        text = unicodedata.normalize("NFC", text)
        title_tokens, text_tokens = tuple(tokenize(title)), tuple(tokenize(text))
        lead_end = _lead_end(text)
        phrases: set[tuple[str, ...]] = set()
        for tokens in (title_tokens, text_tokens):
            words = [t.folded for t in tokens]
            for n in range(1, PHRASE_WORDS + 1):
                phrases.update(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
        return cls(
            title,
            text,
            title_tokens,
            text_tokens,
            lead_end,
            _mixed_case(title),
            _mixed_case(text),
            is_match_report(title_tokens, text_tokens, lead_end),
            fold(title),
            fold(text),
            frozenset(phrases),
        )


class Gazetteer:
    """Looks up a locality profile's names in items.

    Args:
        profile: the monitored locality; its ``place_names()`` are what is looked for.
        not_places: phrases that hide the place names inside them.
    """

    def __init__(self, profile: LocalityProfile, not_places: Sequence[str] = NOT_PLACES) -> None:
        self._profile = profile
        self._latin: dict[tuple[str, ...], _Name] = {}
        self._scripts: list[tuple[str, PlaceName]] = []  # names in scripts without spaces (CJK, Lao, ...)
        for phrase in not_places:
            self._add(phrase, None)
        for place in profile.place_names():
            self._add(place.name, place)
        self._first_words = {key[0] for key in self._latin}
        self._longest = max((len(key) for key in self._latin), default=0)
        self._place_keys = tuple(key for key, name in self._latin.items() if name.place is not None)

    def _add(self, name: str, place: PlaceName | None) -> None:
        folded = fold(unicodedata.normalize("NFC", name)).strip()
        if not folded:
            return
        if not _is_latin(folded):
            if place is not None:
                self._scripts.append((folded, place))
            return
        words = tokenize(unicodedata.normalize("NFC", name))
        key = tuple(w.folded for w in words)
        known = self._latin.get(key)
        # First definition wins, except over a foreign spelling: "Quang Nam" (en) folds onto
        # the former unit "Quảng Nam", and the Vietnamese entry knows which unit it is.
        if known is None or (known.place is not None and known.place.kind == "foreign"):
            self._latin[key] = _Name(place, tuple(w.capital for w in words))

    def find(self, title: str, text: str) -> tuple[LocalityMention, ...]:
        """Return one mention per unit named in the item, the locality first.

        ``hits`` counts every occurrence; ``about`` follows the rules in the module docstring.
        An item naming none of the profile's places gets ``()``.
        """
        return self.find_in(Document.of(title, text))

    def find_in(self, document: Document) -> tuple[LocalityMention, ...]:
        """``find`` on an item already prepared (one ``Document`` serves many gazetteers)."""
        if not self.may_name(document):
            return ()
        hits = self._hits(document)
        mentions = []
        for unit in self._profile.canonical_names():
            own = [h for h in hits if h.place.canonical == unit]
            if own:
                mentions.append(LocalityMention(unit, _about(own), len(own)))
        return tuple(mentions)

    def is_about(self, title: str, text: str) -> tuple[bool, tuple[LocalityMention, ...]]:
        """Return whether the item is about the locality or any former unit, and the mentions."""
        mentions = self.find(title, text)
        return any(m.about for m in mentions), mentions

    def is_about_in(self, document: Document) -> tuple[bool, tuple[LocalityMention, ...]]:
        """``is_about`` on an item already prepared."""
        mentions = self.find_in(document)
        return any(m.about for m in mentions), mentions

    def may_name(self, document: Document) -> bool:
        """A cheap check: ``False`` only when none of the profile's names can occur in ``document``.

        Every name's folded words are looked up among the document's word sequences; the
        full scan (case, longest match, hiding phrases, cues) runs only when one is there.
        """
        if any(name in document.folded_title or name in document.folded_text for name, _ in self._scripts):
            return True  # names in scripts without spaces are searched in the folded text
        phrases = document.phrases
        return any(key[:PHRASE_WORDS] in phrases for key in self._place_keys)

    def _hits(self, doc: Document) -> list[_Hit]:
        match_report = doc.match_report
        hits = self._latin_hits(doc.title_tokens, doc.title_mixed_case, len(doc.title), match_report, in_title=True)
        hits += self._latin_hits(doc.text_tokens, doc.text_mixed_case, doc.text_lead_end, match_report, in_title=False)
        for folded, lead_end, in_title in (
            (doc.folded_title, len(doc.title), True),
            (doc.folded_text, doc.text_lead_end, False),
        ):
            for name, place in self._scripts:
                at = folded.find(name)
                while at >= 0:
                    hits.append(_Hit(place, at < lead_end, True, in_title=in_title))
                    at = folded.find(name, at + len(name))
        return hits

    def _latin_hits(
        self, tokens: Sequence[Token], check_case: bool, lead_end: int, match_report: bool, *, in_title: bool
    ) -> list[_Hit]:
        spans: list[tuple[int, int, PlaceName]] = []
        i = 0
        while i < len(tokens):
            name, size = self._longest_name_at(tokens, i)
            if name is None:
                i += 1
                continue
            written = tokens[i : i + size]
            if name.place is not None and (
                not check_case or all(t.capital or not c for t, c in zip(written, name.capitals, strict=True))
            ):
                spans.append((i, i + size, name.place))
            i += size
        ours = {k for start, end, _ in spans for k in range(start, end)}
        return [
            _Hit(
                place,
                tokens[start].start < lead_end,
                discount_reason(tokens, start, end, ours, match_report=match_report) is None,
                in_title,
                start > 0 and tokens[start - 1].folded == "tai",
            )
            for start, end, place in spans
        ]

    def _longest_name_at(self, tokens: Sequence[Token], i: int) -> tuple[_Name | None, int]:
        if tokens[i].folded not in self._first_words:
            return None, 0
        for size in range(min(self._longest, len(tokens) - i), 0, -1):
            name = self._latin.get(tuple(t.folded for t in tokens[i : i + size]))
            if name is not None:
                return name, size
        return None, 0


def _about(hits: Sequence[_Hit]) -> bool:
    counted = [h for h in hits if h.counted]
    if len(counted) == 1 and counted[0].venue and not counted[0].in_title:
        return False  # named once, as where something happened: "hội nghị ... tại Hà Nội"
    if any(h.place.strong and h.in_title_or_lead for h in counted):
        return True
    return sum(1.0 if h.place.strong else 0.5 for h in counted) >= ABOUT_MIN_WEIGHT
