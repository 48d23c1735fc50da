"""`dutyline ops dead-letters list|replay|drop`: the messages the platform set aside (dead letters).

Every service schema (intake, roster, incident, notify, insight) has a ``dead_letters`` table: outbox events
JetStream refused for good (source ``outbox:<schema>``), events a consumer could never apply
(``consumer:<name>``) and events the agency feed could not render or publish (``feed:notify``). These
commands talk to PostgreSQL directly, as an operator: ``--dsn``, else DUTYLINE_PG_DSN, else the
configured default (the one `dutyline up` listens on).

* ``list`` shows the unreplayed ones (``--all``: every one) of one schema or of all.
* ``replay`` puts an outbox dead letter back in its schema's outbox, with the same event id (so
  JetStream drops it if it was stored after all) and marks it replayed; the relay publishes it (or sets
  it aside again, as a new dead letter, if the cause is still there). A consumer's or the feed's dead
  letter is refused: publishing it again would duplicate it for every other consumer of the stream.
* ``drop`` deletes dead letters once handled, with a reason (logged), after confirmation (``--yes``).

``replay`` and ``drop`` change all the named dead letters or none.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from dutyline.cli.common import connect
from dutyline.cli.common.i18n import from_locale, set_language, t
from dutyline.cli.common.session import LangOpt
from dutyline.cli.common.tables import Ids, Out, list_table
from dutyline.cli.ops.dead_letters import (
    ALL,
    DeadLetter,
    Refused,
    drop_dead_letters,
    list_dead_letters,
    moment,
    replay_dead_letters,
    schemas_with_dead_letters,
)
from dutyline.config import get_settings

if TYPE_CHECKING:
    import asyncpg

T = TypeVar("T")

log = logging.getLogger("dutyline.ops")

ops_app = typer.Typer(help="运维 Operations on the platform's machinery: dead letters.", no_args_is_help=True)
dead_letters_app = typer.Typer(
    help="死信 Messages set aside because they could never be published or applied: list, replay, drop.",
    no_args_is_help=True,
)
ops_app.add_typer(dead_letters_app, name="dead-letters")

REASON_WIDTH = 80

DsnOpt = Annotated[
    str | None,
    typer.Option("--dsn", help="PostgreSQL 连接串 operator DSN (default: $DUTYLINE_PG_DSN, then the configured one)"),
]
SchemaOpt = Annotated[
    str, typer.Option("--schema", help="模式 intake | roster | incident | notify | insight (a service schema)")
]
SeqArg = Annotated[list[int], typer.Argument(metavar="SEQ", help="死信序号 sequence numbers (per schema)")]


# -- the commands -----------------------------------------------------------------------------------


def resolve_dsn(dsn: str | None) -> str:
    """``--dsn``, else DUTYLINE_PG_DSN, else the configured default (where `dutyline up` listens)."""
    return dsn or get_settings().pg_dsn


def shown_dsn(dsn: str) -> str:
    """The DSN without its password, to show in a message."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", dsn)


def _run(dsn: str, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    """Run ``work`` on a connection to ``dsn``; a refusal or an unreachable database exits with code 2."""
    import asyncpg  # here, not at the top: every command of the CLI would load it

    async def main() -> T:
        conn = await asyncpg.connect(dsn, timeout=10)
        try:
            return await work(conn)
        finally:
            await conn.close()

    try:
        return asyncio.run(main())
    except Refused as refused:
        connect.fail(f"{refused}\n{t('ops.nothing_changed')}")
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        connect.fail(t("ops.db_failed", dsn=shown_dsn(dsn), error=" ".join(str(error).split()) or repr(error)))


def _one_schema(schema: str) -> str:
    if schema == ALL:
        connect.fail(t("ops.schema_all"))
    return schema


def _short(text: str, width: int = REASON_WIDTH) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= width else one_line[: width - 1] + "…"


def _out() -> Console:
    return Out(highlight=False)


@ops_app.callback()
def ops_main(lang: LangOpt = None) -> None:
    """运维 Operations on the platform's own machinery, straight on PostgreSQL (an operator's DSN)."""
    set_language(lang or from_locale())


@dead_letters_app.command("list")
def list_command(
    schema: Annotated[
        str, typer.Option("--schema", help="模式 intake | roster | incident | notify | insight | all (default: all)")
    ] = ALL,
    show_all: Annotated[bool, typer.Option("--all", help="包括已重放的 also the ones replayed already")] = False,
    dsn: DsnOpt = None,
) -> None:
    """列出死信 Dead letters, oldest first: seq, schema, source, subject, event id, reason, when, replayed."""

    async def work(conn: asyncpg.Connection) -> list[DeadLetter]:
        return await list_dead_letters(conn, await schemas_with_dead_letters(conn, schema), include_replayed=show_all)

    letters = _run(resolve_dsn(dsn), work)
    out = _out()
    if not letters:
        out.print(t("ops.none"))
        return
    table = list_table(
        t("ops.title", count=len(letters)),
        Ids(t("ops.col.seq")),
        t("ops.col.schema"),
        t("ops.col.source"),
        Ids(t("ops.col.subject")),
        Ids(t("ops.col.event")),
        t("ops.col.reason"),
        t("ops.col.at"),
        t("ops.col.replayed"),
        caption=None if show_all else t("ops.caption_unreplayed"),
    )
    for d in letters:
        table.add_row(
            str(d.seq),
            d.schema,
            escape(d.source),
            escape(d.subject),
            escape(d.event_id),
            escape(_short(d.reason)),
            moment(d.at),
            moment(d.replayed_at) if d.replayed_at else "",
        )
    out.print(table)


@dead_letters_app.command("replay")
def replay_command(seqs: SeqArg, schema: SchemaOpt, dsn: DsnOpt = None) -> None:
    """重放死信 Put outbox dead letters back in their schema's outbox (same event id) to go out again.

    A consumer's or the feed's dead letter cannot be replayed (exit code 2)."""
    schema = _one_schema(schema)

    async def work(conn: asyncpg.Connection) -> list[DeadLetter]:
        return await replay_dead_letters(conn, schema, seqs)

    out = _out()
    for d in _run(resolve_dsn(dsn), work):
        out.print(t("ops.replayed", seq=d.seq, event_id=d.event_id, subject=d.subject, schema=schema), markup=False)


@dead_letters_app.command("drop")
def drop_command(
    seqs: SeqArg,
    schema: SchemaOpt,
    reason: Annotated[str, typer.Option("--reason", help="原因 why they are dropped (logged)")],
    yes: Annotated[bool, typer.Option("--yes", help="不再确认 drop without asking")] = False,
    dsn: DsnOpt = None,
) -> None:
    """删除死信 Delete dead letters once handled, saying why (--reason); asks first unless --yes."""
    schema = _one_schema(schema)
    if not reason.strip():
        connect.fail(t("ops.need_reason"))
    if not yes and not typer.confirm(t("ops.drop_confirm", count=len(set(seqs)), schema=schema), default=False):
        connect.fail(t("ops.not_confirmed"))

    async def work(conn: asyncpg.Connection) -> list[DeadLetter]:
        return await drop_dead_letters(conn, schema, seqs)

    letters = _run(resolve_dsn(dsn), work)
    who = getpass.getuser()
    out = _out()
    for d in letters:
        log.warning(
            "dead letter dropped: schema=%s seq=%s source=%s subject=%s event_id=%s by=%s reason=%s",
            schema,
            d.seq,
            d.source,
            d.subject,
            d.event_id,
            who,
            reason,
        )
        out.print(t("ops.dropped", seq=d.seq, event_id=d.event_id, source=d.source, reason=reason), markup=False)
