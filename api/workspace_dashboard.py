"""The dashboard (``/dashboard``): volume by stance per day, topics, outlets, languages, open alerts by unit.

Everything is counted by the store (facets and its Vietnam-day histogram), never by
loading items: one search over the window for the topic, outlet and language counts and
one per stance for its days, whatever the number of items. Charts are drawn on the server
as SVG with their geometry computed here (the CSP forbids inline styles and scripts), and
each chart sits beside a table with the same numbers for screen readers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from alerts import Alert, AlertBook, AlertStatus
from api.auth import Principal, require_page
from api.deps import ClientDep, ServicesDep, TranslatorDep
from api.pages import render
from api.permissions import Permission
from api.views import VIETNAM_TIME, Labels
from core.config import ProjectConfig
from core.enums import Stance
from core.ports import Store
from core.search import DAY_FACET, SearchQuery

router = APIRouter()

DashboardPrincipal = Annotated[Principal, Depends(require_page(Permission.REPORTS))]

#: The windows a reader may choose, in days (the first is the default).
WINDOWS: tuple[int, ...] = (7, 30)
#: How many values a ranked list shows; the search page's facets list them all.
TOP = 10
#: The most alerts of one status read for the unit table; alerts are few, this only bounds a runaway book.
ALERT_LIMIT = 10_000
#: The stance chart's drawing area in SVG user units, about its size on screen (the SVG scales down on
#: narrow screens); each day gets an equal slot and its bar two thirds of it.
CHART_WIDTH = 720
CHART_HEIGHT = 180
#: Width of the longest bar in a ranked list.
BAR_MAX = 200
UNLABELLED = "none"


@dataclass(frozen=True, slots=True)
class Segment:
    """One stance's part of a day's bar: where it is drawn and what it counts."""

    stance: str
    count: int
    y: float
    height: float


@dataclass(frozen=True, slots=True)
class DayBar:
    """One day of the stance chart."""

    day: date
    x: float
    width: float
    total: int
    segments: tuple[Segment, ...]

    def count(self, stance: str) -> int:
        """How many items of ``stance`` were published that day."""
        return sum(s.count for s in self.segments if s.stance == stance)


@dataclass(frozen=True, slots=True)
class Bar:
    """One row of a ranked list: a value, its count and the length of its bar."""

    value: str
    label: str
    count: int
    width: float


@dataclass(frozen=True, slots=True)
class UnitLoad:
    """A unit's alerts still waiting: not acknowledged, acknowledged but not answered, and overdue."""

    unit_id: str
    name: str
    open: int
    acknowledged: int
    overdue: int


@dataclass(frozen=True, slots=True)
class Dashboard:
    """What the dashboard shows for one window."""

    days: int
    since: date
    until: date
    total: int
    stances: tuple[str, ...]
    volume: tuple[DayBar, ...]
    chart_width: int
    chart_height: int
    peak: int
    topics: tuple[Bar, ...]
    outlets: tuple[Bar, ...]
    languages: tuple[Bar, ...]
    units: tuple[UnitLoad, ...] | None


def window_start(days: int, now: datetime) -> tuple[date, datetime]:
    """The first Vietnam calendar day of a ``days``-day window ending today, and its midnight in UTC."""
    today = now.astimezone(VIETNAM_TIME).date()
    first = today - timedelta(days=days - 1)
    return first, datetime.combine(first, time(), VIETNAM_TIME).astimezone(UTC)


def stance_volume(
    store: Store, since: datetime, first: date, days: int
) -> tuple[tuple[DayBar, ...], dict[str, dict[str, int]], int]:
    """Items per Vietnam day and stance over the window; also the window's facets and total.

    The day histogram of one search per stance gives the stacked bars; items without a
    stance are the day's total less the stances' counts.
    """
    overall = store.search(SearchQuery(since=since, limit=0, facets=True))
    per_stance = {
        stance.value: store.search(
            SearchQuery(filters={"stance": (stance.value,)}, since=since, limit=0, facets=True)
        ).facets.get(DAY_FACET, {})
        for stance in Stance
    }
    all_days = overall.facets.get(DAY_FACET, {})
    window = [first + timedelta(days=n) for n in range(days)]
    counts: list[dict[str, int]] = []
    for day in window:
        key = day.isoformat()
        row = {stance: per_stance[stance].get(key, 0) for stance in per_stance}
        row[UNLABELLED] = max(0, all_days.get(key, 0) - sum(row.values()))
        counts.append(row)
    peak = max((sum(row.values()) for row in counts), default=0)
    slot = CHART_WIDTH / days
    bars = []
    for n, (day, row) in enumerate(zip(window, counts, strict=True)):
        y = float(CHART_HEIGHT)
        segments = []
        for stance, count in row.items():
            height = CHART_HEIGHT * count / peak if peak else 0.0
            y -= height
            segments.append(Segment(stance, count, round(y, 2), round(height, 2)))
        x = round(n * slot + slot / 6, 2)
        bars.append(DayBar(day, x, round(slot * 2 / 3, 2), sum(row.values()), tuple(segments)))
    total = sum(bar.total for bar in bars)
    return tuple(bars), overall.facets, total


def ranked(counts: dict[str, int], label: Callable[[str], str]) -> tuple[Bar, ...]:
    """The ``TOP`` largest values, largest first, each with its bar length relative to the largest."""
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
    peak = top[0][1] if top else 0
    return tuple(
        Bar(value, label(value), count, round(BAR_MAX * count / peak, 2) if peak else 0.0) for value, count in top
    )


def unit_loads(book: AlertBook, config: ProjectConfig | None, labels: Labels, now: datetime) -> tuple[UnitLoad, ...]:
    """Alerts waiting per unit: every configured unit (in config order), then any other unit with alerts.

    An open alert is overdue once its unit's acknowledgement deadline (by urgency) has passed,
    the same rule the escalation job applies.
    """
    waiting = book.listing(status=AlertStatus.OPEN, limit=ALERT_LIMIT)
    acknowledged = book.listing(status=AlertStatus.ACKNOWLEDGED, limit=ALERT_LIMIT)
    order = [unit.id for unit in config.units] if config else []
    order += sorted({a.unit_id for a in (*waiting, *acknowledged)} - set(order))
    return tuple(
        UnitLoad(
            unit_id=unit_id,
            name=labels.unit(unit_id),
            open=sum(1 for a in waiting if a.unit_id == unit_id),
            acknowledged=sum(1 for a in acknowledged if a.unit_id == unit_id),
            overdue=sum(1 for a in waiting if a.unit_id == unit_id and is_overdue(a, config, now)),
        )
        for unit_id in order
    )


def is_overdue(alert: Alert, config: ProjectConfig | None, now: datetime) -> bool:
    """Whether an open alert has outlived its unit's acknowledgement deadline (never without the config)."""
    unit = config.unit(alert.unit_id) if config else None
    if unit is None or alert.status is not AlertStatus.OPEN:
        return False
    return now >= alert.created_at + unit.ack_deadline(alert.urgency.value)


def build(
    store: Store, book: AlertBook | None, config: ProjectConfig | None, labels: Labels, *, days: int, now: datetime
) -> Dashboard:
    """Count everything the dashboard shows for the ``days`` ending today (Vietnam time)."""
    first, since = window_start(days, now)
    volume, facets, total = stance_volume(store, since, first, days)
    return Dashboard(
        days=days,
        since=first,
        until=first + timedelta(days=days - 1),
        total=total,
        stances=(*(s.value for s in Stance), UNLABELLED),
        volume=volume,
        chart_width=CHART_WIDTH,
        chart_height=CHART_HEIGHT,
        peak=max((bar.total for bar in volume), default=0),
        topics=ranked(facets.get("topic", {}), labels.topic),
        outlets=ranked(facets.get("outlet", {}), str),
        languages=ranked(facets.get("language", {}), labels.language),
        units=unit_loads(book, config, labels, now) if book else None,
    )


@router.get("/dashboard")
def dashboard_page(
    request: Request,
    *,
    days: Annotated[int, Query()] = WINDOWS[0],
    services: ServicesDep,
    t: TranslatorDep,
    client: ClientDep,
    principal: DashboardPrincipal,
) -> HTMLResponse:
    """The dashboard for the last 7 or 30 days (another number falls back to 7); each view is audited."""
    days = days if days in WINDOWS else WINDOWS[0]
    labels = Labels(t, services.config)
    board = build(services.store, services.alerts, services.config, labels, days=days, now=datetime.now(UTC))
    services.audit.record("dashboard.view", principal.actor, {"days": days, "client": client})
    return render(request, services, t, "dashboard.html", {"board": board, "windows": WINDOWS})
