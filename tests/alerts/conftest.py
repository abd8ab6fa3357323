"""Shared fixtures for the alerts tests: the Đà Nẵng profile, item factory, a real local SMTP server."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from core import (
    ClaimMatch,
    Classified,
    Extracted,
    Fetched,
    Item,
    LocalityMention,
    ProjectConfig,
    Stance,
    Topic,
    item_id,
    load_config,
)

PROFILE = Path(__file__).resolve().parents[2] / "pressdesk" / "profiles" / "da_nang.toml"
NOW = datetime(2026, 11, 22, 8, 30, tzinfo=UTC)


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture(scope="session")
def config() -> ProjectConfig:
    return load_config(PROFILE)


@pytest.fixture
def make_item() -> Callable[..., Item]:
    def make(
        url: str = "https://baomoi.example/ca-sot-xuat-huyet-da-nang.html",
        title: str = "Số ca sốt xuất huyết ở Đà Nẵng tăng mạnh",
        stance: Stance | None = Stance.NEGATIVE,
        stance_confidence: float = 0.9,
        topic: Topic | None = Topic.HEALTH,
        about: bool = True,
        claims: tuple[ClaimMatch, ...] = (),
        classified: bool = True,
    ) -> Item:
        labels = Classified(
            localities=(LocalityMention("Đà Nẵng", about=about, hits=3),),
            about=about,
            stance=stance,
            stance_confidence=stance_confidence,
            topic=topic,
            topic_confidence=0.8,
            claims=claims,
        )
        return Item(
            id=item_id(url),
            fetched=Fetched(url=url, source_id="baomoi", outlet="Báo Mới", fetched_at=NOW),
            extracted=Extracted(
                title=title,
                text="Sở Y tế cho biết số ca bệnh tăng so với cùng kỳ.",
                published=datetime(2026, 11, 21, 23, 15, tzinfo=UTC),
                language="vi",
            ),
            classified=labels if classified else None,
        )

    return make


@dataclass
class Mailbox:
    """Collects what the local SMTP server on ``port`` received."""

    port: int
    envelopes: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on."""
    return _free_port()


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    """A real aiosmtpd server on 127.0.0.1 for the duration of one test."""
    mailbox = Mailbox(port=_free_port())
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()
