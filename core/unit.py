"""Departments that own subjects and answer for them, reached through shared channels only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.enums import Topic


@dataclass(frozen=True, slots=True)
class Unit:
    """A department ("cơ quan chủ trì") or the coordinating office.

    Contact channels are shared mailboxes or webhooks, never a person's address book.

    Attributes:
        id: short identifier, e.g. ``"health"``.
        name: the department's official name, in Vietnamese.
        topics: the topics it owns.
        emails: shared mailboxes for digests (may be empty).
        webhook: an HTTPS endpoint for signed JSON alerts, or ``""``.
        coordinating: the office that receives what no other unit owns.
        digest: ``"daily"``, ``"hourly"`` or ``"weekly"``.
        webhook_secret_env: the environment variable holding the webhook's signing secret
            (the secret itself never sits in the config file).
        digest_at: local time (Vietnam, ``HH:MM``) of daily and weekly (Monday) digests.
        quiet_hours: ``(start, end)`` local ``HH:MM`` when routine mail waits, or ``None``.
        ack_urgent_hours: hours allowed to acknowledge an urgent alert before it escalates.
        ack_routine_hours: the same for a routine alert.
        escalate_to: the unit told when an alert is overdue (``""``: the coordinating office).
    """

    id: str
    name: str
    topics: tuple[Topic, ...] = ()
    emails: tuple[str, ...] = ()
    webhook: str = ""
    coordinating: bool = False
    digest: str = "daily"
    webhook_secret_env: str = ""
    digest_at: str = "08:00"
    quiet_hours: tuple[str, str] | None = None
    ack_urgent_hours: float = 4.0
    ack_routine_hours: float = 48.0
    escalate_to: str = ""

    def ack_deadline(self, urgency: str) -> timedelta:
        """How long an alert of ``urgency`` (``"urgent"``/``"routine"``) may stay unacknowledged."""
        return timedelta(hours=self.ack_urgent_hours if urgency == "urgent" else self.ack_routine_hours)
