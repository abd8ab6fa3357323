"""A real data folder for the report tests: items in SQLite over two weeks, and an alert book with answers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from alerts import AlertBook
from core import (
    ClaimMatch,
    Classified,
    Extracted,
    Fetched,
    Item,
    LocalityMention,
    ProjectConfig,
    Routed,
    Stance,
    Topic,
    Urgency,
    item_id,
    load_config,
)
from indexing import SqliteStore

PROFILE = Path(__file__).resolve().parents[2] / "pressdesk" / "profiles" / "da_nang.toml"
#: Week 2026-W47 runs from Monday 16 to Sunday 22 November (Vietnam time).
WEEK_START = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)
FACTCHECK = "https://factcheck.example/cau-rong-sap"


@dataclass(frozen=True)
class DataDir:
    path: Path
    config: ProjectConfig
    false_claim_alert: str


def _item(n: int, when: datetime, outlet: str, stance: Stance, topic: Topic, language: str, cluster: str) -> Item:
    url = f"https://{outlet.lower().replace(' ', '')}.example/tin-{n}"
    return Item(
        id=item_id(url),
        fetched=Fetched(url=url, source_id="s", outlet=outlet, fetched_at=when),
        extracted=Extracted(
            title=f"Tin số {n} về Đà Nẵng", text="Nội dung về Đà Nẵng.", published=when, language=language
        ),
        classified=Classified(
            localities=(LocalityMention("Đà Nẵng", about=True),),
            about=True,
            stance=stance,
            stance_confidence=0.9,
            topic=topic,
            topic_confidence=0.8,
            cluster_id=cluster,
        ),
    )


@pytest.fixture(scope="session")
def config() -> ProjectConfig:
    return load_config(PROFILE)


@pytest.fixture
def data_dir(tmp_path: Path, config: ProjectConfig) -> DataDir:
    folder = tmp_path / "data"
    items: list[Item] = []
    outlets = ["Báo Mới", "Tuổi Trẻ", "VnExpress", "Thanh Niên"]
    stances = [Stance.POSITIVE, Stance.NEUTRAL, Stance.NEGATIVE]
    topics = [Topic.TOURISM_CULTURE, Topic.HEALTH, Topic.INFRASTRUCTURE_TRANSPORT]
    n = 0
    for week_shift, per_day in ((-7, 2), (0, 4)):  # last week lighter than this week
        for day in range(7):
            for k in range(per_day):
                when = WEEK_START + timedelta(days=week_shift + day, hours=k)
                items.append(_item(n, when, outlets[n % 4], stances[n % 3], topics[k % 3], "vi", f"c{day}{week_shift}"))
                n += 1
    foreign = [
        _item(900, WEEK_START + timedelta(days=2), "Example Daily", Stance.NEGATIVE, Topic.TOURISM_CULTURE, "en", ""),
        _item(901, WEEK_START + timedelta(days=3), "Seoul Example", Stance.POSITIVE, Topic.TOURISM_CULTURE, "ko", ""),
    ]
    items += foreign
    store = SqliteStore(folder / "items.db")
    store.upsert(items)
    store.close()
    book = AlertBook(folder / "alerts.db")
    claim = replace_claims(items[30], FACTCHECK)
    raised = WEEK_START + timedelta(days=3, hours=1)
    alert = book.record(
        claim,
        Routed("culture-tourism", "Tin lặp lại thông tin đã được đính chính là sai", Urgency.URGENT, raised),
        trigger="false_claim",
        evidence_url=FACTCHECK,
    )
    book.acknowledge(alert.id, raised + timedelta(hours=1, minutes=30))
    book.answer(alert.id, "https://danang.gov.vn/dinh-chinh-cau-rong", raised + timedelta(hours=6))
    routine = book.record(foreign[0], Routed("health", "Tin tiêu cực (tiếng Anh)", Urgency.ROUTINE, raised))
    book.mark_escalated(routine.id, "press-office", raised + timedelta(hours=30))
    book.close()
    return DataDir(folder, config, alert.id)


def replace_claims(item: Item, url: str) -> Item:
    assert item.classified is not None
    return replace(item, classified=replace(item.classified, claims=(ClaimMatch("fc-1", 0.95, "auto", url),)))
