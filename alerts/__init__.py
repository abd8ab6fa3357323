"""Alerts: triage, the alert book, digests and notices, delivery (SMTP, signed webhooks), escalation."""

from alerts.book import Alert, AlertBook, AlertStatus
from alerts.cadence import digest_slot, in_quiet_hours
from alerts.courier import Courier, Outcome, delivery_id
from alerts.delivery_log import Delivery
from alerts.digest import VIETNAM_TIME, compose_digest, digest_key
from alerts.dispatch import DigestRun, escalate_overdue, send_digests, send_due_digests, send_urgent
from alerts.notice import compose_escalation, compose_notice
from alerts.routing import route
from alerts.sightings import Sightings
from alerts.smtp import SmtpNotifier
from alerts.triage import Decision, Spike, Triage, saved_search_decision
from alerts.vocabulary import STANCE_NAMES, TOPIC_NAMES, URGENCY_NAMES, stance_name, topic_name, urgency_name
from alerts.webhook import WebhookSender, sign, verify_signature

__all__ = [
    "STANCE_NAMES",
    "TOPIC_NAMES",
    "URGENCY_NAMES",
    "VIETNAM_TIME",
    "Alert",
    "AlertBook",
    "AlertStatus",
    "Courier",
    "Decision",
    "Delivery",
    "DigestRun",
    "Outcome",
    "Sightings",
    "SmtpNotifier",
    "Spike",
    "Triage",
    "WebhookSender",
    "compose_digest",
    "compose_escalation",
    "compose_notice",
    "delivery_id",
    "digest_key",
    "digest_slot",
    "escalate_overdue",
    "in_quiet_hours",
    "route",
    "saved_search_decision",
    "send_digests",
    "send_due_digests",
    "send_urgent",
    "sign",
    "stance_name",
    "topic_name",
    "urgency_name",
    "verify_signature",
]
