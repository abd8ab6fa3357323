"""The alert book on a real SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from alerts import Alert, AlertBook, AlertStatus, route
from alerts.schema import MIGRATIONS
from core import Item, ProjectConfig, Stance, StoreError, StoreUnavailable, Topic, Urgency
from core.sqlite import connect

MakeItem = Callable[..., Item]


def record(book: AlertBook, item: Item, config: ProjectConfig, at: datetime, urgency: Urgency | None = None) -> Alert:
    routed = route(item, config, at)
    assert routed is not None
    return book.record(item, replace(routed, urgency=urgency or routed.urgency))


def test_constructor_does_no_io(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "alerts.db"
    AlertBook(path)
    assert not path.parent.exists()


def test_record_keeps_display_fields_and_is_idempotent(
    tmp_path: Path, config: ProjectConfig, make_item: MakeItem, now: datetime
) -> None:
    book = AlertBook(tmp_path / "alerts.db")
    item = make_item()

    first = record(book, item, config, now)
    again = record(book, item, config, now + timedelta(hours=1))

    assert again == first
    assert book.counts()["total"] == 1
    assert (first.item_id, first.unit_id, first.title) == (item.id, "health", item.title)
    assert (first.outlet, first.url, first.published) == ("Báo Mới", item.fetched.url, item.published)
    assert (first.stance, first.topic, first.urgency) == (Stance.NEGATIVE, Topic.HEALTH, Urgency.ROUTINE)
    assert first.reason == "Tin tiêu cực về Đà Nẵng, chủ đề: y tế"
    assert first.created_at == now
    assert first.status is AlertStatus.OPEN
    assert first.digest_key == ""


def test_pending_until_digested(tmp_path: Path, config: ProjectConfig, make_item: MakeItem, now: datetime) -> None:
    book = AlertBook(tmp_path / "alerts.db")
    alerts = [
        record(book, make_item(url=f"https://baomoi.example/{n}.html"), config, now + timedelta(minutes=n))
        for n in range(3)
    ]

    assert [a.id for a in book.pending("health")] == [a.id for a in alerts]
    assert book.pending("police") == []
    assert not book.digest_sent("k1")

    book.mark_digested([alerts[0].id, alerts[1].id], "k1", now)

    assert [a.id for a in book.pending("health")] == [alerts[2].id]
    assert book.digest_sent("k1")
    assert book.counts() == {"total": 3, "pending": 1, "digested": 2, "open": 3, "acknowledged": 0, "answered": 0}
    digested = book.get(alerts[0].id)
    assert digested is not None and digested.digest_key == "k1"


def test_urgent_alerts_come_first(tmp_path: Path, config: ProjectConfig, make_item: MakeItem, now: datetime) -> None:
    book = AlertBook(tmp_path / "alerts.db")
    routine = record(book, make_item(url="https://a.example/1"), config, now)
    urgent = record(book, make_item(url="https://a.example/2"), config, now + timedelta(hours=1), Urgency.URGENT)

    assert book.pending("health") == [urgent, routine]


def test_alerts_survive_reopening(tmp_path: Path, config: ProjectConfig, make_item: MakeItem, now: datetime) -> None:
    path = tmp_path / "alerts.db"
    book = AlertBook(path)
    alert = record(book, make_item(), config, now)
    book.close()

    assert AlertBook(path).pending("health") == [alert]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3  # 3: the delivery outbox
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_acknowledge_then_answer_keeps_timestamps(
    tmp_path: Path, config: ProjectConfig, make_item: MakeItem, now: datetime
) -> None:
    book = AlertBook(tmp_path / "alerts.db")
    alert = record(book, make_item(), config, now)
    seen, answered = now + timedelta(hours=1), now + timedelta(hours=5)

    acknowledged = book.acknowledge(alert.id, seen)
    done = book.answer(alert.id, "https://danang.gov.example/thong-cao", answered)
    again = book.acknowledge(alert.id, answered + timedelta(hours=1))

    assert acknowledged is not None and acknowledged.status is AlertStatus.ACKNOWLEDGED
    assert acknowledged.acknowledged_at == seen
    assert done is not None and done.status is AlertStatus.ANSWERED
    assert (done.acknowledged_at, done.answered_at) == (seen, answered)
    assert done.answer_link == "https://danang.gov.example/thong-cao"
    assert again == done
    assert book.acknowledge("no-such-alert", now) is None
    assert book.counts()["answered"] == 1


def test_unopenable_file_is_store_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    with pytest.raises(StoreUnavailable, match="alert book"):
        AlertBook(blocker / "alerts.db").counts()


def test_corrupt_file_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "alerts.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError):
        AlertBook(path).counts()


def test_upgrading_a_version_2_book_keeps_its_deliveries(tmp_path: Path, now: datetime) -> None:
    """Migration 3 rebuilds ``deliveries`` (for the ``sending`` state): rows written before it stay."""
    path = tmp_path / "alerts.db"
    old = connect(path, MIGRATIONS[:2], "alert book")  # a file as the previous release left it
    assert old.execute("PRAGMA user_version").fetchone()[0] == 2
    old.execute(
        "INSERT INTO deliveries (id, channel, target, about, status, attempts, error, at)"
        " VALUES ('d1', 'email', 'yte@danang.gov.example', 'digest:k1', 'sent', 1, '', ?)",
        (now.isoformat(),),
    )
    old.commit()
    old.close()

    upgraded = AlertBook(path)
    assert upgraded.pending("health") == []
    upgraded.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
        assert conn.execute("SELECT id, status, attempts FROM deliveries").fetchall() == [("d1", "sent", 1)]
        conn.execute(  # the new state is accepted now
            "INSERT INTO deliveries (id, channel, target, about, status, attempts, error, at)"
            " VALUES ('d2', 'email', 'x', 'digest:k2', 'sending', 1, '', ?)",
            (now.isoformat(),),
        )
        assert conn.execute("SELECT count(*) FROM digest_outbox").fetchone()[0] == 0
