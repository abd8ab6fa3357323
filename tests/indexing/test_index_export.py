"""``export``: CSV and JSONL files of a result set, streamed page by page, safe to open in Excel."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from core import Item, QueryError, SearchPage, SearchQuery, Store
from indexing import Searcher, SqliteStore, export, start_export
from indexing.export import COLUMNS, guard_cell
from tests.indexing.store_contract import corpus, full_item


class CountingSearches:
    """The real store, counting the pages asked of it (to see that an export streams)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.pages = 0

    def search(self, query: SearchQuery) -> SearchPage:
        self.pages += 1
        return self.store.search(query)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    store = SqliteStore(tmp_path / "items.db")
    store.upsert([*corpus().values(), full_item()])
    yield store
    store.close()


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_has_the_columns_and_values_of_each_item(store: SqliteStore) -> None:
    out = io.StringIO(newline="")
    assert export(store, SearchQuery(text="hợp nhất"), "csv", out) == 1
    [row] = _csv(out.getvalue())
    assert tuple(row) == COLUMNS
    assert row == {
        "id": full_item().id,
        "url": "https://example.vn/day-du.html",
        "title": "Đà Nẵng và Quảng Nam chính thức hợp nhất",
        "outlet": "Báo Đà Nẵng",
        "published": "2025-07-02T07:45:00+07:00",
        "language": "vi",
        "stance": "positive",
        "stance_confidence": "0.875",
        "topic": "government_administration",
        "topic_confidence": "0.5",
        "unit": "home-affairs",
        "about": "true",
        "localities": "Đà Nẵng; Quảng Nam",
    }
    assert not any("author" in column or "person" in column for column in COLUMNS)


def test_bom_only_when_asked_and_vietnamese_survives_utf8(store: SqliteStore) -> None:
    plain, excel = io.StringIO(), io.StringIO()
    export(store, SearchQuery(text="hợp nhất"), "csv", plain)
    export(store, SearchQuery(text="hợp nhất"), "csv", excel, bom=True)
    assert not plain.getvalue().startswith("\ufeff")
    assert excel.getvalue().startswith("\ufeffid,url,title")
    assert excel.getvalue().encode("utf-8").decode("utf-8-sig") == plain.getvalue()
    assert "Quảng Nam" in excel.getvalue()


def test_formula_cells_are_defused(store: SqliteStore) -> None:
    item = corpus()["tau-bien"]
    assert item.extracted is not None
    evil = replace(
        item,
        fetched=replace(item.fetched, outlet="@SUM(1+1)"),
        extracted=replace(item.extracted, title='=HYPERLINK("http://evil.example","bấm vào")'),
    )
    store.upsert([evil])
    out = io.StringIO()
    export(store, SearchQuery(filters={"outlet": ("@SUM(1+1)",)}), "csv", out)
    [row] = _csv(out.getvalue())
    assert row["title"] == '\'=HYPERLINK("http://evil.example","bấm vào")'
    assert row["outlet"] == "'@SUM(1+1)"
    assert [guard_cell(v) for v in ("+84 90", "-5", "\tx", "Đà Nẵng", "a=b")] == [
        "'+84 90",
        "'-5",
        "'\tx",
        "Đà Nẵng",
        "a=b",
    ]


def test_jsonl_has_one_object_per_item(store: SqliteStore) -> None:
    out = io.StringIO()
    assert export(store, SearchQuery(text="hợp nhất"), "jsonl", out) == 1
    [line] = out.getvalue().splitlines()
    row = json.loads(line)
    assert list(row) == list(COLUMNS)
    assert row["localities"] == ["Đà Nẵng", "Quảng Nam"] and row["about"] is True
    assert row["stance_confidence"] == 0.875 and '"Đà Nẵng' in line  # not \\u-escaped


def test_an_export_streams_every_match_page_by_page(store: SqliteStore) -> None:
    counting = CountingSearches(store)
    stream = start_export(counting, SearchQuery(), "jsonl", page_size=3)
    assert (stream.total, counting.pages, stream.rows) == (9, 1, 0)  # only the first page read so far
    text = "".join(stream.chunks())
    assert counting.pages == 4 and stream.rows == 9  # three full pages, then an empty one ends it
    ids = [json.loads(line)["id"] for line in text.splitlines()]
    assert len(set(ids)) == 9
    dates = [json.loads(line)["published"] for line in text.splitlines()]
    assert dates == sorted(dates)  # keyword exports run oldest first


def test_an_invalid_query_fails_before_anything_is_written(store: SqliteStore) -> None:
    with pytest.raises(QueryError):
        start_export(store, SearchQuery(filters={"author": ("x",)}), "csv")
    with pytest.raises(ValueError, match="xlsx"):
        start_export(store, SearchQuery(), "xlsx")  # type: ignore[arg-type]


def test_similar_items_export_through_a_searcher(store: SqliteStore) -> None:
    items: dict[str, Item] = corpus()
    out = io.StringIO()
    written = export(Searcher(store), SearchQuery(like=items["tau-bien"].id), "csv", out, page_size=2)
    rows = _csv(out.getvalue())
    assert written == len(rows) == 5  # every other item with a vector (full_item has one too)
    assert items["tau-bien"].id not in {row["id"] for row in rows}
