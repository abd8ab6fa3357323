"""The query language's words: splitting the analyst's text into lexemes, checking each one.

A lexeme is an operator, a parenthesis, or a finished leaf of the tree (a word, a
phrase, a ``field:value``). Everything that can be judged from one lexeme alone
(unknown fields, bad dates, short wildcards, lower-case ``near/5``) is rejected here,
with the character offset; ``indexing.query`` judges how lexemes combine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum

from core.enums import Stance, Topic
from core.errors import QueryError
from core.search import FACET_FIELDS
from indexing.query_tree import FieldIs, PublishedIn, Term, normalise_token, split_tokens

#: The widest NEAR/n: beyond a paragraph, "near" means little and costs a lot.
MAX_NEAR = 50
#: Letters a wildcard needs before it: shorter prefixes expand to too many words.
MIN_PREFIX = 3
#: Fields ``field:value`` accepts. There is deliberately no author or person field.
FIELDS: tuple[str, ...] = (*FACET_FIELDS, "published")

_OPERATORS = ("AND", "OR", "NOT")
_PERSON_FIELDS = frozenset({"author", "byline", "reporter", "journalist", "person", "tacgia", "tac_gia"})
_FIELD = re.compile(r"([^\W\d_]\w*):")
_WORD = re.compile(r'[^\s()"]+')
_NEAR = re.compile(r"NEAR/(\d+)")
_NEAR_LIKE = re.compile(r"near/\d+", re.IGNORECASE)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RANGE = re.compile(r"\[\s*(\S+)\s+TO\s+(\S+)\s*\]")
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_RANGE_FIX = "write a day range as published:[2026-11-01 TO 2026-11-15] (both days included, * for an open end)"
_NEAR_FIX = f'write NEAR/n, n from 1 to {MAX_NEAR} words between the two sides, as in lũ NEAR/5 "Quảng Nam"'


class Kind(Enum):
    """What a lexeme is."""

    TERM = "term"  # a word or "phrase": ``Lexeme.leaf`` is a ``Term``
    FIELD = "field"  # field:value: ``Lexeme.leaf`` is a ``FieldIs`` or ``PublishedIn``
    OPEN = "("
    CLOSE = ")"
    AND = "AND"
    OR = "OR"
    NOT = "NOT"  # also a leading ``-``
    NEAR = "NEAR"


@dataclass(frozen=True, slots=True)
class Lexeme:
    """One unit of the query text.

    Attributes:
        kind: what it is.
        position: character offset of its start in the (NFC) query text.
        text: the characters as typed, for error messages.
        leaf: the finished leaf, for ``TERM`` and ``FIELD``.
        distance: the ``n`` of ``NEAR/n``.
        operator_like: for a word that spells an operator in the wrong case (``or``), the operator.
    """

    kind: Kind
    position: int
    text: str
    leaf: Term | FieldIs | PublishedIn | None = None
    distance: int = 0
    operator_like: str = ""


def syntax_error(position: int, problem: str, fix: str, hint: str) -> QueryError:
    """Return the ``QueryError`` for a problem at ``position``: where, how to fix it, and a Vietnamese hint."""
    return QueryError(f"{problem} at character {position + 1}: {fix} ({hint})", position)


def lex(text: str) -> list[Lexeme]:
    """Split NFC ``text`` into lexemes; words without a letter or digit (a lone ``-``) are dropped.

    Raises:
        QueryError: a lexeme is invalid on its own.
    """
    lexemes: list[Lexeme] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if char in "()":
            lexemes.append(Lexeme(Kind.OPEN if char == "(" else Kind.CLOSE, i, char))
            i += 1
        elif char == '"':
            i = _phrase(text, i, lexemes)
        elif char == "-" and i + 1 < len(text) and (text[i + 1].isalnum() or text[i + 1] in '"('):
            lexemes.append(Lexeme(Kind.NOT, i, "-"))
            i += 1
        elif (field := _FIELD.match(text, i)) and _is_field(text, field):
            i = _field(text, field, lexemes)
        else:
            word = _WORD.match(text, i)
            assert word is not None  # any other character starts a word
            _word(word.group(), i, lexemes)
            i = word.end()
    return lexemes


def _phrase(text: str, start: int, lexemes: list[Lexeme]) -> int:
    close = text.find('"', start + 1)
    if close == -1:
        raise syntax_error(start, "unclosed quote", 'add a closing " to end the phrase', "thiếu dấu ngoặc kép đóng")
    if text.startswith("*", close + 1):
        raise syntax_error(
            close + 1,
            'a wildcard after a "phrase"',
            "a wildcard can only end a single word, as in quảng*; remove the *",
            "dấu * chỉ đặt sau một từ",
        )
    words = tuple(split_tokens(text[start + 1 : close]))
    if words:
        lexemes.append(Lexeme(Kind.TERM, start, text[start : close + 1], Term(words)))
    return close + 1


def _is_field(text: str, field: re.Match[str]) -> bool:
    """Whether ``name:`` starts a field: a known name, or any name glued to a value (then an error)."""
    if field.group(1).lower() in FIELDS:
        return True
    after = field.end()
    return after < len(text) and not text[after].isspace() and text[after] != ")"


def _field(text: str, field: re.Match[str], lexemes: list[Lexeme]) -> int:
    start, name = field.start(), field.group(1).lower()
    if name not in FIELDS:
        person = " (there is no author field: pressdesk searches content, not people)" if name in _PERSON_FIELDS else ""
        raise syntax_error(
            start,
            f'unknown field "{field.group(1)}"',
            f"search fields are {', '.join(FIELDS)}{person}; to search the text itself, put it in quotes",
            "trường không hợp lệ",
        )
    at = field.end()
    if text.startswith('"', at):
        close = text.find('"', at + 1)
        if close == -1:
            raise syntax_error(at, "unclosed quote", 'add a closing " to end the value', "thiếu dấu ngoặc kép đóng")
        value, end = text[at + 1 : close].strip(), close + 1
    elif text.startswith("[", at) and name == "published":
        close = text.find("]", at)
        if close == -1:
            raise syntax_error(at, 'unclosed "["', _RANGE_FIX, "thiếu dấu ]")
        value, end = text[at : close + 1], close + 1
    else:
        match = _WORD.match(text, at)
        value, end = (match.group(), match.end()) if match else ("", at)
    if not value:
        raise syntax_error(
            start,
            f"{name}: has no value",
            f'write it as {name}:value; quote a value with spaces, as in outlet:"Tuổi Trẻ"',
            "thiếu giá trị",
        )
    leaf = _published(value, at) if name == "published" else FieldIs(name, _field_value(name, value, at))
    lexemes.append(Lexeme(Kind.FIELD, start, text[start:end], leaf))
    return end


def _published(value: str, at: int) -> PublishedIn:
    if not value.startswith("["):
        if value.startswith("{"):
            raise syntax_error(at, "a range in braces", _RANGE_FIX, "dùng ngoặc vuông")
        day = _day(value, at)
        if day is None:
            raise syntax_error(at, "published:* says nothing", f"remove it, or {_RANGE_FIX}", "bỏ điều kiện này")
        return PublishedIn(day, day)
    parts = _RANGE.fullmatch(value)
    if parts is None:
        raise syntax_error(at, f"the range {value} is not understood", _RANGE_FIX, "sai cú pháp khoảng ngày")
    first = _day(parts.group(1), at + parts.start(1))
    last = _day(parts.group(2), at + parts.start(2))
    if first is not None and last is not None and first > last:
        raise syntax_error(
            at, f"the range {value} ends before it starts", "put the earlier day first", "ngày đầu phải trước"
        )
    return PublishedIn(first, last)


def _day(value: str, at: int) -> date | None:
    if value == "*":
        return None
    try:
        if _DATE.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise syntax_error(
        at,
        f'"{value}" is not a date',
        "write days as YYYY-MM-DD, as in published:[2026-11-01 TO 2026-11-15] (* for an open end)",
        "sai định dạng ngày",
    )


def _field_value(name: str, value: str, at: int) -> str:
    if "*" in value:
        raise syntax_error(
            at,
            f"a wildcard in {name}:{value}",
            "field values match whole; wildcards only work on words, as in quảng*",
            "không dùng * trong trường",
        )
    allowed = {"stance": [s.value for s in Stance], "topic": [t.value for t in Topic]}.get(name)
    if allowed is not None:
        if value.lower() not in allowed:
            raise syntax_error(
                at, f'{name} "{value}" is not known', f"use one of {', '.join(allowed)}", "giá trị không hợp lệ"
            )
        return value.lower()
    if name == "language":
        if not _LANGUAGE.fullmatch(value.lower()):
            raise syntax_error(
                at, f'language "{value}" is not a language code', "write a code such as vi or en", "dùng mã ngôn ngữ"
            )
        return value.lower()
    return value


def _word(word: str, start: int, lexemes: list[Lexeme]) -> None:
    if word in _OPERATORS:
        lexemes.append(Lexeme(Kind(word), start, word))
        return
    if word.startswith("NEAR/") or word == "NEAR":
        lexemes.append(_near(word, start))
        return
    if _NEAR_LIKE.fullmatch(word):
        raise syntax_error(
            start, f'"{word}"', f"did you mean {word.upper()}? Operators are upper-case", "toán tử phải viết hoa"
        )
    prefix = _wildcard(word, start)
    words = tuple(split_tokens(word))
    if not words:
        return
    operator_like = word.upper() if word.upper() in _OPERATORS else ""
    lexemes.append(Lexeme(Kind.TERM, start, word, Term(words, prefix), operator_like=operator_like))


def _near(word: str, start: int) -> Lexeme:
    near = _NEAR.fullmatch(word)
    if near is None:
        raise syntax_error(start, f"{word} has no distance", _NEAR_FIX, "NEAR cần khoảng cách")
    distance = int(near.group(1))
    if not 1 <= distance <= MAX_NEAR:
        raise syntax_error(start, f"{word} is out of range", _NEAR_FIX, f"khoảng cách từ 1 đến {MAX_NEAR}")
    return Lexeme(Kind.NEAR, start, word, distance=distance)


def _wildcard(word: str, start: int) -> bool:
    """Check the ``*`` in ``word``, if any; return whether the word is a prefix."""
    star = word.find("*")
    if star == -1:
        return False
    if star == 0 and split_tokens(word):
        raise syntax_error(
            start,
            f'leading wildcard in "{word}"',
            "a wildcard can only end a word (a leading one would scan the whole index); write the start of it, "
            "as in quảng*",
            "dấu * chỉ đặt cuối từ",
        )
    if star != len(word) - 1:
        raise syntax_error(
            start + star,
            f'wildcard inside "{word}"',
            "a wildcard can only end a word, as in quảng*",
            "dấu * chỉ đặt cuối từ",
        )
    stem = split_tokens(word)
    if not stem or len(normalise_token(stem[-1], exact=False)) < MIN_PREFIX:
        raise syntax_error(
            start,
            f'the wildcard "{word}" is too short',
            f"write at least {MIN_PREFIX} letters before *, as in quả* (shorter ones match too many words)",
            "cần ít nhất 3 chữ cái trước dấu *",
        )
    return True
