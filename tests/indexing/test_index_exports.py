"""The package's public surface is exactly what ``__all__`` lists, and both stores fit the port."""

from __future__ import annotations

from pathlib import Path

import indexing
from core import Store


def test_public_names() -> None:
    assert sorted(indexing.__all__) == [
        "ElasticsearchStore",
        "ExportStream",
        "SavedSearchBook",
        "Searcher",
        "SqliteStore",
        "export",
        "item_to_record",
        "matching_since",
        "reciprocal_rank_fusion",
        "record_to_item",
        "start_export",
    ]
    assert all(hasattr(indexing, name) for name in indexing.__all__)


def test_stores_implement_every_method_of_the_port() -> None:
    port = {name for name in vars(Store) if not name.startswith("_")}
    for store in (indexing.SqliteStore, indexing.ElasticsearchStore):
        assert port <= set(vars(store)), store.__name__


def test_stores_satisfy_the_protocol(tmp_path: Path) -> None:
    # The annotation makes mypy check the signatures; isinstance checks the names at run time.
    stores: list[Store] = [indexing.SqliteStore(tmp_path / "items.db"), indexing.ElasticsearchStore("http://x:9200")]
    assert all(isinstance(store, Store) for store in stores)
    assert list(tmp_path.iterdir()) == []  # constructing touched nothing
