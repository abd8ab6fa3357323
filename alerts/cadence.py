"""When each unit's digest is due, and when routine mail waits (quiet hours). Times are Vietnam local.

A digest *slot* is the latest scheduled time at or before now: the top of the hour for
``hourly``, today's ``digest_at`` for ``daily`` (yesterday's before that time), and
Monday's ``digest_at`` for ``weekly``. A slot is handled once (sent, or found empty), so a
scheduler that was down catches up with one digest, not one per missed slot.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from alerts.digest import VIETNAM_TIME
from core.unit import Unit


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def digest_slot(unit: Unit, now: datetime) -> datetime:
    """The unit's latest digest slot at or before ``now`` (timezone-aware, Vietnam time)."""
    local = now.astimezone(VIETNAM_TIME)
    if unit.digest == "hourly":
        return local.replace(minute=0, second=0, microsecond=0)
    at = _clock(unit.digest_at)
    slot = local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if unit.digest == "weekly":
        slot -= timedelta(days=slot.weekday())
        return slot if slot <= local else slot - timedelta(days=7)
    return slot if slot <= local else slot - timedelta(days=1)


def in_quiet_hours(unit: Unit, now: datetime) -> bool:
    """Whether ``now`` falls in the unit's quiet hours (a window may wrap past midnight)."""
    if unit.quiet_hours is None:
        return False
    start, end = (_clock(value) for value in unit.quiet_hours)
    clock = now.astimezone(VIETNAM_TIME).time()
    return start <= clock < end if start <= end else clock >= start or clock < end
