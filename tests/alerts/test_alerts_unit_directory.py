"""The unit directory in the project config: channels, cadence, quiet hours, deadlines, escalation."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from core import ProjectConfig
from core.config import parse_config
from core.errors import ConfigError

PROFILE = Path(__file__).resolve().parents[2] / "pressdesk" / "profiles" / "da_nang.toml"


def _profile() -> dict[str, Any]:
    return tomllib.loads(PROFILE.read_text(encoding="utf-8"))


def test_bundled_profile_sets_cadence_quiet_hours_deadlines(config: ProjectConfig) -> None:
    office = config.coordinating_unit
    assert office.digest == "hourly"
    assert office.quiet_hours == ("22:00", "06:30")
    assert office.ack_deadline("urgent") == timedelta(hours=2)
    health = config.unit("health")
    assert health is not None and health.digest_at == "07:30"
    assert config.escalation_unit(health) is office
    assert config.report.recipients[-1].startswith("Lưu")


def test_webhook_needs_a_secret_variable_not_a_secret() -> None:
    data = _profile()
    data["units"][1]["webhook"] = "https://vhttdl.example/hook"
    with pytest.raises(ConfigError, match=r"units\.1.*webhook_secret_env"):
        parse_config(data)
    data["units"][1]["webhook_secret_env"] = "s3cr3t-value"
    with pytest.raises(ConfigError, match=r"units\.1\.webhook_secret_env"):
        parse_config(data)
    data["units"][1]["webhook_secret_env"] = "PRESSDESK_WEBHOOK_VHTTDL"
    unit = parse_config(data).units[1]
    assert unit.webhook == "https://vhttdl.example/hook"
    assert unit.webhook_secret_env == "PRESSDESK_WEBHOOK_VHTTDL"


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"quiet_hours": ["22:00"]}, r"units\.2\.quiet_hours"),
        ({"digest_at": "7:30"}, r"units\.2\.digest_at"),
        ({"ack_hours": {"urgent": 0}}, r"units\.2\.ack_hours\.urgent"),
        ({"escalate_to": "nobody"}, r"units\.2\.escalate_to: no unit 'nobody'"),
        ({"digest_at": "23:00", "quiet_hours": ["22:00", "06:00"]}, r"digest_at 23:00 falls inside quiet_hours"),
        ({"webhook": "ftp://x.example/", "webhook_secret_env": "X"}, r"units\.2\.webhook"),
    ],
)
def test_invalid_unit_settings_are_named_by_key_path(change: dict[str, Any], where: str) -> None:
    data = _profile()
    data["units"][2].update(change)
    with pytest.raises(ConfigError, match=where):
        parse_config(data)


def test_escalate_to_another_unit() -> None:
    data = _profile()
    data["units"][2]["escalate_to"] = "health"
    config = parse_config(data)
    assert config.escalation_unit(config.units[2]).id == "health"
