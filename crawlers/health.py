"""The source-health view: is each source alive, how much does it bring, what goes wrong.

An office that leaves collection running needs to see at a glance which outlets went
quiet, which are failing and why, and how often each is polled. One row per source, the
same for the CLI and the API.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.source import Source
from crawlers.state import SourceRecord, SourceState

#: Items per day and error counts look back this many days, today included.
HEALTH_DAYS = 7


@dataclass(frozen=True)
class SourceHealth:
    """One source's health.

    Attributes:
        source_id: the source id.
        outlet: the outlet's name.
        status: ``ok``, ``failing`` (the latest poll failed), ``never polled``, or
            ``not configured`` (state left from a source since removed from the config).
        last_success_at: when a poll last succeeded.
        items_per_day: new items per day over the last ``HEALTH_DAYS`` days.
        errors: errors by kind over the same days (feed and article failures).
        failures: consecutive failed polls.
        interval_minutes: the current poll interval.
        next_due: when the next poll is due (``None``: now).
        last_error: the latest failure's reason, kept after recovery.
    """

    source_id: str
    outlet: str
    status: str
    last_success_at: datetime | None
    items_per_day: float
    errors: dict[str, int]
    failures: int
    interval_minutes: float
    next_due: datetime | None
    last_error: str

    def as_json(self) -> dict[str, object]:
        """The row as JSON-ready values (times in ISO 8601, UTC)."""
        return {
            "id": self.source_id,
            "outlet": self.outlet,
            "status": self.status,
            "last_success_at": self.last_success_at.isoformat() if self.last_success_at else None,
            "items_per_day": self.items_per_day,
            "errors": dict(self.errors),
            "consecutive_failures": self.failures,
            "interval_minutes": self.interval_minutes,
            "next_due": self.next_due.isoformat() if self.next_due else None,
            "last_error": self.last_error,
        }


def source_health(state: SourceState, sources: Sequence[Source], now: datetime) -> list[SourceHealth]:
    """Health rows for the configured ``sources``, then for any other source the state remembers.

    Returns:
        one row per source, configured ones in config order.
    """
    since = (now - timedelta(days=HEALTH_DAYS - 1)).date()
    items = state.items_since(since)
    errors = state.errors_since(since)
    records = {record.source_id: record for record in state.records()}
    rows = [_row(s.id, s.outlet.name, records.pop(s.id, None), s, items=items, errors=errors) for s in sources]
    rows += [_row(r.source_id, r.outlet, r, None, items=items, errors=errors) for r in records.values()]
    return rows


def _row(
    source_id: str,
    outlet: str,
    record: SourceRecord | None,
    source: Source | None,
    *,
    items: dict[str, int],
    errors: dict[str, dict[str, int]],
) -> SourceHealth:
    if record is None:
        status = "never polled"
    elif source is None:
        status = "not configured"
    else:
        status = "failing" if record.failures else "ok"
    interval = record.interval_seconds / 60 if record else (source.interval_minutes if source else 0)
    return SourceHealth(
        source_id=source_id,
        outlet=outlet,
        status=status,
        last_success_at=record.last_success_at if record else None,
        items_per_day=round(items.get(source_id, 0) / HEALTH_DAYS, 2),
        errors=errors.get(source_id, {}),
        failures=record.failures if record else 0,
        interval_minutes=round(interval, 1),
        next_due=record.next_due if record else None,
        last_error=record.last_error if record else "",
    )
