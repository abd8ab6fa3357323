"""The server-rendered web UI: search page, item page, and the acknowledge page linked from digests.

Every page needs a login (``api.auth.require_page``): a browser that is not logged in is sent
to ``/login`` and comes back afterwards. Responders see only their own unit's alerts; another
unit's alert answers 404, the same as a missing one, so alert ids do not reveal what exists.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from alerts import Alert
from api.auth import Principal, current_principal, require_page, safe_next
from api.deps import LANGUAGE_COOKIE, ClientDep, Services, ServicesDep, TranslatorDep
from api.i18n import LANGUAGES, Translator
from api.labels import label_choices
from api.permissions import Permission
from api.search import MAX_PAGE, SearchParams, phrase_hint_for, run_search
from api.story import SHOWN_SIBLINGS, story_of
from api.views import Labels, article_url, facet_groups, paging, web_link
from core.errors import EmbeddingError, QueryError

router = APIRouter(default_response_class=HTMLResponse)

_YEAR = 365 * 24 * 3600

SearchPagePrincipal = Annotated[Principal, Depends(require_page(Permission.SEARCH))]
AlertPagePrincipal = Annotated[Principal, Depends(require_page(Permission.ALERTS_ALL, Permission.ALERTS_OWN_UNIT))]


def render(
    request: Request, services: Services, t: Translator, name: str, context: dict[str, object], *, status: int = 200
) -> HTMLResponse:
    """Render a template in the page's language; an explicit ``?lang=`` is remembered in a cookie."""
    other = "en" if t.lang == "vi" else "vi"
    switch = request.url.include_query_params(lang=other)
    principal = current_principal(request)
    response = services.templates.TemplateResponse(
        request,
        name,
        {
            "t": t,
            "labels": Labels(t, services.config),
            "other_lang": other,
            "switch_url": f"{switch.path}?{switch.query}",
            # The header names the account and offers logout; every POST form echoes the session's token.
            "principal": principal,
            "csrf_token": (principal.csrf or "") if principal else "",
            **context,
        },
        status_code=status,
    )
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, asked, max_age=_YEAR, httponly=True, samesite="lax")
    return response


def hours(delta: timedelta | None, lang: str = "vi") -> str:
    """A response time in hours with one decimal, for the alert page ("3,5" in Vietnamese, "3.5" in English)."""
    text = "" if delta is None else f"{delta.total_seconds() / 3600:.1f}"
    return text.replace(".", ",") if lang == "vi" else text


def after_alert_form(alert_id: str, next_page: str) -> str:
    """Where an acknowledge or answer form goes next: the page it names on this site, else the alert page."""
    return safe_next(next_page) if next_page else f"/alerts/{alert_id}"


def visible_alert(services: Services, principal: Principal, alert_id: str) -> Alert | None:
    """The alert if it exists and this account may see it; ``None`` otherwise (shown as 404 either way)."""
    alert = services.alerts.get(alert_id) if services.alerts else None
    if alert is None or not principal.sees_unit(alert.unit_id):
        return None
    return alert


def acknowledge_alert(services: Services, principal: Principal, alert_id: str, client: str) -> Alert | None:
    """Acknowledge the alert for this account (a second time changes nothing); audited.

    ``None`` when it does not exist or belongs to a unit this account may not see.
    """
    if services.alerts is None or visible_alert(services, principal, alert_id) is None:
        return None
    alert = services.alerts.acknowledge(alert_id, datetime.now(UTC))
    if alert is not None:
        services.audit.record(
            "acknowledge", principal.actor, {"alert": alert.id, "unit": alert.unit_id, "client": client}
        )
    return alert


def answer_link_ok(link: str) -> bool:
    """Whether ``link`` may be kept as a unit's published answer: an http(s) address with a host."""
    parts = urlsplit(link)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def answer_alert(services: Services, principal: Principal, alert_id: str, link: str, client: str) -> Alert | None:
    """Record ``link`` (checked with ``answer_link_ok``) as the unit's answer; audited.

    ``None`` when the alert does not exist or belongs to a unit this account may not see.
    """
    if services.alerts is None or visible_alert(services, principal, alert_id) is None:
        return None
    alert = services.alerts.answer(alert_id, link, datetime.now(UTC))
    if alert is not None:
        services.audit.record(
            "answer", principal.actor, {"alert": alert.id, "unit": alert.unit_id, "link": link, "client": client}
        )
    return alert


@router.get("/")
def search_page(
    request: Request,
    *,
    params: Annotated[SearchParams, Query()],
    services: ServicesDep,
    t: TranslatorDep,
    client: ClientDep,
    principal: SearchPagePrincipal,
) -> HTMLResponse:
    """The search page; every search it runs is written to the audit log."""
    context: dict[str, object] = {
        "params": params,
        "page": None,
        "facets": [],
        "paging": None,
        "phrase_hint": None,
        "error": "",
        "semantic": services.searcher.semantic,
        "like_item": services.store.get(params.like) if params.like else None,
        # Each saved search with the link that runs it; ``None`` hides the section.
        "saved": [(s, SearchParams.from_query(s.query).url()) for s in services.saved.list_all()]
        if services.saved
        else None,
    }
    # The page shows no scores: a date-ordered page need not be scored (about half its time at 1M).
    params = params.model_copy(update={"scores": False})
    try:
        page = run_search(services.searcher, services.audit, params, client, via="page", actor=principal.actor)
    except QueryError as exc:
        return render(request, services, t, "search.html", {**context, "error": str(exc)}, status=400)
    except EmbeddingError:
        return render(request, services, t, "search.html", {**context, "error": t("semantic_unavailable")}, status=503)
    labels = Labels(t, services.config)
    context.update(page=page, facets=facet_groups(page, params, labels), paging=paging(page, params, MAX_PAGE))
    context["phrase_hint"] = phrase_hint_for(
        services.searcher, services.audit, params, page, client, actor=principal.actor
    )
    return render(request, services, t, "search.html", context)


@router.get("/items/{item_id}")
def item_page(
    request: Request, item_id: str, services: ServicesDep, t: TranslatorDep, principal: SearchPagePrincipal
) -> HTMLResponse:
    """One item: labels with confidence, places, fact-check evidence, routing and text."""
    del principal  # checked by the dependency
    item = services.store.get(item_id)
    if item is None:
        return render(request, services, t, "error.html", {"message": t("item_not_found")}, status=404)
    story = story_of(request, services, item)
    siblings = [i for i in (story.items if story else ()) if i != item.id]
    context: dict[str, object] = {
        "item": item,
        "article_url": web_link(article_url(item)),
        "story": story,
        # The other items of the story that are in the store (an item may have been judged off-topic).
        "siblings": [found for i in siblings[:SHOWN_SIBLINGS] if (found := services.store.get(i)) is not None],
        **label_choices(),
    }
    return render(request, services, t, "item.html", context)


@router.get("/alerts/{alert_id}")
def alert_page(
    request: Request, alert_id: str, services: ServicesDep, t: TranslatorDep, principal: AlertPagePrincipal
) -> HTMLResponse:
    """What a unit opens from its digest. Viewing changes nothing (mail scanners follow links)."""
    alert = visible_alert(services, principal, alert_id)
    if alert is None:
        return render(request, services, t, "error.html", {"message": t("alert_not_found")}, status=404)
    context: dict[str, object] = {"alert": alert, "article_url": web_link(alert.url), "hours": hours, "error": ""}
    return render(request, services, t, "alert.html", context)


@router.post("/alerts/{alert_id}/acknowledge", response_model=None)
def acknowledge(
    request: Request,
    alert_id: str,
    *,
    services: ServicesDep,
    t: TranslatorDep,
    client: ClientDep,
    principal: AlertPagePrincipal,
    next_page: Annotated[str, Form(alias="next")] = "",
) -> Response:
    """Record that the unit received the alert, then show it again (post/redirect/get).

    A form in the unit's inbox sends ``next`` (a path on this site, see ``safe_next``) to
    go back to the inbox instead of the alert page.
    """
    alert = acknowledge_alert(services, principal, alert_id, client)
    if alert is None:
        return render(request, services, t, "error.html", {"message": t("alert_not_found")}, status=404)
    return RedirectResponse(after_alert_form(alert.id, next_page), status_code=303)
