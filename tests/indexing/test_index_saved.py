"""``SavedSearchBook``: saved searches round-trip through their SQLite file, and what they match since a time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from core import QueryError, SavedSearch, SearchMode, SearchQuery, Sort, StoreUnavailable
from indexing import SavedSearchBook, SqliteStore, matching_since
from tests.indexing.store_contract import corpus

NOW = datetime(2026, 11, 22, 8, 30, tzinfo=UTC)
HANOI = timezone(timedelta(hours=7))

FULL_QUERY = SearchQuery(
    text='"sốt xuất huyết" AND bệnh viện',
    filters={"stance": ("negative", "neutral"), "unit": ("health",)},
    since=datetime(2026, 11, 1, tzinfo=HANOI),
    until=datetime(2026, 12, 1, tzinfo=HANOI),
    exact=True,
    sort=Sort.NEWEST,
    limit=50,
    offset=100,
    mode=SearchMode.HYBRID,
)


def test_construction_touches_nothing(tmp_path: Path) -> None:
    SavedSearchBook(tmp_path / "data" / "saved.db")
    assert list(tmp_path.iterdir()) == []


def test_a_saved_search_round_trips_without_its_paging(tmp_path: Path) -> None:
    book = SavedSearchBook(tmp_path / "saved.db")
    saved = book.add("Dịch sốt xuất huyết", FULL_QUERY, alert_unit="health", created_by="analyst", at=NOW)
    book.close()
    again = SavedSearchBook(tmp_path / "saved.db").get(saved.id)
    assert again == replace(saved, query=replace(FULL_QUERY, limit=20, offset=0))
    assert again is not None and again.query.since == FULL_QUERY.since and again.query.mode is SearchMode.HYBRID
    assert (again.alert_unit, again.created_by, again.created_at) == ("health", "analyst", NOW)


def test_more_like_this_searches_can_be_saved(tmp_path: Path) -> None:
    book = SavedSearchBook(tmp_path / "saved.db")
    saved = book.add("Giống bài cầu Rồng", SearchQuery(like="abc123", filters={"language": ("en",)}))
    assert book.get(saved.id) == saved


def test_list_update_and_delete(tmp_path: Path) -> None:
    book = SavedSearchBook(tmp_path / "saved.db")
    tourism = book.add("Du lịch", SearchQuery(text="du lịch"), at=NOW)
    floods = book.add("  Bão lũ ", SearchQuery(text="lũ lụt"), at=NOW)
    assert floods.name == "Bão lũ"
    assert [s.name for s in book.list_all()] == ["Bão lũ", "Du lịch"]

    changed = replace(tourism, name="Du lịch biển", query=SearchQuery(text="biển", mode=SearchMode.SEMANTIC))
    assert book.update(changed)
    assert book.get(tourism.id) == changed
    assert not book.update(SavedSearch(id="missing", name="x", query=SearchQuery()))

    assert book.delete(floods.id)
    assert not book.delete(floods.id)
    assert book.get(floods.id) is None
    assert [s.id for s in book.list_all()] == [tourism.id]


def test_invalid_searches_are_refused(tmp_path: Path) -> None:
    book = SavedSearchBook(tmp_path / "saved.db")
    with pytest.raises(QueryError, match="name"):
        book.add("   ", SearchQuery(text="du lịch"))
    with pytest.raises(QueryError, match="author"):
        book.add("Theo tác giả", SearchQuery(filters={"author": ("Nguyễn Văn A",)}))
    with pytest.raises(QueryError, match="unknown stance hostile; use one of negative, neutral, positive"):
        book.add("Thù địch", SearchQuery(filters={"stance": ("hostile", "negative")}))
    assert book.list_all() == []


def test_an_unopenable_file_is_unavailable(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("a file where a directory should be")
    with pytest.raises(StoreUnavailable, match="saved searches"):
        SavedSearchBook(tmp_path / "file" / "saved.db").list_all()


def test_matching_since_lists_new_matches_oldest_first(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "items.db")
    items = corpus()
    store.upsert(list(items.values()))
    saved = SavedSearchBook(tmp_path / "saved.db").add("Đà Nẵng", SearchQuery(text="Đà Nẵng", sort=Sort.NEWEST))
    found = matching_since(store, saved, datetime(2018, 1, 2, tzinfo=UTC))
    # "apec-en" says "Da Nang": the search ignores diacritics.
    assert [item.id for item in found] == [items[s].id for s in ("xe-buyt", "apec-en", "mua-lon")]
    # The saved search's own start wins when it is later.
    later = replace(saved, query=replace(saved.query, since=datetime(2018, 3, 1, tzinfo=UTC)))
    assert [item.id for item in matching_since(store, later, datetime(2018, 1, 2, tzinfo=UTC))] == [
        items[s].id for s in ("apec-en", "mua-lon")
    ]
    store.close()
