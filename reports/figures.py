"""The numbers a leaders' report shows, computed from the period's items and alerts.

Everything here is counted from what the store and the alert book hold; nothing is
estimated. Attribution stops at the outlet: there is no per-person figure.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from alerts import Alert, AlertStatus, stance_name, topic_name
from core.config import ProjectConfig
from core.enums import Stance
from core.item import Item
from core.ports import Store
from core.search import SearchQuery, Sort
from reports.period import VIETNAM_TIME, Period

#: The languages counted as foreign coverage are every language but this one.
HOME_LANGUAGE = "vi"

#: Content-language names for the language chart.
LANGUAGE_NAMES = {
    "vi": "Tiếng Việt",
    "en": "Tiếng Anh",
    "zh": "Tiếng Trung",
    "ko": "Tiếng Hàn",
    "ja": "Tiếng Nhật",
    "lo": "Tiếng Lào",
    "km": "Tiếng Khmer",
    "th": "Tiếng Thái",
    "fr": "Tiếng Pháp",
    "ru": "Tiếng Nga",
    "?": "Chưa xác định",
}


def language_list(counts: Counter[str]) -> str:
    """``"Tiếng Anh (3), Tiếng Hàn (1)"``, or ``"không có"``."""
    return ", ".join(f"{LANGUAGE_NAMES.get(code, code)} ({n})" for code, n in counts.most_common()) or "không có"


@dataclass(frozen=True, slots=True)
class FalseClaimRow:
    """One false claim met in the period and how fast its unit answered."""

    title: str
    outlet: str
    unit: str
    evidence_url: str
    raised: str
    acknowledged_after: str
    answered_after: str
    answer_link: str
    spread: int


@dataclass(frozen=True, slots=True)
class Story:
    """A story cluster (or a lone item) and how far it spread."""

    title: str
    outlets: int
    items: int
    stance: str
    topic: str


@dataclass(frozen=True, slots=True)
class Figures:
    """The report's numbers for one period."""

    period: Period
    total: int
    by_day_stance: dict[date, dict[Stance, int]]
    stances: Counter[Stance]
    topics: Counter[str]
    outlets: Counter[str]
    languages: Counter[str]
    foreign_total: int
    foreign_stances: Counter[Stance]
    foreign_languages: Counter[str]
    false_claims: tuple[FalseClaimRow, ...]
    stories: tuple[Story, ...]
    alerts_total: int
    alerts_by_status: Counter[str]
    alerts_by_unit: Counter[str]
    escalated: int
    median_ack_hours: float | None
    median_answer_hours: float | None
    changes: tuple[str, ...] = field(default=())

    @property
    def negative_share(self) -> float:
        """Negative items as a share of all items (0 when there are none)."""
        return self.stances[Stance.NEGATIVE] / self.total if self.total else 0.0


def items_in(store: Store, period: Period, page_size: int = 500) -> Iterator[Item]:
    """Every stored item published in ``period``, oldest first, a page at a time."""
    query = SearchQuery(since=period.start, until=period.end, sort=Sort.OLDEST, limit=page_size, facets=False)
    offset = 0
    while True:
        page = store.search(replace(query, offset=offset))
        for hit in page.hits:
            yield hit.item
        if len(page.hits) < page_size:
            return
        offset += page_size


def compute(items: Sequence[Item], alerts: Sequence[Alert], period: Period, config: ProjectConfig) -> Figures:
    """Count the period's coverage and responses."""
    by_day: dict[date, dict[Stance, int]] = {day: dict.fromkeys(Stance, 0) for day in period.days}
    stances: Counter[Stance] = Counter()
    topics: Counter[str] = Counter()
    outlets: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    foreign_stances: Counter[Stance] = Counter()
    foreign_languages: Counter[str] = Counter()
    clusters: dict[str, list[Item]] = {}
    for item in items:
        labels = item.classified
        stance = labels.stance if labels and labels.stance else Stance.NEUTRAL
        day = item.published.astimezone(VIETNAM_TIME).date() if item.published and item.published.tzinfo else None
        if day in by_day:
            by_day[day][stance] += 1
        stances[stance] += 1
        topics[topic_name(labels.topic if labels else None)] += 1
        outlets[item.fetched.outlet] += 1
        language = (item.extracted.language if item.extracted else "") or "?"
        languages[language] += 1
        if language not in (HOME_LANGUAGE, "?"):
            foreign_stances[stance] += 1
            foreign_languages[language] += 1
        key = (labels.cluster_id if labels else "") or f"item:{item.id}"
        clusters.setdefault(key, []).append(item)
    units = {unit.id: unit.name for unit in config.units}
    acks = [a.time_to_acknowledge for a in alerts if a.time_to_acknowledge is not None]
    answers = [a.time_to_answer for a in alerts if a.time_to_answer is not None]
    return Figures(
        period=period,
        total=sum(stances.values()),
        by_day_stance=by_day,
        stances=stances,
        topics=topics,
        outlets=outlets,
        languages=languages,
        foreign_total=sum(foreign_languages.values()),
        foreign_stances=foreign_stances,
        foreign_languages=foreign_languages,
        false_claims=tuple(_false_claim(a, units) for a in alerts if a.trigger == "false_claim" or a.evidence_url),
        stories=_top_stories(clusters),
        alerts_total=len(alerts),
        alerts_by_status=Counter(a.status.value for a in alerts),
        alerts_by_unit=Counter(units.get(a.unit_id, a.unit_id) for a in alerts),
        escalated=sum(1 for a in alerts if a.escalated_at is not None),
        median_ack_hours=_median_hours(acks),
        median_answer_hours=_median_hours(answers),
    )


def with_changes(current: Figures, previous: Figures) -> Figures:
    """``current`` with the sentences saying what changed since ``previous`` (Vietnamese)."""
    lines = [
        f"Tổng số tin: {current.total} ({_delta(current.total, previous.total)} so với kỳ trước: {previous.total}).",
        f"Tỷ lệ tin {stance_name(Stance.NEGATIVE)}: {current.negative_share:.0%} "
        f"(kỳ trước: {previous.negative_share:.0%}).",
        f"Tin báo chí nước ngoài: {current.foreign_total} ({_delta(current.foreign_total, previous.foreign_total)}).",
        f"Thông tin sai đã được đính chính bị lặp lại: {len(current.false_claims)} "
        f"({_delta(len(current.false_claims), len(previous.false_claims))}).",
    ]
    risen = sorted(
        ((topic, count - previous.topics.get(topic, 0)) for topic, count in current.topics.items()),
        key=lambda pair: (-pair[1], pair[0]),
    )
    if risen and risen[0][1] > 0:
        topic, gain = risen[0]
        lines.append(f"Chủ đề tăng nhiều nhất: {topic} (thêm {gain} tin).")
    new_outlets = sorted(set(current.outlets) - set(previous.outlets))
    if new_outlets:
        lines.append(f"Nguồn tin mới đưa tin: {', '.join(new_outlets[:8])}.")
    return replace(current, changes=tuple(lines))


def hours_text(delta: timedelta | None) -> str:
    """A duration as Vietnamese hours ("3,5 giờ"), ``"chưa"`` when it has not happened."""
    if delta is None:
        return "chưa"
    return f"{delta.total_seconds() / 3600:.1f} giờ".replace(".", ",")


def _false_claim(alert: Alert, units: dict[str, str]) -> FalseClaimRow:
    raised = alert.created_at.astimezone(VIETNAM_TIME).strftime("%d/%m %H:%M")
    return FalseClaimRow(
        title=alert.title,
        outlet=alert.outlet,
        unit=units.get(alert.unit_id, alert.unit_id),
        evidence_url=alert.evidence_url,
        raised=raised,
        acknowledged_after=hours_text(alert.time_to_acknowledge),
        answered_after=hours_text(alert.time_to_answer) if alert.status is AlertStatus.ANSWERED else "chưa",
        answer_link=alert.answer_link,
        spread=alert.spread,
    )


def _top_stories(clusters: dict[str, list[Item]], limit: int = 8) -> tuple[Story, ...]:
    stories = []
    for members in clusters.values():
        first = members[0]
        labels = first.classified
        stories.append(
            Story(
                title=first.title,
                outlets=len({m.fetched.outlet for m in members}),
                items=len(members),
                stance=stance_name(labels.stance if labels else None),
                topic=topic_name(labels.topic if labels else None),
            )
        )
    stories.sort(key=lambda s: (-s.outlets, -s.items, s.title))
    return tuple(stories[:limit])


def _median_hours(durations: Sequence[timedelta]) -> float | None:
    return statistics.median(d.total_seconds() / 3600 for d in durations) if durations else None


def _delta(now: int, before: int) -> str:
    if now == before:
        return "không đổi"
    return f"tăng {now - before}" if now > before else f"giảm {before - now}"
