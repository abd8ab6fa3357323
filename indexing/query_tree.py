"""The parsed form of an analyst's query: a small tree both stores compile.

The tree holds only what the language means (words, phrases, prefixes, proximity,
field values, day ranges and the boolean structure), never engine syntax, so an
adapter cannot be handed the raw text by mistake. ``indexing.query.parse`` builds it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from core.text import fold

#: Days in ``published:[…]`` are calendar days in Vietnam, where the office works.
VIETNAM = timezone(timedelta(hours=7))

# Letters and digits: what both the FTS5 unicode61 tokenizer and the snippet treat as a word.
_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Term:
    """A word or a quoted phrase: its words must appear next to each other, in order.

    Attributes:
        words: the word tokens as typed (NFC, original case and diacritics); several for
            a phrase or for a word with inner punctuation such as ``covid-19``.
        prefix: the last word is a prefix (``quảng*``).
    """

    words: tuple[str, ...]
    prefix: bool = False

    @property
    def text(self) -> str:
        """The words joined by single spaces, as engines with their own analyzer take them."""
        return " ".join(self.words)

    def tokens(self, *, exact: bool) -> tuple[str, ...]:
        """The words in the form the index holds (see ``normalise_token``)."""
        return tuple(normalise_token(word, exact=exact) for word in self.words)


@dataclass(frozen=True, slots=True)
class Near:
    """Two terms at most ``distance`` words apart, in either order, in the same field."""

    left: Term
    right: Term
    distance: int


@dataclass(frozen=True, slots=True)
class FieldIs:
    """``field:value``: the item's facet ``field`` (one of ``FACET_FIELDS``) equals ``value``."""

    field: str
    value: str


@dataclass(frozen=True, slots=True)
class PublishedIn:
    """``published:[first TO last]``: whole days in Vietnam time, both ends included; ``None`` is open."""

    first: date | None
    last: date | None

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """Return the UTC instants ``[start, end)`` the days cover."""
        start = None if self.first is None else _midnight(self.first)
        end = None if self.last is None else _midnight(self.last + timedelta(days=1))
        return start, end


@dataclass(frozen=True, slots=True)
class And:
    """Every child matches."""

    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """At least one child matches."""

    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """The child does not match."""

    child: Node


Node = Term | Near | FieldIs | PublishedIn | And | Or | Not
#: Leaves that match words of the text (the rest match fields of the item).
TextLeaf = Term | Near


def positive_text(node: Node | None) -> list[TextLeaf]:
    """Return the text leaves that must be present for a match, in query order.

    Leaves under an odd number of ``Not`` are left out: they rank nothing and are never
    highlighted. An empty list means there is nothing to rank by.
    """
    return [leaf for leaf, negated in _leaves(node, negated=False) if not negated and isinstance(leaf, Term | Near)]


def text_leaves(node: Node | None) -> list[TextLeaf]:
    """Return every text leaf, negated or not, in query order (repeats included)."""
    return [leaf for leaf, _ in _leaves(node, negated=False) if isinstance(leaf, Term | Near)]


def has_positive_leaf(node: Node) -> bool:
    """Whether any leaf (text or field) is outside an odd number of ``Not``."""
    return any(not negated for _, negated in _leaves(node, negated=False))


def has_text(node: Node) -> bool:
    """Whether any leaf under ``node`` matches words, negated or not."""
    return any(isinstance(leaf, Term | Near) for leaf, _ in _leaves(node, negated=False))


def is_text_only(node: Node) -> bool:
    """Whether every leaf under ``node`` matches words (no field or date leaf)."""
    return all(isinstance(leaf, Term | Near) for leaf, _ in _leaves(node, negated=False))


def split_tokens(text: str) -> list[str]:
    """Split ``text`` into word tokens (runs of letters and digits)."""
    return _TOKEN.findall(text)


def token_spans(text: str) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` offsets of the word tokens of ``text``."""
    return [m.span() for m in _TOKEN.finditer(text)]


def normalise_token(token: str, *, exact: bool) -> str:
    """Return ``token`` as indexed: lower-cased, and folded (no diacritics, đ→d) unless ``exact``."""
    return token.lower() if exact else fold(token)


def _leaves(node: Node | None, *, negated: bool) -> Iterator[tuple[Node, bool]]:
    match node:
        case None:
            return
        case And(children) | Or(children):
            for child in children:
                yield from _leaves(child, negated=negated)
        case Not(child):
            yield from _leaves(child, negated=not negated)
        case _:
            yield node, negated


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), VIETNAM).astimezone(UTC)
