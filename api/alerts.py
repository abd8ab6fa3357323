"""Response tracking pages: record a unit's answer to an alert (the acknowledge page is in ``api.pages``).

The answer form needs a login like every page: the unit's own responders (or an account that
sees every unit's alerts) may answer; for anyone else the alert does not exist (404). Every
change is written to the audit log under the account's name.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import ClientDep, ServicesDep, TranslatorDep
from api.pages import AlertPagePrincipal, after_alert_form, answer_alert, answer_link_ok, hours, render, visible_alert
from api.views import web_link

router = APIRouter(default_response_class=HTMLResponse)


@router.post("/alerts/{alert_id}/answer", response_model=None)
def answer(
    request: Request,
    alert_id: str,
    *,
    link: Annotated[str, Form()],
    services: ServicesDep,
    t: TranslatorDep,
    client: ClientDep,
    principal: AlertPagePrincipal,
    next_page: Annotated[str, Form(alias="next")] = "",
) -> Response:
    """Record the link to the unit's published answer (open or acknowledged → answered), then show the alert.

    ``next`` (from the inbox) sends the browser back there instead; only paths on this site are followed.
    """
    current = visible_alert(services, principal, alert_id)
    if current is None:
        return render(request, services, t, "error.html", {"message": t("alert_not_found")}, status=404)
    link = link.strip()
    if not answer_link_ok(link):
        context: dict[str, object] = {
            "alert": current,
            "article_url": web_link(current.url),
            "hours": hours,
            "error": t("alert_answer_invalid"),
        }
        return render(request, services, t, "alert.html", context, status=400)
    alert = answer_alert(services, principal, alert_id, link, client)
    assert alert is not None  # it existed a moment ago and alerts are never deleted
    return RedirectResponse(after_alert_form(alert.id, next_page), status_code=303)
