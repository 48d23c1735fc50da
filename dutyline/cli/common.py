"""What the command groups (`dutyline roster …`, `dutyline incident …`, `dutyline call …`) share: the
group's options and the session they make, idempotency keys, the default site, a refused step as one
line, names of API enum values, local dates and times of a site's zone, and the house style of tables
(ids never cut short)."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import grpc
import typer
from google.protobuf.message import Message
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dutyline.cli import connect
from dutyline.cli.i18n import Lang, from_locale, set_language, t
from dutyline.common.v1 import common_pb2
from dutyline.grpckit.convert import ts

T = TypeVar("T")

# -- options of every group and of many commands ----------------------------------------------------

LangOpt = Annotated[
    Lang | None, typer.Option("--lang", help="语言 zh | en (default: from LC_ALL / LANG)", case_sensitive=False)
]
TokenOpt = Annotated[
    str | None, typer.Option("--token", help="令牌 bearer token (default: $DUTYLINE_TOKEN, then platform.json)")
]
StateDirOpt = Annotated[Path, typer.Option("--state-dir", help="数据目录 where `dutyline up` wrote platform.json")]
SiteOpt = Annotated[str | None, typer.Option("--site", help="站点 site id (default: the token's site)")]
FromOpt = Annotated[
    str | None, typer.Option("--from", metavar="YYYY-MM-DD", help="起始日期 first local date of the site")
]
ToOpt = Annotated[str | None, typer.Option("--to", metavar="YYYY-MM-DD", help="截止日期 last local date (inclusive)")]
KeyOpt = Annotated[
    str | None,
    typer.Option("--idempotency-key", help="幂等键 idempotency key, to retry a request safely (default: a new UUID)"),
]


@dataclass(frozen=True)
class Session:
    """What a group's options say for the command being run."""

    service: str
    token: str | None
    state_dir: Path
    out: Console

    def target(self, service: str | None = None) -> connect.Target:
        """Where the group's service (or another one) is, and the caller's token."""
        return connect.resolve(service or self.service, token=self.token, state_dir=self.state_dir)


def start_session(ctx: typer.Context, service: str, lang: Lang | None, token: str | None, state_dir: Path) -> None:
    """A group's callback: choose the language and remember the options for the command."""
    set_language(lang or from_locale())
    ctx.obj = Session(service=service, token=token, state_dir=state_dir, out=Console(highlight=False))


def session(ctx: typer.Context) -> Session:
    found = ctx.find_object(Session)
    assert found is not None, "the group's callback sets the session"
    return found


def site_or_default(site: str | None, target: connect.Target) -> str:
    """The named site, else the token's first site when it is a plain site id."""
    site_id = site or connect.default_site(target.token)
    if not site_id:
        connect.fail(t("error.need_site", why=t("error.no_default_site")))
    return site_id


def new_key(given: str | None) -> str:
    return given or str(uuid.uuid4())


def read_text(value: str) -> str:
    """``-`` reads the text from standard input (a long text from a file or an editor)."""
    return sys.stdin.read() if value == "-" else value


def run_refusing(
    target: connect.Target, work: Callable[[grpc.aio.Channel], Awaitable[T]], *, idempotency_key: str | None = None
) -> T:
    """``connect.run``, with a refused step (FAILED_PRECONDITION: not allowed in the current state) shown
    as one line "Refused …" with exit code 2, like every other error."""

    async def refusing(ch: grpc.aio.Channel) -> T:
        try:
            return await work(ch)
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.FAILED_PRECONDITION:
                raise
            detail = " ".join((error.details() or "").split())
            connect.fail(t("error.refused", code=error.code().name, detail=detail))

    return connect.run(target, refusing, idempotency_key=idempotency_key)


# -- names of API enum values -----------------------------------------------------------------------


def _prefix(enum: Any) -> str:
    """ "CHANNEL_" for an enum whose zero value is CHANNEL_UNSPECIFIED."""
    return str(enum.Name(0)).removesuffix("UNSPECIFIED")


def enum_name(enum: Any, value: int) -> str:
    """The plain name of a value of a generated enum: "phone" for CHANNEL_PHONE; "" when unspecified."""
    return "" if value == 0 else str(enum.Name(value)).removeprefix(_prefix(enum)).lower()


def enum_value(enum: Any, name: str) -> str:
    """The API's name of a plain name, which a request takes as the value: "CHANNEL_PHONE" for "phone"."""
    value = _prefix(enum) + name.upper()
    enum.Value(value)  # a ValueError for a name the enum does not have
    return value


# -- dates and times --------------------------------------------------------------------------------


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


# -- tables -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ids:
    """A column of identifiers: never wrapped at a hyphen nor cut short, so that they can be copied."""

    header: str


def list_table(title: str, *columns: str | Ids, caption: str | None = None) -> Table:
    table = Table(
        title=title,
        caption=caption,
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        title_justify="left",
        caption_justify="left",
    )
    for column in columns:
        if isinstance(column, Ids):
            table.add_column(column.header, no_wrap=True, overflow="fold")
        else:
            table.add_column(column, overflow="fold")
    return table


def record_table(title: str, rows: list[tuple[str, str]]) -> Table:
    """A two-column table of a single record (empty values left out); ids are never cut short."""
    table = Table(title=title, show_header=False, box=None, pad_edge=False, title_justify="left")
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for key, value in rows:
        if value:
            table.add_row(key, escape(value))
    return table
