"""``indexing.facets``: the in-memory facet counts and date order equal what SQL computes over the same rows.

The reference is plain SQL over the database file through its own connection: the
matches of the compiled query (``SqlSearch.matches``), grouped per field and per Vietnam
calendar day. A random corpus with missing values, dates before 1970 and fractional
seconds is searched, then changed through a second store (as another process would),
and searched again.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from core import Item, SearchQuery, Sort
from core.enums import Stance, Topic
from core.search import DAY_FACET, FACET_FIELDS
from indexing import SqliteStore
from indexing.query import parse
from indexing.sqlite_query import compile_search
from tests.indexing.store_contract import article

WORDS = ("lũ", "bão", "du lịch", "lễ hội", "bệnh viện", "đầu tư", "giao thông", "biển", "cảng", "trường")
OUTLETS = ("Báo Đà Nẵng", "VnExpress", "Tuổi Trẻ", "Thanh Niên", "")
LANGUAGES = ("vi", "en", "zh", "")
UNITS = ("culture", "health", "police", "")
QUERIES = (
    SearchQuery(text="lũ"),
    SearchQuery(text="(lũ OR bão) AND NOT biển"),
    SearchQuery(text='"du lịch" OR "lễ hội"', filters={"stance": ("negative", "neutral")}),
    SearchQuery(text="language:vi NOT cảng"),
    SearchQuery(text="", filters={"outlet": ("VnExpress",)}),
    SearchQuery(text="trường", since=datetime(1968, 6, 1, tzinfo=UTC), until=datetime(1990, 1, 1, tzinfo=UTC)),
    SearchQuery(text="giao thông AND stance:positive"),
    SearchQuery(text='published:[1969-12-30 TO 1970-01-03] OR "bệnh viện"'),
)


def _random_items(rng: np.random.Generator, count: int, prefix: str) -> list[Item]:
    items = []
    start = datetime(1969, 12, 25, tzinfo=UTC)
    for n in range(count):
        words = [str(w) for w in rng.choice(WORDS, size=int(rng.integers(1, 5)))]
        # Most in the days around 1970 (the day facet's floor), some years later; fractional seconds.
        spread = 10 * 86400 if n % 3 else 40 * 365 * 86400
        published = start + timedelta(seconds=float(rng.uniform(0, spread)))
        stances = [None, *Stance]
        topics = [None, Topic.TOURISM_CULTURE, Topic.HEALTH, Topic.ENVIRONMENT]
        items.append(
            article(
                f"{prefix}-{n}",
                " ".join(words[:2]).capitalize(),
                " ".join(words) + ".",
                published,
                outlet=str(rng.choice(OUTLETS)),
                language=str(rng.choice(LANGUAGES)),
                stance=stances[int(rng.integers(len(stances)))],
                topic=topics[int(rng.integers(len(topics)))],
                unit=str(rng.choice(UNITS)),
            )
        )
    return items


def _sql_facets(path: Path, query: SearchQuery) -> tuple[int, dict[str, dict[str, int]]]:
    """Total and facet counts of ``query`` by GROUP BY over the matching rows (the old SQL path)."""
    sql = compile_search(query, parse(query.text))
    conn = sqlite3.connect(path)
    try:
        total = int(conn.execute(f"SELECT count(*) {sql.matches}", sql.params).fetchone()[0])
        facets: dict[str, dict[str, int]] = {}
        for name in FACET_FIELDS:
            rows = conn.execute(
                f"SELECT i.{name}, count(*) {sql.matches} AND i.{name} IS NOT NULL GROUP BY i.{name}",
                sql.params,
            )
            facets[name] = {str(value): int(number) for value, number in rows}
        local = "(i.published + 25200)"
        whole = f"CAST({local} / 86400 AS INTEGER)"
        day = f"{whole} - ({local} < 0 AND {whole} * 86400 != {local})"
        rows = conn.execute(f"SELECT {day} AS d, count(*) {sql.matches} GROUP BY d", sql.params)
        epoch = datetime(1970, 1, 1, tzinfo=UTC).date()
        facets[DAY_FACET] = {(epoch + timedelta(days=int(d))).isoformat(): int(n) for d, n in rows}
    finally:
        conn.close()
    return total, facets


def _sql_newest(path: Path, query: SearchQuery, limit: int) -> list[str]:
    sql = compile_search(query, parse(query.text))
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            f"SELECT i.id {sql.matches} ORDER BY i.published DESC, i.id DESC LIMIT ?",
            (*sql.params, limit),
        )
        return [str(row[0]) for row in rows]
    finally:
        conn.close()


def _check_all(store: SqliteStore, path: Path) -> int:
    """Compare every query; return how many matches they had together (so the test knows it tested something)."""
    matched = 0
    for query in QUERIES:
        page = store.search(replace(query, facets=True))
        total, facets = _sql_facets(path, query)
        assert page.total == total, query
        assert page.facets == facets, query
        matched += total
        newest = store.search(replace(query, sort=Sort.NEWEST, limit=15, facets=False))
        assert [hit.item.id for hit in newest.hits] == _sql_newest(path, query, 15), query
        # In date order only the page is scored: the scores must be those of relevance order.
        relevance = {hit.item.id: hit.score for hit in store.search(replace(query, limit=1000, facets=False)).hits}
        assert newest.hits
        assert [hit.score for hit in newest.hits] == [relevance[hit.item.id] for hit in newest.hits]
    return matched


@pytest.mark.parametrize("seed", [1, 2])
def test_facets_from_memory_equal_sql_group_by_also_after_another_store_writes(tmp_path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    path = tmp_path / "items.db"
    store = SqliteStore(path)
    items = _random_items(rng, 400, "a")
    store.upsert(items)
    assert _check_all(store, path) > 400

    # Another writer (its own connection, as another process): relabels, moves dates, adds items.
    other = SqliteStore(path)
    changed = [
        replace(item, classified=replace(item.classified, stance=Stance.NEGATIVE, topic=None))
        for item in items[::7]
        if item.classified is not None
    ]
    midnight = datetime(1970, 1, 1, 16, 59, 59, 500000, tzinfo=UTC)  # half a second before 2 January in Vietnam
    moved = [
        replace(item, extracted=replace(item.extracted, published=midnight))
        for item in items[3::11]
        if item.extracted is not None
    ]
    other.upsert([*changed, *moved, *_random_items(rng, 150, "b")])
    other.close()
    assert store.count() == 550
    assert _check_all(store, path) > 550
    store.close()


def test_a_store_without_the_facet_log_is_upgraded_and_counted(tmp_path: Path) -> None:
    # Stores written before the log existed: the columns come from the rows themselves.
    path = tmp_path / "items.db"
    store = SqliteStore(path)
    store.upsert(_random_items(np.random.default_rng(3), 60, "c"))
    store.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DELETE FROM facet_log")
    conn.close()
    store = SqliteStore(path)
    assert _check_all(store, path) > 60
    store.close()


def test_ranked_ids_list_the_search_page_in_order_ties_included(tmp_path: Path) -> None:
    # Texts drawn from ten words repeat, so many scores tie at a page's edge (the ``id`` tie-break).
    store = SqliteStore(tmp_path / "items.db")
    store.upsert(_random_items(np.random.default_rng(4), 300, "d"))
    for text in ("lũ", "(lũ OR bão) AND NOT biển", '"du lịch"'):
        for offset, limit in ((0, 1), (0, 7), (3, 10), (0, 100), (250, 100)):
            query = SearchQuery(text=text, offset=offset, limit=limit, facets=False)
            expected = [hit.item.id for hit in store.search(query).hits]
            assert store.ranked_ids(query) == expected, (text, offset, limit)
    store.close()
