"""Authentication for requests: a session cookie for the browser, a bearer token for API clients.

A route states what it needs with ``require(Permission.X)``; the dependency answers 401
when nobody is logged in, 403 when the account's role lacks the permission, and 403 when a
cookie-authenticated request that changes something does not echo the session's CSRF token
(header ``X-CSRF-Token`` or form field ``csrf_token``). Bearer-token requests need no CSRF
token: a browser never attaches them on its own.

HTML pages use ``require_page`` instead: a browser that is not logged in is redirected to
``/login?next=<path>`` (``LoginRequired``, answered in ``api.login``) and a role without the
permission gets the error page (``PageForbidden``). Both remember the admitted principal on
``request.state`` so pages can name the account and put its CSRF token in every form.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field

from api.accounts import Account, AccountBook, LoginThrottled
from api.permissions import Permission, allows

SESSION_COOKIE = "pressdesk_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Principal:
    """The account behind a request and how it proved itself."""

    account: Account
    via: str  # "session" or "token"
    csrf: str | None = None

    def can(self, permission: Permission) -> bool:
        """Whether this account's role holds ``permission``."""
        return allows(self.account.role, permission)

    def sees_unit(self, unit_id: str) -> bool:
        """Whether this account may see and answer alerts routed to ``unit_id``."""
        if self.can(Permission.ALERTS_ALL):
            return True
        return self.can(Permission.ALERTS_OWN_UNIT) and self.account.unit_id == unit_id

    @property
    def actor(self) -> str:
        """How the audit log names this account."""
        return f"account:{self.account.username}"


def get_accounts(request: Request) -> AccountBook:
    """The account book (``app.state.accounts``); 503 when the app has none."""
    accounts = getattr(request.app.state, "accounts", None)
    if not isinstance(accounts, AccountBook):
        raise HTTPException(status_code=503, detail="accounts are not enabled on this server")
    return accounts


AccountsDep = Annotated[AccountBook, Depends(get_accounts)]


def principal_of(request: Request, accounts: AccountBook) -> Principal | None:
    """Who is asking: the bearer token first, then the session cookie; ``None`` if neither is valid."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        account = accounts.token_account(token.strip())
        return Principal(account, "token") if account else None
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        found = accounts.session(cookie)
        if found:
            return Principal(found[0], "session", found[1])
    return None


def require(*permissions: Permission) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency that admits only accounts holding one of ``permissions`` (see the module doc)."""

    async def dependency(request: Request) -> Principal:
        principal = principal_of(request, get_accounts(request))
        if principal is None:
            raise HTTPException(
                status_code=401,
                detail="log in first (POST /api/session) or send an API token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not any(principal.can(permission) for permission in permissions):
            needed = " or ".join(permissions)
            raise HTTPException(
                status_code=403,
                detail=f"the {principal.account.role} role may not do this ({needed}); ask an admin",
            )
        if principal.via == "session" and request.method not in _SAFE_METHODS:
            await _check_csrf(request, principal)
        request.state.principal = principal
        return principal

    return dependency


class LoginRequired(Exception):
    """A browser asked for a page without logging in; answered with a redirect to ``/login``."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class PageForbidden(Exception):
    """A logged-in browser asked for a page its role may not see; answered with the error page (403).

    ``message`` is a key of the UI catalogue (``api.i18n``), so the page speaks the reader's language.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def safe_next(value: str | None) -> str:
    """Where to go after logging in: a path on this site, never another site (no open redirect).

    Absolute URLs, scheme-relative ``//host`` paths, backslashes (which some browsers read
    as slashes) and control characters all fall back to ``/``.
    """
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


def require_page(*permissions: Permission) -> Callable[[Request], Awaitable[Principal]]:
    """Like ``require``, for HTML pages: nobody logged in → redirect to the login page; no right → error page."""

    async def dependency(request: Request) -> Principal:
        principal = principal_of(request, get_accounts(request))
        if principal is None:
            # After logging in the browser comes back with a GET, so a form's target is no place to return to.
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequired(safe_next(here) if request.method in _SAFE_METHODS else "/")
        request.state.principal = principal  # the error page's header still names the account
        if not any(principal.can(permission) for permission in permissions):
            raise PageForbidden("forbidden_message")
        if principal.via == "session" and request.method not in _SAFE_METHODS:
            try:
                await _check_csrf(request, principal)
            except HTTPException as exc:
                raise PageForbidden("csrf_stale") from exc
        request.state.principal = principal
        return principal

    return dependency


def current_principal(request: Request) -> Principal | None:
    """The principal a guard admitted for this request (for the page header), if any."""
    principal = getattr(request.state, "principal", None)
    return principal if isinstance(principal, Principal) else None


async def _check_csrf(request: Request, principal: Principal) -> None:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not principal.csrf or not secrets.compare_digest(sent, principal.csrf):
        raise HTTPException(status_code=403, detail="the form is stale or came from another site; reload the page")


class Credentials(BaseModel):
    """A login."""

    username: str = Field(min_length=1, max_length=63)
    password: str = Field(min_length=1, max_length=1024)


class SessionInfo(BaseModel):
    """What a client learns on login: who it is and the CSRF token its changes must carry."""

    username: str
    role: str
    unit_id: str | None
    csrf_token: str


router = APIRouter(prefix="/api", tags=["session"])


@router.post("/session", response_model=SessionInfo)
def login(credentials: Credentials, request: Request, response: Response, accounts: AccountsDep) -> SessionInfo:
    """Log in: sets the session cookie and returns the CSRF token. Repeated failures are throttled (429)."""
    client = request.client.host if request.client else "unknown"
    try:
        account = accounts.authenticate(credentials.username, credentials.password, client)
    except LoginThrottled as exc:
        raise HTTPException(
            status_code=429, detail=str(exc), headers={"Retry-After": str(int(exc.retry_after.total_seconds()))}
        ) from exc
    if account is None:
        raise HTTPException(status_code=401, detail="wrong account name or password")
    session = accounts.open_session(account)
    secure = request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE, session.token, expires=session.expires_at, httponly=True, samesite="strict", secure=secure
    )
    return SessionInfo(username=account.username, role=account.role, unit_id=account.unit_id, csrf_token=session.csrf)


@router.delete("/session", status_code=204, response_model=None)
def logout(request: Request, response: Response, accounts: AccountsDep) -> None:
    """Log out: the session ends on the server, not only in the browser."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        accounts.close_session(cookie)
    response.delete_cookie(SESSION_COOKIE)
