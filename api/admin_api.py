"""JSON routes of the admin area: sources (list, add, pause/resume), units, fact-checks.

Sources and units need the ``admin`` permission; fact-checks the ``factchecks`` one
(analysts enter official corrections too). Errors are problem+json: 422 for a source or
record that breaks a rule (the detail says which), 409 for a source id already taken,
404 for an unknown source. Every change, and every fact-check search, is audited.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request
from pydantic import BaseModel

from api.admin_ops import (
    CorrectionIn,
    FactChecksDep,
    SourceBookDep,
    SourceIn,
    add_correction,
    add_source,
    find_factchecks,
    health_rows,
    import_claimreview,
    set_source_enabled,
    source_views,
    unit_json,
)
from api.admin_sourcebook import SourceExists
from api.auth import Principal, require
from api.deps import ServicesDep
from api.permissions import Permission
from core.errors import ConfigError, ForbiddenAddress
from crawlers import NetGuard

router = APIRouter(tags=["admin"])

AdminPrincipal = Annotated[Principal, Depends(require(Permission.ADMIN))]
FactCheckPrincipal = Annotated[Principal, Depends(require(Permission.FACTCHECKS))]


def get_netguard(request: Request, services: ServicesDep) -> NetGuard:
    """The outbound guard new source addresses are checked with (the fetcher's own rules)."""
    guard = getattr(request.app.state, "netguard", None)
    return guard if isinstance(guard, NetGuard) else NetGuard.allowing(services.settings.fetch_allow_hosts)


NetGuardDep = Annotated[NetGuard, Depends(get_netguard)]


class SourceChange(BaseModel):
    """Whether a source is collected."""

    enabled: bool


@router.get("/api/admin/sources")
def list_sources(principal: AdminPrincipal, services: ServicesDep, book: SourceBookDep) -> dict[str, object]:
    """Every source: the config file's (``origin: config``) and those added here (``origin: added``).

    Each row carries ``enabled`` (a paused source is not polled) and its health status.
    """
    del principal  # checked by the dependency
    health = {row.health.source_id: row for row in health_rows(services, book, datetime.now(UTC))}
    rows = []
    for view in source_views(services, book):
        row = health.get(view.source.id)
        status, hold = (row.status, row.hold) if row else ("never polled", "")
        rows.append({**view.as_json(), "status": status, "hold": hold})
    return {"sources": rows}


@router.post("/api/admin/sources", status_code=201)
def create_source(
    given: SourceIn, principal: AdminPrincipal, services: ServicesDep, book: SourceBookDep, guard: NetGuardDep
) -> dict[str, object]:
    """Add a feed, sitemap or listing source; the pipeline collects it from its next cycle.

    The address is checked with the crawler's outbound guard: internal addresses are refused
    (422). ``note: unresolved`` means the host name did not resolve now; the source is kept
    and its health will show whether polling works.
    """
    try:
        source, note = add_source(services, book, guard, given, principal.actor)
    except SourceExists as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc
    except ForbiddenAddress as exc:
        raise HTTPException(status_code=422, detail=exc.reason) from exc
    except ConfigError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    view = next(v for v in source_views(services, book) if v.source.id == source.id)
    return {**view.as_json(), "note": note}


@router.patch("/api/admin/sources/{source_id}")
def change_source(
    source_id: str, change: SourceChange, principal: AdminPrincipal, services: ServicesDep, book: SourceBookDep
) -> dict[str, object]:
    """Pause (``enabled: false``) or resume a source, from the config file or added here."""
    view = set_source_enabled(services, book, source_id, change.enabled, principal.actor)
    if view is None:
        raise HTTPException(status_code=404, detail=f"no source with id {source_id!r}")
    return view.as_json()


@router.get("/api/units")
def units(principal: AdminPrincipal, services: ServicesDep) -> dict[str, object]:
    """The unit directory (read-only: the project config file is its source of truth)."""
    del principal  # checked by the dependency
    path = services.config.path if services.config else None
    return {"config": str(path) if path else None, "units": unit_json(services)}


@router.get("/api/factchecks")
def factchecks(
    *,
    principal: FactCheckPrincipal,
    services: ServicesDep,
    registry: FactChecksDep,
    q: Annotated[str, Query(max_length=500)] = "",
    verdict: Annotated[Literal["", "false", "misleading", "true", "unproven", "other"], Query()] = "",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, object]:
    """Search the registry (every word of ``q``, accent-insensitive); newest first; audited."""
    found = find_factchecks(registry, services.audit, principal.actor, q=q, verdict=verdict, via="api")
    return {"total": len(found), "records": [r.as_dict() for r in found[offset : offset + limit]]}


@router.post("/api/factchecks", status_code=201)
def create_factcheck(
    given: CorrectionIn, principal: FactCheckPrincipal, services: ServicesDep, registry: FactChecksDep
) -> dict[str, object]:
    """Enter an official correction (claim, verdict, explanation, link, date); audited."""
    record, replaced = add_correction(registry, services.audit, given, principal.actor)
    return {**record.as_dict(), "replaced": replaced}


@router.post("/api/factchecks/import")
def import_factchecks(
    document: Annotated[dict[str, Any] | list[Any], Body(description="schema.org ClaimReview JSON-LD")],
    principal: FactCheckPrincipal,
    services: ServicesDep,
    registry: FactChecksDep,
) -> dict[str, object]:
    """Import ClaimReview JSON-LD (an object, an array or an ``@graph``); audited. 422 when none is found."""
    try:
        records, added, replaced = import_claimreview(registry, services.audit, document, principal.actor, "api")
    except ConfigError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return {"added": added, "replaced": replaced, "claim_ids": [r.claim_id for r in records]}
