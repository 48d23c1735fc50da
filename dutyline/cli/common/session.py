"""What the command groups (`dutyline roster …`, `dutyline incident …`, `dutyline call …`) share: the
group's options and the session they make, idempotency keys, the default site, and a refused step as
one line."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, TypeVar

import grpc
import typer
from rich.console import Console

from dutyline.cli.common import connect
from dutyline.cli.common.i18n import Lang, from_locale, set_language, t
from dutyline.cli.common.tables import Out

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
    ctx.obj = Session(service=service, token=token, state_dir=state_dir, out=Out(highlight=False))


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
