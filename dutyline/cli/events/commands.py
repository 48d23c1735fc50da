"""`dutyline events tail`: follow the platform's events live on NATS — one readable line per protobuf
event (``dutyline.<site>.>``), or each JSON rendition (``dutyline_json.<site>.>``, ``--json``), or the
CAP 1.2 XML of incident events (``dutyline_cap.<site>.incident.>``, ``--cap``).

The NATS server and credentials: ``--nats`` and ``--creds`` (an agency's ``.creds`` file, with its
``--inbox-prefix``), else DUTYLINE_NATS_URL and DUTYLINE_NATS_CREDS, else what the running `dutyline up`
recorded in ``<state-dir>/platform.json``, else the configured default. ``--count`` stops after so many
events and ``--seconds`` after so long (for scripts); Ctrl-C ends it cleanly.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from dutyline.cli.common import connect
from dutyline.cli.common.i18n import t
from dutyline.cli.common.session import LangOpt, StateDirOpt, session, start_session
from dutyline.cli.common.state import DEFAULT_STATE_DIR
from dutyline.cli.events.client import follow, nats_source
from dutyline.cli.events.views import Rendition, SubjectError, subject

events_app = typer.Typer(help="事件流 The platform's events on NATS: tail.", no_args_is_help=True)


@events_app.callback()
def events_main(ctx: typer.Context, lang: LangOpt = None, state_dir: StateDirOpt = DEFAULT_STATE_DIR) -> None:
    """事件流 The events every change publishes (dutyline.<site>.<aggregate>.<event>), on NATS."""
    start_session(ctx, "events", lang, None, state_dir)


@events_app.command()
def tail(
    ctx: typer.Context,
    site: Annotated[str | None, typer.Option("--site", help="站点 site id (default: every site)")] = None,
    event_type: Annotated[
        str | None,
        typer.Option("--type", metavar="TYPE", help="事件类型 incident.registered, a family incident.*, or *"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON 格式 the JSON renditions (dutyline_json.…)")] = False,
    as_cap: Annotated[bool, typer.Option("--cap", help="CAP 1.2 XML of incident events (dutyline_cap.…)")] = False,
    nats_url: Annotated[
        str | None, typer.Option("--nats", metavar="URL", help="NATS 地址 (default: DUTYLINE_NATS_URL, platform.json)")
    ] = None,
    creds: Annotated[
        Path | None,
        typer.Option("--creds", metavar="FILE", dir_okay=False, help="凭据文件 a NATS .creds file, e.g. an agency's"),
    ] = None,
    inbox_prefix: Annotated[
        str | None, typer.Option("--inbox-prefix", help="收件前缀 the inbox prefix of the creds (agencies)")
    ] = None,
    count: Annotated[int | None, typer.Option("--count", min=1, help="收到 N 条后停止 stop after N events")] = None,
    seconds: Annotated[
        float | None, typer.Option("--seconds", min=0.1, help="持续秒数 stop after this many seconds")
    ] = None,
) -> None:
    """跟踪事件 Follow live events: one line per event (time, site, type, aggregate, drill, detail), the
    JSON renditions (--json) or the CAP XML of incident events (--cap). Ctrl-C ends it."""
    if as_json and as_cap:
        raise typer.BadParameter(t("events.json_or_cap"), param_hint="--json / --cap")
    rendition = Rendition.json if as_json else Rendition.cap if as_cap else Rendition.protobuf
    try:
        topic = subject(rendition, site, event_type)
    except SubjectError as error:
        raise typer.BadParameter(str(error), param_hint="--site / --type") from None
    source = nats_source(nats_url, str(creds) if creds else None, session(ctx).state_dir)
    if source.creds and not Path(source.creds).is_file():
        connect.fail(t("events.no_creds", path=source.creds))
    typer.echo(t("events.following", subject=topic, url=source.url), err=True)
    try:
        asyncio.run(follow(source, topic, rendition, count=count, seconds=seconds, inbox_prefix=inbox_prefix))
    except KeyboardInterrupt:
        typer.echo(t("events.stopped"), err=True)
