"""Dates and times as people give and read them: local to a site's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from google.protobuf.message import Message

from dutyline.cli.common.i18n import t
from dutyline.common.v1 import common_pb2
from dutyline.grpckit.convert import ts


def zone_named(name: str, fallback: str = "UTC") -> ZoneInfo:
    try:
        return ZoneInfo(name or fallback)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(fallback)


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(t("error.bad_date"), param_hint=option) from None


def parse_moment(value: str | None, option: str) -> datetime | None:
    """An ISO date and time (2026-12-01T09:30, "2026-12-01 09:30", with or without an offset); without
    an offset it is a local time, see ``at_local``."""
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(t("error.bad_moment"), param_hint=option) from None


def at_local(moment: datetime, zone: ZoneInfo) -> datetime:
    """A time without an offset read as a local time of ``zone``."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def local_period(zone: ZoneInfo, first: date | None, last: date | None) -> common_pb2.TimeRange:
    """From local midnight of ``first`` to local midnight after ``last``; open on a side without a date."""
    start = datetime.combine(first, time(), tzinfo=zone) if first else None
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=zone) if last else None
    return common_pb2.TimeRange(start=ts(start), end=ts(end))


def local_time(message: Message, field: str, zone: ZoneInfo) -> datetime | None:
    if not message.HasField(field):
        return None
    value: datetime = getattr(message, field).ToDatetime(tzinfo=UTC).astimezone(zone)
    return value


def when(message: Message, field: str, zone: ZoneInfo, fmt: str = "%m-%d %H:%M") -> str:
    at = local_time(message, field, zone)
    return at.strftime(fmt) if at else ""
