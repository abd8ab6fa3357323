"""The analyst's query text, parsed once and compiled by each store.

For now the language is small: whitespace-separated words are ANDed and
``"double-quoted phrases"`` must appear word for word. Nothing else is syntax:
``AND``, ``*``, ``(``, ``-`` or ``:`` are ordinary characters, so user text can never
reach an engine's own query syntax. A later version adds boolean operators; it
replaces ``parse`` and keeps ``ParsedQuery`` as the stores' input.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from core.errors import QueryError
from core.search import FACET_FIELDS, SearchQuery, Sort
from core.text import fold

# Letters and digits: what both the FTS5 unicode61 tokenizer and the snippet treat as a word.
_TOKEN = re.compile(r"[^\W_]+")
_PART = re.compile(r'"([^"]*)"?|([^\s"]+)')


@dataclass(frozen=True, slots=True)
class Term:
    """A word or a quoted phrase: its words must appear next to each other, in order.

    Attributes:
        words: the whitespace-separated words as typed (NFC); one for an unquoted word.
    """

    words: tuple[str, ...]

    @property
    def text(self) -> str:
        """The words joined by single spaces, as engines with their own analyzer take them."""
        return " ".join(self.words)

    def tokens(self, *, exact: bool) -> tuple[str, ...]:
        """The term's word tokens in the form the index holds (see ``normalise_token``)."""
        return tuple(normalise_token(t, exact=exact) for t in split_tokens(self.text))


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """The terms of a query; every one must match. No terms means every item matches."""

    terms: tuple[Term, ...] = ()


def parse(text: str) -> ParsedQuery:
    """Parse the analyst's text. Never fails: an unclosed quote runs to the end of the text.

    Words without a letter or digit (a lone ``*`` or ``-``) are dropped, since no index
    holds them; a text made only of such words therefore matches every item, as an
    empty one does.
    """
    text = unicodedata.normalize("NFC", text)
    terms: list[Term] = []
    for match in _PART.finditer(text):
        phrase, word = match.groups()
        words = tuple(phrase.split()) if phrase is not None else (word,)
        term = Term(words)
        if term.tokens(exact=True):
            terms.append(term)
    return ParsedQuery(tuple(terms))


def split_tokens(text: str) -> list[str]:
    """Split ``text`` into word tokens (runs of letters and digits)."""
    return _TOKEN.findall(text)


def token_spans(text: str) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` offsets of the word tokens of ``text``."""
    return [m.span() for m in _TOKEN.finditer(text)]


def normalise_token(token: str, *, exact: bool) -> str:
    """Return ``token`` as indexed: lower-cased, and folded (no diacritics, đ→d) unless ``exact``."""
    return token.lower() if exact else fold(token)


def check(query: SearchQuery) -> None:
    """Reject what no store can run.

    Raises:
        QueryError: an unknown filter field or a negative page size or offset.
    """
    unknown = sorted(set(query.filters) - set(FACET_FIELDS))
    if unknown:
        raise QueryError(f"cannot filter on {', '.join(unknown)}; filter on one of {', '.join(FACET_FIELDS)}")
    if query.limit < 0 or query.offset < 0:
        raise QueryError(f"limit and offset must not be negative (got limit={query.limit}, offset={query.offset})")


def effective_sort(query: SearchQuery, parsed: ParsedQuery) -> Sort:
    """Return the order to use: without words to rank by, relevance means newest first."""
    if query.sort is Sort.RELEVANCE and not parsed.terms:
        return Sort.NEWEST
    return query.sort


def active_filters(query: SearchQuery) -> list[tuple[str, tuple[str, ...]]]:
    """Return the filters that constrain, by field name: a field with no accepted values is ignored."""
    return [(name, values) for name, values in sorted(query.filters.items()) if values]
