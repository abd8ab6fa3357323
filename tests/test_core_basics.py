"""Core vocabulary: identity, folding, config validation, settings, immutability."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core import (
    ConfigError,
    Fetched,
    Item,
    Topic,
    fold,
    item_id,
    load_config,
    load_settings,
    normalise_text,
    normalise_url,
    parse_config,
)
from pressdesk.wiring import default_config_path


def test_same_article_through_two_feeds_has_one_id() -> None:
    a = "https://m.vnexpress.net/thoi-su/bai-viet-123.html?utm_source=rss&utm_medium=feed#comments"
    b = "http://www.vnexpress.net/thoi-su/bai-viet-123.html"
    assert normalise_url(a) == "https://vnexpress.net/thoi-su/bai-viet-123.html"
    assert item_id(a) == item_id(b)
    assert item_id(a) != item_id("https://vnexpress.net/thoi-su/bai-viet-124.html")


def test_meaningful_query_parameters_are_kept() -> None:
    assert item_id("https://baodanang.vn/tin?id=1") != item_id("https://baodanang.vn/tin?id=2")
    assert normalise_url("https://x.vn/a?b=2&a=1") == "https://x.vn/a?a=1&b=2"


def test_fold_removes_diacritics_and_maps_d_with_stroke() -> None:
    assert fold("Đà Nẵng") == "da nang"
    assert fold("Quảng Nam") == fold("quang nam")
    assert fold("BẮC GIANG") == "bac giang"


def test_normalise_text_composes_and_tidies() -> None:
    decomposed = "Đa\u0300 N\u0103\u0303ng &amp;  bie\u0302\u0309n"
    assert normalise_text(decomposed) == "Đà Nẵng & biển"
    assert normalise_text("a\n\n\n\nb  c") == "a\n\nb c"


def test_bundled_profile_knows_current_and_former_names() -> None:
    cfg = load_config(default_config_path())
    assert cfg.locality.name == "Đà Nẵng"
    assert "Quảng Nam" in cfg.locality.canonical_names()
    folded = cfg.locality.folded_names()
    assert folded["quang nam"].canonical == "Quảng Nam"
    assert folded["hoi an"].canonical == "Quảng Nam"
    assert folded["da nang"].canonical == "Đà Nẵng"
    assert cfg.unit_for(Topic.HEALTH).id == "health"
    assert cfg.unit_for(Topic.OTHER).coordinating
    assert cfg.unit_for(None).coordinating


def test_config_errors_name_the_key_and_the_fix(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[locality]\nname = "Đà Nẵng"\n[[units]]\nid = "Health Dept"\nname = "Sở Y tế"\n'
        'topics = ["helth"]\nemail = ["not-an-address"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_config(bad)
    message = str(info.value)
    assert "units.0.id" in message
    assert "units.0.topics.0" in message
    assert "shared mailbox" in message


def test_config_needs_exactly_one_coordinating_unit() -> None:
    data: dict[str, object] = {"locality": {"name": "Đà Nẵng"}, "units": [{"id": "health", "name": "Sở Y tế"}]}
    with pytest.raises(ConfigError, match="coordinating"):
        parse_config(data)


def test_missing_and_malformed_config_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="PRESSDESK_CONFIG"):
        load_config(tmp_path / "absent.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[locality\nname=", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid UTF-8 TOML"):
        load_config(broken)


def test_settings_refuse_placeholder_secret_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSDESK_ENV", "production")
    with pytest.raises(ConfigError, match="PRESSDESK_SECRET_KEY"):
        load_settings()
    monkeypatch.setenv("PRESSDESK_SECRET_KEY", "a-real-long-random-secret-value-0123456789")
    assert load_settings().env == "production"


def test_settings_blank_config_means_bundled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSDESK_CONFIG", "")
    assert load_settings().config is None


def test_items_are_immutable_and_stages_return_copies() -> None:
    fetched = Fetched(url="https://x.vn/a", source_id="s", outlet="X", fetched_at=datetime.now(UTC))
    item = Item(id=item_id("https://x.vn/a"), fetched=fetched)
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.id = "other"  # type: ignore[misc]
    assert item.title == "" and item.text == ""
