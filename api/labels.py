"""The review queue and label corrections: what analysts decide becomes training data.

``GET /api/review-queue`` lists items whose stance the model was not sure enough to
assert; ``POST /api/items/{id}/labels`` sets an item's stance, topic or about. A
correction updates the stored item (its ``model_version`` says ``analyst``), is kept in
the review file as a training example for ``pressdesk model train``, and is written to
the audit log with the labels before and after. Both routes need the ``label`` permission.
The workspace pages (``api.workspace``) correct labels through the same ``apply_labels``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, model_validator

from api.audit import AuditLog
from api.auth import Principal, require
from api.deps import AuditDep, ServicesDep, StoreDep, opened_once
from api.permissions import Permission
from classify import ReviewQueue
from core.enums import Stance, Topic
from core.item import Classified
from core.ports import Store

router = APIRouter()

LabelPrincipal = Annotated[Principal, Depends(require(Permission.LABEL))]

#: Stored on an item whose labels an analyst set, in place of the model that made them.
ANALYST_VERSION = "analyst"


def get_review(request: Request, services: ServicesDep) -> ReviewQueue:
    """The review queue beside the other files in the data directory (opened once per app)."""
    return opened_once(request, "review", ReviewQueue, lambda: ReviewQueue(services.settings.path("review.db")))


ReviewDep = Annotated[ReviewQueue, Depends(get_review)]


class LabelsIn(BaseModel):
    """The labels an analyst sets; leave out what does not change."""

    stance: Stance | None = None
    topic: Topic | None = None
    about: bool | None = None

    @model_validator(mode="after")
    def _something(self) -> LabelsIn:
        if self.stance is None and self.topic is None and self.about is None:
            raise ValueError("give at least one of stance, topic, about")
        if self.about is False and self.stance is not None:
            raise ValueError("stance is coverage toward the locality: an item not about it has no stance")
        return self


def label_choices() -> dict[str, object]:
    """The values the correction forms of the pages offer, for a template's context."""
    return {"stances": tuple(Stance), "topics": tuple(Topic)}


@router.get("/api/review-queue")
def review_queue(
    principal: LabelPrincipal, review: ReviewDep, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> dict[str, object]:
    """Items waiting for an analyst, least confident first, with the model's suggestion."""
    del principal  # checked by the dependency
    pending = review.pending(limit)
    return {
        "items": [
            {
                "id": q.item_id,
                "title": q.title,
                "suggested_stance": q.stance,
                "stance_confidence": q.stance_confidence,
                "suggested_topic": q.topic,
                "model_version": q.model_version,
                "queued_at": q.queued_at,
            }
            for q in pending
        ],
        "count": len(pending),
    }


def apply_labels(
    store: Store, audit: AuditLog, review: ReviewQueue, item_id: str, labels: LabelsIn, *, actor: str
) -> Classified | None:
    """Set an item's labels as an analyst decided: the one path the API and the pages share.

    The stored item gets the new labels (``model_version`` says ``analyst``), the change is
    written to the audit log with the labels before and after, and the correction is kept
    in the review file as a training example (resolving the item's queue entry).

    Returns:
        the item's labels as they now stand, or ``None`` when there is no such item
        (nothing is written then).
    """
    item = store.get(item_id)
    if item is None:
        return None
    before = item.classified or Classified()
    about = labels.about if labels.about is not None else before.about
    stance = labels.stance if labels.stance is not None else before.stance
    if not about:
        stance = None
    after = replace(
        before,
        about=about,
        stance=stance,
        stance_confidence=1.0 if labels.stance is not None else before.stance_confidence,
        topic=labels.topic or before.topic,
        topic_confidence=1.0 if labels.topic is not None else before.topic_confidence,
        model_version=ANALYST_VERSION,
    )
    body = item.extracted.text if item.extracted else item.fetched.feed_summary
    audit.record(
        "label.change",
        actor,
        {
            "item_id": item_id,
            "before": {"about": before.about, "stance": before.stance, "topic": before.topic},
            "after": {"about": after.about, "stance": after.stance, "topic": after.topic},
            "model_version": before.model_version,
        },
    )
    review.correct(item_id, item.title, body, about=labels.about, stance=labels.stance, topic=labels.topic, actor=actor)
    store.upsert([item.with_classified(after)])
    return after


@router.post("/api/items/{item_id}/labels")
def set_labels(
    item_id: str, labels: LabelsIn, *, principal: LabelPrincipal, store: StoreDep, audit: AuditDep, review: ReviewDep
) -> dict[str, object]:
    """Set an item's labels; audited, kept for retraining. 404 when the item is absent."""
    after = apply_labels(store, audit, review, item_id, labels, actor=principal.actor)
    if after is None:
        raise HTTPException(status_code=404, detail=f"no item with id {item_id!r}")
    return {"id": item_id, "about": after.about, "stance": after.stance, "topic": after.topic}
