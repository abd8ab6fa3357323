"""Saved searches: the JSON API and the search page's save and delete forms.

Saving or deleting one is written to the audit log, since a saved search with an alert
unit will later decide what a department is asked to answer.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from api.audit import AuditLog
from api.auth import Principal, require, require_page
from api.deps import AuditDep, ClientDep, SavedDep, ServicesDep, TranslatorDep
from api.pages import render
from api.permissions import Permission
from api.search import SearchParams
from core.errors import QueryError
from core.search import SavedSearch, SearchMode, SearchQuery
from indexing import SavedSearchBook

router = APIRouter()

SavedPrincipal = Annotated[Principal, Depends(require(Permission.SAVED_SEARCHES))]
SavedPagePrincipal = Annotated[Principal, Depends(require_page(Permission.SAVED_SEARCHES))]


class SavedSearchIn(BaseModel):
    """A search to save, as the JSON API takes it."""

    name: str = Field(min_length=1, max_length=200)
    q: str = Field(default="", max_length=500)
    mode: SearchMode = SearchMode.KEYWORD
    exact: bool = False
    like: str = Field(default="", max_length=64)
    filters: dict[str, list[str]] = {}
    alert_unit: str = Field(default="", max_length=64)

    def to_query(self) -> SearchQuery:
        """The search itself (the book checks the filter fields)."""
        filters = {name: tuple(values) for name, values in self.filters.items() if values}
        return SearchQuery(text=self.q.strip(), filters=filters, exact=self.exact, mode=self.mode, like=self.like)


class SavedSearchForm(SearchParams):
    """The search page's "save this search" form: the current search plus a name."""

    name: str = Field(default="", max_length=200)


def saved_json(saved: SavedSearch) -> dict[str, object]:
    """A saved search as JSON, with the link that runs it on the search page."""
    query = saved.query
    return {
        "id": saved.id,
        "name": saved.name,
        "query": {
            "q": query.text,
            "mode": query.mode.value,
            "exact": query.exact,
            "like": query.like,
            "filters": {name: list(values) for name, values in query.filters.items()},
            "sort": query.sort.value,
        },
        "alert_unit": saved.alert_unit,
        "created_by": saved.created_by,
        "created_at": saved.created_at.isoformat() if saved.created_at else None,
        "url": SearchParams.from_query(query).url(),
    }


@router.get("/api/saved-searches")
def list_saved(book: SavedDep, principal: SavedPrincipal) -> dict[str, object]:
    """Every saved search, by name."""
    del principal  # checked by the dependency
    return {"saved_searches": [saved_json(saved) for saved in book.list_all()]}


@router.post("/api/saved-searches", status_code=201)
def add_saved(
    body: SavedSearchIn,
    *,
    book: SavedDep,
    services: ServicesDep,
    audit: AuditDep,
    client: ClientDep,
    principal: SavedPrincipal,
) -> dict[str, object]:
    """Save a search; 400 problem for an unknown filter field or alert unit."""
    units = {unit.id for unit in services.config.units} if services.config else set()
    if body.alert_unit and services.config and body.alert_unit not in units:
        raise QueryError(f"unknown unit {body.alert_unit!r}; alert one of {', '.join(sorted(units))}")
    saved = book.add(body.name, body.to_query(), alert_unit=body.alert_unit, created_by=principal.actor)
    audit.record("save-search", principal.actor, {**saved_json(saved), "client": client})
    return saved_json(saved)


@router.delete("/api/saved-searches/{saved_id}", status_code=204)
def delete_saved(
    saved_id: str, book: SavedDep, audit: AuditDep, client: ClientDep, principal: SavedPrincipal
) -> Response:
    """Forget a saved search; 404 problem when there is none with this id."""
    if not _delete(book, audit, saved_id, client, principal.actor):
        raise HTTPException(status_code=404, detail=f"no saved search with id {saved_id!r}")
    return Response(status_code=204)


@router.post("/saved-searches", response_model=None)
def save_from_page(
    request: Request,
    *,
    form: Annotated[SavedSearchForm, Form()],
    book: SavedDep,
    services: ServicesDep,
    t: TranslatorDep,
    audit: AuditDep,
    client: ClientDep,
    principal: SavedPagePrincipal,
) -> Response:
    """Save the search shown on the page, then show it again (post/redirect/get)."""
    try:
        saved = book.add(form.name, form.to_query(), created_by=principal.actor)
    except QueryError:
        return render(request, services, t, "error.html", {"message": t("saved_name_missing")}, status=400)
    audit.record("save-search", principal.actor, {**saved_json(saved), "client": client})
    return RedirectResponse(SearchParams.from_query(saved.query).url(), status_code=303)


@router.post("/saved-searches/{saved_id}/delete", response_model=None)
def delete_from_page(
    request: Request,
    saved_id: str,
    *,
    book: SavedDep,
    services: ServicesDep,
    t: TranslatorDep,
    audit: AuditDep,
    client: ClientDep,
    principal: SavedPagePrincipal,
) -> Response:
    """Delete a saved search from the page's list, then return to the search page."""
    if not _delete(book, audit, saved_id, client, principal.actor):
        return render(request, services, t, "error.html", {"message": t("saved_not_found")}, status=404)
    return RedirectResponse("/", status_code=303)


def _delete(book: SavedSearchBook, audit: AuditLog, saved_id: str, client: str, actor: str) -> bool:
    """Delete and audit; ``False`` when there was nothing to delete."""
    saved = book.get(saved_id)
    if saved is None or not book.delete(saved_id):
        return False
    audit.record("delete-saved-search", actor, {"id": saved.id, "name": saved.name, "client": client})
    return True
