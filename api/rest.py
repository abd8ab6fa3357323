"""The JSON API: health, search and item detail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from api.deps import AuditDep, ClientDep, StoreDep
from api.search import SearchParams, run_search
from api.views import item_json, page_json

router = APIRouter()


@router.get("/healthz")
def healthz(store: StoreDep) -> dict[str, object]:
    """Liveness plus the item count; 503 problem when the store cannot be reached."""
    return {"status": "ok", "items": store.count()}


@router.get("/api/search")
def search(
    params: Annotated[SearchParams, Query()], store: StoreDep, audit: AuditDep, client: ClientDep
) -> dict[str, object]:
    """Search items; every call is written to the audit log. An invalid query is a 400 problem."""
    return page_json(run_search(store, audit, params, client, via="api"), params)


@router.get("/api/items/{item_id}")
def item(item_id: str, store: StoreDep) -> dict[str, object]:
    """One item with its labels, places, fact-check matches and routing; 404 problem when absent."""
    found = store.get(item_id)
    if found is None:
        raise HTTPException(status_code=404, detail=f"no item with id {item_id!r}")
    return item_json(found)
