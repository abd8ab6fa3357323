"""The app factory: everything is built per call from what the composition root passes in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from alerts import AlertBook
from api import (
    admin,
    admin_api,
    alerts_api,
    audit_reader,
    auth,
    export,
    health,
    labels,
    login,
    pages,
    problems,
    rest,
    saved_searches,
    sources,
    workspace,
)
from api import alerts as alerts_pages
from api import reports as reports_pages
from api.accounts import AccountBook
from api.audit import AuditLog
from api.deps import Services
from api.views import highlight, web_link
from classify.factchecks import FactCheckRegistry
from core.config import ProjectConfig
from core.ports import Embedder, Store
from core.settings import Settings
from indexing import SavedSearchBook, Searcher

#: Pages load nothing from elsewhere (the office PC may have no internet), and links to
#: articles must not tell press sites what the office searched for.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self'; style-src 'self'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def create_app(
    settings: Settings,
    store: Store,
    audit: AuditLog,
    *,
    config: ProjectConfig | None = None,
    alerts: AlertBook | None = None,
    embedder: Embedder | None = None,
    saved: SavedSearchBook | None = None,
    accounts: AccountBook | None = None,
    factchecks: FactCheckRegistry | None = None,
) -> FastAPI:
    """Build the web app over ``store``; nothing connects until the first request.

    Args:
        settings: runtime settings.
        store: where items are searched.
        audit: where every search is recorded.
        config: the project config, for unit names (ids are shown without it).
        alerts: the alert book, for the acknowledge pages linked from digests.
        embedder: the model that embeds query text; without it search is by keyword
            only (and "similar items", which uses stored vectors).
        saved: the saved-search book; without it those routes answer 503.
        accounts: staff accounts for logging in (``/login``, ``/api/session``); every route
            except ``/healthz``, ``/metrics`` and the login itself is guarded by role
            (``api.auth.require``/``require_page``) and answers 503 without it.
        factchecks: the fact-check registry the admin pages edit; without it the one in the
            data directory (``factchecks.db``) is opened on first use.
    """
    # Swagger UI and ReDoc load their scripts from a CDN, which the office PC cannot reach;
    # the schema stays available at /openapi.json.
    app = FastAPI(title="pressdesk", version="0.1.0", docs_url=None, redoc_url=None)
    app.state.services = Services(
        settings=settings,
        store=store,
        audit=audit,
        templates=_templates(),
        searcher=Searcher(store, embedder),
        config=config,
        alerts=alerts,
        saved=saved,
        factchecks=factchecks,
    )
    app.state.accounts = accounts
    problems.install(app)
    login.install(app)
    health.install(app)
    app.include_router(auth.router)
    app.include_router(login.router)
    app.include_router(audit_reader.router)
    app.include_router(rest.router)
    app.include_router(saved_searches.router)
    app.include_router(export.router)
    app.include_router(sources.router)
    app.include_router(pages.router)
    app.include_router(alerts_pages.router)
    app.include_router(reports_pages.router)
    app.include_router(labels.router)
    app.include_router(alerts_api.router)
    app.include_router(workspace.router)
    app.include_router(admin.router)
    app.include_router(admin_api.router)
    app.mount("/static", StaticFiles(packages=[("api", "static")]), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app


def _templates() -> Jinja2Templates:
    env = Environment(
        loader=PackageLoader("api", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        lstrip_blocks=True,
    )
    env.filters["highlight"] = highlight
    env.filters["web_link"] = web_link
    return Jinja2Templates(env=env)
