"""The report inbox (报告收件箱) of the superior duty offices. Keyword-only functions; the caller owns the
transaction. Each change of an item is written with its timeline entry on the sending incident and its
``incident.report_*`` event, so the sender sees what became of its report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import asyncpg

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.convert import ts
from dutyline.ids import new_id
from dutyline.incident.v1 import inbox_pb2
from services.incident import convert, store

# How long an office has to sign for a report (签收) when its policy does not say.
DEFAULT_WINDOW_SECONDS = 600
# Still to be signed for.
OPEN = ("delivered", "escalated")
SYSTEM_ACTOR = common_pb2.Actor(person_id="system:report-inbox", display_name="报告收件箱 report inbox", kind="system")


@dataclass(frozen=True)
class InboxItemRow:
    id: str
    report_id: str
    report_version: int
    incident_id: str
    sender_site_id: str
    recipient_site_id: str
    author_id: str
    status: str
    delivered_at: datetime
    window_seconds: int
    escalated_at: datetime | None
    received_by: str | None
    received_by_name: str
    received_at: datetime | None
    returned_by: str | None
    returned_by_name: str
    returned_at: datetime | None
    return_reason: str
    returned_wrong: bool
    receiving_incident_id: str | None
    drill: bool
    workflow_started_at: datetime | None
    version: int


def _item(record: asyncpg.Record) -> InboxItemRow:
    return InboxItemRow(**dict(record))


def local_time(at: datetime, time_zone: str) -> str:
    """A time as the officers read it on a timeline (the incident's local time)."""
    return at.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M")


async def deliver(
    conn: Connection,
    *,
    incident: store.IncidentRow,
    report: store.ReportRow,
    at: datetime,
    recipient_site_id: str,
    window_seconds: int,
    report_version: int = 1,
) -> InboxItemRow | None:
    """Deliver ``report`` to the inbox of ``recipient_site_id`` (an item, a timeline entry on the sending
    incident, incident.report_delivered); a headquarters without a recipient ("") only says so on the
    timeline. Idempotent per (report, version): a second delivery returns the item delivered first."""
    if not recipient_site_id:
        await store.append_timeline(
            conn,
            incident_id=incident.id,
            at=at,
            actor_id=SYSTEM_ACTOR.person_id,
            actor_name=SYSTEM_ACTOR.display_name,
            actor_kind=SYSTEM_ACTOR.kind,
            kind="report_not_delivered",
            text="本级为总值班室，无上级收件单位，报告未投递 Headquarters: no superior office to deliver the report to",
            dedupe_key=f"{incident.id}:undelivered:{report.id}:{report_version}",
        )
        return None
    record = await conn.fetchrow(
        """INSERT INTO report_inbox (id, report_id, report_version, incident_id, sender_site_id, recipient_site_id,
               author_id, delivered_at, window_seconds, drill)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (report_id, report_version) DO NOTHING
           RETURNING *""",
        new_id("inb"),
        report.id,
        report_version,
        incident.id,
        incident.site_id,
        recipient_site_id,
        report.author_id,
        at,
        window_seconds or DEFAULT_WINDOW_SECONDS,
        incident.drill,
    )
    if record is None:
        existing = await conn.fetchrow(
            "SELECT * FROM report_inbox WHERE report_id = $1 AND report_version = $2", report.id, report_version
        )
        assert existing is not None
        return _item(existing)
    item = _item(record)
    await record_change(
        conn,
        item=item,
        incident=incident,
        report=report,
        at=at,
        actor=SYSTEM_ACTOR,
        event_type="incident.report_delivered",
        kind="report_delivered",
        text=f"报告已送达 {recipient_site_id} 收件箱，请在 {item.window_seconds // 60} 分钟内签收 "
        f"Report delivered to {recipient_site_id}'s inbox (item {item.id}); to be signed for within "
        f"{item.window_seconds // 60} min",
    )
    return item


async def record_change(
    conn: Connection,
    *,
    item: InboxItemRow,
    incident: store.IncidentRow,
    report: store.ReportRow,
    at: datetime,
    actor: common_pb2.Actor,
    event_type: str,
    kind: str,
    text: str,
    violations: list[store.ViolationRow] | None = None,
) -> None:
    """What became of an item, on the sending incident's timeline and as its event."""
    key = f"{incident.id}:{kind}:{item.id}"
    added = await store.append_timeline(
        conn,
        incident_id=incident.id,
        at=at,
        actor_id=actor.person_id,
        actor_name=actor.display_name,
        actor_kind=actor.kind,
        kind=kind,
        text=text,
        dedupe_key=key,
    )
    if not added:
        return
    entry = await store.timeline_entry(conn, dedupe_key=key)
    assert entry is not None
    payload = event_pb2.IncidentChanged(
        incident=convert.incident_message(incident, now=at),
        detail=text,
        report=convert.report_message(report),
        entry=convert.timeline_message(entry),
        inbox_item=item_message(item, report=report, incident=incident),
    )
    for v in violations or []:
        payload.violations.append(convert.violation_message(v))
    if payload.violations:
        payload.violation.CopyFrom(payload.violations[-1])
    await emit(
        conn,
        event_type=event_type,
        site_id=incident.site_id,
        aggregate_id=incident.id,
        aggregate_version=incident.version,
        payload=payload,
        drill=incident.drill,
        actor=actor,
        occurred_at=at,
    )


def item_message(
    item: InboxItemRow, *, report: store.ReportRow, incident: store.IncidentRow
) -> inbox_pb2.ReportInboxItem:
    return inbox_pb2.ReportInboxItem(
        id=item.id,
        report=convert.report_message(report),
        report_version=item.report_version,
        sender_site_id=item.sender_site_id,
        recipient_site_id=item.recipient_site_id,
        incident_title=incident.title,
        severity=convert.SEVERITIES[incident.severity],
        status=convert.DELIVERY_STATUSES[item.status],
        delivered_at=ts(item.delivered_at),
        escalated_at=ts(item.escalated_at),
        received_by=common_pb2.Actor(person_id=item.received_by, display_name=item.received_by_name)
        if item.received_by
        else None,
        received_at=ts(item.received_at),
        returned_by=common_pb2.Actor(person_id=item.returned_by, display_name=item.returned_by_name)
        if item.returned_by
        else None,
        returned_at=ts(item.returned_at),
        return_reason=item.return_reason,
        returned_wrong=item.returned_wrong,
        receiving_incident_id=item.receiving_incident_id or "",
        drill=item.drill,
        window_seconds=item.window_seconds,
    )


async def get_item(conn: Connection, *, item_id: str, for_update: bool = False) -> InboxItemRow | None:
    record = await conn.fetchrow(
        f"SELECT * FROM report_inbox WHERE id = $1{' FOR UPDATE' if for_update else ''}", item_id
    )
    return _item(record) if record is not None else None


async def report_of(conn: Connection, *, item: InboxItemRow) -> store.ReportRow:
    """The report an item delivered, with its delivery as it is now."""
    return next(r for r in await store.reports(conn, incident_id=item.incident_id) if r.id == item.report_id)


async def list_items(
    conn: Connection, *, site_id: str, status: str | None, include_drills: bool, limit: int, offset: int
) -> list[InboxItemRow]:
    rows = await conn.fetch(
        """SELECT * FROM report_inbox
           WHERE recipient_site_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3 OR NOT drill)
           ORDER BY delivered_at DESC, id LIMIT $4 OFFSET $5""",
        site_id,
        status,
        include_drills,
        limit,
        offset,
    )
    return [_item(r) for r in rows]


async def receive(
    conn: Connection, *, item_id: str, person_id: str, name: str, at: datetime, receiving_incident_id: str
) -> InboxItemRow:
    record = await conn.fetchrow(
        """UPDATE report_inbox SET status = 'received', received_by = $2, received_by_name = $3, received_at = $4,
               receiving_incident_id = $5, version = version + 1
           WHERE id = $1 RETURNING *""",
        item_id,
        person_id,
        name,
        at,
        receiving_incident_id,
    )
    assert record is not None
    return _item(record)


async def return_item(
    conn: Connection, *, item_id: str, person_id: str, name: str, at: datetime, reason: str, wrong: bool
) -> InboxItemRow:
    record = await conn.fetchrow(
        """UPDATE report_inbox SET status = 'returned', returned_by = $2, returned_by_name = $3, returned_at = $4,
               return_reason = $5, returned_wrong = $6, version = version + 1
           WHERE id = $1 RETURNING *""",
        item_id,
        person_id,
        name,
        at,
        reason,
        wrong,
    )
    assert record is not None
    return _item(record)


async def escalate(conn: Connection, *, item_id: str, at: datetime) -> InboxItemRow | None:
    """Not signed for in time: the item is marked escalated (None if it was signed for or returned, or
    marked already)."""
    record = await conn.fetchrow(
        """UPDATE report_inbox SET status = 'escalated', escalated_at = $2, version = version + 1
           WHERE id = $1 AND status = 'delivered' RETURNING *""",
        item_id,
        at,
    )
    return _item(record) if record is not None else None


async def receiving_incident(conn: Connection, *, reported_from: str, site_id: str) -> store.IncidentRow | None:
    """The receiving office's own incident about ``reported_from``, if it signed for a report of it before."""
    incident_id = await conn.fetchval(
        "SELECT id FROM incidents WHERE reported_from_incident_id = $1 AND site_id = $2", reported_from, site_id
    )
    return await store.get_incident(conn, incident_id=incident_id) if incident_id else None


async def without_workflow(conn: Connection, *, older_than: datetime) -> list[InboxItemRow]:
    rows = await conn.fetch(
        """SELECT * FROM report_inbox WHERE workflow_started_at IS NULL AND delivered_at < $1
           ORDER BY delivered_at LIMIT 100""",
        older_than,
    )
    return [_item(r) for r in rows]


async def mark_workflow_started(conn: Connection, *, item_id: str) -> None:
    await conn.execute(
        "UPDATE report_inbox SET workflow_started_at = now() WHERE id = $1 AND workflow_started_at IS NULL", item_id
    )
