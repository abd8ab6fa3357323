"""``SqliteStore.upsert`` on its bulk path: batches prepared in chunks, words folded once, duplicates in a batch."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

import indexing.sqlite
from core import Extracted, Item, SearchQuery, UpsertResult
from indexing import SqliteStore
from tests.indexing.store_contract import article


def _many(count: int) -> list[Item]:
    start = datetime(2025, 3, 1, tzinfo=UTC)
    return [
        article(f"bai-{n}", f"Tin Đà Nẵng số {n}", f"Lễ hội pháo hoa lần {n} ở Đà Nẵng.", start + timedelta(minutes=n))
        for n in range(count)
    ]


def test_a_batch_larger_than_one_chunk_is_stored_and_indexed(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "items.db")
    items = _many(3 * indexing.sqlite._PREPARE_CHUNK + 7)  # several chunks, the last one short
    assert store.upsert(items) == UpsertResult(added=len(items), updated=0)
    assert store.count() == len(items)
    assert store.get(items[-1].id) == items[-1]
    assert store.search(SearchQuery(text="phao hoa", limit=0, facets=False)).total == len(items)
    assert store.search(SearchQuery(text=f'"số {len(items) - 1}"', limit=5, facets=False)).total == 1
    store.close()


def test_every_column_and_vector_survives_the_chunked_write(tmp_path: Path) -> None:
    # Items are written chunk by chunk, the next prepared in another thread: each item
    # must get back exactly its own vector (or none), whatever its neighbours carry.
    rng = np.random.default_rng(7)
    items = []
    for n, item in enumerate(_many(2 * indexing.sqlite._PREPARE_CHUNK + 3)):
        dims = (None, 3, 384)[n % 3]
        vector = None if dims is None else rng.standard_normal(dims).astype(np.float32)
        assert item.extracted is not None and item.extracted.published is not None
        published = item.extracted.published + timedelta(microseconds=n * 37 + 1)  # odd fractions of a second
        items.append(replace(item, embedding=vector, extracted=replace(item.extracted, published=published)))
    store = SqliteStore(tmp_path / "items.db")
    store.upsert(items)
    for item in items:
        stored = store.get(item.id)
        assert stored is not None and stored.published == item.published
        if item.embedding is None:
            assert stored.embedding is None
        else:
            assert stored.embedding is not None and stored.embedding.tobytes() == item.embedding.tobytes()
        assert stored == replace(item, embedding=stored.embedding)
    store.close()


def test_an_id_twice_in_one_batch_is_added_then_updated_and_the_last_version_wins(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "items.db")
    first, other = _many(2)
    assert first.extracted is not None
    again = replace(first, extracted=replace(first.extracted, title="Khai mạc lễ hội"))
    assert store.upsert([first, other, again]) == UpsertResult(added=2, updated=1)
    assert store.count() == 2
    stored = store.get(first.id)
    assert stored is not None and stored.title == "Khai mạc lễ hội"
    assert store.search(SearchQuery(text='"khai mạc"', facets=False)).total == 1
    assert store.search(SearchQuery(text='"tin đà nẵng số 0"', facets=False)).total == 0
    store.close()


def test_new_and_replaced_items_in_one_batch(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "items.db")
    items = _many(4)
    store.upsert(items[:2])
    changed = [replace(i, extracted=Extracted(title="Bão số 3", text="Mưa lớn.", published=i.published)) for i in items]
    assert store.upsert(changed) == UpsertResult(added=2, updated=2)
    assert store.search(SearchQuery(text="bao", limit=0, facets=False)).total == 4
    assert store.search(SearchQuery(text="phao hoa", limit=0, facets=False)).total == 0
    store.close()


def test_text_that_json_must_escape_is_indexed_as_written(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "items.db")
    (item,) = _many(1)
    text = 'Ông nói: "Đà Nẵng \\ an toàn"\n\tkhách 다낭 岘港 🌊 ٪'
    tricky = replace(item, extracted=Extracted(title="Trích dẫn", text=text, published=item.published))
    store.upsert([tricky])
    for words in ('"Đà Nẵng"', "an toàn", "다낭", "岘港"):
        assert store.search(SearchQuery(text=words, exact=True, facets=False)).total == 1, words
    assert store.get(item.id) == tricky
    store.close()
