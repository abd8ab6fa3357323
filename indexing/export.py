"""A result set as a CSV or JSONL file, streamed a page at a time so memory stays bounded.

The columns describe coverage: the outlet, never a person (there is no author column,
by design). CSV is written for the office's Excel:

- an optional UTF-8 byte-order mark, without which Excel reads the file in the
  Windows code page and shows "Äà Náºµng" for "Đà Nẵng";
- formula-injection protection: a text cell starting with ``=``, ``+``, ``-``, ``@``,
  tab or carriage return gets a leading apostrophe, so a crawled title such as
  ``=HYPERLINK(...)`` stays text (OWASP "CSV injection").

Keyword exports run oldest first: items collected during a long export are mostly
recent, so they sort after the pages already written instead of shifting them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta, timezone
from typing import Literal, TextIO

from core.item import Item
from core.search import SearchHit, SearchMode, SearchQuery, Sort
from indexing.fields import index_fields
from indexing.hybrid import Searchable, all_hits

Format = Literal["csv", "jsonl"]
FORMATS: tuple[Format, ...] = ("csv", "jsonl")
COLUMNS: tuple[str, ...] = (
    "id",
    "url",
    "title",
    "outlet",
    "published",
    "language",
    "stance",
    "stance_confidence",
    "topic",
    "topic_confidence",
    "unit",
    "about",
    "localities",
)
BOM = "\ufeff"
PAGE_SIZE = 500
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_VIETNAM = timezone(timedelta(hours=7))  # dates as the office reads them


class ExportStream:
    """An export under way: how many items matched when it started, and the file's text to come.

    Attributes:
        total: matches when the first page was read (what the audit log records).
        rows: items written so far.
    """

    def __init__(self, total: int, hits: Iterator[SearchHit], fmt: Format, *, bom: bool) -> None:
        self.total = total
        self.rows = 0
        self._hits = hits
        self._fmt = fmt
        self._bom = bom

    def chunks(self) -> Iterator[str]:
        """The file's text, a few hundred rows per chunk; reading it runs the later pages."""
        hits = self._counted()
        return _csv_chunks(hits, bom=self._bom) if self._fmt == "csv" else _jsonl_chunks(hits)

    def _counted(self) -> Iterator[SearchHit]:
        for hit in self._hits:
            self.rows += 1
            yield hit


def start_export(
    source: Searchable, query: SearchQuery, fmt: Format, *, bom: bool = False, page_size: int = PAGE_SIZE
) -> ExportStream:
    """Read the first page now, so an invalid query fails before anything is written; stream the rest.

    Args:
        source: a ``Store`` or a ``Searcher`` (semantic and hybrid exports need the latter).
        query: what to export; its page and facets are ignored.
        fmt: ``"csv"`` or ``"jsonl"``.
        bom: start a CSV file with the UTF-8 byte-order mark (for Excel).
        page_size: items read per page.

    Raises:
        ValueError: an unknown format.
        QueryError: the query is invalid.
        StoreUnavailable: the store cannot be reached.
    """
    if fmt not in FORMATS:
        raise ValueError(f"export format {fmt!r} is not one of {', '.join(FORMATS)}")
    ordered = replace(query, sort=Sort.OLDEST) if query.mode is SearchMode.KEYWORD and not query.like else query
    first = source.search(replace(ordered, offset=0, limit=page_size, facets=False))
    rest = all_hits(source, replace(ordered, offset=page_size), page_size=page_size)
    hits = _chain(first.hits, rest if len(first.hits) == page_size else iter(()))
    return ExportStream(first.total, hits, fmt, bom=bom)


def export(
    source: Searchable,
    query: SearchQuery,
    fmt: Format,
    out: TextIO,
    *,
    bom: bool = False,
    page_size: int = PAGE_SIZE,
) -> int:
    """Write every match of ``query`` to ``out`` (opened with ``newline=""`` for CSV); return the rows written.

    Raises:
        ValueError: an unknown format.
        QueryError: the query is invalid.
        StoreUnavailable: the store cannot be reached.
    """
    stream = start_export(source, query, fmt, bom=bom, page_size=page_size)
    for chunk in stream.chunks():
        out.write(chunk)
    return stream.rows


def export_row(item: Item) -> dict[str, object]:
    """The exported fields of ``item``, in ``COLUMNS`` order (``localities`` as a list)."""
    labels = item.classified
    published = index_fields(item).published.astimezone(_VIETNAM)
    return {
        "id": item.id,
        "url": (item.extracted.canonical_url if item.extracted else "") or item.fetched.url,
        "title": item.title,
        "outlet": item.fetched.outlet,
        "published": published.isoformat(),
        "language": item.extracted.language if item.extracted else "",
        "stance": labels.stance.value if labels and labels.stance else None,
        "stance_confidence": labels.stance_confidence if labels and labels.stance else None,
        "topic": labels.topic.value if labels and labels.topic else None,
        "topic_confidence": labels.topic_confidence if labels and labels.topic else None,
        "unit": item.routed.unit_id if item.routed else None,
        "about": bool(labels and labels.about),
        "localities": [mention.name for mention in labels.localities] if labels else [],
    }


def guard_cell(value: str) -> str:
    """``value`` with a leading apostrophe if a spreadsheet would run it as a formula."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def _chain(first: tuple[SearchHit, ...], rest: Iterator[SearchHit]) -> Iterator[SearchHit]:
    yield from first
    yield from rest


def _csv_chunks(hits: Iterator[SearchHit], *, bom: bool) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM if bom else "")
    writer.writerow(COLUMNS)
    for count, hit in enumerate(hits, start=1):
        writer.writerow(_csv_cell(value) for value in export_row(hit.item).values())
        if count % PAGE_SIZE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return guard_cell("; ".join(value))
    return guard_cell(value) if isinstance(value, str) else value


def _jsonl_chunks(hits: Iterator[SearchHit]) -> Iterator[str]:
    lines: list[str] = []
    for hit in hits:
        lines.append(json.dumps(export_row(hit.item), ensure_ascii=False) + "\n")
        if len(lines) == PAGE_SIZE:
            yield "".join(lines)
            lines.clear()
    if lines:
        yield "".join(lines)
