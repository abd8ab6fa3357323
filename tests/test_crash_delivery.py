"""Digests killed at each point of a delivery: what the real SMTP server receives afterwards.

Each case runs ``send_digests`` in a child process over a real alert book file and a real
aiosmtpd server, and ends that process with ``os._exit`` (no cleanup, like SIGKILL) at one
point of the delivery; a second child then runs ``send_digests`` normally. The counts at
the server show what "exactly once" means across the SMTP hop:

- killed before the message went out, or after it went out and was logged but before its
  alerts were marked: the server gets it exactly once, and no later digest repeats its alerts;
- killed in the moment between the server's acceptance and our log entry: the second run
  cannot know the server has it, so it sends it again with the same ``Message-ID`` (the
  receiver can drop the copy). That window is the one place a copy can appear.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from alerts import AlertBook
from core.enums import Stance, Topic
from core.identity import item_id
from core.item import Classified, Extracted, Fetched, Item, LocalityMention, Routed
from pressdesk.drill import count_mail
from pressdesk.mailbox import LocalMailbox
from pressdesk.wiring import default_config_path

CHILD = """
import os, sys
from datetime import UTC, datetime
from pathlib import Path

from alerts import AlertBook, SmtpNotifier, send_digests
from core.config import load_config

book_path, port, point, profile = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
book = AlertBook(book_path)
smtp = SmtpNotifier("127.0.0.1", port, "pressdesk@example.org")


class Dying:
    def deliver(self, message):
        if point == "before-send":
            os._exit(137)
        smtp.deliver(message)
        if point == "after-send":
            os._exit(137)


if point == "before-mark":
    book.mark_digested = lambda *args, **kwargs: os._exit(137)
run = send_digests(book, load_config(profile), Dying(), "http://127.0.0.1:8000", datetime.now(UTC))
print(run.sent, run.alerts)
"""


def _item(n: int) -> Item:
    url = f"https://baomoi.example/tin-{n}-da-nang.html"
    return Item(
        id=item_id(url),
        fetched=Fetched(url=url, source_id="baomoi", outlet="Báo Mới", fetched_at=datetime(2026, 11, 22, tzinfo=UTC)),
        extracted=Extracted(title=f"Tin {n} về Đà Nẵng", text="Sở Y tế cho biết số ca bệnh tăng.", language="vi"),
        classified=Classified(
            localities=(LocalityMention("Đà Nẵng", about=True, hits=2),),
            about=True,
            stance=Stance.NEGATIVE,
            stance_confidence=0.9,
            topic=Topic.HEALTH,
            topic_confidence=0.8,
        ),
    )


def _record(book: AlertBook, n: int) -> str:
    routed = Routed(unit_id="health", reason="tin tiêu cực về y tế", routed_at=datetime.now(UTC))
    return book.record(_item(n), routed).id


def _send(book_path: Path, mailbox: LocalMailbox, point: str = "none") -> int:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(book_path), str(mailbox.port), point, str(default_config_path())],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, 137), done.stderr[-2000:]
    return done.returncode


@pytest.fixture
def mailbox(tmp_path: Path) -> LocalMailbox:
    with LocalMailbox(tmp_path / "mail") as box:
        yield box


def test_killed_before_sending_the_digest_arrives_once(tmp_path: Path, mailbox: LocalMailbox) -> None:
    path = tmp_path / "alerts.db"
    book = AlertBook(path)
    first = _record(book, 1)
    assert _send(path, mailbox, "before-send") == 137
    assert count_mail(mailbox.messages).messages == 0
    assert book.deliveries()[0].status == "sending"  # the crash is visible on restart

    assert _send(path, mailbox) == 0
    assert _send(path, mailbox) == 0  # nothing left to send
    mail = count_mail(mailbox.messages)
    assert mail.messages == 1 and mail.repeated == {}
    assert mail.by_alert == {first: 1}
    assert [(d.status, d.attempts) for d in book.deliveries()] == [("sent", 2)]  # the cut-short attempt shows
    assert book.pending("health") == []


def test_killed_before_marking_the_alerts_no_digest_repeats_them(tmp_path: Path, mailbox: LocalMailbox) -> None:
    path = tmp_path / "alerts.db"
    book = AlertBook(path)
    first = _record(book, 1)
    assert _send(path, mailbox, "before-mark") == 137
    assert count_mail(mailbox.messages).messages == 1
    assert [a.id for a in book.pending("health")] == [first]  # sent, logged, not yet marked

    second = _record(book, 2)  # a new alert arrives before the restart
    assert _send(path, mailbox) == 0
    mail = count_mail(mailbox.messages)
    # The held digest is finished without sending it again; the new alert goes in its own digest.
    assert mail.messages == 2 and mail.repeated == {}
    assert mail.by_alert == {first: 1, second: 1}
    assert book.pending("health") == []


def test_killed_between_acceptance_and_log_the_copy_keeps_its_message_id(tmp_path: Path, mailbox: LocalMailbox) -> None:
    path = tmp_path / "alerts.db"
    book = AlertBook(path)
    first = _record(book, 1)
    assert _send(path, mailbox, "after-send") == 137
    assert _send(path, mailbox) == 0
    assert _send(path, mailbox) == 0
    mail = count_mail(mailbox.messages)
    # The documented limit of exactly-once over SMTP: one copy, same Message-ID, nothing more,
    # and the delivery log shows the retry (two attempts) that made it.
    assert mail.messages == 2 and mail.copies == 1
    assert len(mail.by_message_id) == 1
    assert mail.by_alert == {first: 1}
    assert book.pending("health") == []
    assert [(d.status, d.attempts) for d in book.deliveries()] == [("sent", 2)]
