"""Several writes sent to PostgreSQL as one statement: one round trip, one snapshot, all or nothing.

A hot path that records a change writes several rows: the idempotency key, the row itself, its
outbox event. Sent one by one, each is a round trip (and, outside a transaction, BEGIN and COMMIT are
two more); on a loopback socket the round trips cost more CPU than the writes. ``Writes`` joins them
into a chain of data-modifying common table expressions, renumbering each write's parameters, so
``await writes.run(conn)`` is one statement: atomic on its own (no transaction needed), and, inside
one, a single round trip. The writes see the same snapshot, so none may depend on another's effect
(insert a row and update it in the same batch, say); a failing one (a unique key taken) fails them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from dutyline.db.pool import Connection

_PARAM = re.compile(r"\$(\d+)")


@lru_cache(maxsize=256)
def _joined(parts: tuple[tuple[str, int], ...]) -> str:
    """The statement of writes with these SQL texts and argument counts; a hot path sends the same few
    shapes again and again, so each is built once (the renumbering costs more than the write's own
    Python)."""
    ctes: list[str] = []
    offset = 0
    for n, (sql, count) in enumerate(parts):
        renumbered = _PARAM.sub(lambda m, at=offset: f"${int(m.group(1)) + at}", sql)  # type: ignore[misc]
        ctes.append(f"w{n} AS ({renumbered})")
        offset += count
    return "WITH " + ", ".join(ctes) + " SELECT 1"


@dataclass
class Writes:
    """INSERT, UPDATE and DELETE statements (each with its own $1..$n) to run as one."""

    parts: list[tuple[str, tuple[object, ...]]] = field(default_factory=list)

    def add(self, sql: str, *args: object) -> None:
        self.parts.append((sql, args))

    def statement(self) -> tuple[str, list[object]]:
        """The single statement and its arguments."""
        args: list[object] = []
        for _, own in self.parts:
            args.extend(own)
        return _joined(tuple((sql, len(own)) for sql, own in self.parts)), args

    async def run(self, conn: Connection) -> None:
        if not self.parts:
            return
        if len(self.parts) == 1:
            await conn.execute(self.parts[0][0], *self.parts[0][1])
            return
        sql, args = self.statement()
        await conn.execute(sql, *args)


async def write(target: Connection | Writes, sql: str, *args: object) -> None:
    """Execute a write now on a connection, or add it to a batch of writes."""
    if isinstance(target, Writes):
        target.add(sql, *args)
    else:
        await target.execute(sql, *args)
