"""Delivery shown, not assumed: a real SMTP server and a real webhook receiver on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from alerts import (
    AlertBook,
    Courier,
    SmtpNotifier,
    WebhookSender,
    compose_notice,
    escalate_overdue,
    send_due_digests,
    send_urgent,
    sign,
    verify_signature,
)
from alerts.webhook import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER
from core import ClaimMatch, Item, ProjectConfig, Routed, Urgency

from .conftest import Mailbox

MakeItem = Callable[..., Item]
SECRET = "test-secret-for-the-receiver"


@dataclass
class Receiver:
    """A webhook receiver that verifies the HMAC like a unit's system would; answers 500 to the first ``fail`` posts."""

    fail: int = 0
    seen: list[dict[str, object]] = field(default_factory=list)
    delivery_ids: list[str] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            ok = verify_signature(SECRET, self.headers[TIMESTAMP_HEADER], self.headers[SIGNATURE_HEADER], body)
            if not ok:
                status = 401
            elif state.fail > 0:
                state.fail -= 1
                status = 500
            else:
                status = 200
                state.seen.append(json.loads(body))
                state.delivery_ids.append(self.headers[DELIVERY_HEADER])
            state.statuses.append(status)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _with_channels(config: ProjectConfig, url: str) -> ProjectConfig:
    units = tuple(
        replace(u, webhook=url, webhook_secret_env="PD_TEST_SECRET") if u.id == "health" else u for u in config.units
    )
    return replace(config, units=units)


def _courier(book: AlertBook, smtp: Mailbox | None, attempts: int = 3) -> Courier:
    notifier = SmtpNotifier("127.0.0.1", smtp.port, "pressdesk@test.example") if smtp else None
    webhooks = WebhookSender("pressdesk-test/1", attempts=attempts, backoff=0.05, timeout=5)
    return Courier(book, notifier, webhooks, secrets=lambda name: SECRET if name == "PD_TEST_SECRET" else "")


def _parsed(envelope: object) -> EmailMessage:
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)  # type: ignore[attr-defined]
    assert isinstance(message, EmailMessage)
    return message


def test_signature_rejects_tampering_and_replays() -> None:
    body = b'{"a": 1}'
    header = sign(SECRET, 1_800_000_000, body)
    assert verify_signature(SECRET, "1800000000", header, body, now=1_800_000_100)
    assert not verify_signature(SECRET, "1800000000", header, b'{"a": 2}', now=1_800_000_100)
    assert not verify_signature("other", "1800000000", header, body, now=1_800_000_100)
    assert not verify_signature(SECRET, "1800000000", header, body, now=1_800_000_000 + 301)
    assert not verify_signature(SECRET, "soon", header, body)


def test_urgent_false_claim_goes_out_at_once_by_mail_and_signed_webhook_with_one_retry(
    tmp_path: Path,
    config: ProjectConfig,
    make_item: MakeItem,
    now: datetime,
    smtp_server: Mailbox,
    receiver: Receiver,
) -> None:
    receiver.fail = 1  # the unit's system answers 500 once, then accepts
    config = _with_channels(config, receiver.url)
    book = AlertBook(tmp_path / "alerts.db")
    item = make_item(claims=(ClaimMatch("fc-9", 0.95, "auto", "https://factcheck.example/fc-9"),))
    routed = Routed("health", "Tin về Đà Nẵng lặp lại thông tin đã được đính chính là sai", Urgency.URGENT, now)
    alert = book.record(item, routed, trigger="false_claim", evidence_url="https://factcheck.example/fc-9")
    courier = _courier(book, smtp_server)

    assert send_urgent(book, config, courier, "https://pressdesk.example", now) == 1
    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["yte@pressdesk.example"]
    message = _parsed(envelope)
    assert message["Subject"].startswith("[pressdesk] [KHẨN] Tin cần phản hồi: Số ca sốt xuất huyết")
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    for body in (text, html):
        assert "https://factcheck.example/fc-9" in body
        assert f"https://pressdesk.example/alerts/{alert.id}" in body
        assert f"https://pressdesk.example/alerts/{alert.id}#tra-loi" in body
        assert "Lý do chuyển" in body
    assert receiver.statuses == [500, 200]
    (payload,) = receiver.seen
    assert payload["kind"] == "alert"
    assert payload["alert"]["evidence_url"] == "https://factcheck.example/fc-9"  # type: ignore[index]
    (hook,) = [d for d in book.deliveries() if d.channel == "webhook"]
    assert hook.status == "sent" and hook.attempts == 2 and hook.id == receiver.delivery_ids[0]

    # Nothing twice: the alert is marked notified, and even a forced re-send is skipped by delivery id.
    assert send_urgent(book, config, courier, "https://pressdesk.example", now) == 0
    unit = config.unit("health")
    assert unit is not None
    again = courier.send(unit, compose_notice(unit, alert, "https://pressdesk.example", now), about=alert.id)
    assert (again.email, again.webhook) == ("skipped", "skipped")
    assert len(smtp_server.envelopes) == 1 and len(receiver.seen) == 1


def test_a_receiver_that_keeps_failing_is_logged_and_retried_next_run(
    tmp_path: Path, config: ProjectConfig, make_item: MakeItem, now: datetime, receiver: Receiver
) -> None:
    receiver.fail = 5
    config = _with_channels(config, receiver.url)
    book = AlertBook(tmp_path / "alerts.db")
    book.record(make_item(), Routed("health", "khẩn", Urgency.URGENT, now))
    courier = _courier(book, None, attempts=2)
    assert send_urgent(book, config, courier, "https://p.example", now) == 0
    (entry,) = book.deliveries()
    assert entry.status == "failed" and "500" in entry.error and entry.attempts == 2
    receiver.fail = 0
    assert send_urgent(book, config, courier, "https://p.example", now) == 1
    (entry,) = book.deliveries()
    assert entry.status == "sent" and entry.attempts == 3


def test_digests_follow_each_units_slot_and_quiet_hours(
    tmp_path: Path, config: ProjectConfig, make_item: MakeItem, smtp_server: Mailbox
) -> None:
    book = AlertBook(tmp_path / "alerts.db")
    courier = _courier(book, smtp_server)
    # 21:00 UTC = 04:00 in Vietnam: inside health's quiet hours (22:00–06:30); its digest is at 07:30.
    night = datetime.fromisoformat("2026-11-22T21:00:00+00:00")
    book.record(make_item(), Routed("health", "Tin tiêu cực", Urgency.ROUTINE, night))
    assert send_due_digests(book, config, courier, "https://p.example", night).sent == 0
    assert smtp_server.envelopes == []
    # 23:45 UTC = 06:45: quiet hours are over but today's 07:30 slot has not come; yesterday's was never
    # handled, so it goes now (a scheduler that was down catches up once).
    morning = datetime.fromisoformat("2026-11-22T23:45:00+00:00")
    run = send_due_digests(book, config, courier, "https://p.example", morning)
    assert (run.sent, run.alerts) == (1, 1)
    # A new alert at 06:50 waits for the 07:30 slot.
    book.record(make_item(url="https://x.example/2"), Routed("health", "Tin tiêu cực", Urgency.ROUTINE, morning))
    assert send_due_digests(book, config, courier, "https://p.example", morning + timedelta(minutes=5)).sent == 0
    at_slot = datetime.fromisoformat("2026-11-23T00:31:00+00:00")  # 07:31
    assert send_due_digests(book, config, courier, "https://p.example", at_slot).sent == 1
    assert send_due_digests(book, config, courier, "https://p.example", at_slot + timedelta(minutes=5)).sent == 0
    assert len(smtp_server.envelopes) == 2
    digest = _parsed(smtp_server.envelopes[1])
    assert "Ghi nhận kết quả phản hồi" in digest.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_overdue_alert_escalates_once_to_the_coordinating_office(
    tmp_path: Path, config: ProjectConfig, make_item: MakeItem, now: datetime, smtp_server: Mailbox
) -> None:
    book = AlertBook(tmp_path / "alerts.db")
    courier = _courier(book, smtp_server)
    overdue = book.record(make_item(), Routed("health", "Tin tiêu cực", Urgency.URGENT, now))
    answered = book.record(make_item(url="https://y.example/1"), Routed("health", "x", Urgency.URGENT, now))
    book.acknowledge(answered.id, now + timedelta(hours=1))
    # Health's urgent deadline is 2 hours.
    assert escalate_overdue(book, config, courier, "https://p.example", now + timedelta(hours=1, minutes=59)) == []
    assert escalate_overdue(book, config, courier, "https://p.example", now + timedelta(hours=2)) == [overdue.id]
    assert escalate_overdue(book, config, courier, "https://p.example", now + timedelta(hours=9)) == []
    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["baochi@pressdesk.example"]
    message = _parsed(envelope)
    assert message["Subject"].startswith("[pressdesk] Quá hạn tiếp nhận:")
    assert "Sở Y tế" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    stored = book.get(overdue.id)
    assert stored is not None and stored.escalated_to == "press-office" and stored.escalated_at is not None


def test_response_durations_are_recorded(tmp_path: Path, make_item: MakeItem, now: datetime) -> None:
    book = AlertBook(tmp_path / "alerts.db")
    alert = book.record(make_item(), Routed("health", "x", Urgency.ROUTINE, now))
    book.acknowledge(alert.id, now + timedelta(hours=3))
    done = book.answer(alert.id, "https://danang.gov.vn/thong-tin", now + timedelta(hours=20))
    assert done is not None
    assert done.time_to_acknowledge == timedelta(hours=3)
    assert done.time_to_answer == timedelta(hours=20)
    assert done.answer_link == "https://danang.gov.vn/thong-tin"


def test_urgent_notices_break_quiet_hours_but_digests_wait(
    tmp_path: Path, config: ProjectConfig, make_item: MakeItem, smtp_server: Mailbox, receiver: Receiver
) -> None:
    config = _with_channels(config, receiver.url)
    book = AlertBook(tmp_path / "alerts.db")
    courier = _courier(book, smtp_server)
    night = datetime.fromisoformat("2026-11-22T20:00:00+00:00")  # 03:00 in Vietnam, inside 22:00–06:30
    book.record(make_item(), Routed("health", "Tin tiêu cực", Urgency.ROUTINE, night))
    book.record(make_item(url="https://z.example/1"), Routed("health", "Thông tin sai", Urgency.URGENT, night))
    assert send_urgent(book, config, courier, "https://p.example", night) == 1
    assert send_due_digests(book, config, courier, "https://p.example", night).sent == 0
    assert len(smtp_server.envelopes) == 1 and [p["kind"] for p in receiver.seen] == ["alert"]
    after = datetime.fromisoformat("2026-11-23T00:40:00+00:00")  # 07:40, after the 07:30 slot
    run = send_due_digests(book, config, courier, "https://p.example", after)
    assert (run.sent, run.alerts) == (1, 2)  # the digest lists both; the urgent one was already notified
    digest = receiver.seen[-1]
    assert digest["unit"] == "health" and len(digest["alerts"]) == 2  # type: ignore[arg-type]
    assert len(smtp_server.envelopes) == 2


def test_a_receiver_answering_an_endless_body_cannot_hold_the_sender() -> None:
    """The sender reads the status only: a 200 followed by a body that never ends is accepted at once."""
    sent = threading.Event()

    class Endless(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", str(10**12))
            self.end_headers()
            try:
                while not sent.is_set():
                    self.wfile.write(b"x" * 65536)
            except OSError:
                pass  # the sender closed the connection, as it should

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sender = WebhookSender("pressdesk-test/1", attempts=1, timeout=5)
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        result = sender.deliver(url, "a real secret value", {"alert": "x"}, "delivery-1")
    finally:
        sent.set()
        server.shutdown()
        server.server_close()
    assert (result.attempts, result.status) == (1, 200)
