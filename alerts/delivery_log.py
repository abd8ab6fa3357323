"""The delivery log and digest slots, kept in the alert book's file (``deliveries``, ``digest_slots``).

A mixin of ``AlertBook``: it needs only the book's ``_db``. Kept apart so the book itself
stays about alerts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.sqlite import Database


@dataclass(frozen=True, slots=True)
class Delivery:
    """One line of the delivery log.

    Attributes:
        id: the idempotent delivery id (same alert or digest, same channel and target → same id).
        channel: ``email`` or ``webhook``.
        target: the shared mailbox(es) or the webhook URL.
        about: the alert id or digest key delivered.
        status: ``sent`` or ``failed``.
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


class DeliveryLog:
    """Which deliveries went out (by idempotent id) and which digest slots were handled."""

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
