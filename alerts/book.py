"""The alert book: every item routed to a unit, whether it went out in a digest, and its answer.

An alert keeps a copy of the display fields (title, outlet, labels, reason) so a digest
or a weekly report can be written without reading the item store.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from alerts.delivery_log import DeliveryLog
from alerts.schema import MIGRATIONS
from core.enums import Stance, Topic, Urgency
from core.item import Item, Routed
from core.sqlite import Database

_COLUMNS = (
    "id, item_id, unit_id, title, url, outlet, published, stance, topic, reason, urgency, created_at, "
    "status, digest_key, acknowledged_at, answered_at, answer_link, cluster_id, trigger, evidence_url, outlets, "
    "spread, updated_at, notified_at, escalated_at, escalated_to"
)

_URGENCY_RANK = {Urgency.ROUTINE: 0, Urgency.URGENT: 1}


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
        cluster_id: the story cluster (or spike key) the alert stands for; ``""`` for a lone item.
        trigger: which triage rule raised it (``false_claim``, ``wide_reach``, ``spike``, ...).
        evidence_url: the fact-check or official correction on record, for a false claim.
        outlets: the outlets that carried the story so far.
        spread: how many outlets carried it (``len(outlets)``).
        updated_at: when the story last spread (a new outlet), ``None`` if never.
        notified_at: when the real-time notice of an urgent alert went out.
        escalated_at: when it was escalated for being overdue (once), and ``escalated_to`` where.
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
    cluster_id: str = ""
    trigger: str = ""
    evidence_url: str = ""
    outlets: tuple[str, ...] = ()
    spread: int = 1
    updated_at: datetime | None = None
    notified_at: datetime | None = None
    escalated_at: datetime | None = None
    escalated_to: str = ""

    @property
    def time_to_acknowledge(self) -> timedelta | None:
        """From alert to acknowledgement, ``None`` until acknowledged."""
        return self.acknowledged_at - self.created_at if self.acknowledged_at else None

    @property
    def time_to_answer(self) -> timedelta | None:
        """From alert to published answer, ``None`` until answered."""
        return self.answered_at - self.created_at if self.answered_at else None


class AlertBook(DeliveryLog):
    """Alerts in a SQLite file; the file is opened on first use.

    Every method raises ``StoreUnavailable`` when the file cannot be opened or is busy,
    and ``StoreError`` when a statement fails.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = Database(path, MIGRATIONS, "alert book")

    def record(
        self,
        item: Item,
        routed: Routed,
        *,
        cluster_id: str | None = None,
        trigger: str = "",
        evidence_url: str = "",
    ) -> Alert:
        """Record that ``item`` was routed to ``routed.unit_id``.

        One story gives one alert per unit: when ``cluster_id`` (default: the item's story
        cluster) already has an alert for the unit, that alert is updated instead. A new
        outlet widens its ``spread`` and, if the alert already went out in a digest, puts it
        back in the queue so the next digest carries the update; a rise to urgent re-arms the
        real-time notice. The urgency never drops.

        Returns:
            the new or updated alert (never a duplicate).
        """
        labels = item.classified
        created = routed.routed_at or datetime.now(UTC)
        url = (item.extracted.canonical_url if item.extracted else "") or item.fetched.url
        cluster = (labels.cluster_id if labels else "") if cluster_id is None else cluster_id
        if cluster:
            story = self._db.run(
                lambda conn: self._update_story(
                    conn, cluster, item, routed=routed, at=created, evidence_url=evidence_url
                )
            )
            if story is not None:
                return story
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
            cluster,
            trigger,
            evidence_url,
            item.fetched.outlet,
        )

        def work(conn: sqlite3.Connection) -> Alert:
            inserted = conn.execute(
                "INSERT INTO alerts (id, item_id, unit_id, title, url, outlet, published, stance, topic, reason, "
                "urgency, created_at, cluster_id, trigger, evidence_url, outlets) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                row,
            ).rowcount
            if inserted:
                conn.execute(
                    "INSERT INTO alert_items (alert_id, item_id, outlet, seen_at) VALUES (?, ?, ?, ?)",
                    (row[0], item.id, item.fetched.outlet, created.isoformat()),
                )
            found = conn.execute(
                f"SELECT {_COLUMNS} FROM alerts WHERE unit_id = ? AND "  # noqa: S608 - fixed column list
                "CASE WHEN ? != '' THEN cluster_id = ? ELSE item_id = ? AND cluster_id = '' END",
                (routed.unit_id, cluster, cluster, item.id),
            ).fetchone()
            return _alert(found)

        return self._db.run(work)

    def _update_story(
        self,
        conn: sqlite3.Connection,
        cluster: str,
        item: Item,
        *,
        routed: Routed,
        at: datetime,
        evidence_url: str,
    ) -> Alert | None:
        """Fold ``item`` into the unit's existing alert for story ``cluster``; ``None`` when there is none yet."""
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM alerts WHERE cluster_id = ? AND unit_id = ?",  # noqa: S608 - fixed column list
            (cluster, routed.unit_id),
        ).fetchone()
        if row is None:
            return None
        alert = _alert(row)
        conn.execute(
            "INSERT INTO alert_items (alert_id, item_id, outlet, seen_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (alert.id, item.id, item.fetched.outlet, at.isoformat()),
        )
        outlets = tuple(sorted({*alert.outlets, item.fetched.outlet}))
        rises = _URGENCY_RANK[routed.urgency] > _URGENCY_RANK[alert.urgency]
        if len(outlets) == len(alert.outlets) and not rises:
            return alert
        urgency = routed.urgency if rises else alert.urgency
        conn.execute(
            "UPDATE alerts SET outlets = ?, spread = ?, updated_at = ?, urgency = ?, reason = ?, "
            "evidence_url = CASE WHEN evidence_url = '' THEN ? ELSE evidence_url END, "
            # Back in the queue: the next digest tells the unit the story has spread.
            "digest_key = CASE WHEN status = 'answered' THEN digest_key ELSE NULL END, "
            "notified_at = CASE WHEN ? THEN NULL ELSE notified_at END WHERE id = ?",
            (
                "\n".join(outlets),
                len(outlets),
                at.isoformat(),
                urgency.value,
                routed.reason if rises or routed.urgency is alert.urgency else alert.reason,
                evidence_url,
                rises,
                alert.id,
            ),
        )
        return _maybe_alert(conn, alert.id)

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

        Alerts already carried by an earlier digest keep that digest's key. The digest leaves
        the outbox in the same transaction (``DeliveryLog.hold_digest``).
        """

        def work(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM digest_outbox WHERE key = ?", (digest_key,))
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

    def between(self, since: datetime, until: datetime) -> list[Alert]:
        """Alerts created in ``[since, until)``, oldest first (for reports)."""
        rows = self._db.run(
            lambda conn: conn.execute(
                f"SELECT {_COLUMNS} FROM alerts WHERE created_at >= ? AND created_at < ? "  # noqa: S608 - fixed column list
                "ORDER BY created_at, id",
                (since.astimezone(UTC).isoformat(), until.astimezone(UTC).isoformat()),
            ).fetchall()
        )
        return [_alert(row) for row in rows]

    def listing(self, *, status: AlertStatus | None = None, unit_id: str = "", limit: int = 100) -> list[Alert]:
        """The newest alerts, optionally only one status or one unit's."""
        sql = f"SELECT {_COLUMNS} FROM alerts WHERE (? = '' OR status = ?) AND (? = '' OR unit_id = ?) "  # noqa: S608
        wanted = status.value if status else ""
        rows = self._db.run(
            lambda conn: conn.execute(
                sql + "ORDER BY created_at DESC, id LIMIT ?", (wanted, wanted, unit_id, unit_id, limit)
            ).fetchall()
        )
        return [_alert(row) for row in rows]

    def unacknowledged(self) -> list[Alert]:
        """Open alerts not yet escalated, oldest first (the escalation check decides which are overdue)."""
        rows = self._db.run(
            lambda conn: conn.execute(
                f"SELECT {_COLUMNS} FROM alerts WHERE status = 'open' AND escalated_at IS NULL "  # noqa: S608
                "ORDER BY created_at, id"
            ).fetchall()
        )
        return [_alert(row) for row in rows]

    def mark_escalated(self, alert_id: str, to_unit: str, at: datetime) -> bool:
        """Record the escalation of an overdue alert; ``False`` when it was already escalated (once only)."""
        changed = self._db.run(
            lambda conn: (
                conn.execute(
                    "UPDATE alerts SET escalated_at = ?, escalated_to = ? WHERE id = ? AND escalated_at IS NULL",
                    (at.isoformat(), to_unit, alert_id),
                ).rowcount
            )
        )
        return bool(changed)

    def urgent_unnotified(self) -> list[Alert]:
        """Urgent alerts whose real-time notice has not gone out, oldest first."""
        rows = self._db.run(
            lambda conn: conn.execute(
                f"SELECT {_COLUMNS} FROM alerts WHERE urgency = 'urgent' AND notified_at IS NULL "  # noqa: S608
                "AND status != 'answered' ORDER BY created_at, id"
            ).fetchall()
        )
        return [_alert(row) for row in rows]

    def mark_notified(self, alert_id: str, at: datetime) -> None:
        """Record that the real-time notice of an urgent alert went out."""
        self._db.run(
            lambda conn: conn.execute("UPDATE alerts SET notified_at = ? WHERE id = ?", (at.isoformat(), alert_id))
        )

    def last_digest(self, unit_id: str) -> datetime | None:
        """When the unit last received a digest, ``None`` if never."""
        row = self._db.run(
            lambda conn: conn.execute("SELECT max(digested_at) FROM alerts WHERE unit_id = ?", (unit_id,)).fetchone()
        )
        return _time(row[0])

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
        cluster_id=row["cluster_id"],
        trigger=row["trigger"],
        evidence_url=row["evidence_url"],
        outlets=tuple(o for o in row["outlets"].split("\n") if o),
        spread=int(row["spread"]),
        updated_at=_time(row["updated_at"]),
        notified_at=_time(row["notified_at"]),
        escalated_at=_time(row["escalated_at"]),
        escalated_to=row["escalated_to"],
    )
