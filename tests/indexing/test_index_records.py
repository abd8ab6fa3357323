"""Items as JSON records, and the indexed view both stores derive from an item."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import numpy as np
import pytest

from core import FACET_FIELDS, Extracted, Fetched, Item, StoreError
from indexing import item_to_record, record_to_item
from indexing.fields import as_utc, index_fields
from tests.indexing.store_contract import VIETNAM, corpus, full_item


def _defaults_left(value: object, path: str = "item") -> list[str]:
    """Fields of ``value`` (recursively) still at their default: the round trip would not test them."""
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return []
    left = []
    for f in dataclasses.fields(value):
        current = getattr(value, f.name)
        if isinstance(current, np.ndarray):  # the embedding: set, so not its default None
            continue
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        if default is not dataclasses.MISSING and current == default:
            left.append(f"{path}.{f.name}")
        children = current if isinstance(current, tuple) else (current,)
        for child in children:
            left += _defaults_left(child, f"{path}.{f.name}")
    return left


def test_the_full_item_sets_every_field() -> None:
    assert _defaults_left(full_item()) == []


def test_every_field_round_trips_through_json() -> None:
    item = full_item()
    record = json.loads(json.dumps(item_to_record(item)))
    assert record_to_item(record) == item
    assert record_to_item(record).fetched.fetched_at == item.fetched.fetched_at
    assert record["classified"]["stance"] == "positive"
    assert record["fetched"]["fetched_at"] == "2025-07-02T09:15:30.123456+07:00"


def test_the_embedding_is_kept_apart() -> None:
    item = full_item()
    record = item_to_record(item)
    assert "embedding" not in record
    assert record_to_item(record).embedding is None
    assert record_to_item(record, item.embedding).embedding is item.embedding


def test_minimal_item_round_trips() -> None:
    item = Item(id="a" * 20, fetched=Fetched("https://x.vn/a", "s", "Báo", datetime(2025, 1, 1)))
    assert record_to_item(item_to_record(item)) == item


def test_reading_tolerates_other_versions() -> None:
    record = item_to_record(full_item())
    record["classified"]["sentiment_v0"] = 0.3  # written by an older pressdesk
    del record["extracted"]["image_url"]  # not yet known to the writer
    item = record_to_item(record)
    assert item.extracted is not None and item.extracted.image_url == ""


@pytest.mark.parametrize(
    "damage",
    [
        lambda r: r.pop("fetched"),
        lambda r: r["classified"].update(stance="hostile"),
        lambda r: r["fetched"].update(fetched_at=20250101),
        lambda r: r["classified"].update(claims="claim-1"),
        lambda r: r["extracted"].update(title=None),
    ],
)
def test_damaged_records_are_a_store_error(damage: object) -> None:
    record = item_to_record(full_item())
    damage(record)  # type: ignore[operator]
    with pytest.raises(StoreError, match="damaged"):
        record_to_item(record)


def test_index_fields_cover_every_facet() -> None:
    fields = index_fields(full_item())
    assert set(fields.facets) == set(FACET_FIELDS)
    assert fields.facets == {
        "stance": "positive",
        "topic": "government_administration",
        "outlet": "Báo Đà Nẵng",
        "language": "vi",
        "unit": "home-affairs",
    }
    assert fields.published == datetime(2025, 7, 2, 0, 45, tzinfo=UTC)
    assert fields.about is True


def test_a_feed_only_item_is_indexed_from_its_feed() -> None:
    fields = index_fields(corpus()["mua-lon"])
    assert fields.title.startswith("Đà Nẵng: mưa lớn")
    assert fields.body.startswith("Mưa lớn kéo dài")
    assert fields.published == datetime(2018, 7, 1, 6, 0, tzinfo=UTC)
    assert set(fields.facets.values()) == {None, "Báo Đà Nẵng"}


def test_extracted_text_wins_over_the_feed_summary() -> None:
    item = corpus()["mua-lon"]
    extracted = item.with_extracted(Extracted(title="", text="Toàn văn bài báo.", language=""))
    fields = index_fields(extracted)
    assert fields.body == "Toàn văn bài báo."
    assert fields.title == item.fetched.feed_title  # no extracted title: the feed's
    assert fields.facets["language"] is None


def test_as_utc() -> None:
    assert as_utc(datetime(2025, 7, 1, 7, tzinfo=VIETNAM)) == datetime(2025, 7, 1, tzinfo=UTC)
    assert as_utc(datetime(2025, 7, 1)).tzinfo is UTC
