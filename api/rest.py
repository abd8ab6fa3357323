"""The JSON API: search, item detail and similar items (health lives in ``api.health``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from api.auth import Principal, require
from api.deps import AuditDep, ClientDep, SearcherDep, ServicesDep, StoreDep
from api.permissions import Permission
from api.search import SearchParams, run_search
from api.story import story_of
from api.views import item_json, page_json

router = APIRouter()

SearchPrincipal = Annotated[Principal, Depends(require(Permission.SEARCH))]


@router.get("/api/search")
def search(
    params: Annotated[SearchParams, Query()],
    searcher: SearcherDep,
    audit: AuditDep,
    client: ClientDep,
    principal: SearchPrincipal,
) -> dict[str, object]:
    """Search items by keyword, meaning (``mode=semantic``) or both (``mode=hybrid``), or like an item (``like=``).

    Every call is written to the audit log. An invalid query is a 400 problem; semantic
    search on a server without the embedding model is a 503 problem.
    """
    return page_json(run_search(searcher, audit, params, client, via="api", actor=principal.actor), params)


@router.get("/api/items/{item_id}/similar")
def similar(
    item_id: str,
    *,
    params: Annotated[SearchParams, Query()],
    store: StoreDep,
    searcher: SearcherDep,
    audit: AuditDep,
    client: ClientDep,
    principal: SearchPrincipal,
) -> dict[str, object]:
    """Items most like this one by meaning, within the given filters; audited as a search. 404 when absent."""
    if store.get(item_id) is None:
        raise HTTPException(status_code=404, detail=f"no item with id {item_id!r}")
    like = params.model_copy(update={"like": item_id, "q": ""})
    return page_json(run_search(searcher, audit, like, client, via="api", actor=principal.actor), like)


@router.get("/api/items/{item_id}")
def item(item_id: str, request: Request, services: ServicesDep, principal: SearchPrincipal) -> dict[str, object]:
    """One item with its labels, places, fact-check matches, routing and story spread; 404 problem when absent.

    ``story`` is ``null`` for an item in no story cluster, else its items, outlets, and first and last seen.
    """
    del principal  # checked by the dependency
    found = services.store.get(item_id)
    if found is None:
        raise HTTPException(status_code=404, detail=f"no item with id {item_id!r}")
    story = story_of(request, services, found)
    return {**item_json(found), "story": story.as_dict() if story else None}
