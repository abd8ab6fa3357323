"""Exact-form search on SQLite: folded candidates checked (``indexing.sqlite_exact``), not a second index.

The reference is what the store did before schema step 6: an FTS5 table of the
lower-cased, unfolded title and body, asked the same question in its own MATCH
syntax. On random texts full of words that differ only by their marks (Bắc, bạc,
bác, bac) the two must find the same items.
"""

from __future__ import annotations

import random
import sqlite3
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import Item, SearchQuery
from core.enums import Stance
from core.item import Extracted, Fetched
from indexing import SqliteStore
from indexing.fields import TEXT_PATHS, index_fields, text_from_record_paths
from indexing.records import item_to_json
from indexing.sqlite_fts import fts_values
from indexing.sqlite_schema import MIGRATIONS, schema_version
from tests.indexing.store_contract import article

# Words that fold together, in several cases, plus the forms a legacy or decomposed text has.
WORDS = (
    "Bắc", "bạc", "bác", "bac", "BẮC", "Giang", "giàng", "GIANG", "Đà", "đá", "da", "Ðà",
    "Nẵng", "nắng", "nang", "Huế", "huệ", "hue", "Quảng", "quang", "quãng", "Nam", "nấm", "lũ", "lụ", "lu",
    "An", "ẩn", "Loan", "anh",
    unicodedata.normalize("NFD", "Bắc"), unicodedata.normalize("NFD", "nắng"),
)  # fmt: skip
SEPARATORS = (" ", " ", " ", ", ", ". ", " - ", "_", "\n", " (", ") ")
QUERY_WORDS = (
    "Bắc", "bạc", "bac", "Giang", "giàng", "Đà", "da", "Nẵng", "nắng", "Huế", "hue", "Quảng", "quãng", "lũ", "an",
)  # fmt: skip


def sentence(rng: random.Random, low: int, high: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return "".join(word + rng.choice(SEPARATORS) for word in words).strip()


@dataclass(frozen=True)
class Corpus:
    store: SqliteStore
    reference: sqlite3.Connection
    ids: dict[int, str]  # reference rowid -> item id
    published: dict[int, datetime]  # reference rowid -> publication time


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    rng = random.Random(20261203)
    items = [
        article(f"a{n}", sentence(rng, 2, 5), sentence(rng, 4, 30), START + timedelta(hours=n), stance=stance)
        for n, stance in enumerate(rng.choice(list(Stance)) for _ in range(120))
    ]
    store = SqliteStore(tmp_path_factory.mktemp("exact") / "items.db")
    store.upsert(items)
    reference = sqlite3.connect(":memory:")
    reference.execute(
        "CREATE VIRTUAL TABLE ref USING fts5(title, body, content='', tokenize='unicode61 remove_diacritics 0')"
    )
    for rowid, item in enumerate(items, start=1):
        fields = index_fields(item)
        title, body = (unicodedata.normalize("NFC", text).lower() for text in (fields.title, fields.body))
        reference.execute("INSERT INTO ref (rowid, title, body) VALUES (?, ?, ?)", (rowid, title, body))
    numbered = list(enumerate(items, start=1))
    published = {n: index_fields(item).published for n, item in numbered}
    yield Corpus(store, reference, {n: item.id for n, item in numbered}, published)
    store.close()
    reference.close()


@st.composite
def leaves(draw: st.DrawFn) -> tuple[str, str]:
    """A word, phrase, prefix or NEAR in the query language, and the same in FTS5's, lower-cased."""

    def phrase() -> tuple[str, list[str]]:
        words = draw(st.lists(st.sampled_from(QUERY_WORDS), min_size=1, max_size=3))
        return '"' + " ".join(words) + '"', [word.lower() for word in words]

    kind = draw(st.sampled_from(["phrase", "phrase", "prefix", "near"]))
    if kind == "near":
        (left, left_words), (right, right_words) = phrase(), phrase()
        distance = draw(st.integers(min_value=1, max_value=4))
        fts = f'NEAR("{" ".join(left_words)}" "{" ".join(right_words)}", {distance})'
        return f"{left} NEAR/{distance} {right}", fts
    if kind == "prefix":
        word = draw(st.sampled_from(("Quản", "quãn", "Nẵn", "nắn", "Bắc", "giàn")))
        return f"{word}*", f'"{word.lower()}" *'
    text, words = phrase()
    return text, '"' + " ".join(words) + '"'


@st.composite
def queries(draw: st.DrawFn) -> tuple[str, str]:
    """A boolean query in both languages: one leaf, or two joined by AND, OR or AND NOT."""
    left, left_fts = draw(leaves())
    shape = draw(st.sampled_from(["one", "and", "or", "not"]))
    if shape == "one":
        return left, left_fts
    right, right_fts = draw(leaves())
    if shape == "and":
        return f"{left} AND {right}", f"({left_fts}) AND ({right_fts})"
    if shape == "or":
        return f"{left} OR {right}", f"({left_fts}) OR ({right_fts})"
    return f"{left} AND NOT {right}", f"({left_fts}) NOT ({right_fts})"


START = datetime(2026, 11, 1, tzinfo=UTC)  # the corpus: one item an hour from here, for 120 hours


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries(), window=st.none() | st.tuples(st.integers(-5, 125), st.integers(-5, 125)))
def test_exact_search_finds_what_an_unfolded_index_finds(
    corpus: Corpus, query: tuple[str, str], window: tuple[int, int] | None
) -> None:
    """Also within a date window, which limits the candidates checked (``exact_matches(within=…)``)."""
    text, fts = query
    since, until = (None, None) if window is None else (START + timedelta(hours=h) for h in window)
    rows = corpus.reference.execute("SELECT rowid FROM ref WHERE ref MATCH ?", (fts,))
    expected = {
        corpus.ids[rowid]
        for (rowid,) in rows
        if (since is None or corpus.published[rowid] >= since) and (until is None or corpus.published[rowid] < until)
    }
    page = corpus.store.search(SearchQuery(text=text, exact=True, limit=500, facets=False, since=since, until=until))
    assert {hit.item.id for hit in page.hits} == expected, (text, fts)
    assert page.total == len(expected)


def test_the_checked_sets_are_smaller_than_the_folded_matches(corpus: Corpus) -> None:
    """The property test would pass vacuously if exact and folded found the same: they must not."""
    folded = corpus.store.search(SearchQuery(text="Bắc", facets=False, limit=500)).total
    exact = corpus.store.search(SearchQuery(text="Bắc", exact=True, facets=False, limit=500)).total
    assert 0 < exact < folded


def test_exact_results_are_ranked_paged_and_faceted_like_any_other(corpus: Corpus) -> None:
    query = SearchQuery(text='"Đà Nẵng" OR Huế', exact=True, limit=3)
    everything = corpus.store.search(SearchQuery(text=query.text, exact=True, limit=500))
    first = corpus.store.search(query)
    second = corpus.store.search(SearchQuery(text=query.text, exact=True, limit=3, offset=3))
    assert everything.total > 6
    assert [hit.item.id for hit in (*first.hits, *second.hits)] == [hit.item.id for hit in everything.hits[:6]]
    scores = [hit.score for hit in everything.hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert sum(first.facets["stance"].values()) == everything.total
    assert corpus.store.ranked_ids(query) == [hit.item.id for hit in first.hits]


def test_a_version_5_store_is_reindexed_with_one_folded_copy(tmp_path: Path) -> None:
    """Stores from before step 6 indexed a second, unfolded copy; the upgrade drops it and refills the index.

    Step 6 refills the folded texts, step 8 the table again with the word pairs beside them.
    """
    path = tmp_path / "items.db"
    store = SqliteStore(path)
    items = [
        article("bac", "Tin Bắc Giang", "Mưa lớn ở Bắc Giang.", datetime(2026, 11, 1, tzinfo=UTC)),
        article("bac-lieu", "Tin Bạc Liêu", "Nắng ở Bạc Liêu.", datetime(2026, 11, 2, tzinfo=UTC)),
    ]
    store.upsert(items)
    store.close()
    with sqlite3.connect(path, isolation_level=None) as conn:  # the table as version 5 left it
        conn.execute("DROP TABLE items_fts")
        conn.execute(
            "CREATE VIRTUAL TABLE items_fts USING fts5(title, body, title_exact, body_exact, "
            "content='', tokenize='unicode61 remove_diacritics 0')"
        )
        for doc, item_id in conn.execute("SELECT doc, id FROM items").fetchall():
            item = next(item for item in items if item.id == item_id)
            fields = index_fields(item)
            values = (*fts_values(item)[:2], fields.title.lower(), fields.body.lower())
            conn.execute("INSERT INTO items_fts (rowid, title, body, title_exact, body_exact) VALUES (?, ?, ?, ?, ?)",
                         (doc, *values))  # fmt: skip
        conn.execute("DROP TRIGGER items_text_changed")  # version 7's
        conn.execute("PRAGMA user_version = 5")
    again = SqliteStore(path)
    assert again.search(SearchQuery(text="bac")).total == 2
    assert again.search(SearchQuery(text='"bac giang"')).total == 1  # step 8's word pairs were filled too
    assert [hit.item.id for hit in again.search(SearchQuery(text="Bắc", exact=True)).hits] == [items[0].id]
    # Rewriting an item replays its indexed values to remove the old row: they must be the new columns'.
    again.upsert([_retitled(items[1], "Tin Bạc Liêu mới")])
    assert again.search(SearchQuery(text="moi")).total == 1
    assert again.search(SearchQuery(text="nang")).total == 1
    again.close()
    with sqlite3.connect(path) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(items_fts)")]
        config = dict(conn.execute("SELECT k, v FROM items_fts_config"))
        assert columns == ["title", "body", "title_pairs", "body_pairs"] and schema_version(conn) == len(MIGRATIONS)
        assert config["hashsize"] == 32 * 1024 * 1024 and config["automerge"] == 8


def _retitled(item: Item, title: str) -> Item:
    assert item.extracted is not None
    return replace(item, extracted=replace(item.extracted, title=title))


@pytest.mark.parametrize(
    "extracted",
    [
        Extracted(title="Tiêu đề trang", text="Thân bài"),
        Extracted(title="", text="Thân bài, tiêu đề từ nguồn tin"),
        Extracted(title="Chỉ có tiêu đề", text=""),
        None,
    ],
)
def test_the_texts_read_from_a_record_in_sql_are_the_indexed_ones(extracted: Extracted | None) -> None:
    fetched = Fetched(
        url="https://example.vn/a.html", source_id="s", outlet="o", fetched_at=datetime(2026, 11, 1, tzinfo=UTC),
        feed_title="Tiêu đề nguồn tin", feed_summary="Tóm tắt của nguồn tin",
    )  # fmt: skip
    item = Item(id="a", fetched=fetched, extracted=extracted)
    paths = ", ".join(f"'{path}'" for path in TEXT_PATHS)
    with sqlite3.connect(":memory:") as conn:
        (values,) = conn.execute(f"SELECT json_extract(?, {paths})", (item_to_json(item),)).fetchone()
    fields = index_fields(item)
    assert text_from_record_paths(orjson.loads(values)) == (fields.title, fields.body)
