"""Copying every item from one ``Store`` to another (SQLite → Elasticsearch, or SQLite → SQLite).

The copy walks the source in publication order through the ``Store`` port only, one time
window at a time (``since``/``until``), so each read touches a window's items and not the
whole store: offset paging over a million items would re-sort the store for every page.
A window holding more than a few batches is halved; a sparse one is doubled.

After each window the checkpoint file records the time up to which everything is copied,
so an interrupted migration resumes there. Upserts are idempotent (ids are URL hashes),
so re-copying the window that was under way when it stopped costs time, never duplicates.
Every batch is checked on the target (``existing``) and the first item of each batch is
read back with its vector; at the end the counts are compared.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

import numpy as np

from core.errors import ConfigError, StoreError
from core.item import Item
from core.ports import Store
from core.search import SearchQuery, Sort
from indexing import ElasticsearchStore, SqliteStore
from indexing.fields import index_fields

#: Progress callback: items copied so far, items in the source.
Progress = Callable[[int, int], None]

_SMALLEST_WINDOW = timedelta(seconds=1)
_LARGEST_WINDOW = timedelta(days=366)


def open_spec(spec: str) -> Store:
    """The store a ``--from``/``--to`` value names: ``sqlite:PATH`` or ``elasticsearch:URL[?prefix=NAME]``.

    Raises:
        ConfigError: the value names neither.
    """
    kind, _, where = spec.partition(":")
    if kind == "sqlite" and where:
        return SqliteStore(Path(where))
    if kind in ("elasticsearch", "es") and where.startswith(("http://", "https://")):
        # ``?prefix=NAME`` picks the index prefix (alias NAME-items), e.g. to copy into a fresh set of indices.
        parts = urlsplit(where)
        prefix = parse_qs(parts.query).get("prefix", ["pressdesk"])[0]
        return ElasticsearchStore(urlunsplit(parts._replace(query="")), prefix)
    raise ConfigError(
        f"cannot read store {shown(spec)!r}; write sqlite:PATH (e.g. sqlite:pressdesk-data/items.db) "
        "or elasticsearch:URL (e.g. elasticsearch:http://localhost:9200)"
    )


def shown(spec: str) -> str:
    """``spec`` with any password in its URL replaced by ``***``, for messages and the checkpoint."""
    kind, _, where = spec.partition(":")
    try:
        parts = urlsplit(where)
        if parts.password is None:
            return spec
        netloc = f"{parts.username}:***@{parts.hostname}{f':{parts.port}' if parts.port else ''}"
    except ValueError:
        return f"{kind}:***"
    return f"{kind}:{urlunsplit(parts._replace(netloc=netloc))}"


@dataclass
class Checkpoint:
    """How far a migration got: everything published before ``cursor`` is on the target.

    Attributes:
        source: the source spec (password masked).
        target: the target spec (password masked).
        cursor: ISO time up to which every item is copied; ``""`` before the first window.
        copied: items written so far, over all runs.
        finished: the last window is done and the counts were checked.
    """

    source: str
    target: str
    cursor: str = ""
    copied: int = 0
    finished: bool = False

    @classmethod
    def load(cls, path: Path, source: str, target: str) -> Checkpoint:
        """The checkpoint at ``path`` for this source and target, or a fresh one.

        Raises:
            ConfigError: the file belongs to another migration or cannot be read.
        """
        fresh = cls(shown(source), shown(target))
        if not path.exists():
            return fresh
        try:
            saved = cls(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError) as exc:
            raise ConfigError(f"cannot read checkpoint {path}: {exc}; remove it or pass --restart") from exc
        if (saved.source, saved.target) != (fresh.source, fresh.target):
            raise ConfigError(
                f"checkpoint {path} is for {saved.source} → {saved.target}; use another --checkpoint or --restart"
            )
        return saved

    def save(self, path: Path) -> None:
        """Write atomically: a crash leaves the old checkpoint or the new one, never half of one."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(asdict(self), ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)


@dataclass(frozen=True, slots=True)
class MigrationReport:
    """The outcome: counts on both sides and what this run did."""

    source_count: int
    target_count: int
    copied_this_run: int
    copied_total: int
    windows: int
    resumed_from: str

    @property
    def complete(self) -> bool:
        return self.target_count >= self.source_count


def migrate(
    source: Store,
    target: Store,
    checkpoint: Checkpoint,
    checkpoint_path: Path,
    *,
    batch: int = 500,
    progress: Progress | None = None,
) -> MigrationReport:
    """Copy every item of ``source`` (vectors included) to ``target``, resuming from ``checkpoint``.

    Raises:
        StoreError: an item written to the target is not there afterwards, or its vector differs.
        StoreUnavailable: either store cannot be reached (the checkpoint keeps what was done).
    """
    total = source.count()
    resumed_from = checkpoint.cursor
    copied_before = checkpoint.copied
    windows = 0
    report = progress or (lambda done, of: None)
    bounds = _bounds(source)
    if bounds is not None:
        first, last = bounds
        cursor = max(first, datetime.fromisoformat(checkpoint.cursor)) if checkpoint.cursor else first
        end = last + _SMALLEST_WINDOW  # ``until`` is exclusive: the newest item is in the last window
        span = timedelta(days=1)
        report(checkpoint.copied, total)
        while cursor < end:
            until = min(cursor + span, end)
            window = SearchQuery(since=cursor, until=until, sort=Sort.OLDEST, limit=batch, facets=False)
            page = source.search(window)
            if page.total > 4 * batch and span > _SMALLEST_WINDOW:
                span = max(span / 2, _SMALLEST_WINDOW)  # too many to page cheaply: narrow the window
                continue
            offset = 0
            hits = page.hits
            while hits:
                _copy(target, [hit.item for hit in hits])
                offset += len(hits)
                checkpoint.copied += len(hits)
                report(checkpoint.copied, total)
                if offset >= page.total:
                    break
                hits = source.search(SearchQuery(since=cursor, until=until, sort=Sort.OLDEST, limit=batch,
                                                 offset=offset, facets=False)).hits  # fmt: skip
            windows += 1
            cursor = until
            checkpoint.cursor = cursor.isoformat()
            checkpoint.save(checkpoint_path)
            if page.total < batch // 4:
                span = min(span * 2, _LARGEST_WINDOW)
    target_count = target.count()
    checkpoint.finished = target_count >= total
    checkpoint.save(checkpoint_path)
    return MigrationReport(
        source_count=total,
        target_count=target_count,
        copied_this_run=checkpoint.copied - copied_before,
        copied_total=checkpoint.copied,
        windows=windows,
        resumed_from=resumed_from,
    )


def _bounds(source: Store) -> tuple[datetime, datetime] | None:
    """The oldest and newest publication times in ``source``; ``None`` when it is empty."""
    oldest = source.search(SearchQuery(sort=Sort.OLDEST, limit=1, facets=False)).hits
    newest = source.search(SearchQuery(sort=Sort.NEWEST, limit=1, facets=False)).hits
    if not oldest or not newest:
        return None
    return _published(oldest[0].item), _published(newest[0].item)


def _published(item: Item) -> datetime:
    return index_fields(item).published.astimezone(UTC)


def _copy(target: Store, items: list[Item]) -> None:
    """Write one batch and prove it landed: every id present, the first item's vector intact."""
    target.upsert(items)
    ids = [item.id for item in items]
    missing = set(ids) - target.existing(ids)
    if missing:
        raise StoreError(f"{len(missing)} items are missing on the target after writing them, e.g. {min(missing)}")
    sample = items[0]
    back = target.get(sample.id)
    if back is None or not _same_vector(sample, back):
        raise StoreError(f"item {sample.id} did not come back from the target with its vector; stopping")


def _same_vector(wrote: Item, read: Item) -> bool:
    if wrote.embedding is None or read.embedding is None:
        return wrote.embedding is None and read.embedding is None
    return bool(np.allclose(wrote.embedding, read.embedding, atol=1e-5))
