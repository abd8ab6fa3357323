"""Digests: one message per unit listing the items that need its answer.

The subject and bodies are Vietnamese. Nothing about people is added: an item is named
by its title and outlet, a unit by its official name.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from alerts.book import Alert
from alerts.vocabulary import stance_name, topic_name, urgency_name
from core.enums import Urgency
from core.message import Message
from core.unit import Unit

#: Vietnam keeps UTC+7 all year (no daylight saving), so a fixed offset needs no tz database.
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")


def digest_key(unit_id: str, alert_ids: Sequence[str]) -> str:
    """The digest's idempotency key: the same unit and alerts always give the same key."""
    content = "\n".join([unit_id, *sorted(alert_ids)])
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def compose_digest(unit: Unit, alerts: Sequence[Alert], public_url: str, now: datetime) -> Message:
    """Write the digest for ``unit`` carrying ``alerts``, addressed to the unit's shared mailboxes.

    Args:
        unit: the receiving unit.
        alerts: its pending alerts, in the order to list them.
        public_url: where pressdesk is reached, for item and acknowledge links.
        now: the send time shown in the subject (in Vietnam time).
    """
    base = public_url.rstrip("/")
    urgent = sum(1 for alert in alerts if alert.urgency is Urgency.URGENT)
    date = _local(now).strftime("%d/%m/%Y")
    urgent_note = f" ({urgent} khẩn)" if urgent else ""
    subject = f"[pressdesk] Bản tin {len(alerts)} tin cần phản hồi{urgent_note} – {unit.name} – {date}"
    entries = [_entry(alert, base) for alert in alerts]
    context = {"unit": unit, "entries": entries, "subject": subject}
    env = _templates()
    # The spread is part of the key: a story that spread since its last digest goes out again as an update.
    key = digest_key(unit.id, [f"{alert.id}@{alert.spread}" for alert in alerts])
    return Message(
        to=unit.emails,
        subject=subject,
        text=env.get_template("digest.txt").render(context),
        html=env.get_template("digest.html").render(context),
        key=key,
        payload={
            "digest": key,
            "unit": unit.id,
            "alerts": [
                {
                    "id": entry.alert.id,
                    "item_id": entry.alert.item_id,
                    "title": entry.alert.title,
                    "url": entry.alert.url,
                    "outlet": entry.alert.outlet,
                    "published": entry.alert.published.isoformat() if entry.alert.published else None,
                    "stance": entry.alert.stance.value if entry.alert.stance else None,
                    "topic": entry.alert.topic.value if entry.alert.topic else None,
                    "urgency": entry.alert.urgency.value,
                    "reason": entry.alert.reason,
                    "item_url": entry.item_url,
                    "ack_url": entry.ack_url,
                    "answer_url": entry.answer_url,
                    "evidence_url": entry.evidence_url,
                    "trigger": entry.alert.trigger,
                    "spread": entry.alert.spread,
                    "outlets": list(entry.alert.outlets),
                }
                for entry in entries
            ],
        },
    )


@dataclass(frozen=True, slots=True)
class _Entry:
    """One listed alert with its links and display labels worked out once for both bodies."""

    alert: Alert
    article_url: str
    item_url: str
    ack_url: str
    answer_url: str
    evidence_url: str
    published: str
    stance: str
    topic: str
    urgency: str


def _entry(alert: Alert, base: str) -> _Entry:
    return _Entry(
        alert=alert,
        article_url=alert.url if _is_web_link(alert.url) else "",
        item_url=f"{base}/items/{quote(alert.item_id, safe='')}",
        ack_url=f"{base}/alerts/{quote(alert.id, safe='')}",
        answer_url=f"{base}/alerts/{quote(alert.id, safe='')}#tra-loi",
        evidence_url=alert.evidence_url if _is_web_link(alert.evidence_url) else "",
        published=_local(alert.published).strftime("%d/%m/%Y %H:%M") if alert.published else "",
        stance=stance_name(alert.stance),
        topic=topic_name(alert.topic),
        urgency=urgency_name(alert.urgency),
    )


@functools.cache
def _templates() -> Environment:
    # Autoescape the HTML template only; the plain-text body must stay literal.
    return Environment(
        loader=PackageLoader("alerts", "templates"),
        autoescape=select_autoescape(["html"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _local(moment: datetime) -> datetime:
    return moment.astimezone(VIETNAM_TIME) if moment.tzinfo else moment


def _is_web_link(url: str) -> bool:
    """Only http(s) links become clickable; anything else in a crawled URL is shown as text."""
    return urlsplit(url).scheme in ("http", "https")
