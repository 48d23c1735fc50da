"""The dead letters of the services' schemas, read and changed directly in PostgreSQL (asyncpg):
listing them, putting an outbox event back in its outbox (replay), deleting them (drop)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from dutyline.cli.common.i18n import t
from dutyline.config import SERVICES

if TYPE_CHECKING:
    import asyncpg

ALL = "all"
OUTBOX_SOURCE = "outbox:"
_SCHEMA = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def moment(at: datetime) -> str:
    """A moment as the local time of this machine, to the second."""
    return at.astimezone().strftime("%Y-%m-%d %H:%M:%S")


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
                raise Refused(t("ops.already_replayed", seq=letter.seq, at=moment(letter.replayed_at)))
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
