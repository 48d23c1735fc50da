"""`dutyline ops dead-letters list|replay|drop`: the messages the platform set aside (dead letters).

Every service schema (intake, roster, incident, notify) has a ``dead_letters`` table: outbox events
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
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from dutyline.cli import connect
from dutyline.cli.common import Ids, LangOpt, list_table
from dutyline.cli.i18n import from_locale, set_language, t
from dutyline.config import SERVICES, get_settings

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

ALL = "all"
OUTBOX_SOURCE = "outbox:"
REASON_WIDTH = 80
_SCHEMA = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

DsnOpt = Annotated[
    str | None,
    typer.Option("--dsn", help="PostgreSQL 连接串 operator DSN (default: $DUTYLINE_PG_DSN, then the configured one)"),
]
SchemaOpt = Annotated[str, typer.Option("--schema", help="模式 intake | roster | incident | notify (a service schema)")]
SeqArg = Annotated[list[int], typer.Argument(metavar="SEQ", help="死信序号 sequence numbers (per schema)")]


class Refused(Exception):
    """A replay or drop refused as a whole; the message says why, in the chosen language."""


@dataclass(frozen=True)
class DeadLetter:
    schema: str
    seq: int
    source: str
    subject: str
    event_id: str
    reason: str
    at: datetime
    replayed_at: datetime | None
    size: int

    @property
    def from_outbox(self) -> bool:
        return self.source.startswith(OUTBOX_SOURCE)


def _dead_letter(schema: str, row: asyncpg.Record) -> DeadLetter:
    return DeadLetter(
        schema=schema,
        seq=row["seq"],
        source=row["source"],
        subject=row["subject"],
        event_id=row["event_id"],
        reason=row["reason"],
        at=row["at"],
        replayed_at=row["replayed_at"],
        size=row["size"],
    )


_COLUMNS = "seq, source, subject, event_id, reason, at, replayed_at, length(data) AS size"


def _table(schema: str) -> str:
    if not _SCHEMA.match(schema):
        raise Refused(t("ops.bad_schema", schema=schema))
    return f'"{schema}".dead_letters'


async def schemas_with_dead_letters(conn: asyncpg.Connection, wanted: str) -> list[str]:
    """The schemas ``--schema`` names (``all``: the services' that exist) that have a dead_letters table."""
    names = list(SERVICES) if wanted == ALL else [wanted]
    if wanted != ALL:
        _table(wanted)
    found = {
        r["table_schema"]
        for r in await conn.fetch(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = 'dead_letters' AND table_schema = ANY($1::text[])",
            names,
        )
    }
    if wanted != ALL and wanted not in found:
        raise Refused(t("ops.no_table", schema=wanted))
    return [n for n in names if n in found]


async def list_dead_letters(
    conn: asyncpg.Connection, schemas: Sequence[str], *, include_replayed: bool = False
) -> list[DeadLetter]:
    """The dead letters of ``schemas``, oldest first; the unreplayed ones unless ``include_replayed``."""
    found: list[DeadLetter] = []
    for schema in schemas:
        where = "" if include_replayed else " WHERE replayed_at IS NULL"
        rows = await conn.fetch(f"SELECT {_COLUMNS} FROM {_table(schema)}{where} ORDER BY seq")
        found.extend(_dead_letter(schema, r) for r in rows)
    return sorted(found, key=lambda d: (d.at, d.schema, d.seq))


async def _locked(conn: asyncpg.Connection, schema: str, seqs: Sequence[int]) -> list[DeadLetter]:
    """The named dead letters, locked for the transaction; Refused when one does not exist."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM {_table(schema)} WHERE seq = ANY($1::bigint[]) ORDER BY seq FOR UPDATE",
        list(seqs),
    )
    missing = sorted(set(seqs) - {r["seq"] for r in rows})
    if missing:
        raise Refused(t("ops.not_found", schema=schema, seqs=", ".join(f"#{s}" for s in missing)))
    return [_dead_letter(schema, r) for r in rows]


async def replay_dead_letters(conn: asyncpg.Connection, schema: str, seqs: Sequence[int]) -> list[DeadLetter]:
    """Put the outbox dead letters ``seqs`` back in ``schema``'s outbox (same event id: JetStream drops
    a copy it stored already) and mark them replayed, all in one transaction. Refused (nothing
    changed) when one does not exist, was replayed already, or is a consumer's or the feed's."""
    await schemas_with_dead_letters(conn, schema)
    async with conn.transaction():
        letters = await _locked(conn, schema, seqs)
        for letter in letters:
            if not letter.from_outbox:
                raise Refused(t("ops.cannot_replay", seq=letter.seq, source=letter.source))
            if letter.replayed_at is not None:
                raise Refused(t("ops.already_replayed", seq=letter.seq, at=_moment(letter.replayed_at)))
        for letter in letters:
            # A copy still waiting in the outbox (the same id) is left as it is: it goes out anyway.
            await conn.execute(
                f'INSERT INTO "{schema}".outbox (id, subject, data) '
                f"SELECT event_id, subject, data FROM {_table(schema)} WHERE seq = $1 "
                "ON CONFLICT (id) DO NOTHING",
                letter.seq,
            )
        await conn.execute(
            f"UPDATE {_table(schema)} SET replayed_at = now() WHERE seq = ANY($1::bigint[])",
            [letter.seq for letter in letters],
        )
    return letters


async def drop_dead_letters(conn: asyncpg.Connection, schema: str, seqs: Sequence[int]) -> list[DeadLetter]:
    """Delete the dead letters ``seqs`` of ``schema`` (all or, when one does not exist, none)."""
    await schemas_with_dead_letters(conn, schema)
    async with conn.transaction():
        letters = await _locked(conn, schema, seqs)
        await conn.execute(f"DELETE FROM {_table(schema)} WHERE seq = ANY($1::bigint[])", [d.seq for d in letters])
    return letters


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


def _moment(at: datetime) -> str:
    return at.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _short(text: str, width: int = REASON_WIDTH) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= width else one_line[: width - 1] + "…"


def _out() -> Console:
    return Console(highlight=False)


@ops_app.callback()
def ops_main(lang: LangOpt = None) -> None:
    """运维 Operations on the platform's own machinery, straight on PostgreSQL (an operator's DSN)."""
    set_language(lang or from_locale())


@dead_letters_app.command("list")
def list_command(
    schema: Annotated[
        str, typer.Option("--schema", help="模式 intake | roster | incident | notify | all (default: all)")
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
            _moment(d.at),
            _moment(d.replayed_at) if d.replayed_at else "",
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
