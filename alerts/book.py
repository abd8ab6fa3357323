"""The alert book: every item routed to a unit, whether it went out in a digest, and its answer.

An alert keeps a copy of the display fields (title, outlet, labels, reason) so a digest
or a weekly report can be written without reading the item store.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from alerts.database import Database
from core.enums import Stance, Topic, Urgency
from core.item import Item, Routed

_MIGRATIONS = (
    """
    CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        item_id TEXT NOT NULL,
        unit_id TEXT NOT NULL,
        title TEXT NOT NULL,
        url TEXT NOT NULL,
        outlet TEXT NOT NULL,
        published TEXT,
        stance TEXT,
        topic TEXT,
        reason TEXT NOT NULL,
        urgency TEXT NOT NULL,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'answered')),
        digest_key TEXT,
        digested_at TEXT,
        acknowledged_at TEXT,
        answered_at TEXT,
        answer_link TEXT NOT NULL DEFAULT '',
        UNIQUE (item_id, unit_id)
    );
    CREATE INDEX alerts_pending ON alerts (unit_id, created_at) WHERE digest_key IS NULL;
    CREATE TABLE digests (
        key TEXT PRIMARY KEY,
        sent_at TEXT NOT NULL,
        alerts INTEGER NOT NULL
    );
    """,
)

_COLUMNS = (
    "id, item_id, unit_id, title, url, outlet, published, stance, topic, reason, urgency, created_at, "
    "status, digest_key, acknowledged_at, answered_at, answer_link"
)


class AlertStatus(StrEnum):
    """Where the unit's answer stands."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    ANSWERED = "answered"


@dataclass(frozen=True, slots=True)
class Alert:
    """One item routed to one unit.

    Attributes:
        id: random, unguessable id: it appears in the acknowledge link sent by e-mail.
        digest_key: the key of the digest that carried it, ``""`` while pending.
        answer_link: where the unit published its answer or correction, ``""`` until answered.
    """

    id: str
    item_id: str
    unit_id: str
    title: str
    url: str
    outlet: str
    published: datetime | None
    stance: Stance | None
    topic: Topic | None
    reason: str
    urgency: Urgency
    created_at: datetime
    status: AlertStatus
    digest_key: str
    acknowledged_at: datetime | None = None
    answered_at: datetime | None = None
    answer_link: str = ""


class AlertBook:
    """Alerts in a SQLite file; the file is opened on first use.

    Every method raises ``StoreUnavailable`` when the file cannot be opened or is busy,
    and ``StoreError`` when a statement fails.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = Database(path, _MIGRATIONS, "alert book")

    def record(self, item: Item, routed: Routed) -> Alert:
        """Record that ``item`` was routed to ``routed.unit_id``.

        Returns:
            the new alert, or the one already recorded for this item and unit (never a duplicate).
        """
        labels = item.classified
        created = routed.routed_at or datetime.now(UTC)
        url = (item.extracted.canonical_url if item.extracted else "") or item.fetched.url
        row = (
            secrets.token_hex(12),
            item.id,
            routed.unit_id,
            item.title,
            url,
            item.fetched.outlet,
            _iso(item.published),
            labels.stance.value if labels and labels.stance else None,
            labels.topic.value if labels and labels.topic else None,
            routed.reason,
            routed.urgency.value,
            created.isoformat(),
        )

        def work(conn: sqlite3.Connection) -> Alert:
            conn.execute(
                "INSERT INTO alerts (id, item_id, unit_id, title, url, outlet, published, stance, topic, reason, "
                "urgency, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (item_id, unit_id) DO NOTHING",
                row,
            )
            found = conn.execute(
                f"SELECT {_COLUMNS} FROM alerts WHERE item_id = ? AND unit_id = ?",  # noqa: S608 - fixed column list
                (item.id, routed.unit_id),
            ).fetchone()
            return _alert(found)

        return self._db.run(work)

    def get(self, alert_id: str) -> Alert | None:
        """Return the alert with this id, or ``None``."""
        return self._db.run(lambda conn: _maybe_alert(conn, alert_id))

    def pending(self, unit_id: str) -> list[Alert]:
        """Return the unit's alerts not yet carried by a sent digest, urgent first, then oldest first."""
        rows = self._db.run(
            lambda conn: conn.execute(
                f"SELECT {_COLUMNS} FROM alerts WHERE unit_id = ? AND digest_key IS NULL "  # noqa: S608 - fixed column list
                "ORDER BY urgency = 'urgent' DESC, created_at, id",
                (unit_id,),
            ).fetchall()
        )
        return [_alert(row) for row in rows]

    def mark_digested(self, alert_ids: Sequence[str], digest_key: str, sent_at: datetime) -> None:
        """Record that the digest ``digest_key`` carrying ``alert_ids`` was sent at ``sent_at``.

        Alerts already carried by an earlier digest keep that digest's key.
        """

        def work(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "UPDATE alerts SET digest_key = ?, digested_at = ? WHERE id = ? AND digest_key IS NULL",
                [(digest_key, sent_at.isoformat(), alert_id) for alert_id in alert_ids],
            )
            conn.execute(
                "INSERT INTO digests (key, sent_at, alerts) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING",
                (digest_key, sent_at.isoformat(), len(alert_ids)),
            )

        self._db.run(work)

    def digest_sent(self, digest_key: str) -> bool:
        """Whether a digest with this key was already sent."""
        row = self._db.run(lambda conn: conn.execute("SELECT 1 FROM digests WHERE key = ?", (digest_key,)).fetchone())
        return row is not None

    def counts(self) -> dict[str, int]:
        """Return ``total``, ``pending`` and ``digested`` counts, plus one count per status."""
        row = self._db.run(
            lambda conn: conn.execute(
                "SELECT count(*), count(*) FILTER (WHERE digest_key IS NULL), count(digest_key), "
                "count(*) FILTER (WHERE status = 'open'), count(*) FILTER (WHERE status = 'acknowledged'), "
                "count(*) FILTER (WHERE status = 'answered') FROM alerts"
            ).fetchone()
        )
        names = ("total", "pending", "digested", *(status.value for status in AlertStatus))
        return dict(zip(names, (int(n) for n in row), strict=True))

    def acknowledge(self, alert_id: str, at: datetime) -> Alert | None:
        """Mark the alert as seen by its unit; an answered alert stays answered.

        Returns:
            the alert as it now stands, or ``None`` when there is no such alert.
        """

        def work(conn: sqlite3.Connection) -> Alert | None:
            conn.execute(
                "UPDATE alerts SET status = 'acknowledged', acknowledged_at = ? WHERE id = ? AND status = 'open'",
                (at.isoformat(), alert_id),
            )
            return _maybe_alert(conn, alert_id)

        return self._db.run(work)

    def answer(self, alert_id: str, link: str, at: datetime) -> Alert | None:
        """Record the unit's answer (the link to its published information or correction).

        Returns:
            the answered alert, or ``None`` when there is no such alert.
        """

        def work(conn: sqlite3.Connection) -> Alert | None:
            conn.execute(
                "UPDATE alerts SET status = 'answered', answered_at = ?, answer_link = ?, "
                "acknowledged_at = coalesce(acknowledged_at, ?) WHERE id = ?",
                (at.isoformat(), link, at.isoformat(), alert_id),
            )
            return _maybe_alert(conn, alert_id)

        return self._db.run(work)

    def close(self) -> None:
        """Release the file; the book reopens it on next use."""
        self._db.close()


def _maybe_alert(conn: sqlite3.Connection, alert_id: str) -> Alert | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM alerts WHERE id = ?", (alert_id,)).fetchone()  # noqa: S608 - fixed column list
    return None if row is None else _alert(row)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _alert(row: sqlite3.Row) -> Alert:
    return Alert(
        id=row["id"],
        item_id=row["item_id"],
        unit_id=row["unit_id"],
        title=row["title"],
        url=row["url"],
        outlet=row["outlet"],
        published=_time(row["published"]),
        stance=Stance(row["stance"]) if row["stance"] else None,
        topic=Topic(row["topic"]) if row["topic"] else None,
        reason=row["reason"],
        urgency=Urgency(row["urgency"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        status=AlertStatus(row["status"]),
        digest_key=row["digest_key"] or "",
        acknowledged_at=_time(row["acknowledged_at"]),
        answered_at=_time(row["answered_at"]),
        answer_link=row["answer_link"],
    )
