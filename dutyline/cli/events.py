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
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dutyline.cli import connect
from dutyline.cli.common import LangOpt, StateDirOpt, session, start_session
from dutyline.cli.events_views import Rendition, SubjectError, decode, event_line, subject
from dutyline.cli.i18n import t
from dutyline.cli.state import DEFAULT_STATE_DIR, PlatformInfo
from dutyline.config import get_settings

if TYPE_CHECKING:
    from nats.aio.msg import Msg

events_app = typer.Typer(help="事件流 The platform's events on NATS: tail.", no_args_is_help=True)

CONNECT_TIMEOUT = 5
# How often a wait for the next message looks up from it (the time limit, a refused subscription).
POLL = 0.5


@dataclass(frozen=True)
class NatsSource:
    url: str
    creds: str  # a .creds file; "" connects without


def nats_source(url: str | None, creds: str | None, state_dir: Path) -> NatsSource:
    """Where NATS is and the credentials to use. The creds come with the URL they were found beside
    (never the platform's own creds sent to a server named by hand), unless ``creds`` is given."""
    if url:
        return NatsSource(url, creds or "")
    env_url = os.environ.get("DUTYLINE_NATS_URL")
    if env_url:
        return NatsSource(env_url, creds or os.environ.get("DUTYLINE_NATS_CREDS", ""))
    try:
        info = PlatformInfo.read(state_dir)
    except (OSError, ValueError, TypeError):
        info = None  # unreadable or from another version: as if absent
    if info is not None and info.nats_url:
        return NatsSource(info.nats_url, creds or info.nats_creds)
    settings = get_settings()
    return NatsSource(settings.nats_url, creds or settings.nats_creds)


@events_app.callback()
def events_main(ctx: typer.Context, lang: LangOpt = None, state_dir: StateDirOpt = DEFAULT_STATE_DIR) -> None:
    """事件流 The events every change publishes (dutyline.<site>.<aggregate>.<event>), on NATS."""
    start_session(ctx, "events", lang, None, state_dir)


def _render(rendition: Rendition, msg: Msg) -> tuple[str, bool]:
    """(what to print, whether it is a dutyline event)."""
    if rendition is Rendition.protobuf:
        event = decode(msg.data)
        if event is None:
            return t("events.not_an_event", subject=msg.subject, size=len(msg.data)), False
        return event_line(event), True
    return msg.data.decode("utf-8", errors="replace").rstrip("\n"), True


async def follow(
    source: NatsSource,
    topic: str,
    rendition: Rendition,
    *,
    count: int | None,
    seconds: float | None,
    inbox_prefix: str | None,
) -> int:
    """Print what arrives on ``topic`` until ``count`` messages or ``seconds`` have passed (or forever);
    returns how many were printed."""
    # Here, not at the top: every command of the CLI would load NATS.
    import nats.errors

    from dutyline.natsconn import connect_url

    refused: list[str] = []

    async def on_error(error: Exception) -> None:
        text = " ".join(str(error).split())
        if "permissions violation" in text.lower() or "authorization" in text.lower():
            refused.append(text)

    options: dict[str, object] = {"connect_timeout": CONNECT_TIMEOUT, "error_cb": on_error}
    if inbox_prefix:
        options["inbox_prefix"] = inbox_prefix
    try:
        nc = await connect_url(source.url, source.creds or None, name="dutyline-events-tail", **options)
    except (OSError, TimeoutError, nats.errors.Error) as error:
        connect.fail(t("events.connect_failed", url=source.url, error=" ".join(str(error).split()) or repr(error)))
    printed = 0
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds if seconds else None
    try:
        sub = await nc.subscribe(topic)
        await nc.flush(timeout=CONNECT_TIMEOUT)  # the server has the subscription (or has refused it)
        while count is None or printed < count:
            if refused:
                connect.fail(t("events.refused", subject=topic, error=refused[0]))
            wait = POLL if deadline is None else min(POLL, deadline - loop.time())
            if wait <= 0:
                break
            try:
                msg = await sub.next_msg(timeout=wait)
            except nats.errors.TimeoutError:
                continue
            text, counted = _render(rendition, msg)
            typer.echo(text, err=not counted)
            printed += counted
    finally:
        await nc.close()
    return printed


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
