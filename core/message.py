"""A message to a unit's shared channel, as the ``Notifier`` port delivers it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Message:
    """One notification.

    Attributes:
        to: shared mailbox addresses or webhook URLs of one unit.
        subject: the subject line (Vietnamese by default).
        text: the plain-text body.
        html: the HTML body, or ``""``.
        key: an idempotency key: delivering the same key twice is a no-op for receivers that honour it.
        payload: structured content for webhooks (JSON-serialisable).
    """

    to: tuple[str, ...]
    subject: str
    text: str
    html: str = ""
    key: str = ""
    payload: dict[str, object] = field(default_factory=dict)
