"""Digest contents: Vietnamese subject, both bodies, links, escaping, a stable key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from alerts import Alert, AlertBook, compose_digest, route
from core import Item, ProjectConfig

MakeItem = Callable[..., Item]
PUBLIC = "https://pressdesk.danang.example/"


@pytest.fixture
def alerts(tmp_path: Path, config: ProjectConfig, make_item: MakeItem, now: datetime) -> list[Alert]:
    book = AlertBook(tmp_path / "alerts.db")
    items = [
        make_item(url="https://baomoi.example/1.html"),
        make_item(url="https://tuoitre.example/2.html", title="<script>alert(1)</script> Bệnh viện quá tải"),
    ]
    out = []
    for item in items:
        routed = route(item, config, now)
        assert routed is not None
        out.append(book.record(item, routed))
    return out


def test_subject_and_recipients(config: ProjectConfig, alerts: list[Alert], now: datetime) -> None:
    health = next(u for u in config.units if u.id == "health")
    message = compose_digest(health, alerts, PUBLIC, now)

    assert message.subject == "[pressdesk] Bản tin 2 tin cần phản hồi – Sở Y tế – 22/11/2026"
    assert message.to == ("yte@pressdesk.example",)


def test_both_bodies_list_each_item_with_links_and_reason(
    config: ProjectConfig, alerts: list[Alert], now: datetime
) -> None:
    health = next(u for u in config.units if u.id == "health")
    message = compose_digest(health, alerts, PUBLIC, now)

    for body in (message.text, message.html):
        assert "Số ca sốt xuất huyết ở Đà Nẵng tăng mạnh" in body
        assert "Báo Mới" in body
        assert "Tin tiêu cực về Đà Nẵng, chủ đề: y tế" in body
        assert "tiêu cực" in body
        assert "22/11/2026 06:15" in body  # published 23:15 UTC, shown in Vietnam time
        for alert in alerts:
            assert alert.url in body
            assert f"https://pressdesk.danang.example/items/{alert.item_id}" in body
            assert f"https://pressdesk.danang.example/alerts/{alert.id}" in body
    assert '<a href="https://baomoi.example/1.html">' in message.html


def test_html_escapes_titles_but_text_keeps_them_literal(
    config: ProjectConfig, alerts: list[Alert], now: datetime
) -> None:
    health = next(u for u in config.units if u.id == "health")
    message = compose_digest(health, alerts, PUBLIC, now)

    assert "<script>" not in message.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Bệnh viện quá tải" in message.html
    assert "<script>alert(1)</script> Bệnh viện quá tải" in message.text


def test_non_web_article_urls_are_not_linked(config: ProjectConfig, alerts: list[Alert], now: datetime) -> None:
    health = next(u for u in config.units if u.id == "health")
    message = compose_digest(health, [replace(alerts[0], url="javascript:alert(1)")], PUBLIC, now)

    assert 'href="javascript:' not in message.html
    assert "javascript:alert(1)" in message.text


def test_key_is_stable_and_depends_on_unit_and_alerts(
    config: ProjectConfig, alerts: list[Alert], now: datetime
) -> None:
    health, police = (next(u for u in config.units if u.id == uid) for uid in ("health", "police"))

    key = compose_digest(health, alerts, PUBLIC, now).key

    assert len(key) == 64
    assert compose_digest(health, list(reversed(alerts)), PUBLIC, now.replace(hour=23)).key == key
    assert compose_digest(health, alerts[:1], PUBLIC, now).key != key
    assert compose_digest(police, alerts, PUBLIC, now).key != key


def test_payload_carries_the_alerts_for_webhooks(config: ProjectConfig, alerts: list[Alert], now: datetime) -> None:
    health = next(u for u in config.units if u.id == "health")
    message = compose_digest(health, alerts, PUBLIC, now)

    assert message.payload["unit"] == "health"
    assert message.payload["digest"] == message.key
    entries = message.payload["alerts"]
    assert isinstance(entries, list)
    assert [e["id"] for e in entries] == [a.id for a in alerts]
    assert entries[0]["stance"] == "negative"
