"""The dashboard: counts from the store's facets over a window of Vietnam days, alerts waiting per unit."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from alerts import AlertBook
from api import AuditLog, create_app
from api.accounts import AccountBook
from api.i18n import Translator
from api.views import Labels
from api.workspace_dashboard import CHART_HEIGHT, build
from core import (
    Classified,
    Extracted,
    Fetched,
    Item,
    ProjectConfig,
    Routed,
    Settings,
    Stance,
    Topic,
    Urgency,
    item_id,
)
from indexing import SqliteStore

#: 10:00 in Vietnam on Thursday 3 December 2026.
NOW = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)


def _item(n: int, published: datetime, stance: Stance | None, topic: Topic, outlet: str, language: str = "vi") -> Item:
    url = f"https://{outlet.lower().replace(' ', '')}.example/tin-{n}"
    return Item(
        id=item_id(url),
        fetched=Fetched(url=url, source_id="s", outlet=outlet, fetched_at=published),
        extracted=Extracted(title=f"Tin {n} về Đà Nẵng", text="Đà Nẵng.", published=published, language=language),
        classified=Classified(about=True, stance=stance, stance_confidence=0.9, topic=topic, topic_confidence=0.8),
    )


@pytest.fixture
def coverage() -> list[Item]:
    """Items on known Vietnam days: 3 Dec (today), 2 Dec, 27 Nov (in 7 days) and 20 Nov (only in 30)."""
    today = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # 08:00 Vietnam
    # 23:30 UTC on 1 Dec is 06:30 on 2 Dec in Vietnam: the day facet counts the office's calendar.
    late_evening = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    return [
        _item(1, today, Stance.NEGATIVE, Topic.HEALTH, "Tuổi Trẻ"),
        _item(2, today, Stance.NEGATIVE, Topic.HEALTH, "Tuổi Trẻ"),
        _item(3, today, Stance.POSITIVE, Topic.TOURISM_CULTURE, "VnExpress", "en"),
        _item(4, late_evening, None, Topic.HEALTH, "Thanh Niên"),
        _item(5, late_evening, Stance.NEUTRAL, Topic.EDUCATION, "Tuổi Trẻ"),
        _item(6, datetime(2026, 11, 27, 5, 0, tzinfo=UTC), Stance.POSITIVE, Topic.TOURISM_CULTURE, "Báo Mới", "ko"),
        _item(7, datetime(2026, 11, 20, 5, 0, tzinfo=UTC), Stance.NEGATIVE, Topic.ENVIRONMENT, "Báo Mới"),
    ]


@pytest.fixture
def dash_store(tmp_path: Path, coverage: list[Item]) -> Iterator[SqliteStore]:
    store = SqliteStore(tmp_path / "dash-items.db")
    store.upsert(coverage)
    yield store
    store.close()


def test_volume_by_stance_per_vietnam_day(dash_store: SqliteStore, config: ProjectConfig) -> None:
    board = build(dash_store, None, config, Labels(Translator("vi"), config), days=7, now=NOW)
    assert (board.since, board.until) == (date(2026, 11, 27), date(2026, 12, 3))
    assert [bar.day for bar in board.volume] == [date(2026, 11, 27) + timedelta(days=n) for n in range(7)]
    by_day = {bar.day: {s: bar.count(s) for s in board.stances} for bar in board.volume}
    assert by_day[date(2026, 12, 3)] == {"positive": 1, "neutral": 0, "negative": 2, "none": 0}
    assert by_day[date(2026, 12, 2)] == {"positive": 0, "neutral": 1, "negative": 0, "none": 1}
    assert by_day[date(2026, 11, 27)] == {"positive": 1, "neutral": 0, "negative": 0, "none": 0}
    assert sum(bar.total for bar in board.volume) == board.total == 6  # 20 Nov is outside the week
    assert board.peak == 3
    # The busiest day's bar fills the chart; bars of other days are shorter in proportion.
    tallest = next(bar for bar in board.volume if bar.day == date(2026, 12, 3))
    assert sum(seg.height for seg in tallest.segments) == pytest.approx(CHART_HEIGHT, abs=0.01)
    assert min(seg.y for seg in tallest.segments) == pytest.approx(0, abs=0.01)
    smaller = next(bar for bar in board.volume if bar.day == date(2026, 11, 27))
    assert sum(seg.height for seg in smaller.segments) == pytest.approx(CHART_HEIGHT / 3, abs=0.01)

    assert [(b.value, b.count) for b in board.topics] == [("health", 3), ("tourism_culture", 2), ("education", 1)]
    assert board.topics[0].label == "y tế" and board.topics[0].width > board.topics[1].width
    assert (board.outlets[0].value, board.outlets[0].count) == ("Tuổi Trẻ", 3)
    assert {b.value: b.count for b in board.languages} == {"vi": 4, "en": 1, "ko": 1}
    assert board.units is None  # no alert book, no unit table


def test_thirty_days_reach_further_back(dash_store: SqliteStore, config: ProjectConfig) -> None:
    board = build(dash_store, None, config, Labels(Translator("en"), config), days=30, now=NOW)
    assert len(board.volume) == 30 and board.total == 7
    assert {b.value: b.count for b in board.topics}["environment"] == 1


def test_open_alerts_by_unit_with_overdue(
    tmp_path: Path, dash_store: SqliteStore, coverage: list[Item], config: ProjectConfig
) -> None:
    book = AlertBook(tmp_path / "dash-alerts.db")
    health = config.unit("health")
    assert health is not None
    # Raised just past the urgent deadline: overdue. Routine and recent: not overdue.
    late = NOW - timedelta(hours=health.ack_urgent_hours, minutes=1)
    book.record(coverage[0], Routed("health", "tiêu cực", Urgency.URGENT, late))
    book.record(coverage[1], Routed("health", "tiêu cực", Urgency.ROUTINE, NOW - timedelta(hours=1)))
    acknowledged = book.record(coverage[4], Routed("health", "lan rộng", Urgency.ROUTINE, late))
    book.acknowledge(acknowledged.id, NOW)
    answered = book.record(coverage[2], Routed("culture-tourism", "x", Urgency.URGENT, late))
    book.answer(answered.id, "https://danang.gov.example/tra-loi", NOW)

    board = build(dash_store, book, config, Labels(Translator("vi"), config), days=7, now=NOW)
    assert board.units is not None
    loads = {u.unit_id: (u.open, u.acknowledged, u.overdue) for u in board.units}
    assert loads["health"] == (2, 1, 1)
    assert loads["culture-tourism"] == (0, 0, 0)  # answered alerts wait for nobody
    assert [u.unit_id for u in board.units] == [unit.id for unit in config.units]  # config order, every unit
    book.close()


@pytest.fixture
def recent_client(
    tmp_path: Path,
    settings: Settings,
    audit: AuditLog,
    config: ProjectConfig,
    book: AlertBook,
    accounts: AccountBook,
    coverage: list[Item],
) -> Iterator[TestClient]:
    """The app over items published in the last days (relative to the real clock: the page uses it)."""
    store = SqliteStore(tmp_path / "recent.db")
    shift = datetime.now(UTC) - NOW
    store.upsert([replace_published(item, shift) for item in coverage])
    with TestClient(create_app(settings, store, audit, config=config, alerts=book, accounts=accounts)) as client:
        yield client
    store.close()


def replace_published(item: Item, shift: timedelta) -> Item:
    assert item.extracted is not None and item.extracted.published is not None
    return replace(item, extracted=replace(item.extracted, published=item.extracted.published + shift))


def test_the_page_draws_charts_with_tables_and_is_audited(
    recent_client: TestClient,
    accounts: AccountBook,
    audit: AuditLog,
    login: Callable[[TestClient, AccountBook, str], str],
) -> None:
    login(recent_client, accounts, "leader")
    page = recent_client.get("/dashboard")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Bảng tin</h1>" in text
    assert '<a href="/dashboard?days=7" aria-current="page">' in text
    assert text.count('<svg class="chart"') == 1 and text.count('<svg class="hbar"') >= 3
    assert re.search(r'<rect class="stance-negative" [^>]*height="[1-9]', text), "the negative part of a bar is drawn"
    # The same numbers as tables: the stance table and the ranked lists (linked to the search, facet applied).
    assert "<caption>Số tin theo sắc thái mỗi ngày</caption>" in text
    assert '<th scope="row">y tế</th>' in text  # a leader may not search: no link to the search page
    assert '<td class="num">3</td>' in text
    assert '<a href="/inbox?unit=health">Sở Y tế</a>' in text  # the unit table names the units, links their inbox
    assert "style=" not in text and "<script" not in text
    [entry] = audit.entries(action="dashboard.view")
    assert entry.actor == "account:leader" and entry.detail["days"] == 7

    month = recent_client.get("/dashboard?days=30&lang=en")
    assert '<a href="/dashboard?days=30" aria-current="page">' in month.text
    assert "Items by stance per day" in month.text
    login(recent_client, accounts, "lan.analyst")
    analyst = recent_client.get("/dashboard?lang=vi")
    assert '<a href="/?topic=health">y tế</a>' in analyst.text  # each value opens the search, filtered
    odd = recent_client.get("/dashboard?days=9999")
    assert '<a href="/dashboard?days=7" aria-current="page">' in odd.text  # an odd window falls back to 7 days
