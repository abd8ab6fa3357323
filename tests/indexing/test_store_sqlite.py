"""``SqliteStore``: the store contract, plus what only a SQLite file has (laziness, WAL, schema, locks)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import indexing.vectors
from core import SearchQuery, StoreError, StoreUnavailable
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
