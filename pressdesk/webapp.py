"""The web application over the configured data folder, built from the settings alone.

``pressdesk serve --workers N`` runs N server processes so that searches use every core:
one process answers one search at a time per core at best, since the store's connection
is shared behind a lock and Python holds the GIL for much of a search. uvicorn starts
each worker afresh and finds the application by its import path (``worker_app``), so
each builds its own from the ``PRESSDESK_*`` environment: its own store connection,
facet columns and vector index over the same files. SQLite in WAL mode lets several
processes read at once; writes (labels, saved searches, the audit log) take turns
under its lock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI

from core.settings import Settings, load_settings

if TYPE_CHECKING:
    from alerts import AlertBook
    from api.accounts import AccountBook
    from core.config import ProjectConfig
    from core.ports import Embedder, Store


def web_app(
    settings: Settings,
    *,
    store: Store | None = None,
    config: ProjectConfig | None = None,
    alerts: AlertBook | None = None,
    embedder: Embedder | None = None,
    accounts: AccountBook | None = None,
) -> FastAPI:
    """The full web app: search, review, alerts, reports and admin over ``settings``' files.

    Each part not given is opened from the settings (the demo passes its own store,
    config, alert book and embedder; the server its account book).
    """
    from api import create_app  # noqa: PLC0415 - the web stack loads only for the server
    from pressdesk.spool import Spool  # noqa: PLC0415
    from pressdesk.wiring import (  # noqa: PLC0415
        load_project,
        make_embedder,
        open_accounts,
        open_alerts,
        open_audit,
        open_factchecks,
        open_saved,
        open_store,
    )

    app = create_app(
        settings,
        store if store is not None else open_store(settings, serving=True),
        open_audit(settings),
        config=config if config is not None else load_project(settings),
        alerts=alerts if alerts is not None else open_alerts(settings),
        embedder=embedder if embedder is not None else make_embedder(settings),
        saved=open_saved(settings),
        accounts=accounts if accounts is not None else open_accounts(settings),
        factchecks=open_factchecks(settings),
    )
    app.state.spool = Spool.for_settings(settings)  # /healthz and /metrics report the collection spool
    return app


def worker_app() -> FastAPI:
    """uvicorn's factory for each worker process of ``pressdesk serve --workers N``."""
    return web_app(load_settings())
