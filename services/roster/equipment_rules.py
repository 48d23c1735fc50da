"""Rules of the duty room's equipment and supplies (值班设备与应急物资), pure: every time is an argument.

A check is due once per period (every shift, day, ISO week or calendar month, in the site's time
zone): in a shift, the checks whose period the shift starts in and that nobody has done in that
period yet. A supply warns when below its minimum, and from ``warn_days`` before its expiry date."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PERIODS = ("shift", "daily", "weekly", "monthly")
PERIOD_LABELS = {"shift": "每班 per shift", "daily": "每日 daily", "weekly": "每周 weekly", "monthly": "每月 monthly"}
DEFAULT_WARN_DAYS = 30


@dataclass(frozen=True)
class CheckSpec:
    """One check a piece of equipment needs (设备检查项)."""

    equipment_id: str
    equipment_name: str
    name: str
    period: str


def period_start(period: str, *, shift_start: datetime, time_zone: str) -> datetime:
    """The start of the period of ``period`` that the shift starting at ``shift_start`` falls in."""
    if period == "shift":
        return shift_start
    zone = ZoneInfo(time_zone)
    day = shift_start.astimezone(zone).date()
    if period == "daily":
        first = day
    elif period == "weekly":
        first = day - timedelta(days=day.weekday())
    elif period == "monthly":
        first = day.replace(day=1)
    else:
        raise ValueError(f"unknown check period {period!r}")
    return datetime.combine(first, time(0), tzinfo=zone)


def checks_due(
    specs: Iterable[CheckSpec],
    last_done: Mapping[tuple[str, str], datetime],
    *,
    shift_start: datetime,
    time_zone: str,
) -> list[CheckSpec]:
    """The checks due in the shift starting at ``shift_start``: those not done (``last_done`` by
    (equipment id, check name)) since the start of their period."""
    due = []
    for spec in specs:
        done = last_done.get((spec.equipment_id, spec.name))
        if done is None or done < period_start(spec.period, shift_start=shift_start, time_zone=time_zone):
            due.append(spec)
    return due


def local_today(now: datetime, time_zone: str) -> date:
    return now.astimezone(ZoneInfo(time_zone)).date()


def supply_warnings(
    *, quantity: int, minimum: int, expiry_date: date | None, today: date, warn_days: int = DEFAULT_WARN_DAYS
) -> list[str]:
    """ "below_minimum", and "expired" (past its expiry date) or "expiring" (within ``warn_days``)."""
    warnings = []
    if quantity < minimum:
        warnings.append("below_minimum")
    if expiry_date is not None:
        if expiry_date < today:
            warnings.append("expired")
        elif expiry_date <= today + timedelta(days=warn_days):
            warnings.append("expiring")
    return warnings
