"""Secrets are never shown: not in repr, not in logs at -vv, not in mail or exports; placeholders are refused.

The secret values below are distinctive strings, so finding any of them anywhere in the
output of a real run (the CLI in a subprocess, logging at debug level) is a leak.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import ConfigError
from core.settings import Settings, load_settings
from indexing.export import COLUMNS

SECRETS = {
    "PRESSDESK_SECRET_KEY": "sk-7Qm2v9LrT4xWb8Nc1Pz6Hd3Ke5",
    "PRESSDESK_SMTP_PASSWORD": "smtp-pw-Vx93LqZt7Rb2Mn5K",
    "PRESSDESK_ES_PASSWORD": "es-pw-4Tg8Wq2Lz6Hn9Pc1",
    "PRESSDESK_WEBHOOK_SECRET_HEALTH": "whk-Jd5Ra8Ue3Yq7Xo1Vs",
}
ACCOUNTS = {"PRESSDESK_SMTP_USER": "press-office", "PRESSDESK_ES_USERNAME": "pressdesk"}
REPO = Path(__file__).resolve().parents[1]


def _clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSDESK_")}
    return {**env, "PRESSDESK_DATA_DIR": str(tmp_path / "data"), **SECRETS, **ACCOUNTS, **extra}


def _leaks(text: str) -> list[str]:
    return [name for name, value in SECRETS.items() if value in text]


def test_repr_and_dumps_mask_every_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**SECRETS, **ACCOUNTS}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PRESSDESK_ES_URL", "http://es.internal:9200")
    settings = load_settings()
    shown = "\n".join([repr(settings), str(settings), settings.model_dump_json(), str(settings.model_dump())])
    assert _leaks(shown) == []
    assert "**********" in repr(settings)
    # The real values are still there for the code that needs them, and only through explicit calls.
    assert settings.smtp_password.get_secret_value() == SECRETS["PRESSDESK_SMTP_PASSWORD"]
    assert settings.es_endpoint() == f"http://pressdesk:{SECRETS['PRESSDESK_ES_PASSWORD']}@es.internal:9200"
    webhook = settings.webhook_secret("PRESSDESK_WEBHOOK_SECRET_HEALTH")
    assert webhook.get_secret_value() == SECRETS["PRESSDESK_WEBHOOK_SECRET_HEALTH"]
    assert _leaks(repr(webhook)) == []


def test_a_url_with_a_password_stays_out_of_repr() -> None:
    settings = Settings(es_url="http://elastic:inline-pw-3Kq8@es:9200")
    assert "inline-pw-3Kq8" not in repr(settings)


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"secret_key": "change-me"}, "PRESSDESK_SECRET_KEY"),
        ({"secret_key": "short"}, "PRESSDESK_SECRET_KEY"),
        ({"smtp_user": "press-office", "smtp_password": ""}, "PRESSDESK_SMTP_PASSWORD"),
        ({"smtp_user": "press-office", "smtp_password": "password"}, "PRESSDESK_SMTP_PASSWORD"),
        ({"es_username": "pressdesk", "es_password": "changeme"}, "PRESSDESK_ES_PASSWORD"),
        ({"es_url": "http://elastic:real-but-inline-9Xk2@es:9200"}, "PRESSDESK_ES_PASSWORD"),
    ],
)
def test_production_refuses_placeholders_and_inline_passwords(overrides: dict[str, str], named: str) -> None:
    real = {"secret_key": SECRETS["PRESSDESK_SECRET_KEY"]}
    with pytest.raises(ConfigError, match=named):
        load_settings(env="production", **{**real, **overrides})


def test_production_accepts_real_secrets_and_development_keeps_placeholders() -> None:
    settings = load_settings(
        env="production",
        secret_key=SECRETS["PRESSDESK_SECRET_KEY"],
        smtp_user="press-office",
        smtp_password=SECRETS["PRESSDESK_SMTP_PASSWORD"],
        es_username="pressdesk",
        es_password=SECRETS["PRESSDESK_ES_PASSWORD"],
    )
    assert settings.env == "production"
    assert load_settings(env="development", smtp_user="dev", smtp_password="").env == "development"


def test_webhook_secret_must_be_set_and_real_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    production = load_settings(env="production", secret_key=SECRETS["PRESSDESK_SECRET_KEY"])
    monkeypatch.delenv("PRESSDESK_WEBHOOK_SECRET_X", raising=False)
    with pytest.raises(ConfigError, match="PRESSDESK_WEBHOOK_SECRET_X is unset"):
        production.webhook_secret("PRESSDESK_WEBHOOK_SECRET_X")
    monkeypatch.setenv("PRESSDESK_WEBHOOK_SECRET_X", "change-me")
    with pytest.raises(ConfigError, match="placeholder"):
        production.webhook_secret("PRESSDESK_WEBHOOK_SECRET_X")


def test_exports_have_no_settings_field() -> None:
    assert set(COLUMNS).isdisjoint(Settings.model_fields)


def test_cli_at_debug_level_prints_no_secret(tmp_path: Path) -> None:
    env = _clean_env(tmp_path, PRESSDESK_ENV="production")
    for args in (["-vv", "config", "check"], ["-vv", "search", "Đà Nẵng", "--json"], ["-vv", "sources", "health"]):
        done = subprocess.run(
            [sys.executable, "-m", "pressdesk.cli", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
            timeout=300,
            check=False,
        )
        assert done.returncode in (0, 1), (args, done.stderr[-2000:])
        assert _leaks(done.stdout + done.stderr) == [], args


@pytest.mark.slow
def test_demo_cycle_and_export_leak_no_secret(tmp_path: Path) -> None:
    """The whole journey at -vv (fetch, classify, store, route, mail), then an export of what it stored."""
    env = _clean_env(tmp_path)
    demo = subprocess.run(
        [sys.executable, "-m", "pressdesk.cli", "-vv", "demo", "--once", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=900,
        check=False,
    )
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert "DEBUG" in demo.stderr  # the run really logged at debug level
    assert _leaks(demo.stdout + demo.stderr) == []
    mail = "".join(p.read_text(errors="replace") for p in (tmp_path / "data").rglob("*.eml"))
    assert mail and _leaks(mail) == []

    export = tmp_path / "export.jsonl"
    env["PRESSDESK_DATA_DIR"] = str(tmp_path / "data" / "demo")
    done = subprocess.run(
        [sys.executable, "-m", "pressdesk.cli", "-vv", "export", "--format", "jsonl", "--out", str(export)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    text = export.read_text(encoding="utf-8")
    assert text.count("\n") > 0
    assert _leaks(text + done.stderr) == []
