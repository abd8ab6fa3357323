"""Fixtures for the API tests: the real SQLite store, audit log and alert book in a temporary folder."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette 1.x warns once, at import, that its TestClient would rather run on httpx2;
    # the project pins httpx, so this one message is not ours to fix (filterwarnings=error
    # would otherwise fail collection before any per-test mark applies).
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from alerts import AlertBook, route
from api import AuditLog, create_app
from core import (
    ClaimMatch,
    Classified,
    Extracted,
    Fetched,
    Item,
    LocalityMention,
    ProjectConfig,
    Settings,
    Stance,
    Store,
    Topic,
    item_id,
    load_config,
)
from indexing import SqliteStore

PROFILE = Path(__file__).resolve().parents[2] / "pressdesk" / "profiles" / "da_nang.toml"
NOW = datetime(2026, 11, 22, 8, 30, tzinfo=UTC)
EVIL_TITLE = "<script>alert('x')</script> Cầu Rồng phun lửa cuối tuần"


def _item(
    url: str,
    title: str,
    text: str,
    outlet: str,
    language: str,
    stance: Stance,
    topic: Topic,
    claims: tuple[ClaimMatch, ...] = (),
) -> Item:
    return Item(
        id=item_id(url),
        fetched=Fetched(url=url, source_id="test", outlet=outlet, fetched_at=NOW),
        extracted=Extracted(
            title=title, text=text, published=datetime(2026, 11, 21, 23, 15, tzinfo=UTC), language=language
        ),
        classified=Classified(
            localities=(LocalityMention("Đà Nẵng", about=True, hits=2),),
            about=True,
            stance=stance,
            stance_confidence=0.87,
            topic=topic,
            topic_confidence=0.74,
            claims=claims,
        ),
    )


@pytest.fixture(scope="session")
def config() -> ProjectConfig:
    return load_config(PROFILE)


@pytest.fixture
def items(config: ProjectConfig) -> list[Item]:
    hospital = _item(
        "https://tuoitre.example/benh-vien-qua-tai.html",
        "Bệnh viện Đà Nẵng quá tải vì sốt xuất huyết",
        "Nhiều bệnh viện ở Đà Nẵng quá tải.\n\nSở Y tế đã tăng cường giường bệnh.",
        "Tuổi Trẻ",
        "vi",
        Stance.NEGATIVE,
        Topic.HEALTH,
        claims=(ClaimMatch("fc-7", 0.71, "suggest", "https://factcheck.example/7"),),
    )
    routed = route(hospital, config, NOW)
    assert routed is not None
    return [
        hospital.with_routed(routed),
        _item(
            "https://e.vnexpress.example/da-nang-tourists.html",
            "Da Nang welcomes record number of tourists",
            "Da Nang welcomed more international visitors than ever this year.",
            "VnExpress International",
            "en",
            Stance.POSITIVE,
            Topic.TOURISM_CULTURE,
        ),
        _item(
            "https://baodanang.example/cau-rong.html",
            EVIL_TITLE,
            "Cầu Rồng ở Đà Nẵng phun lửa vào tối thứ bảy <img src=x onerror=alert(1)>.",
            "Báo Đà Nẵng",
            "vi",
            Stance.NEUTRAL,
            Topic.TOURISM_CULTURE,
        ),
    ]


@pytest.fixture
def open_store() -> Callable[[Path], Store]:
    """Opens the real SQLite store at a path (for tests that need one in an odd place)."""
    return SqliteStore


@pytest.fixture
def store(tmp_path: Path, items: list[Item]) -> Iterator[Store]:
    store = SqliteStore(tmp_path / "items.db")
    store.upsert(items)
    yield store
    store.close()


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.db")


@pytest.fixture
def book(tmp_path: Path) -> AlertBook:
    return AlertBook(tmp_path / "alerts.db")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, public_url="http://testserver")


@pytest.fixture
def client(
    settings: Settings, store: Store, audit: AuditLog, config: ProjectConfig, book: AlertBook
) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store, audit, config=config, alerts=book)) as client:
        yield client
