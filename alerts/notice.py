"""Single-alert messages: the real-time notice of an urgent alert, and the escalation of an overdue one.

Both are Vietnamese, HTML and plain text, and carry the same facts as a digest entry: the
item, why it was routed, the evidence (the fact-check link for a false claim), and the links
to acknowledge and to record the answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from alerts.book import Alert
from alerts.digest import _entry, _local, _templates
from core.enums import Urgency
from core.message import Message
from core.unit import Unit


def compose_notice(unit: Unit, alert: Alert, public_url: str, now: datetime) -> Message:
    """The message telling ``unit`` about one alert at once (used for urgent ones).

    The key changes when the story spreads to another outlet, so an update is a new
    delivery while a re-run of the same notice is not.
    """
    label = "[KHẨN] " if alert.urgency is Urgency.URGENT else ""
    subject = f"[pressdesk] {label}Tin cần phản hồi: {alert.title} – {unit.name}"
    return _message(unit, alert, public_url, subject, key=f"notice-{alert.id}-{alert.spread}")


def compose_escalation(target: Unit, owner: Unit, alert: Alert, public_url: str, deadline: timedelta) -> Message:
    """The message telling ``target`` (the coordinating office) that ``owner`` has not acknowledged ``alert``."""
    subject = f"[pressdesk] Quá hạn tiếp nhận: {alert.title} – {owner.name}"
    hours = deadline.total_seconds() / 3600
    extra = {
        "escalated_from": owner,
        "created": _local(alert.created_at).strftime("%H:%M %d/%m/%Y"),
        "deadline": f"{hours:g} giờ",
    }
    return _message(target, alert, public_url, subject, key=f"escalation-{alert.id}", extra=extra)


def _message(
    unit: Unit, alert: Alert, public_url: str, subject: str, *, key: str, extra: dict[str, object] | None = None
) -> Message:
    entry = _entry(alert, public_url.rstrip("/"))
    context: dict[str, object] = {"unit": unit, "e": entry, "subject": subject, "escalated_from": None}
    context.update(extra or {})
    env = _templates()
    return Message(
        to=unit.emails,
        subject=subject,
        text=env.get_template("notice.txt").render(context),
        html=env.get_template("notice.html").render(context),
        key=key,
        payload={
            "kind": "escalation" if extra else "alert",
            "key": key,
            "unit": unit.id,
            "alert": {
                "id": alert.id,
                "item_id": alert.item_id,
                "owner_unit": alert.unit_id,
                "title": alert.title,
                "url": alert.url,
                "outlet": alert.outlet,
                "outlets": list(alert.outlets),
                "spread": alert.spread,
                "published": alert.published.isoformat() if alert.published else None,
                "stance": alert.stance.value if alert.stance else None,
                "topic": alert.topic.value if alert.topic else None,
                "urgency": alert.urgency.value,
                "trigger": alert.trigger,
                "reason": alert.reason,
                "evidence_url": entry.evidence_url,
                "status": alert.status.value,
                "item_url": entry.item_url,
                "ack_url": entry.ack_url,
                "answer_url": entry.answer_url,
            },
        },
    )
