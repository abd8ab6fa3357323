"""Staff accounts, browser sessions, API tokens and login throttling, in one SQLite file.

Accounts belong to the office's own staff (analysts, unit responders, leaders, admins),
never to the people whose coverage is monitored. Passwords are hashed with argon2id;
session and API tokens are random and only their SHA-256 is stored, so a copy of the file
lets nobody log in. Failed logins are counted per account name and per client address,
and a burst of failures locks further attempts for a while instead of for ever, so an
attacker cannot lock a colleague out permanently.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.errors import PressdeskError, StoreError, StoreUnavailable
from core.sqlite import connect

MIN_PASSWORD_LENGTH = 12
SESSION_LIFETIME = timedelta(hours=12)
THROTTLE_WINDOW = timedelta(minutes=15)
THROTTLE_FAILURES = 5
TOKEN_PREFIX = "pd_"  # noqa: S105 - a public marker on API tokens, not a secret
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")

_SCHEMA = """
CREATE TABLE accounts (
    username TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    unit_id TEXT,
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES accounts (username),
    csrf TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES accounts (username),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    client TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_user ON login_failures (username, at);
CREATE INDEX login_failures_client ON login_failures (client, at);
"""


class Role(StrEnum):
    """What a staff member does with pressdesk; permissions follow from it (``api.permissions``)."""

    ADMIN = "admin"
    ANALYST = "analyst"
    RESPONDER = "responder"
    LEADER = "leader"


class AccountError(PressdeskError):
    """An account cannot be created or changed as asked; the message says what to fix."""


class LoginThrottled(PressdeskError):
    """Too many failed logins recently; ``retry_after`` says how long to wait."""

    def __init__(self, retry_after: timedelta) -> None:
        minutes = max(1, int(retry_after.total_seconds() // 60))
        super().__init__(f"too many failed logins; try again in {minutes} minute(s)")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Account:
    """A staff account. ``unit_id`` is set for responders: they see only that unit's alerts."""

    username: str
    role: Role
    unit_id: str | None
    disabled: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Session:
    """A browser session: the cookie value (shown once) and the CSRF token forms must echo."""

    token: str
    csrf: str
    expires_at: datetime


class AccountBook:
    """Accounts, sessions and API tokens in ``accounts.db`` (opened on first use, WAL mode)."""

    def __init__(
        self, path: Path, *, clock: Callable[[], datetime] | None = None, hasher: PasswordHasher | None = None
    ) -> None:
        """Open ``path`` lazily. ``hasher`` defaults to argon2id with the library's (RFC 9106) costs;
        tests pass cheaper costs, and hashes made with other costs are upgraded on the next login."""
        self.path = path
        self._clock = clock or (lambda: datetime.now(UTC))
        self._hasher = hasher or PasswordHasher()
        self._dummy: str | None = None
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    # -- accounts --------------------------------------------------------------------

    def create(self, username: str, password: str, role: Role, unit_id: str | None = None) -> Account:
        """Create an account.

        Raises:
            AccountError: the name is malformed or taken, the password is too short, or a
                responder has no unit (or another role has one).
        """
        if not _USERNAME.match(username):
            raise AccountError(
                f"account name {username!r}: use 2-63 lower-case letters, digits, '.', '_' or '-', "
                "starting with a letter or digit"
            )
        _check_password(password)
        if role is Role.RESPONDER and not unit_id:
            raise AccountError("a responder account needs the unit it answers for (--unit UNIT_ID)")
        if role is not Role.RESPONDER and unit_id:
            raise AccountError(f"only responder accounts belong to a unit; drop the unit for a {role} account")
        now = self._clock()
        digest = self._hasher.hash(password)
        try:
            self._write(
                "INSERT INTO accounts (username, role, unit_id, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                (username, role.value, unit_id, digest, now.isoformat()),
            )
        except sqlite3.IntegrityError as exc:
            raise AccountError(f"an account named {username!r} already exists") from exc
        return Account(username, role, unit_id, False, now)

    def get(self, username: str) -> Account | None:
        """The account with this name, disabled or not."""
        row = self._read("SELECT * FROM accounts WHERE username = ?", (username,))
        return _account(row[0]) if row else None

    def accounts(self) -> list[Account]:
        """Every account, by name."""
        return [_account(r) for r in self._read("SELECT * FROM accounts ORDER BY username", ())]

    def set_password(self, username: str, password: str) -> None:
        """Replace the password and end the account's sessions.

        Raises:
            AccountError: no such account, or the password is too short.
        """
        _check_password(password)
        self._require(username)
        digest = self._hasher.hash(password)
        self._write("UPDATE accounts SET password_hash = ? WHERE username = ?", (digest, username))
        self._write("DELETE FROM sessions WHERE username = ?", (username,))

    def disable(self, username: str) -> None:
        """Disable the account: its sessions end and its API tokens stop working.

        Raises:
            AccountError: no such account.
        """
        self._require(username)
        self._write("UPDATE accounts SET disabled = 1 WHERE username = ?", (username,))
        self._write("DELETE FROM sessions WHERE username = ?", (username,))

    # -- logging in ------------------------------------------------------------------

    def authenticate(self, username: str, password: str, client: str) -> Account | None:
        """The account if the password is right and the account enabled, else ``None``.

        Every failure is counted; unknown names cost the same hashing time as known ones, so
        timing does not tell which names exist.

        Raises:
            LoginThrottled: this name or this client failed too often in the last 15 minutes.
        """
        now = self._clock()
        self._check_throttle(username, client, now)
        rows = self._read("SELECT * FROM accounts WHERE username = ?", (username,))
        stored = rows[0]["password_hash"] if rows else self._dummy_hash()
        ok: bool
        try:
            ok = self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok or not rows or rows[0]["disabled"]:
            self._write(
                "INSERT INTO login_failures (username, client, at) VALUES (?, ?, ?)",
                (username, client, now.isoformat()),
            )
            return None
        if self._hasher.check_needs_rehash(stored):
            self._write(
                "UPDATE accounts SET password_hash = ? WHERE username = ?", (self._hasher.hash(password), username)
            )
        return _account(rows[0])

    def open_session(self, account: Account) -> Session:
        """Start a browser session for an authenticated account."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = self._clock() + SESSION_LIFETIME
        self._write(
            "INSERT INTO sessions (token_hash, username, csrf, expires_at) VALUES (?, ?, ?, ?)",
            (_digest(token), account.username, csrf, expires.isoformat()),
        )
        return Session(token, csrf, expires)

    def session(self, token: str) -> tuple[Account, str] | None:
        """The account and CSRF token of a live session, or ``None`` (unknown, expired, disabled)."""
        rows = self._read(
            "SELECT a.*, s.csrf, s.expires_at FROM sessions s JOIN accounts a USING (username) WHERE s.token_hash = ?",
            (_digest(token),),
        )
        if not rows or rows[0]["disabled"] or datetime.fromisoformat(rows[0]["expires_at"]) <= self._clock():
            return None
        return _account(rows[0]), str(rows[0]["csrf"])

    def close_session(self, token: str) -> None:
        """End a session (logging out); unknown tokens are ignored."""
        self._write("DELETE FROM sessions WHERE token_hash = ?", (_digest(token),))

    # -- API tokens ------------------------------------------------------------------

    def issue_token(self, username: str, name: str) -> str:
        """A new API token for this account, returned once (only its hash is kept).

        Raises:
            AccountError: no such account, or it is disabled.
        """
        account = self._require(username)
        if account.disabled:
            raise AccountError(f"account {username!r} is disabled; enable it before issuing tokens")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self._write(
            "INSERT INTO api_tokens (token_hash, username, name, created_at) VALUES (?, ?, ?, ?)",
            (_digest(token), username, name, self._clock().isoformat()),
        )
        return token

    def revoke_tokens(self, username: str) -> int:
        """Revoke every API token of the account; returns how many were live."""
        before = self._read("SELECT COUNT(*) AS n FROM api_tokens WHERE username = ? AND revoked = 0", (username,))
        self._write("UPDATE api_tokens SET revoked = 1 WHERE username = ?", (username,))
        return int(before[0]["n"])

    def token_account(self, token: str) -> Account | None:
        """The enabled account an API token belongs to, or ``None``."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        rows = self._read(
            "SELECT a.* FROM api_tokens t JOIN accounts a USING (username) WHERE t.token_hash = ? AND t.revoked = 0",
            (_digest(token),),
        )
        if not rows or rows[0]["disabled"]:
            return None
        return _account(rows[0])

    def close(self) -> None:
        """Close the file; the next call reopens it."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- internals -------------------------------------------------------------------

    def _require(self, username: str) -> Account:
        account = self.get(username)
        if account is None:
            raise AccountError(f"no account named {username!r}; see `pressdesk users list`")
        return account

    def _dummy_hash(self) -> str:
        """A hash verified against when the name is unknown, so a wrong name costs as long as a
        wrong password. Made on the first such login, not at start-up (hashing is slow on purpose)."""
        if self._dummy is None:
            self._dummy = self._hasher.hash(secrets.token_urlsafe(16))
        return self._dummy

    def _check_throttle(self, username: str, client: str, now: datetime) -> None:
        since = (now - THROTTLE_WINDOW).isoformat()
        for column, value in (("username", username), ("client", client)):
            rows = self._read(
                f"SELECT COUNT(*) AS n, MIN(at) AS first FROM login_failures WHERE {column} = ? AND at > ?",  # noqa: S608 - fixed column names
                (value, since),
            )
            if int(rows[0]["n"]) >= THROTTLE_FAILURES:
                retry = datetime.fromisoformat(rows[0]["first"]) + THROTTLE_WINDOW - now
                raise LoginThrottled(max(retry, timedelta(seconds=1)))

    def _read(self, sql: str, args: tuple[object, ...]) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._open().execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"accounts {self.path}: {exc}") from exc

    def _write(self, sql: str, args: tuple[object, ...]) -> None:
        with self._lock:
            conn = self._open()
            try:
                with conn:
                    conn.execute(sql, args)
            except sqlite3.IntegrityError:
                raise
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise StoreUnavailable(f"accounts {self.path} are busy: {exc}; retry later") from exc
                raise StoreError(f"accounts {self.path}: {exc}") from exc

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect(self.path, (_SCHEMA,), "accounts")
            self._conn.row_factory = sqlite3.Row
        return self._conn


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters (a phrase of words is fine)")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _account(row: sqlite3.Row) -> Account:
    return Account(
        username=row["username"],
        role=Role(row["role"]),
        unit_id=row["unit_id"],
        disabled=bool(row["disabled"]),
        created_at=datetime.fromisoformat(row["created_at"]),
    )
