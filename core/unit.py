"""Departments that own subjects and answer for them, reached through shared channels only."""

from __future__ import annotations

from dataclasses import dataclass

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
    """

    id: str
    name: str
    topics: tuple[Topic, ...] = ()
    emails: tuple[str, ...] = ()
    webhook: str = ""
    coordinating: bool = False
    digest: str = "daily"
