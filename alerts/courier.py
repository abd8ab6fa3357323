"""Delivery to a unit's channels (shared mailbox by SMTP, signed webhook) with a delivery log.

Every delivery has an id derived from the message key, the channel and the target, so
running the same send twice (a crash between sending and marking, two overlapping jobs)
never sends anything twice: a delivery id already logged as sent is skipped.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from alerts.book import AlertBook
from alerts.delivery_log import Delivery
from alerts.webhook import WebhookSender
from core.errors import DeliveryError
from core.message import Message
from core.ports import Notifier
from core.unit import Unit

log = logging.getLogger(__name__)


def delivery_id(key: str, channel: str, target: str) -> str:
    """The idempotent id of delivering message ``key`` over ``channel`` to ``target``."""
    return hashlib.sha256(f"{channel}\n{target}\n{key}".encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one ``Courier.send`` did per channel: ``sent``, ``skipped`` (already sent), ``failed`` or ``none``."""

    email: str
    webhook: str

    @property
    def delivered(self) -> bool:
        """True when no channel failed and at least one reached the unit (now or before)."""
        states = (self.email, self.webhook)
        return "failed" not in states and any(s in ("sent", "skipped") for s in states)


class Courier:
    """Sends messages to units over e-mail and webhooks, logging each delivery in the alert book.

    Args:
        book: holds the delivery log.
        email: the SMTP notifier (``None``: e-mail off).
        webhooks: the webhook sender (``None``: webhooks off).
        secrets: reads a secret by environment variable name (default: the environment).
    """

    def __init__(
        self,
        book: AlertBook,
        email: Notifier | None,
        webhooks: WebhookSender | None = None,
        *,
        secrets: Callable[[str], str] | None = None,
    ) -> None:
        self.book = book
        self.email = email
        self.webhooks = webhooks
        self._secret = secrets or (lambda name: os.environ.get(name, ""))

    def send(self, unit: Unit, message: Message, about: str) -> Outcome:
        """Deliver ``message`` to ``unit``'s shared mailboxes and webhook; ``about`` names the alert or digest."""
        email = "none"
        if self.email is not None and unit.emails:
            email = self._once(message.key, "email", ", ".join(unit.emails), about, lambda: self._mail(message))
        webhook = "none"
        if self.webhooks is not None and unit.webhook:
            hook = self.webhooks
            secret = self._secret(unit.webhook_secret_env) if unit.webhook_secret_env else ""
            did = delivery_id(message.key, "webhook", unit.webhook)
            webhook = self._once(
                message.key,
                "webhook",
                unit.webhook,
                about,
                lambda: hook.deliver(unit.webhook, secret, message.payload, did).attempts,
            )
        return Outcome(email=email, webhook=webhook)

    def _mail(self, message: Message) -> int:
        assert self.email is not None
        self.email.deliver(message)
        return 1

    def _once(self, key: str, channel: str, target: str, about: str, attempt: Callable[[], int]) -> str:
        did = delivery_id(key, channel, target)
        status = self.book.delivery_status(did)
        if status == "sent":
            log.info("%s delivery %s to %s already sent; skipped", channel, did, target)
            return "skipped"
        if status == "sending":
            # Cut short by a crash: the receiver may have it. Same key, same Message-ID, so it can drop a copy.
            log.warning("%s delivery %s to %s was interrupted; sending it again with the same id", channel, did, target)
        # Logged (committed) before the attempt, so a crash during it is known on restart. It counts
        # as one attempt: a delivery cut short and then sent again shows two in the log.
        self.book.log_delivery(Delivery(did, channel, target, about, "sending", 1, "", _now()))
        try:
            attempts = attempt()
        except DeliveryError as exc:
            log.warning("%s delivery of %s to %s failed: %s", channel, about, target, exc)
            tries = self.webhooks.attempts if channel == "webhook" and self.webhooks else 1
            self.book.log_delivery(Delivery(did, channel, target, about, "failed", tries - 1, str(exc), _now()))
            return "failed"
        self.book.log_delivery(Delivery(did, channel, target, about, "sent", attempts - 1, "", _now()))
        return "sent"


def _now() -> datetime:
    return datetime.now(UTC)
