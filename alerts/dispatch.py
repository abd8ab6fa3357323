"""Sending: digests on each unit's schedule, urgent alerts at once, overdue alerts escalated.

Urgent alerts go out at any hour, quiet hours included: a false claim or a negative story
spreading overnight is what a duty officer must see before the morning press. Routine
digests wait for the end of quiet hours.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from alerts.book import AlertBook
from alerts.cadence import digest_slot, in_quiet_hours
from alerts.courier import Courier
from alerts.digest import compose_digest
from alerts.notice import compose_escalation, compose_notice
from core.config import ProjectConfig
from core.message import Message
from core.ports import Notifier
from core.unit import Unit

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
    book: AlertBook,
    config: ProjectConfig,
    notifier: Notifier | None,
    public_url: str,
    now: datetime,
    *,
    units: Collection[str] | None = None,
    courier: Courier | None = None,
) -> DigestRun:
    """Deliver one digest to each unit (of ``units``, default all) that has pending alerts and a channel.

    A unit with neither a shared mailbox nor a webhook is skipped (its alerts stay pending
    and are logged). A failed delivery does not stop the run: the unit is reported in
    ``failed`` and its alerts go out with the next run; a channel that already got the
    digest is not sent it again (the delivery log knows its id). A digest left unfinished by
    an earlier run (held in the outbox) is finished first, exactly as composed.

    Raises:
        StoreUnavailable: the alert book cannot be opened.
        StoreError: the alert book failed.
    """
    courier = courier or Courier(book, notifier)
    sent = carried = 0
    failed: list[str] = []
    for unit in config.units:
        if units is not None and unit.id not in units:
            continue
        # First the digests an earlier run composed but did not finish (a crash, a failed channel).
        finished = True
        for held in book.held_digests(unit.id):
            if not _deliver(book, courier, unit, held.message, alert_ids=held.alert_ids, now=now):
                finished = False
                break
            sent += 1
            carried += len(held.alert_ids)
        if not finished:
            log.warning("an earlier digest for unit %s is still not delivered; its alerts stay pending", unit.id)
            failed.append(unit.id)
            continue
        pending = book.pending(unit.id)
        if not pending:
            continue
        if not unit.emails and not unit.webhook:
            log.info("unit %s has no shared mailbox or webhook; %d alert(s) stay pending", unit.id, len(pending))
            continue
        message = compose_digest(unit, pending, public_url, now)
        if not _deliver(book, courier, unit, message, alert_ids=[alert.id for alert in pending], now=now):
            log.warning("digest for unit %s not delivered, %d alert(s) stay pending", unit.id, len(pending))
            failed.append(unit.id)
            continue
        sent += 1
        carried += len(pending)
    return DigestRun(sent=sent, alerts=carried, failed=tuple(failed))


def _deliver(
    book: AlertBook, courier: Courier, unit: Unit, message: Message, *, alert_ids: Sequence[str], now: datetime
) -> bool:
    """Send one digest through the outbox; True once it reached the unit and its alerts are marked.

    The digest is held (with its alert ids) before the first attempt and released in the
    transaction that marks its alerts, so a crash at any point leaves either the held
    digest (finished by the next run with the same key, hence the same delivery ids) or
    alerts already marked. A digest that reached no channel at all is dropped, and its
    alerts go out in the next digest together with newer ones.
    """
    book.hold_digest(unit.id, message, alert_ids)
    outcome = courier.send(unit, message, about=message.key)
    if outcome.delivered:
        book.mark_digested(alert_ids, message.key, now)
        return True
    if not {outcome.email, outcome.webhook} & {"sent", "skipped"}:
        book.drop_digest(message.key)
    return False


def send_due_digests(
    book: AlertBook, config: ProjectConfig, courier: Courier, public_url: str, now: datetime
) -> DigestRun:
    """Send the digests whose slot has come (``alerts.cadence``), outside each unit's quiet hours."""
    due: list[str] = []
    for unit in config.units:
        slot = digest_slot(unit, now)
        done = book.digest_slot(unit.id)
        if done is not None and done >= slot:
            continue
        if in_quiet_hours(unit, now):
            continue  # the first run after quiet hours sends it
        due.append(unit.id)
    run = send_digests(book, config, None, public_url, now, units=due, courier=courier)
    for unit_id in due:
        if unit_id not in run.failed:
            book.mark_digest_slot(unit_id, digest_slot(next(u for u in config.units if u.id == unit_id), now))
    return run


def send_urgent(book: AlertBook, config: ProjectConfig, courier: Courier, public_url: str, now: datetime) -> int:
    """Send the real-time notice of each urgent alert not yet notified (quiet hours do not hold them).

    Returns:
        how many notices reached their unit; failed ones are retried on the next run.
    """
    sent = 0
    for alert in book.urgent_unnotified():
        unit = config.unit(alert.unit_id)
        if unit is None:
            log.warning("alert %s is for unit %s, which the config no longer has", alert.id, alert.unit_id)
            continue
        outcome = courier.send(unit, compose_notice(unit, alert, public_url, now), about=alert.id)
        if outcome.delivered:
            book.mark_notified(alert.id, now)
            sent += 1
    return sent


def escalate_overdue(
    book: AlertBook, config: ProjectConfig, courier: Courier, public_url: str, now: datetime
) -> list[str]:
    """Tell the escalation unit about each alert not acknowledged within its unit's deadline (once each).

    The deadline runs from when the alert was raised: ``ack_hours.urgent`` or ``.routine``
    of the owning unit. An escalation is recorded only once its notice is delivered (or
    when the target has no channel at all), so a failed one is tried again next run.

    Returns:
        the ids of the alerts escalated by this run.
    """
    escalated: list[str] = []
    for alert in book.unacknowledged():
        owner = config.unit(alert.unit_id)
        if owner is None:
            continue
        deadline = owner.ack_deadline(alert.urgency.value)
        if now < alert.created_at + deadline:
            continue
        target = config.escalation_unit(owner)
        message = compose_escalation(target, owner, alert, public_url, deadline)
        outcome = courier.send(target, message, about=alert.id)
        reached = outcome.delivered or (outcome.email == "none" and outcome.webhook == "none")
        if reached and book.mark_escalated(alert.id, target.id, now):
            log.info("alert %s of unit %s overdue; escalated to %s", alert.id, owner.id, target.id)
            escalated.append(alert.id)
    return escalated
