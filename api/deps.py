"""FastAPI dependencies, as ``Annotated`` aliases reading what ``create_app`` put on ``app.state``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, HTTPException, Query, Request
from fastapi.templating import Jinja2Templates

from alerts import AlertBook
from api.audit import AuditLog
from api.i18n import Translator, pick_language
from classify.factchecks import FactCheckRegistry
from core.config import ProjectConfig
from core.ports import Store
from core.settings import Settings
from indexing import SavedSearchBook, Searcher

LANGUAGE_COOKIE = "pressdesk_lang"

T = TypeVar("T")
_OPENING = threading.Lock()


@dataclass(frozen=True, slots=True)
class Services:
    """Everything a request may need, built once by ``create_app``."""

    settings: Settings
    store: Store
    audit: AuditLog
    templates: Jinja2Templates
    searcher: Searcher
    config: ProjectConfig | None = None
    alerts: AlertBook | None = None
    saved: SavedSearchBook | None = None
    factchecks: FactCheckRegistry | None = None


def opened_once(request: Request, name: str, kind: type[T], make: Callable[[], T]) -> T:
    """The app's one ``kind`` kept as ``app.state.<name>``, made by ``make`` on first use.

    For the small files beside the store that the app opens lazily (review queue, sources
    book, story index, ...): one object per app, shared by every request, made under a lock
    so two first requests at once do not open the file twice.
    """
    held = getattr(request.app.state, name, None)
    if isinstance(held, kind):
        return held
    with _OPENING:
        held = getattr(request.app.state, name, None)
        if not isinstance(held, kind):
            held = make()
            setattr(request.app.state, name, held)
        return held


def get_services(request: Request) -> Services:
    """The app's services (``app.state.services``)."""
    services = request.app.state.services
    if not isinstance(services, Services):
        raise TypeError("app.state.services is missing: build the app with api.create_app")
    return services


def get_store(services: Annotated[Services, Depends(get_services)]) -> Store:
    """The item store."""
    return services.store


def get_audit(services: Annotated[Services, Depends(get_services)]) -> AuditLog:
    """The audit log every search is written to."""
    return services.audit


def get_searcher(services: Annotated[Services, Depends(get_services)]) -> Searcher:
    """Keyword, semantic and hybrid search over the store."""
    return services.searcher


def get_saved(services: Annotated[Services, Depends(get_services)]) -> SavedSearchBook:
    """The saved searches; 503 when the app was built without them."""
    if services.saved is None:
        raise HTTPException(status_code=503, detail="saved searches are not enabled on this server")
    return services.saved


def get_client(request: Request) -> str:
    """The client's address, for the audit log."""
    return request.client.host if request.client else "unknown"


def get_translator(request: Request, lang: Annotated[str | None, Query()] = None) -> Translator:
    """The UI language: ``?lang=`` first, then the remembered cookie, else Vietnamese."""
    return Translator(pick_language(lang, request.cookies.get(LANGUAGE_COOKIE)))


ServicesDep = Annotated[Services, Depends(get_services)]
StoreDep = Annotated[Store, Depends(get_store)]
AuditDep = Annotated[AuditLog, Depends(get_audit)]
SearcherDep = Annotated[Searcher, Depends(get_searcher)]
SavedDep = Annotated[SavedSearchBook, Depends(get_saved)]
ClientDep = Annotated[str, Depends(get_client)]
TranslatorDep = Annotated[Translator, Depends(get_translator)]
