"""``pressdesk alerts``: list alerts, acknowledge and answer them, run escalation and urgent delivery now.

Acknowledgements and answers given here are written to the audit log like those from the web.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import urlsplit

import click
from rich.table import Table

from alerts import Alert, AlertStatus
from core.errors import ConfigError, PressdeskError
from pressdesk.cli_support import actor, err, fail, out, settings_or_exit


@click.group()
def alerts() -> None:
    """Alerts routed to units: list, acknowledge, answer, escalate overdue ones, send urgent ones."""


def _row(alert: Alert) -> dict[str, object]:
    return {
        "id": alert.id,
        "unit": alert.unit_id,
        "status": alert.status.value,
        "urgency": alert.urgency.value,
        "trigger": alert.trigger,
        "spread": alert.spread,
        "title": alert.title,
        "outlet": alert.outlet,
        "created_at": alert.created_at.isoformat(),
        "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
        "answered_at": alert.answered_at.isoformat() if alert.answered_at else None,
        "answer_link": alert.answer_link,
        "evidence_url": alert.evidence_url,
        "escalated_to": alert.escalated_to,
    }


@alerts.command("list")
@click.option("--status", type=click.Choice([s.value for s in AlertStatus]), default=None, help="Only this status.")
@click.option("--unit", default="", metavar="UNIT_ID", help="Only this unit's alerts.")
@click.option("--limit", type=int, default=50, show_default=True, help="How many, newest first.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def alerts_list(status: str | None, unit: str, limit: int, as_json: bool) -> None:
    """List the newest alerts with their status and times."""
    from pressdesk.wiring import open_alerts

    try:
        found = open_alerts(settings_or_exit()).listing(
            status=AlertStatus(status) if status else None, unit_id=unit, limit=limit
        )
    except PressdeskError as exc:
        fail(exc)
        return
    if as_json:
        for alert in found:
            click.echo(json.dumps(_row(alert), ensure_ascii=False))
        return
    table = Table("id", "unit", "status", "urgency", "spread", "title")
    for alert in found:
        table.add_row(alert.id, alert.unit_id, alert.status.value, alert.urgency.value, str(alert.spread), alert.title)
    out.print(table)


def _change(alert_id: str, link: str | None) -> None:
    from pressdesk.wiring import open_alerts, open_audit

    settings = settings_or_exit()
    now = datetime.now(UTC)
    try:
        if link is not None and urlsplit(link).scheme not in ("http", "https"):
            raise ConfigError(f"{link!r} is not a web link; give the address of the published answer (https://...)")
        book = open_alerts(settings)
        alert = book.acknowledge(alert_id, now) if link is None else book.answer(alert_id, link, now)
        if alert is None:
            raise ConfigError(f"no alert with id {alert_id!r}; see `pressdesk alerts list`")
        detail: dict[str, object] = {"alert": alert.id, "unit": alert.unit_id, "via": "cli"}
        if link is not None:
            detail["link"] = link
        open_audit(settings).record("answer" if link is not None else "acknowledge", actor(), detail)
    except PressdeskError as exc:
        fail(exc)
        return
    click.echo(json.dumps(_row(alert), ensure_ascii=False))


@alerts.command("ack")
@click.argument("alert_id", metavar="ID")
def alerts_ack(alert_id: str) -> None:
    """Record that the unit received alert ID (open → acknowledged)."""
    _change(alert_id, None)


@alerts.command("answer")
@click.argument("alert_id", metavar="ID")
@click.argument("link")
def alerts_answer(alert_id: str, link: str) -> None:
    """Record the unit's answer to alert ID: LINK to the published clarification, correction request or action."""
    _change(alert_id, link)


@alerts.command("escalate")
@click.option("--json", "as_json", is_flag=True, help="Print the escalated ids as JSON.")
def alerts_escalate(as_json: bool) -> None:
    """Escalate every alert not acknowledged within its unit's deadline (each only once)."""
    from alerts import escalate_overdue
    from pressdesk.wiring import load_project, make_courier, open_alerts

    settings = settings_or_exit()
    try:
        book = open_alerts(settings)
        done = escalate_overdue(
            book, load_project(settings), make_courier(settings, book), settings.public_url, datetime.now(UTC)
        )
    except PressdeskError as exc:
        fail(exc)
        return
    click.echo(json.dumps(done) if as_json else f"escalated {len(done)} alert(s)")


@alerts.command("notify")
def alerts_notify() -> None:
    """Send the real-time notice of every urgent alert not yet notified (e-mail and webhook)."""
    from alerts import send_urgent
    from pressdesk.wiring import load_project, make_courier, open_alerts

    settings = settings_or_exit()
    try:
        book = open_alerts(settings)
        sent = send_urgent(
            book, load_project(settings), make_courier(settings, book), settings.public_url, datetime.now(UTC)
        )
    except PressdeskError as exc:
        fail(exc)
        return
    click.echo(f"sent {sent} urgent notice(s)")


@alerts.command("deliveries")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def alerts_deliveries(as_json: bool) -> None:
    """Show the delivery log (e-mail and webhook), newest first."""
    from pressdesk.wiring import open_alerts

    try:
        entries = open_alerts(settings_or_exit()).deliveries()
    except PressdeskError as exc:
        fail(exc)
        return
    for entry in entries:
        line = {
            "id": entry.id,
            "channel": entry.channel,
            "target": entry.target,
            "about": entry.about,
            "status": entry.status,
            "attempts": entry.attempts,
            "error": entry.error,
            "at": entry.at.isoformat(),
        }
        if as_json:
            click.echo(json.dumps(line, ensure_ascii=False))
        else:
            err.print(f"{line['at']} {entry.channel:7} {entry.status:6} x{entry.attempts} {entry.target} {entry.error}")
