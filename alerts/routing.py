"""Needs-response triage: which classified items go to which unit, and why.

Routing asks a department to publish information, correct the record or fix the
problem raised. It looks only at the item's labels (stance toward the locality, topic,
fact-check matches), never at who wrote it.
"""

from __future__ import annotations

from datetime import datetime

from alerts.vocabulary import stance_name, topic_name
from core.config import ProjectConfig
from core.enums import Stance, Urgency
from core.item import Classified, Item, Routed

#: Only this tier is evidence enough to treat an item as repeating a false claim.
AUTO_TIER = "auto"


def route(item: Item, config: ProjectConfig, now: datetime) -> Routed | None:
    """Decide whether ``item`` needs a response and which unit owns it.

    An item needs a response when it is classified as about the locality and either
    repeats a claim already shown false (a claim match in the ``auto`` tier: urgent), or
    is negative coverage with enough stance confidence while the project routes negative
    coverage (routine). The unit is the owner of the item's topic, else the coordinating office.

    Returns:
        the routing decision stamped with ``now``, or ``None`` when no response is needed.
    """
    labels = item.classified
    if labels is None or not labels.about:
        return None
    false_claim = any(match.tier == AUTO_TIER for match in labels.claims)
    negative = (
        config.routing.negative_needs_response
        and labels.stance is Stance.NEGATIVE
        and labels.stance_confidence >= config.routing.min_stance_confidence
    )
    if not (false_claim or negative):
        return None
    unit = config.unit_for(labels.topic)
    return Routed(
        unit_id=unit.id,
        reason=_reason(labels, config.locality.name, negative=negative, false_claim=false_claim),
        urgency=Urgency.URGENT if false_claim else Urgency.ROUTINE,
        routed_at=now,
    )


def _reason(labels: Classified, locality: str, *, negative: bool, false_claim: bool) -> str:
    """One Vietnamese sentence the receiving unit reads first, e.g. "Tin tiêu cực về Đà Nẵng, chủ đề: y tế"."""
    topic = f"chủ đề: {topic_name(labels.topic)}"
    if false_claim and negative:
        return f"Tin {stance_name(Stance.NEGATIVE)} về {locality}, lặp lại thông tin đã được đính chính là sai, {topic}"
    if false_claim:
        return f"Tin về {locality} lặp lại thông tin đã được đính chính là sai, {topic}"
    return f"Tin {stance_name(Stance.NEGATIVE)} về {locality}, {topic}"
