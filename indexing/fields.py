"""What the indexes know about an item beyond its record: searchable text, facets, date.

Both stores derive their columns or document fields from here, so SQLite and
Elasticsearch filter, facet and sort on the same values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from core.item import Item


@dataclass(frozen=True, slots=True)
class IndexFields:
    """The indexed view of one item.

    Attributes:
        title: the best title known.
        body: the article text, else the feed summary, so a feed-only item is still findable.
        published: when the item appeared (publication time, else fetch time), in UTC.
        facets: value per ``FACET_FIELDS`` name, ``None`` when unknown.
        about: whether classification found the item to be about the locality.
    """

    title: str
    body: str
    published: datetime
    facets: dict[str, str | None]
    about: bool


def index_fields(item: Item) -> IndexFields:
    """Return the indexed view of ``item``."""
    classified = item.classified
    facets: dict[str, str | None] = {
        "stance": classified.stance.value if classified and classified.stance else None,
        "topic": classified.topic.value if classified and classified.topic else None,
        "outlet": item.fetched.outlet or None,
        "language": (item.extracted.language if item.extracted else "") or None,
        "unit": item.routed.unit_id if item.routed else None,
    }
    return IndexFields(
        title=item.title,
        body=item.text or item.fetched.feed_summary,
        published=as_utc(item.published or item.fetched.fetched_at),
        facets=facets,
        about=bool(classified and classified.about),
    )


#: Where a stored record (``indexing.records``) keeps what ``IndexFields.title`` and
#: ``body`` are made of, in the order ``text_from_record_paths`` takes them: a store can
#: read the two texts of many records in SQL without decoding whole items.
TEXT_PATHS = ("$.extracted.title", "$.fetched.feed_title", "$.extracted.text", "$.fetched.feed_summary")


def text_from_record_paths(values: Sequence[str | None]) -> tuple[str, str]:
    """``(title, body)`` as ``index_fields`` gives them, from the record's ``TEXT_PATHS`` values."""
    extracted_title, feed_title, text, feed_summary = values
    return extracted_title or feed_title or "", text or feed_summary or ""


def as_utc(moment: datetime) -> datetime:
    """Return ``moment`` in UTC; a naive time is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
