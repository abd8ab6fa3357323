"""Alerts: needs-response routing, the alert book, digests and their delivery to units' shared mailboxes."""

from alerts.book import Alert, AlertBook, AlertStatus
from alerts.digest import compose_digest, digest_key
from alerts.dispatch import DigestRun, send_digests
from alerts.routing import route
from alerts.smtp import SmtpNotifier
from alerts.vocabulary import STANCE_NAMES, TOPIC_NAMES, URGENCY_NAMES, stance_name, topic_name, urgency_name

__all__ = [
    "STANCE_NAMES",
    "TOPIC_NAMES",
    "URGENCY_NAMES",
    "Alert",
    "AlertBook",
    "AlertStatus",
    "DigestRun",
    "SmtpNotifier",
    "compose_digest",
    "digest_key",
    "route",
    "send_digests",
    "stance_name",
    "topic_name",
    "urgency_name",
]
