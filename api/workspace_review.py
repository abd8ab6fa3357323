"""The review queue as a page (``/review``) and the one-click label form the queue and the item page post to.

``POST /items/{id}/labels`` takes an ordinary form (each button carries one label, so one
click is one correction) and goes through ``api.labels.apply_labels``, the same code as
``POST /api/items/{id}/labels``: the item is updated, the change audited and kept for
retraining. It answers with a redirect (post/redirect/get) to the page the form came from.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.auth import Principal, require_page
from api.deps import ServicesDep, TranslatorDep
from api.labels import LabelsIn, ReviewDep, apply_labels, label_choices
from api.pages import render
from api.permissions import Permission
from core.enums import Stance, Topic

router = APIRouter()

LabelPagePrincipal = Annotated[Principal, Depends(require_page(Permission.LABEL))]

#: How many queued items one page shows, least confident first.
PAGE_SIZE = 50

#: What a form's ``about`` field says.
_ABOUT = {"yes": True, "no": False}


@router.get("/review")
def review_page(
    request: Request,
    *,
    saved: Annotated[str, Query(max_length=128)] = "",
    services: ServicesDep,
    t: TranslatorDep,
    review: ReviewDep,
    principal: LabelPagePrincipal,
) -> HTMLResponse:
    """Items whose stance the model was not sure of, least confident first, each with one-click corrections.

    The model's suggestions come from the queue itself, so the page reads no item from the
    store (one lookup only, for the title of the item just corrected, when there is one).
    """
    del principal  # checked by the dependency
    done = services.store.get(saved) if saved else None
    context: dict[str, object] = {"queue": review.pending(PAGE_SIZE), "saved_item": done, **label_choices()}
    return render(request, services, t, "review.html", context)


@router.post("/items/{item_id}/labels", response_model=None)
def correct_labels(
    request: Request,
    item_id: str,
    *,
    stance: Annotated[str, Form()] = "",
    topic: Annotated[str, Form()] = "",
    about: Annotated[str, Form()] = "",
    back: Annotated[Literal["item", "review"], Form()] = "item",
    services: ServicesDep,
    t: TranslatorDep,
    review: ReviewDep,
    principal: LabelPagePrincipal,
) -> Response:
    """Set the labels the form sent (empty fields change nothing), then go back to the page it came from."""
    try:
        labels = LabelsIn(
            stance=Stance(stance) if stance else None,
            topic=Topic(topic) if topic else None,
            about=_ABOUT[about] if about else None,
        )
    except (ValueError, KeyError):  # an unknown value, or labels that contradict each other
        return render(request, services, t, "error.html", {"message": t("label_invalid")}, status=400)
    after = apply_labels(services.store, services.audit, review, item_id, labels, actor=principal.actor)
    if after is None:
        return render(request, services, t, "error.html", {"message": t("item_not_found")}, status=404)
    where = f"/review?saved={quote(item_id, safe='')}" if back == "review" else f"/items/{quote(item_id, safe='')}"
    return RedirectResponse(where, status_code=303)
