"""Every command says what it does (sqlite-utils' test_docs idea)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from indexing import sqlite_rank
from pressdesk.cli import main


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found: list[tuple[tuple[str, ...], click.Command]] = []
    for name, command in group.commands.items():
        path = (*prefix, name)
        found.append((path, command))
        if isinstance(command, click.Group):
            found += _commands(command, path)
    return found


COMMANDS = _commands(main)


def test_expected_commands_exist() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"demo", "collect", "serve", "search", "digests send", "config check"} <= names


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_has_help(path: tuple[str, ...], command: click.Command) -> None:
    assert command.help and len(command.help.strip()) > 20, f"`pressdesk {' '.join(path)}` needs help text"
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"option {param.opts} of `pressdesk {' '.join(path)}` needs help text"
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_top_level_help_lists_commands() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in ("demo", "collect", "search", "serve"):
        assert name in result.output


def test_config_check_reports_bundled_profile() -> None:
    result = CliRunner().invoke(main, ["config", "check"])
    assert result.exit_code == 0, result.output
    assert "Đà Nẵng" in result.output and "Quảng Nam" in result.output


def test_config_check_says_how_the_sqlite_store_ranks(monkeypatch: pytest.MonkeyPatch) -> None:
    result = CliRunner().invoke(main, ["config", "check"])
    assert result.exit_code == 0, result.output
    expected = "pd_rank" if sqlite_rank.available() else "bm25()"
    assert f"relevance ranking: {expected}" in result.output
    fallback = sqlite_rank.RankingStatus(kept_counts=False, reason="indexing._rank was not built: install gcc")
    monkeypatch.setattr(sqlite_rank, "status", lambda: fallback)
    result = CliRunner().invoke(main, ["config", "check"])
    assert "relevance ranking: bm25()" in result.output and "install gcc" in result.output
    monkeypatch.setenv("PRESSDESK_STORE", "elasticsearch")
    monkeypatch.setenv("PRESSDESK_ES_URL", "http://127.0.0.1:9")
    assert "relevance ranking" not in CliRunner().invoke(main, ["config", "check"]).output


def test_collect_without_sources_says_what_to_do() -> None:
    result = CliRunner().invoke(main, ["collect"])
    assert result.exit_code == 2
    assert "pressdesk demo" in result.output
