"""The login page (``GET/POST /login``), logout (``POST /logout``), and how pages answer strangers.

The login form is protected against cross-site login (an attacker logging the office PC
into the attacker's account) with a **double-submit cookie**: ``GET /login`` sets a random
token in a ``SameSite=Strict``, HttpOnly cookie scoped to ``/login`` and puts the same token
in the form; ``POST /login`` accepts only when both agree. Another site can make a browser
post the form but can neither read nor set that cookie. We chose it over an ``Origin``
header check because older office browsers do not always send ``Origin`` on same-site
posts, and a check that has to accept a missing header protects nothing.

A page request without a login is redirected (303) to ``/login?next=<path>``; only a path
on this site is ever followed after login (``api.auth.safe_next``). A logged-in account whose
role may not see a page gets the error page with 403.
"""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.accounts import LoginThrottled
from api.auth import (
    CSRF_FIELD,
    SESSION_COOKIE,
    AccountsDep,
    LoginRequired,
    PageForbidden,
    principal_of,
    safe_next,
)
from api.deps import LANGUAGE_COOKIE, ServicesDep, TranslatorDep, get_services
from api.i18n import Translator, pick_language
from api.pages import render

LOGIN_CSRF_COOKIE = "pressdesk_login_csrf"
_LOGIN_CSRF_SECONDS = 3600

router = APIRouter(default_response_class=HTMLResponse, include_in_schema=False)


def _login_page(
    request: Request,
    services: ServicesDep,
    t: TranslatorDep,
    *,
    next_path: str,
    username: str = "",
    error: str = "",
    status: int = 200,
) -> HTMLResponse:
    """The form with a fresh double-submit token (a new one on every showing, so a stale form fails)."""
    token = secrets.token_urlsafe(32)
    lang = request.query_params.get("lang", "")
    context: dict[str, object] = {
        "login_csrf": token,
        "next": next_path,
        "username": username,
        "error": error,
        "lang_param": lang if lang in ("vi", "en") else "",
    }
    response = render(request, services, t, "login.html", context, status=status)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=_LOGIN_CSRF_SECONDS,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/login")
def login_form(
    request: Request, services: ServicesDep, t: TranslatorDep, next_path: Annotated[str, Query(alias="next")] = "/"
) -> HTMLResponse:
    """Show the login form; after logging in the browser returns to ``next`` (a path on this site)."""
    return _login_page(request, services, t, next_path=safe_next(next_path))


@router.post("/login", response_model=None)
def login_submit(
    request: Request,
    *,
    services: ServicesDep,
    t: TranslatorDep,
    accounts: AccountsDep,
    username: Annotated[str, Form(max_length=63)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=200)] = "",
    next_path: Annotated[str, Form(alias="next", max_length=2000)] = "/",
) -> Response:
    """Check the double-submit token, then the password; failures show the form again with the reason."""
    target = safe_next(next_path)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not csrf_token or not secrets.compare_digest(expected, csrf_token):
        return _login_page(request, services, t, next_path=target, error=t("login_stale"), status=403)
    client = request.client.host if request.client else "unknown"
    try:
        account = accounts.authenticate(username.strip(), password, client) if username.strip() and password else None
    except LoginThrottled as exc:
        minutes = max(1, int(exc.retry_after.total_seconds() // 60))
        page = _login_page(
            request,
            services,
            t,
            next_path=target,
            username=username,
            error=t("login_throttled", minutes=minutes),
            status=429,
        )
        page.headers["Retry-After"] = str(int(exc.retry_after.total_seconds()))
        return page
    if account is None:
        return _login_page(
            request, services, t, next_path=target, username=username, error=t("login_failed"), status=401
        )
    session = accounts.open_session(account)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        expires=session.expires_at,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout", response_model=None)
async def logout(request: Request, services: ServicesDep, t: TranslatorDep, accounts: AccountsDep) -> Response:
    """End the session on the server and in the browser; the form must carry the session's CSRF token."""
    principal = principal_of(request, accounts)
    if principal is not None and principal.via == "session":
        sent = (await request.form()).get(CSRF_FIELD)
        if not isinstance(sent, str) or not principal.csrf or not secrets.compare_digest(sent, principal.csrf):
            context: dict[str, object] = {"title": t("forbidden_title"), "message": t("csrf_stale")}
            return render(request, services, t, "error.html", context, status=403)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        accounts.close_session(cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def install(app: FastAPI) -> None:
    """Answer page guards: strangers go to the login page, the wrong role sees the error page."""

    async def to_login(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        return RedirectResponse(f"/login?next={quote(exc.next_path, safe='/')}", status_code=303)

    async def forbidden(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageForbidden)
        t = Translator(pick_language(request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)))
        context: dict[str, object] = {"title": t("forbidden_title"), "message": t(exc.message)}
        return render(request, get_services(request), t, "error.html", context, status=403)

    app.add_exception_handler(LoginRequired, to_login)
    app.add_exception_handler(PageForbidden, forbidden)
