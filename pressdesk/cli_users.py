"""``pressdesk users``: staff accounts for the web workspace and API tokens for scripts.

Accounts are for the office's own staff. Every change is written to the audit log, so
the office can show who was given access and when.
"""

from __future__ import annotations

import json
import sys

import click
from rich.table import Table

from api.accounts import AccountBook, AccountError, Role
from core.errors import PressdeskError
from core.settings import Settings
from pressdesk.cli_support import actor, err, fail, out, settings_or_exit


def _book(settings: Settings) -> AccountBook:
    return AccountBook(settings.path("accounts.db"))


def _audit(settings: Settings, action: str, detail: dict[str, object]) -> None:
    from pressdesk.wiring import open_audit

    open_audit(settings).record(action, actor(), detail)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    value = click.prompt("Mật khẩu / password", hide_input=True, confirmation_prompt=True)
    return str(value)


@click.group()
def users() -> None:
    """Staff accounts: admin, analyst, responder (one unit's alerts), leader."""


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True, help="What the account may do.")
@click.option("--unit", "unit_id", default=None, help="The unit a responder answers for (its id in the config).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def users_add(username: str, role: str, unit_id: str | None, password_stdin: bool) -> None:
    """Create an account; the password is asked for twice (at least 12 characters)."""
    settings = settings_or_exit()
    try:
        if unit_id is not None:
            from pressdesk.wiring import load_project

            known = {unit.id for unit in load_project(settings).units}
            if unit_id not in known:
                raise AccountError(f"no unit {unit_id!r} in the config; known units: {', '.join(sorted(known))}")
        account = _book(settings).create(username, _password(password_stdin), Role(role), unit_id)
        _audit(settings, "account.create", {"username": username, "role": role, "unit_id": unit_id})
    except PressdeskError as exc:
        fail(exc)
        return
    out.print(f"Đã tạo tài khoản {account.username} ({account.role}).")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per account.")
def users_list(as_json: bool) -> None:
    """List accounts (never passwords or tokens)."""
    try:
        accounts = _book(settings_or_exit()).accounts()
    except PressdeskError as exc:
        fail(exc)
        return
    if as_json:
        for a in accounts:
            click.echo(
                json.dumps(
                    {"username": a.username, "role": a.role.value, "unit_id": a.unit_id, "disabled": a.disabled},
                    ensure_ascii=False,
                )
            )
        return
    table = Table("Tài khoản", "Vai trò", "Đơn vị", "Trạng thái")
    for a in accounts:
        table.add_row(a.username, a.role.value, a.unit_id or "", "đã khóa" if a.disabled else "hoạt động")
    out.print(table)


@users.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Disable an account: its sessions end and its API tokens stop working."""
    settings = settings_or_exit()
    try:
        _book(settings).disable(username)
        _audit(settings, "account.disable", {"username": username})
    except PressdeskError as exc:
        fail(exc)
        return
    err.print(f"Đã khóa tài khoản {username}.")


@users.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
def users_passwd(username: str, password_stdin: bool) -> None:
    """Set a new password; the account's open sessions end."""
    settings = settings_or_exit()
    try:
        _book(settings).set_password(username, _password(password_stdin))
        _audit(settings, "account.password", {"username": username})
    except PressdeskError as exc:
        fail(exc)
        return
    err.print(f"Đã đổi mật khẩu cho {username}.")


@users.command("token")
@click.argument("username")
@click.option("--name", "token_name", required=True, help="What the token is for (shown in the audit log).")
def users_token(username: str, token_name: str) -> None:
    """Issue an API token for scripts; it is printed once and cannot be shown again."""
    settings = settings_or_exit()
    try:
        token = _book(settings).issue_token(username, token_name)
        _audit(settings, "account.token", {"username": username, "name": token_name})
    except PressdeskError as exc:
        fail(exc)
        return
    click.echo(token)
