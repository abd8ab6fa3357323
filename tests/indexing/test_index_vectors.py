"""The SQLite store's nearest-neighbour index (``indexing.vectors``): the HNSW path, its file, its upkeep."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from usearch.index import Index

from core import Item, SearchQuery, Stance, Vector
from indexing import SqliteStore
from tests.indexing.store_contract import DIM, QUERY_VECTOR, article, corpus
from tests.indexing.vector_contract import VectorContract

WHEN = datetime(2024, 5, 1, tzinfo=UTC)


class TestSqliteStoreThroughTheGraph(VectorContract):
    """The whole vector contract with the exact shortcut switched off: every search goes through HNSW."""

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[SqliteStore]:
        store = SqliteStore(tmp_path / "items.db", exact_below=0)
        yield store
        store.close()


def clustered(count: int, seed: int) -> Vector:
    """Unit vectors around a few hundred topics, as real embeddings cluster (not uniform noise)."""
    rng = np.random.default_rng(seed)
    topics = rng.standard_normal((300, DIM)).astype(np.float32)
    vectors = topics[rng.integers(0, len(topics), count)] + 0.6 * rng.standard_normal((count, DIM)).astype(np.float32)
    unit: Vector = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    return unit


def embedded_items(vectors: Vector) -> list[Item]:
    """One item per vector; every fifth is negative coverage, the rest neutral."""
    return [
        replace(
            article(
                f"v{n}",
                f"Tin {n}",
                "Đà Nẵng",
                WHEN + timedelta(minutes=n),
                stance=Stance.NEGATIVE if n % 5 == 0 else Stance.NEUTRAL,
            ),
            embedding=vector,
        )
        for n, vector in enumerate(vectors)
    ]


@pytest.fixture(scope="module")
def corpus_3000() -> list[Item]:
    return embedded_items(clustered(3000, seed=4))


@pytest.fixture
def queries() -> Vector:
    return clustered(20, seed=5)


def test_graph_and_exact_search_agree(tmp_path: Path, corpus_3000: list[Item], queries: Vector) -> None:
    exact = SqliteStore(tmp_path / "exact.db")  # 3,000 rows: below the threshold, scored exactly
    graph = SqliteStore(tmp_path / "graph.db", exact_below=0)
    for store in (exact, graph):
        store.upsert(corpus_3000)
    negative = SearchQuery(filters={"stance": ("negative",)})
    found = expected = 0
    for query in queries:
        for within in (None, negative):
            truth = exact.nearest(query, k=10, within=within)
            approx = graph.nearest(query, k=10, within=within)
            scores = dict(truth)
            # Scores are exact cosines on both paths: rescored from the stored float32 vectors.
            assert all(score == pytest.approx(scores[i], abs=1e-6) for i, score in approx if i in scores)
            found += len({i for i, _ in approx} & scores.keys())
            expected += len(truth)
    assert found / expected >= 0.97
    assert not (tmp_path / "exact.db.vectors").exists()
    assert (tmp_path / "graph.db.vectors").exists()  # a rebuilt index is saved at once
    exact.close()
    graph.close()


def _finds_the_true_neighbours(path: Path, query: Vector, found: list[tuple[str, float]]) -> bool:
    """Whether ``found`` holds at least 4 of the 5 exact nearest neighbours of ``query`` in the store at ``path``.

    HNSW is approximate and its threaded build is not deterministic: a rebuilt graph need
    not give the old graph's answer to the last decimal, but it must find the true neighbours.
    """
    exact = SqliteStore(path, exact_below=10**9)  # brute force over every vector
    truth = {item_id for item_id, _ in exact.nearest(query, k=5)}
    exact.close()
    return len({item_id for item_id, _ in found} & truth) >= 4


def test_a_deleted_index_file_is_rebuilt(tmp_path: Path, corpus_3000: list[Item], queries: Vector) -> None:
    path = tmp_path / "items.db"
    store = SqliteStore(path, exact_below=0)
    store.upsert(corpus_3000[:500])
    before = store.nearest(queries[0], k=5)
    store.close()
    Path(f"{path}.vectors").unlink()
    again = SqliteStore(path, exact_below=0)
    rebuilt = again.nearest(queries[0], k=5)
    assert Path(f"{path}.vectors").exists()
    again.close()
    assert _finds_the_true_neighbours(path, queries[0], before)
    assert _finds_the_true_neighbours(path, queries[0], rebuilt)


def test_a_damaged_index_file_is_rebuilt(tmp_path: Path, corpus_3000: list[Item], queries: Vector) -> None:
    path = tmp_path / "items.db"
    store = SqliteStore(path, exact_below=0)
    store.upsert(corpus_3000[:500])
    before = store.nearest(queries[1], k=5)
    store.close()
    Path(f"{path}.vectors").write_bytes(b"not an index" * 100)
    again = SqliteStore(path, exact_below=0)
    rebuilt = again.nearest(queries[1], k=5)
    again.close()
    assert _finds_the_true_neighbours(path, queries[1], before)
    assert _finds_the_true_neighbours(path, queries[1], rebuilt)
    assert Path(f"{path}.vectors").read_bytes()[:12] != b"not an index"  # replaced by a real graph


def test_the_saved_index_catches_up_with_writes_made_elsewhere(tmp_path: Path, corpus_3000: list[Item]) -> None:
    path = tmp_path / "items.db"
    reader = SqliteStore(path, exact_below=0)  # as `pressdesk serve` while `pressdesk collect` writes
    writer = SqliteStore(path, exact_below=0)
    writer.upsert(corpus_3000[:1000])
    assert len(reader.nearest(QUERY_VECTOR, k=2000)) == 1000
    reader.close()  # saved with the log position it reflects
    writer.upsert(corpus_3000[1000:1500])
    target = corpus_3000[1200]
    assert target.embedding is not None
    writer.upsert([replace(corpus_3000[3], embedding=None)])
    [(best, cosine)] = reader.nearest(target.embedding, k=1)
    assert best == target.id and cosine == pytest.approx(1.0, abs=1e-5)
    everything = {item_id for item_id, _ in reader.nearest(QUERY_VECTOR, k=2000)}
    assert len(everything) == 1499 and corpus_3000[3].id not in everything
    reader.close()
    writer.close()


def test_an_index_from_another_database_is_not_trusted(tmp_path: Path, corpus_3000: list[Item]) -> None:
    first = SqliteStore(tmp_path / "a.db", exact_below=0)
    first.upsert(corpus_3000[:800])
    first.nearest(QUERY_VECTOR, k=1)
    first.close()
    second = SqliteStore(tmp_path / "b.db", exact_below=0)
    second.upsert(corpus_3000[800:810])
    for suffix in (".vectors", ".vectors.json"):  # a newer index, copied beside an older database
        (tmp_path / f"b.db{suffix}").write_bytes((tmp_path / f"a.db{suffix}").read_bytes())
    assert {i for i, _ in second.nearest(QUERY_VECTOR, k=100)} == {item.id for item in corpus_3000[800:810]}
    second.close()


def test_narrow_filters_are_scored_exactly_without_building_the_index(tmp_path: Path, corpus_3000: list[Item]) -> None:
    store = SqliteStore(tmp_path / "items.db", exact_below=1000)
    store.upsert(corpus_3000[:2000])
    negative = store.nearest(QUERY_VECTOR, k=500, within=SearchQuery(filters={"stance": ("negative",)}))
    assert len(negative) == 400  # every fifth item
    assert not (tmp_path / "items.db.vectors").exists()
    assert len(store.nearest(QUERY_VECTOR, k=5)) == 5  # 2,000 rows unfiltered: the graph
    assert (tmp_path / "items.db.vectors").exists()
    store.close()


def test_every_embedding_change_is_logged_once(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "items.db")
    items = corpus()
    store.upsert(list(items.values()))  # five of eight carry a vector
    store.upsert(list(items.values()))  # same vectors again: nothing to log
    store.upsert([replace(items["tau-bien"], embedding=None), replace(items["bac-giang"], embedding=QUERY_VECTOR)])
    store.close()
    with sqlite3.connect(tmp_path / "items.db") as conn:
        assert conn.execute("SELECT count(*) FROM vector_log").fetchone()[0] == 7


def test_a_bulk_load_keeps_the_graph_current_and_saves_it_without_a_search(
    tmp_path: Path, corpus_3000: list[Item]
) -> None:
    path = tmp_path / "items.db"
    store = SqliteStore(path, exact_below=1000)
    for start in range(0, 2500, 500):  # past 1,000 rows each write is queued for the graph
        store.upsert(corpus_3000[start : start + 500])
    store.upsert([replace(corpus_3000[7], embedding=None)])  # a removal is followed too
    store.close()  # waits for the queued updates and saves the graph, though nothing searched
    saved = Index.restore(str(path) + ".vectors")
    assert saved is not None and len(saved) == 2499
    meta = json.loads(Path(f"{path}.vectors.json").read_text(encoding="utf-8"))
    with sqlite3.connect(path) as conn:
        assert meta["seq"] == conn.execute("SELECT max(seq) FROM vector_log").fetchone()[0]
    reopened = SqliteStore(path, exact_below=1000)
    reopened.upsert(corpus_3000[2500:])  # the saved graph is loaded and followed
    target = corpus_3000[2900]
    assert target.embedding is not None
    [(best, cosine)] = reopened.nearest(target.embedding, k=1)
    assert best == target.id and cosine == pytest.approx(1.0, abs=1e-5)
    assert corpus_3000[7].id not in {i for i, _ in reopened.nearest(QUERY_VECTOR, k=3000)}
    reopened.close()


def test_a_small_store_keeps_no_graph(tmp_path: Path, corpus_3000: list[Item]) -> None:
    store = SqliteStore(tmp_path / "items.db", exact_below=5000)
    store.upsert(corpus_3000)  # 3,000 rows: searched exactly, nothing to follow
    store.close()
    assert not (tmp_path / "items.db.vectors").exists()
