"""Pages of the admin and source-health pages: sources, units, fact-checks.

- ``/sources`` (``sources``): the health table, failing sources first, sortable.
- ``/admin`` (``admin``): sources (list, add by URL, pause/resume) and the unit directory,
  which is read-only because the config file is its source of truth.
- ``/admin/factchecks`` (``factchecks``, so analysts enter corrections too): search the
  registry, enter an official correction, import a ClaimReview JSON-LD file.

Forms post back and redirect (post/redirect/get) with a short notice in the query string;
an invalid form is shown again with the reason (400). The work itself is in
``api.admin_ops``, shared with the JSON routes, and every change is audited there.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.admin_api import NetGuardDep
from api.admin_ops import (
    ADDABLE_KINDS,
    MAX_IMPORT_BYTES,
    SORTS,
    CorrectionIn,
    FactChecksDep,
    SourceBookDep,
    SourceIn,
    add_correction,
    add_source,
    find_factchecks,
    health_rows,
    import_claimreview,
    parse_upload,
    set_source_enabled,
    source_views,
)
from api.admin_sourcebook import SourceBook, SourceExists
from api.auth import Principal, require_page
from api.deps import Services, ServicesDep, TranslatorDep
from api.i18n import Translator
from api.pages import render
from api.permissions import Permission
from classify.factchecks import VERDICTS, FactCheckRegistry
from core.errors import ConfigError, ForbiddenAddress

router = APIRouter(default_response_class=HTMLResponse)

SourcesPrincipal = Annotated[Principal, Depends(require_page(Permission.SOURCES))]
AdminPagePrincipal = Annotated[Principal, Depends(require_page(Permission.ADMIN))]
FactCheckPagePrincipal = Annotated[Principal, Depends(require_page(Permission.FACTCHECKS))]

#: Records shown per page of the fact-check registry.
PAGE_SIZE = 50
#: Notices a redirect may ask the next page to show (anything else in the query is ignored).
_NOTICES = frozenset({"source_added", "source_unresolved", "source_changed", "correction_added", "correction_replaced"})


def _reasons(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}" for e in exc.errors())


@router.get("/sources")
def sources_page(
    request: Request,
    *,
    services: ServicesDep,
    book: SourceBookDep,
    t: TranslatorDep,
    principal: SourcesPrincipal,
    sort: Annotated[str, Query(max_length=20)] = "status",
) -> HTMLResponse:
    """The source-health table: failing first by default; columns sort through plain links (no script)."""
    del principal  # checked by the dependency
    now = datetime.now(UTC)
    chosen = sort if sort in SORTS else "status"
    context: dict[str, object] = {
        "rows": health_rows(services, book, now, chosen),
        "sort": chosen,
        "sorts": SORTS,
        "as_of": now,
    }
    return render(request, services, t, "sources.html", context)


def _admin(
    request: Request,
    services: Services,
    book: SourceBook,
    t: Translator,
    *,
    form: dict[str, str] | None = None,
    error: str = "",
    status: int = 200,
) -> HTMLResponse:
    config = services.config
    context: dict[str, object] = {
        "sources": source_views(services, book),
        "units": config.units if config else (),
        "config_path": str(config.path) if config and config.path else "",
        "kinds": [kind.value for kind in ADDABLE_KINDS],
        "form": form or {"url": "", "outlet": "", "kind": "feed", "id": "", "language": "vi", "interval_minutes": "30",
                         "article_pattern": "", "article_css": ""},
        "error": error,
        "notices": _notices(request, t),
    }  # fmt: skip
    return render(request, services, t, "admin.html", context, status=status)


def _notices(request: Request, t: Translator) -> list[str]:
    """The notices a redirect asked for, in the reader's language (only known keys; ids are escaped by Jinja)."""
    shown = []
    for key in request.query_params.getlist("notice"):
        if key in _NOTICES:
            shown.append(t("adm_" + key, id=request.query_params.get("id", "")[:100]))
    return shown


@router.get("/admin")
def admin_page(
    request: Request, services: ServicesDep, book: SourceBookDep, t: TranslatorDep, principal: AdminPagePrincipal
) -> HTMLResponse:
    """Sources (with the add form and pause/resume) and the read-only unit directory."""
    del principal  # checked by the dependency
    return _admin(request, services, book, t)


@router.post("/admin/sources", response_model=None)
def add_source_form(
    request: Request,
    *,
    services: ServicesDep,
    book: SourceBookDep,
    guard: NetGuardDep,
    t: TranslatorDep,
    principal: AdminPagePrincipal,
    url: Annotated[str, Form(max_length=2000)] = "",
    outlet: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=20)] = "feed",
    id: Annotated[str, Form(max_length=63)] = "",
    language: Annotated[str, Form(max_length=3)] = "vi",
    interval_minutes: Annotated[str, Form(max_length=5)] = "30",
    article_pattern: Annotated[str, Form(max_length=500)] = "",
    article_css: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Add a source from the form; the address goes through the crawler's outbound guard first."""
    form = {
        "url": url.strip(), "outlet": outlet, "kind": kind, "id": id.strip(), "language": language.strip() or "vi",
        "interval_minutes": interval_minutes.strip() or "30", "article_pattern": article_pattern,
        "article_css": article_css,
    }  # fmt: skip
    try:
        given = SourceIn.model_validate(form)
        source, note = add_source(services, book, guard, given, principal.actor)
    except ValidationError as exc:
        error = t("adm_source_invalid", reason=_reasons(exc))
    except ConfigError as exc:
        error = t("adm_source_invalid", reason=str(exc))
    except ForbiddenAddress as exc:
        error = t("adm_source_forbidden", reason=exc.reason)
    except SourceExists as exc:
        error = t("adm_source_exists", reason=str(exc))
    else:
        notices = [("notice", "source_added")] + ([("notice", "source_unresolved")] if note else [])
        return RedirectResponse(f"/admin?{urlencode([*notices, ('id', source.id)])}#nguon", status_code=303)
    return _admin(request, services, book, t, form=form, error=error, status=400)


def _toggle(
    request: Request, services: Services, book: SourceBook, t: Translator, *, source_id: str, enabled: bool, actor: str
) -> Response:
    view = set_source_enabled(services, book, source_id, enabled, actor)
    if view is None:
        return render(request, services, t, "error.html", {"message": t("adm_source_not_found")}, status=404)
    query = urlencode([("notice", "source_changed"), ("id", source_id)])
    return RedirectResponse(f"/admin?{query}#nguon", status_code=303)


@router.post("/admin/sources/{source_id}/pause", response_model=None)
def pause_source(
    request: Request,
    source_id: str,
    *,
    services: ServicesDep,
    book: SourceBookDep,
    t: TranslatorDep,
    principal: AdminPagePrincipal,
) -> Response:
    """Stop collecting a source until it is resumed (its polling state is kept)."""
    return _toggle(request, services, book, t, source_id=source_id, enabled=False, actor=principal.actor)


@router.post("/admin/sources/{source_id}/resume", response_model=None)
def resume_source(
    request: Request,
    source_id: str,
    *,
    services: ServicesDep,
    book: SourceBookDep,
    t: TranslatorDep,
    principal: AdminPagePrincipal,
) -> Response:
    """Collect a paused source again."""
    return _toggle(request, services, book, t, source_id=source_id, enabled=True, actor=principal.actor)


def _factchecks(
    request: Request,
    services: Services,
    registry: FactCheckRegistry,
    t: Translator,
    actor: str,
    *,
    q: str = "",
    verdict: str = "",
    page: int = 1,
    form: dict[str, str] | None = None,
    error: str = "",
    notice: str = "",
    status: int = 200,
) -> HTMLResponse:
    found = find_factchecks(registry, services.audit, actor, q=q, verdict=verdict, via="page")
    pages = max(1, -(-len(found) // PAGE_SIZE))
    page = min(page, pages)
    notices = [notice] if notice else _notices(request, t)

    def page_url(n: int) -> str:
        return "/admin/factchecks?" + urlencode({"q": q, "verdict": verdict, "page": n})

    context: dict[str, object] = {
        "records": found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        "total": len(found),
        "q": q,
        "verdict": verdict,
        "verdicts": VERDICTS,
        "previous_url": page_url(page - 1) if page > 1 else "",
        "next_url": page_url(page + 1) if page < pages else "",
        "form": form or {"claim": "", "verdict": "false", "explanation": "", "url": "", "date": "", "publisher": ""},
        "error": error,
        "notices": notices,
    }
    return render(request, services, t, "admin_factchecks.html", context, status=status)


@router.get("/admin/factchecks")
def factchecks_page(
    request: Request,
    *,
    services: ServicesDep,
    registry: FactChecksDep,
    t: TranslatorDep,
    principal: FactCheckPagePrincipal,
    q: Annotated[str, Query(max_length=500)] = "",
    verdict: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """Search the registry (audited), with the forms to enter a correction and import ClaimReview."""
    chosen = verdict if verdict in VERDICTS else ""
    return _factchecks(request, services, registry, t, principal.actor, q=q, verdict=chosen, page=page)


@router.post("/admin/factchecks", response_model=None)
def add_correction_form(
    request: Request,
    *,
    services: ServicesDep,
    registry: FactChecksDep,
    t: TranslatorDep,
    principal: FactCheckPagePrincipal,
    claim: Annotated[str, Form(max_length=2000)] = "",
    verdict: Annotated[str, Form(max_length=20)] = "false",
    explanation: Annotated[str, Form(max_length=4000)] = "",
    url: Annotated[str, Form(max_length=2000)] = "",
    date: Annotated[str, Form(max_length=10)] = "",
    publisher: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Enter an official correction; audited."""
    form = {"claim": claim, "verdict": verdict, "explanation": explanation, "url": url.strip(), "date": date,
            "publisher": publisher}  # fmt: skip
    try:
        given = CorrectionIn.model_validate(form)
    except ValidationError as exc:
        error = t("adm_correction_invalid", reason=_reasons(exc))
        return _factchecks(request, services, registry, t, principal.actor, form=form, error=error, status=400)
    record, replaced = add_correction(registry, services.audit, given, principal.actor)
    notice = "correction_replaced" if replaced else "correction_added"
    return RedirectResponse(f"/admin/factchecks?{urlencode({'notice': notice, 'id': record.claim_id})}", 303)


@router.post("/admin/factchecks/import", response_model=None)
async def import_form(
    request: Request,
    *,
    services: ServicesDep,
    registry: FactChecksDep,
    t: TranslatorDep,
    principal: FactCheckPagePrincipal,
    file: Annotated[UploadFile, File()],
) -> Response:
    """Import an uploaded ClaimReview JSON-LD file; audited. Shows how many records came in."""
    raw = await file.read(MAX_IMPORT_BYTES + 1)  # one byte more tells "too large" from "exactly the limit"
    try:
        document = parse_upload(raw)
        records, added, replaced = import_claimreview(
            registry, services.audit, document, principal.actor, (file.filename or "upload")[:200]
        )
    except ConfigError as exc:
        error = t("adm_import_invalid", reason=str(exc))
        return _factchecks(request, services, registry, t, principal.actor, error=error, status=400)
    done = t("adm_import_done", count=len(records), added=added, replaced=replaced)
    return _factchecks(request, services, registry, t, principal.actor, notice=done)
