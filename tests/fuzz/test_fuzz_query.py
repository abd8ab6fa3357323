"""The boolean query language on hostile text: every input parses or raises ``QueryError`` with a position.

The same text then goes to a real SQLite store, so the FTS5 expression compiled from it
is fuzzed too: a query that gets past the parser must never reach SQLite as a syntax
error (``sqlite3.OperationalError``) or any other exception.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core import Extracted, Fetched, Item, QueryError, SearchQuery, item_id
from indexing import SqliteStore
from indexing.query import parse

#: Examples per test are multiplied by this for long runs outside CI.
SCALE = int(os.environ.get("PRESSDESK_FUZZ_SCALE", "1"))

#: Pieces of the language, right and wrong: operators in both cases, fields real and
#: refused, ranges, NEAR distances in and out of bounds, wildcards, quotes, Vietnamese words.
TOKENS = [
    "AND", "OR", "NOT", "and", "or", "not", "Or", "(", ")", '"', "*", "-", "+", ":", "[", "]", "{", "}",
    "NEAR/5", "NEAR/0", "NEAR/51", "NEAR/99999999999999999999", "near/3", "NEAR/", "NEAR",
    "stance:negative", "stance:", "stance:hostile", "topic:du_lich", "topic:", "outlet:\"Báo Đà Nẵng\"",
    "language:vi", "language:zzzz", "unit:ubnd", "author:someone", "byline:x", "published:2026-11-30",
    "published:[2026-11-01 TO 2026-11-15]", "published:[* TO *]", "published:[2026-02-30 TO x]", "published:[",
    "published:9999-99-99", "Đà", "Nẵng", "Hội An", "lũ", "bão", "du*", "d*", "Quảng*", "đ", "Đ", "ĐÀ",
    "e\u0301", "\u0301", "NOT(", "\"Đà Nẵng\"", "\"unclosed", "''", "\\", "\"\"", "^", "~", "\x00", "\u200b",
    "\ufeff", "ﬁ", "①", "𝔇à", "à" * 300, "a" * 2000,
]  # fmt: skip
SEPARATORS = [" ", "  ", "", "\t", "\n", "\u3000", "\u00a0"]

query_texts = st.one_of(
    st.lists(st.tuples(st.sampled_from(TOKENS), st.sampled_from(SEPARATORS)), max_size=14).map(
        lambda parts: "".join(token + sep for token, sep in parts)
    ),
    st.text(max_size=200),
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStore]:
    """A real SQLite store with two items, so that queries compile and run."""
    store = SqliteStore(Path(tmp_path_factory.mktemp("fuzz-store")) / "items.db")
    day = datetime(2026, 11, 30, tzinfo=UTC)
    texts = ["Đà Nẵng đón khách du lịch sau bão", "Lũ ở Quảng Nam, Hội An ngập sâu"]
    items = []
    for n, text in enumerate(texts):
        url = f"https://baodanang.vn/bai-{n}.html"
        items.append(
            Item(
                id=item_id(url),
                fetched=Fetched(url=url, source_id="fuzz", outlet="Báo Đà Nẵng", fetched_at=day),
                extracted=Extracted(title=text, text=text * 3, published=day, language="vi"),
            )
        )
    store.upsert(items)
    yield store
    store.close()


def _check(text: str, store: SqliteStore) -> None:
    try:
        parse(text)
    except QueryError as exc:
        assert exc.position is not None, f"no position for {text!r}: {exc}"
        assert 0 <= exc.position <= len(unicodedata.normalize("NFC", text)), (exc.position, text)
        assert str(exc)
        return
    try:
        store.search(SearchQuery(text=text, limit=5))
    except QueryError as exc:  # the store may refuse what it cannot run, in the same words
        assert str(exc)


@settings(max_examples=500 * SCALE, deadline=1000)
@given(text=query_texts)
@example(text="NEAR/99999999999999999999")
@example(text="a NEAR/5")
@example(text="(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((x")
@example(text="(" * 5000 + "x" + ")" * 5000)
@example(text="NOT " * 3000 + "x")
@example(text='"' + "a " * 5000 + '"')
@example(text="published:[2026-11-01 TO 2026-10-01]")
@example(text="x*" * 500)
@example(text="\x00")
@example(text="e\u0301 NOT")
def test_query_parses_or_says_where_it_is_wrong(
    text: str, store: SqliteStore, within: Callable[[float], AbstractContextManager[None]]
) -> None:
    with within(10):
        _check(text, store)
