"""The delivery log, the digest outbox and digest slots, kept in the alert book's file.

A mixin of ``AlertBook``: it needs only the book's ``_db``. Kept apart so the book itself
stays about alerts.

Exactly once, and what it means across SMTP: a delivery is logged ``sending`` (committed)
before the attempt and ``sent`` after the server accepted it, under an id fixed by the
message key, channel and target. A ``sent`` id is never attempted again. A ``sending`` id
found later means the process died mid-attempt: whether the server accepted the message
cannot be known from our side, so it is sent again, with the same ``Message-ID`` (and the
same webhook delivery id), so the receiver can drop the copy. Only a kill in the moment
between the server's "250 accepted" and our commit makes such a copy. A digest waits in
the outbox (``digest_outbox``) with the alert ids it carries until they are marked, so a
restart finishes that very digest instead of composing another that repeats its alerts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from core.message import Message
from core.sqlite import Database


@dataclass(frozen=True, slots=True)
class Delivery:
    """One line of the delivery log.

    Attributes:
        id: the idempotent delivery id (same alert or digest, same channel and target → same id).
        channel: ``email`` or ``webhook``.
        target: the shared mailbox(es) or the webhook URL.
        about: the alert id or digest key delivered.
        status: ``sending`` (attempt under way, or cut short by a crash), ``sent`` or ``failed``.
        attempts: tries made so far.
        error: the last failure, ``""`` when sent.
    """

    id: str
    channel: str
    target: str
    about: str
    status: str
    attempts: int
    error: str
    at: datetime


@dataclass(frozen=True, slots=True)
class HeldDigest:
    """A digest composed and (perhaps) sent whose alerts are not yet marked as carried.

    Attributes:
        unit_id: the receiving unit.
        message: the digest exactly as composed (same key, so the same delivery ids).
        alert_ids: the alerts it carries.
    """

    unit_id: str
    message: Message
    alert_ids: tuple[str, ...]


class DeliveryLog:
    """Which deliveries went out (by idempotent id), the digest outbox, and which digest slots were handled."""

    _db: Database

    def digest_slot(self, unit_id: str) -> datetime | None:
        """The latest digest slot (scheduled time) already handled for the unit, ``None`` if never."""
        row = self._db.run(
            lambda conn: conn.execute("SELECT slot FROM digest_slots WHERE unit_id = ?", (unit_id,)).fetchone()
        )
        return datetime.fromisoformat(row[0]) if row else None

    def mark_digest_slot(self, unit_id: str, slot: datetime) -> None:
        """Remember that the unit's digest for ``slot`` was handled (sent, or nothing to send)."""
        self._db.run(
            lambda conn: conn.execute(
                "INSERT INTO digest_slots VALUES (?, ?) ON CONFLICT (unit_id) DO UPDATE SET slot = excluded.slot",
                (unit_id, slot.isoformat()),
            )
        )

    def delivered(self, delivery_id: str) -> bool:
        """Whether the delivery with this id already succeeded (delivery ids make re-sends no-ops)."""
        row = self._db.run(
            lambda conn: conn.execute(
                "SELECT 1 FROM deliveries WHERE id = ? AND status = 'sent'", (delivery_id,)
            ).fetchone()
        )
        return row is not None

    def delivery_status(self, delivery_id: str) -> str:
        """``sending``, ``sent`` or ``failed`` for a delivery already logged, ``""`` for one never tried."""
        row = self._db.run(
            lambda conn: conn.execute("SELECT status FROM deliveries WHERE id = ?", (delivery_id,)).fetchone()
        )
        return "" if row is None else str(row[0])

    def hold_digest(self, unit_id: str, message: Message, alert_ids: Sequence[str]) -> None:
        """Keep a composed digest and its alerts in the outbox before it is sent (``mark_digested`` releases it)."""
        body = json.dumps(
            {
                "to": list(message.to),
                "subject": message.subject,
                "text": message.text,
                "html": message.html,
                "key": message.key,
                "payload": message.payload,
            },
            ensure_ascii=False,
        )
        self._db.run(
            lambda conn: conn.execute(
                "INSERT INTO digest_outbox VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
                (message.key, unit_id, "\n".join(alert_ids), body, datetime.now(UTC).isoformat()),
            )
        )

    def held_digests(self, unit_id: str) -> list[HeldDigest]:
        """Digests of the unit left in the outbox by an earlier run, oldest first."""
        rows = self._db.run(
            lambda conn: conn.execute(
                "SELECT message, alert_ids FROM digest_outbox WHERE unit_id = ? ORDER BY composed_at, key", (unit_id,)
            ).fetchall()
        )
        held = []
        for row in rows:
            data = json.loads(row["message"])
            message = Message(
                to=tuple(data["to"]),
                subject=data["subject"],
                text=data["text"],
                html=data["html"],
                key=data["key"],
                payload=data["payload"],
            )
            held.append(HeldDigest(unit_id, message, tuple(a for a in str(row["alert_ids"]).split("\n") if a)))
        return held

    def drop_digest(self, key: str) -> None:
        """Forget a held digest that reached no channel (its alerts stay pending for a new digest)."""
        self._db.run(lambda conn: conn.execute("DELETE FROM digest_outbox WHERE key = ?", (key,)))

    def log_delivery(self, entry: Delivery) -> None:
        """Write (or overwrite, on a retry in a later run) one line of the delivery log."""
        self._db.run(
            lambda conn: conn.execute(
                "INSERT INTO deliveries (id, channel, target, about, status, attempts, error, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET status = excluded.status, "
                "attempts = deliveries.attempts + excluded.attempts, error = excluded.error, at = excluded.at",
                (
                    entry.id,
                    entry.channel,
                    entry.target,
                    entry.about,
                    entry.status,
                    entry.attempts,
                    entry.error,
                    entry.at.isoformat(),
                ),
            )
        )

    def deliveries(self, about: str = "") -> list[Delivery]:
        """The delivery log, newest first; only lines about one alert or digest when ``about`` is given."""
        rows = self._db.run(
            lambda conn: conn.execute(
                "SELECT id, channel, target, about, status, attempts, error, at FROM deliveries "
                "WHERE ? = '' OR about = ? ORDER BY at DESC, id",
                (about, about),
            ).fetchall()
        )
        return [
            Delivery(
                r["id"],
                r["channel"],
                r["target"],
                r["about"],
                r["status"],
                r["attempts"],
                r["error"],
                datetime.fromisoformat(r["at"]),
            )
            for r in rows
        ]
