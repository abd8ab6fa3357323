"""What triage remembers about coverage it has seen: outlets per story, items per topic per day.

Triage needs context no single item carries: how many outlets a story has reached and
how a topic's volume today compares with its recent days. It keeps that memory itself,
in its own small SQLite file, so it works the same whichever store holds the items.
Only labels, outlet names and days are kept, never who wrote anything.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from core.item import Item
from core.sqlite import Database

#: Vietnam keeps UTC+7 all year; days are counted in local time.
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")

_MIGRATIONS = (
    """
    CREATE TABLE sightings (
        item_id TEXT PRIMARY KEY,
        cluster_id TEXT NOT NULL,
        outlet TEXT NOT NULL,
        topic TEXT NOT NULL,
        stance TEXT NOT NULL,
        language TEXT NOT NULL,
        day TEXT NOT NULL,
        seen_at TEXT NOT NULL
    );
    CREATE INDEX sightings_cluster ON sightings (cluster_id) WHERE cluster_id != '';
    CREATE INDEX sightings_topic_day ON sightings (topic, day);
    CREATE TABLE saved_runs (
        saved_id TEXT PRIMARY KEY,
        ran_at TEXT NOT NULL
    );
    """,
)


def local_day(item: Item, now: datetime) -> date:
    """The Vietnam calendar day an item counts on: its publication day, else the day it was seen.

    A publication time in the future (a wrong clock at the outlet) counts as seen now.
    """
    published = item.published
    moment = published if published is not None and published.tzinfo and published <= now else now
    return moment.astimezone(VIETNAM_TIME).date()


class Sightings:
    """Triage's memory in a SQLite file, opened on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = Database(path, _MIGRATIONS, "triage memory")

    def note(self, items: Sequence[Item], now: datetime) -> None:
        """Remember ``items`` (classified, about the locality); an item seen before is not counted twice."""
        rows = []
        for item in items:
            labels = item.classified
            if labels is None:
                continue
            rows.append(
                (
                    item.id,
                    labels.cluster_id,
                    item.fetched.outlet,
                    labels.topic.value if labels.topic else "",
                    labels.stance.value if labels.stance else "",
                    item.extracted.language if item.extracted else "",
                    local_day(item, now).isoformat(),
                    now.astimezone(UTC).isoformat(),
                )
            )

        def work(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "INSERT INTO sightings VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (item_id) DO NOTHING", rows
            )

        self._db.run(work)

    def cluster_outlets(self, cluster_id: str) -> set[str]:
        """The outlets that carried story ``cluster_id`` so far."""
        if not cluster_id:
            return set()
        rows = self._db.run(
            lambda conn: conn.execute(
                "SELECT DISTINCT outlet FROM sightings WHERE cluster_id = ?", (cluster_id,)
            ).fetchall()
        )
        return {row[0] for row in rows}

    def topic_counts(self, topic: str, first: date, last: date) -> dict[date, int]:
        """Items per local day on ``topic`` from ``first`` to ``last`` inclusive; days with none are 0."""
        rows = self._db.run(
            lambda conn: conn.execute(
                "SELECT day, count(*) FROM sightings WHERE topic = ? AND day BETWEEN ? AND ? GROUP BY day",
                (topic, first.isoformat(), last.isoformat()),
            ).fetchall()
        )
        counts = {date.fromisoformat(row[0]): int(row[1]) for row in rows}
        days = (last - first).days + 1
        return {first + timedelta(days=n): counts.get(first + timedelta(days=n), 0) for n in range(days)}

    def first_day(self) -> date | None:
        """The earliest day remembered, ``None`` when nothing has been seen yet."""
        row = self._db.run(lambda conn: conn.execute("SELECT min(day) FROM sightings").fetchone())
        return date.fromisoformat(row[0]) if row[0] else None

    def saved_ran(self, saved_id: str) -> datetime | None:
        """When the saved search ``saved_id`` was last run for alerts, ``None`` if never."""
        row = self._db.run(
            lambda conn: conn.execute("SELECT ran_at FROM saved_runs WHERE saved_id = ?", (saved_id,)).fetchone()
        )
        return datetime.fromisoformat(row[0]) if row else None

    def mark_saved_ran(self, saved_id: str, at: datetime) -> None:
        """Remember that the saved search ran at ``at`` (the next run looks only at newer items)."""
        self._db.run(
            lambda conn: conn.execute(
                "INSERT INTO saved_runs VALUES (?, ?) ON CONFLICT (saved_id) DO UPDATE SET ran_at = excluded.ran_at",
                (saved_id, at.isoformat()),
            )
        )

    def close(self) -> None:
        """Release the file; it reopens on next use."""
        self._db.close()
