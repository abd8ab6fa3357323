"""Sending the pending digests: one message per unit, alerts marked only once delivered."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from alerts.book import AlertBook
from alerts.digest import compose_digest
from core.config import ProjectConfig
from core.errors import DeliveryError
from core.ports import Notifier

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DigestRun:
    """What one run of ``send_digests`` did.

    Attributes:
        sent: digests delivered.
        alerts: alerts carried by those digests.
        failed: ids of units whose delivery failed; their alerts stay pending for the next run.
    """

    sent: int
    alerts: int
    failed: tuple[str, ...]


def send_digests(
    book: AlertBook, config: ProjectConfig, notifier: Notifier, public_url: str, now: datetime
) -> DigestRun:
    """Deliver one digest to each unit that has pending alerts and a shared mailbox.

    A unit without a mailbox is skipped (its alerts stay pending and are logged). A
    failed delivery does not stop the run: the unit is reported in ``failed`` and its
    alerts go out with the next run. Should a crash fall between delivery and marking,
    the re-sent digest carries the same ``Message.key`` (and so the same Message-ID).

    Raises:
        StoreUnavailable: the alert book cannot be opened.
        StoreError: the alert book failed.
    """
    sent = carried = 0
    failed: list[str] = []
    for unit in config.units:
        pending = book.pending(unit.id)
        if not pending:
            continue
        if not unit.emails:
            log.info("unit %s has no shared mailbox; %d alert(s) stay pending", unit.id, len(pending))
            continue
        message = compose_digest(unit, pending, public_url, now)
        try:
            notifier.deliver(message)
        except DeliveryError as exc:
            log.warning("digest for unit %s not delivered, %d alert(s) stay pending: %s", unit.id, len(pending), exc)
            failed.append(unit.id)
            continue
        book.mark_digested([alert.id for alert in pending], message.key, now)
        sent += 1
        carried += len(pending)
    return DigestRun(sent=sent, alerts=carried, failed=tuple(failed))
