"""Report periods in Vietnam time: an ISO week for the weekly report, the reporting year for the yearly one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

#: Vietnam keeps UTC+7 all year.
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")

#: The yearly report is due on 15 November, so its year runs from 15 November of the year
#: before up to (not including) 15 November: twelve full months, all known on the due date.
YEAR_CUTOFF = (11, 15)
#: Years a report may be asked for; each period's previous one (for comparison) may lie just before.
_PLAUSIBLE = (2000, 2100)


@dataclass(frozen=True, slots=True)
class Period:
    """``[start, end)`` in Vietnam time, with how the report names it.

    Attributes:
        key: ``2026-W47`` or ``2026``.
        label: the Vietnamese name used in titles ("tuần 47 năm 2026 (từ 16/11 đến 22/11/2026)").
    """

    start: datetime
    end: datetime
    key: str
    label: str

    @property
    def days(self) -> list[date]:
        """Every calendar day of the period."""
        first = self.start.date()
        return [first + timedelta(days=n) for n in range((self.end - self.start).days)]

    def previous(self) -> Period:
        """The period just before, of the same kind (last week, last reporting year)."""
        # Built without the plausibility check: the first plausible period still has a previous one.
        if "-W" in self.key:
            year, week, _ = (self.start - timedelta(days=7)).isocalendar()
            return _week(year, week)
        return _year(int(self.key) - 1)


def iso_week(text: str) -> Period:
    """The ISO week ``YYYY-Www`` (Monday to Sunday).

    Raises:
        ValueError: not of that form, or no such week; the message shows the form.
    """
    found = re.fullmatch(r"(\d{4})-W(\d{2})", text.strip())
    if not found:
        raise ValueError(f"{text!r} is not an ISO week; write it like 2026-W47")
    year, week = int(found.group(1)), int(found.group(2))
    if not _PLAUSIBLE[0] <= year <= _PLAUSIBLE[1]:
        raise ValueError(f"{text!r}: {year} is not a plausible report year")
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise ValueError(f"{text!r}: year {year} has no week {week}") from exc
    return _week(year, week)


def _week(year: int, week: int) -> Period:
    monday = date.fromisocalendar(year, week, 1)
    start = datetime.combine(monday, time(), VIETNAM_TIME)
    end = start + timedelta(days=7)
    sunday = monday + timedelta(days=6)
    label = f"tuần {week} năm {year} (từ ngày {monday:%d/%m/%Y} đến ngày {sunday:%d/%m/%Y})"
    return Period(start=start, end=end, key=f"{year}-W{week:02d}", label=label)


def reporting_year(year: int) -> Period:
    """The reporting year ending on 14 November of ``year`` (the report is due on the 15th)."""
    if not _PLAUSIBLE[0] <= year <= _PLAUSIBLE[1]:
        raise ValueError(f"{year} is not a plausible reporting year")
    return _year(year)


def _year(year: int) -> Period:
    month, day = YEAR_CUTOFF
    start = datetime(year - 1, month, day, tzinfo=VIETNAM_TIME)
    end = datetime(year, month, day, tzinfo=VIETNAM_TIME)
    last = end - timedelta(days=1)
    label = f"năm {year} (từ ngày {start:%d/%m/%Y} đến ngày {last:%d/%m/%Y})"
    return Period(start=start, end=end, key=str(year), label=label)
