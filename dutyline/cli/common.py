"""What the command groups (`dutyline roster …`, `dutyline incident …`) share: the group's options and
the session they make, idempotency keys, the default site, local dates and times of a site's zone,
and the house style of tables (ids never cut short)."""

from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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


def local_period(zone: ZoneInfo, first: date, last: date) -> common_pb2.TimeRange:
    """From local midnight of ``first`` to local midnight after ``last``."""
    start = datetime.combine(first, time(), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=zone)
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
