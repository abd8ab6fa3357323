"""send_digests end to end: alert book on SQLite, real SMTP server on 127.0.0.1."""

from __future__ import annotations

import email
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from email import policy
from pathlib import Path
from typing import Any

from alerts import AlertBook, DigestRun, SmtpNotifier, route, send_digests
from core import Item, ProjectConfig, Topic

MakeItem = Callable[..., Item]
PUBLIC = "http://127.0.0.1:8000"


def fill(book: AlertBook, config: ProjectConfig, make_item: MakeItem, now: datetime) -> None:
    """Two health items and one tourism item, all negative coverage of Đà Nẵng."""
    for n, topic in enumerate([Topic.HEALTH, Topic.HEALTH, Topic.TOURISM_CULTURE]):
        item = make_item(url=f"https://baomoi.example/{n}.html", title=f"Tin số {n}", topic=topic)
        routed = route(item, config, now)
        assert routed is not None
        book.record(item, routed)


def test_one_digest_per_unit_then_nothing(
    tmp_path: Path, config: ProjectConfig, make_item: MakeItem, now: datetime, smtp_server: Any
) -> None:
    book = AlertBook(tmp_path / "alerts.db")
    fill(book, config, make_item, now)
    notifier = SmtpNotifier("127.0.0.1", smtp_server.port, "pressdesk@danang.example")

    first = send_digests(book, config, notifier, PUBLIC, now)
    second = send_digests(book, config, notifier, PUBLIC, now + timedelta(hours=1))

    assert first == DigestRun(sent=2, alerts=3, failed=())
    assert second == DigestRun(sent=0, alerts=0, failed=())
    assert book.counts()["pending"] == 0
    by_recipient = {tuple(e.rcpt_tos): e for e in smtp_server.envelopes}
    assert set(by_recipient) == {("yte@pressdesk.example",), ("vhttdl@pressdesk.example",)}
    health = email.message_from_bytes(by_recipient[("yte@pressdesk.example",)].content, policy=policy.default)
    assert health["Subject"] == "[pressdesk] Bản tin 2 tin cần phản hồi – Sở Y tế – 22/11/2026"
    assert "Tin số 0" in health.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert book.digest_sent(health["Message-ID"].strip("<>").split("@")[0])


def test_failed_delivery_keeps_alerts_pending(
    tmp_path: Path, config: ProjectConfig, make_item: MakeItem, now: datetime, closed_port: int
) -> None:
    book = AlertBook(tmp_path / "alerts.db")
    fill(book, config, make_item, now)

    run = send_digests(book, config, SmtpNotifier("127.0.0.1", closed_port, "p@x.example"), PUBLIC, now)

    assert run == DigestRun(sent=0, alerts=0, failed=("culture-tourism", "health"))
    assert book.counts()["pending"] == 3


def test_unit_without_mailbox_is_skipped(
    tmp_path: Path, config: ProjectConfig, make_item: MakeItem, now: datetime, smtp_server: Any
) -> None:
    book = AlertBook(tmp_path / "alerts.db")
    fill(book, config, make_item, now)
    no_mail = replace(config, units=tuple(replace(u, emails=()) if u.id == "health" else u for u in config.units))

    run = send_digests(book, no_mail, SmtpNotifier("127.0.0.1", smtp_server.port, "p@x.example"), PUBLIC, now)

    assert run == DigestRun(sent=1, alerts=1, failed=())
    assert len(book.pending("health")) == 2
