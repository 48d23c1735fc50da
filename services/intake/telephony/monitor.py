"""The lines watched (线路监测): a line silent past its limit is down and the duty leader is alerted
once per outage; an answered call not registered within its line's limit is flagged. Sweeps run in
the intake server; each decision is taken under a row lock, so several replicas agree."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import structlog

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.convert import ts
from dutyline.notifier import NotifyClient, notify_key
from services.intake.telephony import rules
from services.intake.telephony import store as tstore
from services.intake.telephony.messages import line_call_message, line_message

log = structlog.get_logger(__name__)

SYSTEM_ACTOR = common_pb2.Actor(person_id="system:intake", display_name="intake", kind="system")


async def emit_line_changed(
    conn: Connection,
    event_type: str,
    line: tstore.LineRow,
    *,
    previous_down_since: datetime | None = None,
    actor: common_pb2.Actor | None = None,
) -> None:
    """Stage line.configured, line.down or line.up (LineChanged) about ``line``."""
    await emit(
        conn,
        event_type=event_type,
        site_id=line.site_id,
        aggregate_id=line.id,
        aggregate_version=line.version,
        payload=event_pb2.LineChanged(
            line=line_message(line),
            last_seen_at=ts(line.last_seen_at),
            down_since=ts(line.down_since or previous_down_since),
        ),
        actor=actor,
    )


class LineMonitor:
    def __init__(self, *, pool: asyncpg.Pool, notifier: NotifyClient) -> None:
        self._pool = pool
        self._notifier = notifier

    async def sweep_silent(self) -> int:
        """Mark down the lines silent past their limit (line.down); returns how many."""
        now = datetime.now(UTC)
        down = 0
        async with self._pool.acquire() as conn, conn.transaction():
            for line in await tstore.silent_lines(conn):
                if rules.silent_too_long(line.last_seen_at, line.created_at, now, line.down_after_seconds):
                    marked = await tstore.mark_down(conn, line_id=line.id, at=now)
                    await emit_line_changed(conn, "line.down", marked, actor=SYSTEM_ACTOR)
                    log.warning("line down", line_id=line.id, last_seen_at=line.last_seen_at)
                    down += 1
        await self.alert_down()
        return down

    async def alert_down(self) -> None:
        """Alert the duty leader of each outage not alerted yet (an escalation, up the chain until
        acknowledged); keyed by the outage, so a retry after a crash alerts once."""
        async with self._pool.acquire() as conn:
            lines = await tstore.unalerted_down_lines(conn)
        for line in lines:
            assert line.down_since is not None
            since = line.down_since.astimezone(UTC).isoformat(timespec="seconds")
            heard = line.last_seen_at.astimezone(UTC).isoformat(timespec="seconds") if line.last_seen_at else "—"
            await self._notifier.escalate(
                site_id=line.site_id,
                template="generic",
                data={
                    "subject": f"值班电话线路中断 Duty line down: {line.display_name}",
                    "body": (
                        f"线路 {line.display_name}（{line.id}）自 {since} 起无信号，"
                        f"最后一次信号 {heard}，请立即检查值班电话。"
                        f" Line {line.display_name} ({line.id}) has been silent since {since} (last heard {heard}):"
                        " check the duty phone now."
                    ),
                },
                key=notify_key(line.id, "down", since),
                ref_kind="line",
                ref_id=line.id,
            )
            async with self._pool.acquire() as conn:
                await tstore.mark_alerted(conn, line_id=line.id, down_since=line.down_since)
            log.info("duty leader alerted of a line down", line_id=line.id)

    async def sweep_unregistered(self) -> int:
        """Flag the answered calls not registered within their line's limit (line_call.unregistered);
        those registered meanwhile leave the pending ones."""
        now = datetime.now(UTC)
        flagged = 0
        async with self._pool.acquire() as conn, conn.transaction():
            for call, within, registered in await tstore.registrations_to_check(conn):
                if registered:
                    await tstore.set_registration(conn, line_call_id=call.id, registration="registered", at=now)
                elif rules.registration_overdue(call.ended_at, within, now):
                    marked = await tstore.set_registration(conn, line_call_id=call.id, registration="overdue", at=now)
                    await emit(
                        conn,
                        event_type="line_call.unregistered",
                        site_id=marked.site_id,
                        aggregate_id=marked.id,
                        aggregate_version=marked.version,
                        payload=event_pb2.LineCallChanged(call=line_call_message(marked), detail="unregistered"),
                        actor=SYSTEM_ACTOR,
                    )
                    flagged += 1
        return flagged
