"""`pressdesk users`: accounts made from the command line work for logging in, and every change is audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from api import AuditLog
from api.accounts import AccountBook
from pressdesk.cli import main

PASSWORD = "bien xanh cat trang"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PRESSDESK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PRESSDESK_CONFIG", raising=False)
    return tmp_path


def _run(*args: str, stdin: str | None = None) -> str:
    result = CliRunner().invoke(main, list(args), input=stdin)
    assert result.exit_code == 0, result.output
    return result.output


def test_accounts_made_here_log_in_and_every_change_is_audited(data_dir: Path) -> None:
    _run("users", "add", "mai.analyst", "--role", "analyst", "--password-stdin", stdin=PASSWORD + "\n")
    _run("users", "add", "y.te", "--role", "responder", "--unit", "health", "--password-stdin", stdin=PASSWORD + "\n")
    listed = [json.loads(line) for line in _run("users", "list", "--json").splitlines()]
    assert listed == [
        {"username": "mai.analyst", "role": "analyst", "unit_id": None, "disabled": False},
        {"username": "y.te", "role": "responder", "unit_id": "health", "disabled": False},
    ]
    token = _run("users", "token", "mai.analyst", "--name", "weekly export").strip()
    book = AccountBook(data_dir / "accounts.db")
    assert book.authenticate("mai.analyst", PASSWORD, "127.0.0.1") is not None
    account = book.token_account(token)
    assert account is not None
    assert account.username == "mai.analyst"

    _run("users", "disable", "mai.analyst")
    assert book.token_account(token) is None
    actions = [e.action for e in reversed(AuditLog(data_dir / "audit.db").entries())]
    assert actions == ["account.create", "account.create", "account.token", "account.disable"]
    assert all(
        PASSWORD not in json.dumps(e.detail) and token not in json.dumps(e.detail)
        for e in AuditLog(data_dir / "audit.db").entries()
    )


def test_a_responder_for_an_unknown_unit_is_refused_with_the_known_units(data_dir: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["users", "add", "x.desk", "--role", "responder", "--unit", "nowhere", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 1
    assert "no unit 'nowhere'" in result.output
    assert "health" in result.output
    assert not (data_dir / "accounts.db").exists() or AccountBook(data_dir / "accounts.db").accounts() == []


def test_a_short_password_is_refused_with_the_rule(data_dir: Path) -> None:
    result = CliRunner().invoke(
        main, ["users", "add", "short.pw", "--role", "leader", "--password-stdin"], input="ngan\n"
    )
    assert result.exit_code == 1
    assert "at least 12 characters" in result.output
