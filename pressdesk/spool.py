"""The spool: a durable local queue between collection and the store, so nothing fetched is lost.

A cycle can be killed at any instruction (power cut, OOM killer, ``kill -9``) and the store
can be away for hours (Elasticsearch down, ``items.db`` locked by a backup). Both are
handled by writing work down before acting on it, in ``spool.db`` under the data
directory (WAL, ``synchronous = FULL``: every commit is on disk before the call returns):

- ``polling``: a source whose poll is under way. The poller saves the feed's validators
  before returning its entries, so a crash right after a poll would make the next poll a
  304 with no entries; a source still marked here at start-up has its validators
  forgotten and is polled again in full (``Spool.interrupted_polls``).
- ``intake``: feed entries read but not yet handled. A restarted cycle takes them up
  again, even when the feed no longer lists them.
- ``items``: classified items with their routing decisions, written in one transaction
  before anything downstream happens. ``drain`` then upserts them into the store,
  records their alerts, marks the crawl ledger and only then deletes them; every one of
  those steps is idempotent (upsert by id, alerts unique per story or item and unit,
  ledger keyed by id), so repeating a drain interrupted half-way changes nothing.
- ``store_state``: whether the last drain reached the store, for ``/healthz``.

The spool is bounded by the disk (or by ``max_bytes`` when given); when it cannot grow,
``SpoolFull`` says so and which folder to free.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from alerts import Decision
from core.enums import Stance, Topic, Urgency
from core.errors import StoreError, StoreUnavailable
from core.item import ClaimMatch, Classified, Extracted, Fetched, Item, LocalityMention, Routed
from core.settings import Settings
from core.sqlite import Database, ids_present
from crawlers import FeedEntry

SPOOL_FILE = "spool.db"

T = TypeVar("T")

_MIGRATIONS = (
    """
    CREATE TABLE polling (
        source_id TEXT PRIMARY KEY,
        started_at TEXT NOT NULL
    );
    CREATE TABLE intake (
        item_id TEXT PRIMARY KEY,
        source_id TEXT NOT NULL,
        entry TEXT NOT NULL,
        added_at TEXT NOT NULL
    );
    CREATE TABLE items (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        item_id TEXT NOT NULL UNIQUE,
        item TEXT NOT NULL,
        embedding BLOB,
        decisions TEXT NOT NULL,
        spooled_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE store_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        down_since TEXT,
        error TEXT NOT NULL DEFAULT '',
        checked_at TEXT
    );
    INSERT INTO store_state (id) VALUES (1);
    """,
)


class SpoolFull(StoreError):
    """The spool cannot grow: the disk (or the configured bound) is full."""


@dataclass(frozen=True, slots=True)
class Spooled:
    """One classified item waiting for the store, with the alerts triage asked for."""

    seq: int
    item: Item
    decisions: tuple[Decision, ...]
    spooled_at: datetime


@dataclass(frozen=True, slots=True)
class SpoolStatus:
    """What the spool holds and whether the store was reachable at the last drain.

    Attributes:
        depth: classified items waiting for the store.
        intake: feed entries read but not yet handled.
        oldest: when the oldest waiting item was spooled, ``None`` when empty.
        store_down_since: when the store stopped answering, ``None`` while it answers.
        store_error: the store's last error, ``""`` while it answers.
    """

    depth: int
    intake: int
    oldest: datetime | None
    store_down_since: datetime | None
    store_error: str

    def oldest_age(self, now: datetime) -> float:
        """Seconds the oldest waiting item has waited (0 when empty)."""
        return max(0.0, (now - self.oldest).total_seconds()) if self.oldest else 0.0

    @property
    def degraded(self) -> bool:
        """True while the store is unavailable (items then wait here)."""
        return self.store_down_since is not None

    def describe(self, now: datetime) -> str:
        """One line for a person: ``ok`` or ``degraded: store unavailable since …, 312 items spooled``."""
        if self.store_down_since is not None:
            return (
                f"degraded: store unavailable since {self.store_down_since.isoformat(timespec='seconds')}, "
                f"{self.depth} items spooled (oldest {self.oldest_age(now):.0f} s)"
            )
        if self.depth:
            return f"draining: {self.depth} items spooled (oldest {self.oldest_age(now):.0f} s)"
        return "ok"

    def as_dict(self, now: datetime) -> dict[str, object]:
        return {
            "depth": self.depth,
            "intake": self.intake,
            "oldest_age_seconds": round(self.oldest_age(now), 1),
            "store": "unavailable" if self.degraded else "available",
            "store_down_since": self.store_down_since.isoformat() if self.store_down_since else None,
            "store_error": self.store_error,
            "summary": self.describe(now),
        }


class _SpoolDatabase(Database):
    """``core.sqlite.Database`` with ``synchronous = FULL``: a commit is on disk when it returns."""

    def __init__(self, path: Path, max_bytes: int | None) -> None:
        super().__init__(path, _MIGRATIONS, "spool")
        self._max_bytes = max_bytes

    def _open(self) -> sqlite3.Connection:
        fresh = self._conn is None
        conn = super()._open()
        if fresh:
            conn.execute("PRAGMA synchronous = FULL")
            if self._max_bytes:
                page = int(conn.execute("PRAGMA page_size").fetchone()[0])
                conn.execute(f"PRAGMA max_page_count = {max(1, self._max_bytes // page)}")
        return conn


class Spool:
    """The durable queue in ``spool.db``; the constructor does no I/O.

    Args:
        path: the spool file (its folder is created on first use).
        max_bytes: an optional bound below the disk's own; ``None``: bounded by the disk.

    Every method raises ``SpoolFull`` when the spool cannot grow, ``StoreUnavailable``
    when the file cannot be opened, and ``StoreError`` when a statement fails.
    """

    def __init__(self, path: Path, *, max_bytes: int | None = None) -> None:
        self.path = path
        self._db = _SpoolDatabase(path, max_bytes)

    @classmethod
    def for_settings(cls, settings: Settings) -> Spool:
        """The deployment's spool, under the data directory."""
        return cls(settings.data_dir / SPOOL_FILE)

    # -- polls and intake ---------------------------------------------------------------

    def begin_poll(self, source_id: str) -> None:
        """Note that ``source_id`` is being polled; ``take_entries`` clears the note."""
        self._write(
            lambda conn: conn.execute(
                "INSERT INTO polling VALUES (?, ?) "
                "ON CONFLICT (source_id) DO UPDATE SET started_at = excluded.started_at",
                (source_id, _now()),
            )
        )

    def take_entries(self, source_id: str, entries: Sequence[tuple[str, FeedEntry]]) -> None:
        """Keep a poll's new entries (by item id, first source wins) and end the poll, in one transaction."""
        rows = [(key, source_id, _entry_json(entry), _now()) for key, entry in entries]

        def work(conn: sqlite3.Connection) -> None:
            conn.executemany("INSERT INTO intake VALUES (?, ?, ?, ?) ON CONFLICT (item_id) DO NOTHING", rows)
            conn.execute("DELETE FROM polling WHERE source_id = ?", (source_id,))

        self._write(work)

    def interrupted_polls(self) -> list[str]:
        """Sources whose poll began but whose entries never reached the intake (a crash in between)."""
        rows = self._db.run(lambda conn: conn.execute("SELECT source_id FROM polling ORDER BY source_id").fetchall())
        return [str(row[0]) for row in rows]

    def forget_poll(self, source_id: str) -> None:
        """Clear an interrupted poll's note, once the source is set to be read in full again."""
        self._write(lambda conn: conn.execute("DELETE FROM polling WHERE source_id = ?", (source_id,)))

    def intake(self) -> list[tuple[str, str, FeedEntry]]:
        """Entries read but not yet handled, as ``(item_id, source_id, entry)`` in the order they came."""
        rows = self._db.run(
            lambda conn: conn.execute("SELECT item_id, source_id, entry FROM intake ORDER BY rowid").fetchall()
        )
        return [(str(r[0]), str(r[1]), _entry_from_json(str(r[2]))) for r in rows]

    def discard_intake(self, item_ids: Iterable[str]) -> None:
        """Forget entries handled without reaching the spool (known already, off-topic, failed to fetch)."""
        ids = [(key,) for key in item_ids]
        if ids:
            self._write(lambda conn: conn.executemany("DELETE FROM intake WHERE item_id = ?", ids))

    # -- classified items ---------------------------------------------------------------

    def put(self, batch: Sequence[tuple[Item, Sequence[Decision]]], *, handled: Iterable[str] = ()) -> None:
        """Spool classified items with their decisions and drop ``handled`` entries from the intake, atomically.

        An item already waiting is replaced (same id: the newer reading wins), so a cycle
        repeated after a crash does not queue it twice.
        """
        now = _now()
        rows = [
            (item.id, _item_json(item), _embedding_blob(item), _decisions_json(decisions), now)
            for item, decisions in batch
        ]
        done = [(key,) for key in {*handled, *(item.id for item, _ in batch)}]

        def work(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "INSERT INTO items (item_id, item, embedding, decisions, spooled_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (item_id) DO UPDATE SET item = excluded.item, embedding = excluded.embedding, "
                "decisions = excluded.decisions",
                rows,
            )
            conn.executemany("DELETE FROM intake WHERE item_id = ?", done)

        self._write(work)

    def holding(self, item_ids: Iterable[str]) -> set[str]:
        """The ids among ``item_ids`` waiting in the spool (not to be fetched again)."""
        ids = list(item_ids)
        return self._db.run(lambda conn: ids_present(conn, "items", "item_id", ids))

    def next_batch(self, limit: int = 100) -> list[Spooled]:
        """The oldest waiting items, in spool order."""
        rows = self._db.run(
            lambda conn: conn.execute(
                "SELECT seq, item, embedding, decisions, spooled_at FROM items ORDER BY seq LIMIT ?", (limit,)
            ).fetchall()
        )
        return [
            Spooled(
                seq=int(r[0]),
                item=_item_from_json(str(r[1]), r[2]),
                decisions=_decisions_from_json(str(r[3])),
                spooled_at=datetime.fromisoformat(str(r[4])),
            )
            for r in rows
        ]

    def done(self, seqs: Iterable[int]) -> None:
        """Remove items now in the store with their alerts recorded."""
        rows = [(seq,) for seq in seqs]
        if rows:
            self._write(lambda conn: conn.executemany("DELETE FROM items WHERE seq = ?", rows))

    # -- store state --------------------------------------------------------------------

    def store_down(self, error: str, seqs: Iterable[int] = ()) -> datetime:
        """Record that the store did not answer (keeping the first time it failed); returns that time."""
        now = _now()
        rows = [(error, seq) for seq in seqs]

        def work(conn: sqlite3.Connection) -> str:
            conn.execute(
                "UPDATE store_state SET down_since = coalesce(down_since, ?), error = ?, checked_at = ? WHERE id = 1",
                (now, error, now),
            )
            conn.executemany("UPDATE items SET attempts = attempts + 1, last_error = ? WHERE seq = ?", rows)
            return str(conn.execute("SELECT down_since FROM store_state WHERE id = 1").fetchone()[0])

        return datetime.fromisoformat(self._write(work))

    def store_up(self) -> datetime | None:
        """Record that the store answered; returns since when it had been down, ``None`` if it was not."""
        now = _now()

        def work(conn: sqlite3.Connection) -> str | None:
            row = conn.execute("SELECT down_since FROM store_state WHERE id = 1").fetchone()
            conn.execute("UPDATE store_state SET down_since = NULL, error = '', checked_at = ? WHERE id = 1", (now,))
            return None if row is None or row[0] is None else str(row[0])

        since = self._write(work)
        return datetime.fromisoformat(since) if since else None

    def status(self) -> SpoolStatus:
        """Depth, oldest item and the store's state (read-only, cheap: for ``/healthz`` and ``/metrics``)."""

        def work(conn: sqlite3.Connection) -> tuple[Any, ...]:
            depth, oldest = conn.execute("SELECT count(*), min(spooled_at) FROM items").fetchone()
            (intake,) = conn.execute("SELECT count(*) FROM intake").fetchone()
            down, error = conn.execute("SELECT down_since, error FROM store_state WHERE id = 1").fetchone()
            return depth, intake, oldest, down, error

        depth, intake, oldest, down, error = self._db.run(work)
        return SpoolStatus(
            depth=int(depth),
            intake=int(intake),
            oldest=datetime.fromisoformat(oldest) if oldest else None,
            store_down_since=datetime.fromisoformat(down) if down else None,
            store_error=str(error or ""),
        )

    def health(self) -> dict[str, object]:
        """The status for ``/healthz`` (``api.health.SpoolHealth``): not ``ok`` while the store is unavailable."""
        state = self.status()
        return {"ok": not state.degraded, **state.as_dict(datetime.now(UTC))}

    def close(self) -> None:
        """Release the file; the spool reopens it on next use."""
        self._db.close()

    def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run a write, turning "disk full" into ``SpoolFull`` with the folder to free."""
        try:
            return self._db.run(work)
        except StoreUnavailable:
            raise
        except StoreError as exc:
            cause = exc.__cause__
            code = getattr(cause, "sqlite_errorcode", None)
            if code == sqlite3.SQLITE_FULL or "full" in str(cause):
                raise SpoolFull(
                    f"the spool {self.path} cannot grow: the disk (or the spool's size bound) is full; "
                    f"collection stops until space is freed under {self.path.parent}"
                ) from exc
            raise


def _now() -> str:
    return datetime.now(UTC).isoformat()


# -- encoding: plain JSON, so a spool written by one version can be read by a person ----------


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _time(value: object) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


def _entry_json(entry: FeedEntry) -> str:
    return json.dumps(
        {"url": entry.url, "title": entry.title, "summary": entry.summary, "published": _plain(entry.published)},
        ensure_ascii=False,
    )


def _entry_from_json(text: str) -> FeedEntry:
    data = json.loads(text)
    return FeedEntry(url=data["url"], title=data["title"], summary=data["summary"], published=_time(data["published"]))


def _fields(record: object, names: Sequence[str]) -> dict[str, object]:
    return {name: _plain(getattr(record, name)) for name in names}


_FETCHED = ("url", "source_id", "outlet", "fetched_at", "feed_title", "feed_summary", "feed_published")
_EXTRACTED = ("title", "text", "lead", "published", "language", "canonical_url", "image_url")
_ROUTED = ("unit_id", "reason", "urgency", "routed_at")


def _routed_dict(routed: Routed | None) -> dict[str, object] | None:
    return None if routed is None else _fields(routed, _ROUTED)


def _routed_from(data: dict[str, Any] | None) -> Routed | None:
    if data is None:
        return None
    return Routed(
        unit_id=data["unit_id"],
        reason=data["reason"],
        urgency=Urgency(data["urgency"]),
        routed_at=_time(data["routed_at"]),
    )


def _item_json(item: Item) -> str:
    labels = item.classified
    data: dict[str, object] = {
        "id": item.id,
        "fetched": _fields(item.fetched, _FETCHED),
        "extracted": _fields(item.extracted, _EXTRACTED) if item.extracted else None,
        "classified": None
        if labels is None
        else {
            "localities": [[m.name, m.about, m.hits] for m in labels.localities],
            "about": labels.about,
            "stance": _plain(labels.stance),
            "stance_confidence": labels.stance_confidence,
            "topic": _plain(labels.topic),
            "topic_confidence": labels.topic_confidence,
            "cluster_id": labels.cluster_id,
            "claims": [[c.claim_id, c.score, c.tier, c.url] for c in labels.claims],
            "model_version": labels.model_version,
        },
        "routed": _routed_dict(item.routed),
    }
    return json.dumps(data, ensure_ascii=False)


def _embedding_blob(item: Item) -> bytes | None:
    if item.embedding is None:
        return None
    vector = np.ascontiguousarray(item.embedding, dtype=np.float32)
    shape = ",".join(str(n) for n in vector.shape).encode()
    return base64.b64encode(shape) + b"|" + vector.tobytes()


def _item_from_json(text: str, blob: bytes | None) -> Item:
    data = json.loads(text)
    f = data["fetched"]
    fetched = Fetched(
        url=f["url"],
        source_id=f["source_id"],
        outlet=f["outlet"],
        fetched_at=datetime.fromisoformat(f["fetched_at"]),
        feed_title=f["feed_title"],
        feed_summary=f["feed_summary"],
        feed_published=_time(f["feed_published"]),
    )
    e = data["extracted"]
    extracted = (
        None
        if e is None
        else Extracted(
            title=e["title"],
            text=e["text"],
            lead=e["lead"],
            published=_time(e["published"]),
            language=e["language"],
            canonical_url=e["canonical_url"],
            image_url=e["image_url"],
        )
    )
    c = data["classified"]
    classified = (
        None
        if c is None
        else Classified(
            localities=tuple(LocalityMention(name, bool(about), int(hits)) for name, about, hits in c["localities"]),
            about=bool(c["about"]),
            stance=Stance(c["stance"]) if c["stance"] else None,
            stance_confidence=float(c["stance_confidence"]),
            topic=Topic(c["topic"]) if c["topic"] else None,
            topic_confidence=float(c["topic_confidence"]),
            cluster_id=c["cluster_id"],
            claims=tuple(ClaimMatch(cid, float(score), tier, url) for cid, score, tier, url in c["claims"]),
            model_version=c["model_version"],
        )
    )
    embedding = None
    if blob is not None:
        shape_text, _, raw = bytes(blob).partition(b"|")
        shape = tuple(int(n) for n in base64.b64decode(shape_text).decode().split(",") if n)
        embedding = np.frombuffer(raw, dtype=np.float32).reshape(shape).copy()
    return Item(
        id=data["id"],
        fetched=fetched,
        extracted=extracted,
        classified=classified,
        routed=_routed_from(data["routed"]),
        embedding=embedding,
    )


def _decisions_json(decisions: Sequence[Decision]) -> str:
    return json.dumps(
        [
            {
                "routed": _routed_dict(d.routed),
                "trigger": d.trigger,
                "cluster_id": d.cluster_id,
                "evidence_url": d.evidence_url,
            }
            for d in decisions
        ],
        ensure_ascii=False,
    )


def _decisions_from_json(text: str) -> tuple[Decision, ...]:
    decisions = []
    for d in json.loads(text):
        routed = _routed_from(d["routed"])
        assert routed is not None  # a decision always names its unit
        decisions.append(
            Decision(routed=routed, trigger=d["trigger"], cluster_id=d["cluster_id"], evidence_url=d["evidence_url"])
        )
    return tuple(decisions)
