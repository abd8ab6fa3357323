"""Triage: which items need a response, from which unit, and how urgently.

The rules, in the order they are tried (docs/alerts.md has the reasoning):

1. **False claim** — a claim match in the ``auto`` tier (a fact-check or official correction
   on record): urgent, with the fact-check link as evidence. Weaker matches stay with analysts.
2. **Wide reach** — negative coverage whose story cluster has reached
   ``routing.wide_reach_outlets`` outlets or more: urgent.
3. **Negative** — other negative coverage (when ``routing.negative_needs_response``): routine.
4. **Foreign negative** — negative coverage in a language other than Vietnamese is also copied
   to the foreign-affairs unit (the owner of the ``foreign_affairs`` topic): routine.
5. **Spike** — a topic whose items today reach ``max(spike_min_items, mean + spike_sd · sd)``
   of the previous ``spike_baseline_days`` days (population standard deviation, days with no
   item count as 0): one routine alert per topic and day to the topic's owner.

A story cluster gives one alert per unit (the alert book folds later items into it), and so
does a spike (its key is ``spike:<topic>:<day>``). Saved searches an analyst turned into
alerts are matched by the scheduler and become alerts through ``saved_search_decision``.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from alerts.sightings import Sightings, local_day
from alerts.vocabulary import stance_name, topic_name
from core.config import ProjectConfig
from core.enums import Stance, Topic, Urgency
from core.item import Classified, Item, Routed
from core.unit import Unit

log = logging.getLogger(__name__)

#: Only this tier is evidence enough to treat an item as repeating a false claim.
AUTO_TIER = "auto"

#: Language names for reasons ("Tin tiêu cực tiếng Anh ..."); other codes are shown as they are.
_LANGUAGE_VI = {"en": "tiếng Anh", "zh": "tiếng Trung", "ko": "tiếng Hàn", "ja": "tiếng Nhật", "lo": "tiếng Lào"}


@dataclass(frozen=True, slots=True)
class Decision:
    """One alert triage asks for.

    Attributes:
        routed: the unit, reason and urgency.
        trigger: the rule that fired (``false_claim``, ``wide_reach``, ``negative``,
            ``foreign_negative``, ``spike``, ``saved_search``).
        cluster_id: the key one alert per unit stands for; ``None`` means the item's story cluster.
        evidence_url: the fact-check link for a false claim.
    """

    routed: Routed
    trigger: str
    cluster_id: str | None = None
    evidence_url: str = ""


@dataclass(frozen=True, slots=True)
class Spike:
    """Today's count on a topic against its baseline, kept so the reason can show the numbers."""

    topic: Topic
    day: date
    count: int
    mean: float
    sd: float
    threshold: float


class Triage:
    """Decides the alerts for a batch of classified items.

    Args:
        config: units, routing thresholds, the locality's name.
        sightings: triage's memory (story spread, topic volume); without it the wide-reach
            and spike rules are off and a story's spread is what the batch shows.
    """

    def __init__(self, config: ProjectConfig, sightings: Sightings | None = None) -> None:
        self.config = config
        self.sightings = sightings

    def decide(self, items: Sequence[Item], now: datetime) -> dict[str, list[Decision]]:
        """Remember ``items`` and return the decisions for each item id that needs a response (first: primary)."""
        about = [item for item in items if item.classified is not None and item.classified.about]
        if self.sightings is not None:
            self.sightings.note(about, now)
        decisions: dict[str, list[Decision]] = {}
        for item in about:
            found = self._item_rules(item, now)
            if found:
                decisions[item.id] = found
        for topic, item in self._spike_candidates(about, now).items():
            spike = self.spike(topic, local_day(item, now))
            if spike is not None:
                decisions.setdefault(item.id, []).append(self._spike_decision(spike, now))
        return decisions

    def spike(self, topic: Topic, day: date) -> Spike | None:
        """The spike on ``topic`` on ``day``, or ``None`` (also when the memory is younger than the baseline window)."""
        if self.sightings is None:
            return None
        routing = self.config.routing
        first = day - timedelta(days=routing.spike_baseline_days)
        known_since = self.sightings.first_day()
        if known_since is None or known_since > first:
            log.debug("no spike check for %s: memory starts %s, baseline needs %s", topic, known_since, first)
            return None
        counts = self.sightings.topic_counts(topic.value, first, day)
        today = counts.pop(day)
        history = list(counts.values())
        mean = statistics.fmean(history)
        sd = statistics.pstdev(history)
        threshold = max(float(routing.spike_min_items), mean + routing.spike_sd * sd)
        if today < threshold:
            return None
        return Spike(topic=topic, day=day, count=today, mean=mean, sd=sd, threshold=threshold)

    def _item_rules(self, item: Item, now: datetime) -> list[Decision]:
        labels = item.classified
        assert labels is not None
        routing = self.config.routing
        owner = self.config.unit_for(labels.topic)
        place = self.config.locality.name
        topic = f"chủ đề: {topic_name(labels.topic)}"
        auto = [match for match in labels.claims if match.tier == AUTO_TIER]
        negative = labels.stance is Stance.NEGATIVE and labels.stance_confidence >= routing.min_stance_confidence
        language = item.extracted.language if item.extracted else ""
        foreign = bool(language) and language != "vi"
        spread = self._spread(item)
        found: list[Decision] = []
        if auto:
            evidence = auto[0].url
            lead = f"Tin {stance_name(Stance.NEGATIVE)} về {place}, lặp" if negative else f"Tin về {place} lặp"
            reason = f"{lead} lại thông tin đã được đính chính là sai, {topic}"
            found.append(Decision(self._routed(owner, reason, Urgency.URGENT, now), "false_claim", None, evidence))
        elif negative and spread >= routing.wide_reach_outlets:
            reason = f"Tin {stance_name(Stance.NEGATIVE)} về {place} lan rộng: {spread} nguồn tin đã đăng, {topic}"
            found.append(Decision(self._routed(owner, reason, Urgency.URGENT, now), "wide_reach"))
        elif negative and routing.negative_needs_response:
            where = f" ({_LANGUAGE_VI.get(language, language)})" if foreign else ""
            reason = f"Tin {stance_name(Stance.NEGATIVE)}{where} về {place}, {topic}"
            found.append(Decision(self._routed(owner, reason, Urgency.ROUTINE, now), "negative"))
        if negative and foreign and routing.foreign_negative:
            desk = self.config.unit_for(Topic.FOREIGN_AFFAIRS)
            if all(d.routed.unit_id != desk.id for d in found):
                reason = (
                    f"Báo chí nước ngoài ({_LANGUAGE_VI.get(language, language)}) đưa tin "
                    f"{stance_name(Stance.NEGATIVE)} về {place}, {topic}; đơn vị chủ trì: {owner.name}"
                )
                found.append(Decision(self._routed(desk, reason, Urgency.ROUTINE, now), "foreign_negative"))
        return found

    def _spread(self, item: Item) -> int:
        """How many outlets have carried the item's story (at least its own)."""
        labels = item.classified
        cluster = labels.cluster_id if labels else ""
        if not cluster or self.sightings is None:
            return 1
        return len(self.sightings.cluster_outlets(cluster) | {item.fetched.outlet})

    def _spike_candidates(self, items: Sequence[Item], now: datetime) -> dict[Topic, Item]:
        """One item per topic seen in the batch (the newest), to stand for that topic's spike."""
        latest: dict[Topic, Item] = {}
        for item in items:
            topic = item.classified.topic if item.classified else None
            if topic is None:
                continue
            held = latest.get(topic)
            if held is None or local_day(item, now) >= local_day(held, now):
                latest[topic] = item
        return latest

    def _spike_decision(self, spike: Spike, now: datetime) -> Decision:
        owner = self.config.unit_for(spike.topic)
        reason = (
            f"Số tin về {self.config.locality.name} chủ đề {topic_name(spike.topic)} ngày "
            f"{spike.day:%d/%m/%Y} tăng đột biến: {spike.count} tin, vượt ngưỡng {spike.threshold:.1f} "
            f"(trung bình {spike.mean:.1f} + {self.config.routing.spike_sd:g} × độ lệch chuẩn {spike.sd:.1f} "
            f"của {self.config.routing.spike_baseline_days} ngày trước)"
        )
        key = f"spike:{spike.topic.value}:{spike.day.isoformat()}"
        return Decision(self._routed(owner, reason, Urgency.ROUTINE, now), "spike", key)

    @staticmethod
    def _routed(unit: Unit, reason: str, urgency: Urgency, now: datetime) -> Routed:
        return Routed(unit_id=unit.id, reason=reason, urgency=urgency, routed_at=now)


def saved_search_decision(saved_name: str, unit_id: str, labels: Classified | None, now: datetime) -> Decision:
    """The alert for an item matching a saved search an analyst turned into an alert (routine)."""
    topic = f", chủ đề: {topic_name(labels.topic)}" if labels else ""
    reason = f"Tin khớp tìm kiếm đã lưu “{saved_name}”{topic}"
    return Decision(Routed(unit_id=unit_id, reason=reason, urgency=Urgency.ROUTINE, routed_at=now), "saved_search", "")
