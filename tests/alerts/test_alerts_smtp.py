"""SmtpNotifier against a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest

from alerts import SmtpNotifier
from core import DeliveryError, Message, Notifier

MESSAGE = Message(
    to=("yte@pressdesk.example", "baochi@pressdesk.example"),
    subject="[pressdesk] Bản tin 1 tin cần phản hồi – Sở Y tế – 22/11/2026",
    text="Lý do chuyển: Tin tiêu cực về Đà Nẵng, chủ đề: y tế",
    html="<p>Lý do chuyển: <strong>Tin tiêu cực về Đà Nẵng</strong>, chủ đề: y tế</p>",
    key="0f" * 32,
)


def received(envelope: Any) -> EmailMessage:
    parsed = email.message_from_bytes(envelope.content, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_is_a_notifier() -> None:
    assert isinstance(SmtpNotifier("127.0.0.1", 25, "pressdesk@danang.example"), Notifier)


def test_delivers_multipart_utf8_message(smtp_server: Any) -> None:
    notifier = SmtpNotifier("127.0.0.1", smtp_server.port, "pressdesk@danang.example")

    notifier.deliver(MESSAGE)

    [envelope] = smtp_server.envelopes
    assert envelope.mail_from == "pressdesk@danang.example"
    assert envelope.rcpt_tos == list(MESSAGE.to)
    mail = received(envelope)
    assert mail["Subject"] == MESSAGE.subject
    assert mail["To"] == "yte@pressdesk.example, baochi@pressdesk.example"
    assert mail["Message-ID"] == f"<{MESSAGE.key}@danang.example>"
    assert mail.get_content_type() == "multipart/alternative"
    text, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert text is not None and html is not None
    assert text.get_content_charset() == "utf-8"
    assert text.get_content().strip() == MESSAGE.text
    assert html.get_content().strip() == MESSAGE.html


def test_text_only_message_is_single_part(smtp_server: Any) -> None:
    SmtpNotifier("127.0.0.1", smtp_server.port, "pressdesk@danang.example").deliver(
        Message(to=("yte@pressdesk.example",), subject="Thử", text="Nội dung tiếng Việt")
    )

    mail = received(smtp_server.envelopes[0])
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content().strip() == "Nội dung tiếng Việt"


def test_nothing_listening_is_a_readable_delivery_error(closed_port: int) -> None:
    notifier = SmtpNotifier("127.0.0.1", closed_port, "pressdesk@danang.example", "office", "s3cret-pass")

    with pytest.raises(DeliveryError) as caught:
        notifier.deliver(MESSAGE)

    assert str(caught.value) == (
        f"cannot reach SMTP server 127.0.0.1:{closed_port}: connection refused; check PRESSDESK_SMTP_HOST/PORT"
    )
    assert "s3cret-pass" not in repr(notifier)


def test_login_refused_names_the_setting_not_the_password(smtp_server: Any) -> None:
    # The local server offers no AUTH, so asking to log in fails the way a wrong setup does.
    notifier = SmtpNotifier("127.0.0.1", smtp_server.port, "pressdesk@danang.example", "office", "s3cret-pass")

    with pytest.raises(DeliveryError, match="PRESSDESK_SMTP") as caught:
        notifier.deliver(MESSAGE)

    assert "s3cret-pass" not in str(caught.value)
    assert smtp_server.envelopes == []


def test_no_recipients_is_refused_before_connecting() -> None:
    with pytest.raises(DeliveryError, match="no recipients"):
        SmtpNotifier("127.0.0.1", 1, "pressdesk@danang.example").deliver(Message(to=(), subject="x", text="y"))
