"""``SqliteStore``: the store contract, plus what only a SQLite file has (laziness, WAL, schema, locks)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

import indexing.vectors
from core import Item, SearchQuery, Sort, StoreError, StoreUnavailable
from indexing import SqliteStore
from indexing.sqlite_schema import MIGRATIONS, migrate, schema_version
from tests.indexing.query_contract import QueryContract
from tests.indexing.store_contract import QUERY_VECTOR, StoreContract, article, corpus, vector_at
from tests.indexing.vector_contract import VectorContract


class TestSqliteStore(StoreContract, VectorContract, QueryContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[SqliteStore]:
        store = SqliteStore(tmp_path / "items.db")
        yield store
        store.close()


def test_init_is_lazy(tmp_path: Path) -> None:
    path = tmp_path / "data" / "items.db"
    store = SqliteStore(path)
    assert not path.parent.exists()
    assert store.count() == 0
    assert path.exists()
    store.close()


def test_database_is_in_wal_mode(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "items.db")
    store.count()
    store.close()
    with sqlite3.connect(tmp_path / "items.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_migrations_are_idempotent_when_reopened(tmp_path: Path) -> None:
    path = tmp_path / "items.db"
    first = SqliteStore(path)
    first.upsert(list(corpus().values()))
    first.close()
    again = SqliteStore(path)
    assert again.count() == 8
    assert again.search(SearchQuery(text="bac giang")).total == 1
    again.close()
    conn = sqlite3.connect(path, isolation_level=None)
    assert schema_version(conn) == len(MIGRATIONS)
    assert migrate(conn) == len(MIGRATIONS)
    assert schema_version(conn) == len(MIGRATIONS)
    conn.close()


def test_a_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "items.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    store = SqliteStore(path)
    with pytest.raises(StoreError, match="upgrade pressdesk"):
        store.count()


def test_a_locked_database_is_unavailable_not_broken(tmp_path: Path) -> None:
    path = tmp_path / "items.db"
    store = SqliteStore(path, busy_timeout=0.05)
    store.count()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreUnavailable, match="locked"):
            store.upsert([corpus()["tau-bien"]])
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.upsert([corpus()["tau-bien"]]).added == 1  # usable once the lock is gone
    store.close()


def test_an_unopenable_path_is_unavailable_with_a_hint(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the data directory should be")
    store = SqliteStore(blocker / "items.db")
    with pytest.raises(StoreUnavailable, match="PRESSDESK_DATA_DIR"):
        store.count()


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "items.db"
    path.write_bytes(b"these are not the pages of an SQLite database" * 100)
    store = SqliteStore(path)
    with pytest.raises(StoreError, match="backup") as raised:
        store.count()
    assert not isinstance(raised.value, StoreUnavailable)


def test_threads_share_one_store(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "items.db")
    when = corpus()["tau-bien"].published
    assert when is not None
    batches = [[article(f"t{t}-{n}", f"Tin {t}", "Đà Nẵng", when) for n in range(20)] for t in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(store.upsert, batches))
        totals = list(pool.map(lambda _: store.search(SearchQuery(text="da nang")).total, range(8)))
    assert sum(r.added for r in results) == 160
    assert store.count() == 160
    assert all(0 <= total <= 160 for total in totals)
    store.close()


def test_replacing_keeps_the_full_text_index_consistent(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "items.db")
    item = corpus()["bac-lieu"]
    assert item.extracted is not None
    for text in ("Tôm Bạc Liêu được mùa.", "Giá tôm giảm mạnh.", "Bạc Liêu xuất khẩu tôm."):
        store.upsert([replace(item, extracted=replace(item.extracted, text=text))])
    assert store.search(SearchQuery(text="mua")).total == 1  # "mùa" in the title only
    assert store.search(SearchQuery(text="giam")).total == 0
    assert store.search(SearchQuery(text="xuat khau")).total == 1
    store.close()
    with sqlite3.connect(tmp_path / "items.db") as conn:
        conn.execute("INSERT INTO items_fts (items_fts) VALUES ('integrity-check')")


def test_nearest_reads_vectors_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indexing.vectors, "_VECTOR_CHUNK", 3)
    store = SqliteStore(tmp_path / "items.db")
    when = corpus()["tau-bien"].published
    assert when is not None
    cosines = [0.05 * n for n in range(11)]
    items = [
        replace(article(f"v{n}", "Tin", "Đà Nẵng", when), embedding=vector_at(c, n)) for n, c in enumerate(cosines)
    ]
    store.upsert(items)
    top = store.nearest(QUERY_VECTOR, k=4)
    assert [item_id for item_id, _ in top] == [items[n].id for n in (10, 9, 8, 7)]
    assert [score for _, score in top] == pytest.approx([0.5, 0.45, 0.4, 0.35], abs=1e-5)
    store.close()


def test_nearest_ignores_vectors_of_another_size(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "items.db")
    item = corpus()["tau-bien"]
    other_model = replace(corpus()["xe-buyt"], embedding=np.ones(8, dtype=np.float32))
    store.upsert([item, other_model])
    assert [item_id for item_id, _ in store.nearest(QUERY_VECTOR, k=5)] == [item.id]
    assert store.nearest(np.zeros(384, dtype=np.float32)) == []
    store.close()


TEXTS = ("Lũ lụt ở Huế", "Lũ ở Quảng Nam")


def _shuffled_days(count: int) -> list[Item]:
    """``count`` items on consecutive days from 2024-01-01, written in a scrambled order, two texts alternating."""
    start = datetime(2024, 1, 1, 3, tzinfo=UTC)
    days = [(7 * n) % count for n in range(count)]  # 7 and count coprime: every day once, out of order
    return [
        article(
            f"ngay-{day}",
            f"Tin ngày {day}",
            "Lũ ở Quảng Nam" if day % 2 else "Lũ lụt ở Huế",
            start + timedelta(days=day),
        )
        for day in days
    ]


def _published(item: Item) -> datetime:
    assert item.extracted is not None and item.extracted.published is not None
    return item.extracted.published


def test_a_date_window_finds_its_items_when_they_arrived_out_of_order(tmp_path: Path) -> None:
    # The window becomes a ``doc`` range; items written out of publication order must still all be found.
    store = SqliteStore(tmp_path / "items.db")
    items = _shuffled_days(50)
    store.upsert(items)
    since, until = datetime(2024, 1, 10, tzinfo=UTC), datetime(2024, 1, 20, tzinfo=UTC)
    page = store.search(SearchQuery(text="lũ", since=since, until=until, sort=Sort.NEWEST, limit=100))
    published = [_published(hit.item) for hit in page.hits]
    assert page.total == 10 and len(published) == 10
    assert published == sorted(published, reverse=True) and since <= published[-1] and published[0] < until
    dated = store.search(SearchQuery(text="lũ published:[2024-01-12 TO 2024-01-13]", sort=Sort.OLDEST))
    assert [_published(hit.item).day for hit in dated.hits] == [12, 13]
    empty = store.search(SearchQuery(text="lũ", since=datetime(2030, 1, 1, tzinfo=UTC)))
    assert empty.total == 0 and empty.hits == ()
    store.close()


@pytest.mark.parametrize("sort", [Sort.RELEVANCE, Sort.NEWEST, Sort.OLDEST])
def test_pages_in_turn_give_the_full_order_even_with_ties(tmp_path: Path, sort: Sort) -> None:
    store = SqliteStore(tmp_path / "items.db")
    items = _shuffled_days(30)
    # Ties: every text of one kind scores the same, and some items share a publication time.
    items += [replace(item, id=f"{item.id}-twin") for item in items[:8]]
    store.upsert(items)
    query = SearchQuery(text="lũ", sort=sort, limit=100)
    everything = [hit.item.id for hit in store.search(query).hits]
    paged = [
        hit.item.id for offset in range(0, 38, 7) for hit in store.search(replace(query, offset=offset, limit=7)).hits
    ]
    assert len(everything) == 38 and paged == everything
    if sort is Sort.RELEVANCE:
        scores = [(-hit.score, hit.item.id) for hit in store.search(query).hits]
        assert scores == sorted(scores)
    store.close()


def test_the_day_facet_counts_vietnam_days_before_1970(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "items.db")
    store.upsert(
        [
            article(
                "truoc", "Lũ năm xưa", "Lũ", datetime(1969, 12, 31, 10, tzinfo=UTC)
            ),  # 17:00 on the 31st in Vietnam
            article(
                "giao-thua", "Lũ đêm giao thừa", "Lũ", datetime(1969, 12, 31, 20, tzinfo=UTC)
            ),  # 03:00 on 1 January
            article("sau", "Lũ đầu năm", "Lũ", datetime(1970, 1, 1, 16, 59, tzinfo=UTC)),  # 23:59 on 1 January
        ]
    )
    facets = store.search(SearchQuery(text="lũ")).facets
    assert facets["day"] == {"1969-12-31": 1, "1970-01-01": 2}
    store.close()


def test_a_store_from_before_the_write_buffer_setting_gains_it(tmp_path: Path) -> None:
    path = tmp_path / "items.db"
    store = SqliteStore(path)
    store.upsert(list(corpus().values()))
    store.close()
    with sqlite3.connect(path, isolation_level=None) as conn:  # as version 4 left it
        conn.execute("DELETE FROM items_fts_config WHERE k = 'hashsize'")
        conn.execute("DROP TRIGGER items_text_changed")  # version 7's
        conn.execute("PRAGMA user_version = 4")
    again = SqliteStore(path)
    assert again.search(SearchQuery(text="bac giang")).total == 1
    again.close()
    with sqlite3.connect(path) as conn:
        config = dict(conn.execute("SELECT k, v FROM items_fts_config"))
        assert config["hashsize"] == 32 * 1024 * 1024 and schema_version(conn) == len(MIGRATIONS)
