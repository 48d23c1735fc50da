"""Raising the 瞒报 signals (oversight_rules) from the event stream, so that the incident process
itself is untouched: intake's call events and the incident's own events, read by a durable
EventConsumer. Each signal is a row and its ``oversight.signal_raised`` event in the batch's
transaction; a redelivered event raises nothing twice (the consumer's ``consumed_events``, and each
signal's dedupe key). What later events need to be judged — an emergency call's category before it is
reclassified, an incident's severity before it is lowered, the casualties callers told of — is kept
in this schema's ``oversight_*`` tables as the events go by."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from dutyline.common.v1 import common_pb2
from dutyline.consumer import Applied
from dutyline.db.pool import Connection
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.convert import from_ts
from dutyline.incident.v1 import incident_pb2, oversight_pb2
from dutyline.intake.v1 import intake_pb2
from services.incident import convert, oversight_rules, oversight_store, store

SUBJECTS = tuple(
    f"dutyline.*.{event_type}"
    for event_type in (
        "call.registered",
        "call.reclassified",
        "incident.verified",
        "incident.unfounded",
        "incident.reclassified",
        "incident.verification_overdue",
        "incident.closed",
        "incident.report_submitted",
        "incident.report_corrected",
        "incident.calls_changed",
    )
)
OVERSIGHT = common_pb2.Actor(person_id="system:oversight", display_name="oversight 督查", kind="system")
CALL_CATEGORIES = {v: k for k, v in intake_pb2.CallCategory.items()}
# The incident events after which the casualties reported may have changed, or calls been linked.
CASUALTY_CHECKS = frozenset(
    {
        "incident.verified",
        "incident.reclassified",
        "incident.report_submitted",
        "incident.report_corrected",
        "incident.calls_changed",
    }
)


def call_category(value: int) -> str:
    """ "emergency" for CALL_CATEGORY_EMERGENCY, and so on."""
    return CALL_CATEGORIES.get(value, "").removeprefix("CALL_CATEGORY_").lower()


def reported_casualties(casualties: incident_pb2.Casualties) -> int:
    """Everyone the incident reports dead, injured or missing (loss in yuan is no casualty)."""
    return casualties.deaths + casualties.serious_injuries + casualties.injuries + casualties.missing


def facts_of(incident: store.IncidentRow) -> oversight_rules.IncidentFacts:
    return oversight_rules.IncidentFacts(
        id=incident.id,
        site_id=incident.site_id,
        title=incident.title,
        severity=incident.severity,
        responsible_id=incident.responsible_person_id,
        registered_at=incident.registered_at,
        call_count=incident.call_count,
        casualties_reported=reported_casualties(convert.casualties_message(incident.casualties)),
        drill=incident.drill,
        verified=incident.verified_at is not None,
        close_reason=incident.close_reason,
    )


def convert_signal(row: oversight_store.SignalRow) -> oversight_pb2.ConcealmentSignal:
    message = oversight_pb2.ConcealmentSignal(
        id=row.id,
        site_id=row.site_id,
        kind=oversight_store.KIND_VALUES[row.kind],
        incident_id=row.incident_id or "",
        call_id=row.call_id or "",
        summary=row.summary,
        evidence=[
            oversight_pb2.Evidence(label=e["label"], value=e["value"], link=e.get("link", "")) for e in row.evidence
        ],
        people=[oversight_pb2.InvolvedPerson(person_id=p["person_id"], role=p["role"]) for p in row.people],
        finding=oversight_store.FINDING_VALUES[row.finding],
        note=row.note,
        violation_ids=list(row.violation_ids),
        drill=row.drill,
        source_event_id=row.source_event_id,
    )
    message.occurred_at.FromDatetime(row.occurred_at)
    message.raised_at.FromDatetime(row.raised_at)
    for given, stored in zip(message.evidence, row.evidence, strict=True):
        if stored.get("at"):
            given.at.FromDatetime(datetime.fromisoformat(stored["at"]))
    if row.decided_at is not None:
        message.decided_by.CopyFrom(
            common_pb2.Actor(person_id=row.decided_by or "", display_name=row.decided_by_name, kind="person")
        )
        message.decided_at.FromDatetime(row.decided_at)
    return message


async def publish(
    conn: Connection,
    row: oversight_store.SignalRow,
    *,
    event_type: str,
    actor: common_pb2.Actor,
    violations: Sequence[incident_pb2.Violation] = (),
) -> oversight_pb2.ConcealmentSignal:
    """The signal's event, carrying the signal and any violations a finding recorded. Its aggregate is
    the signal, on subjects ``dutyline.<site>.oversight.*``: supervision of named staff, which neither
    the incident's watchers nor an agency subscribed to incident.* may read."""
    message = convert_signal(row)
    await emit(
        conn,
        event_type=event_type,
        site_id=row.site_id,
        aggregate_id=row.id,
        aggregate_version=row.version,
        actor=actor,
        payload=event_pb2.IncidentChanged(
            detail=row.summary,
            concealment_signal=message,
            violations=list(violations),
            violation=violations[-1] if violations else None,
        ),
        drill=row.drill,
    )
    return message


def remembered(registered: event_pb2.CallRegistered) -> bool:
    """Whether a call registered is one later events are judged against: an emergency call, or a call
    telling of casualties."""
    return registered.category == oversight_rules.EMERGENCY or bool(registered.casualties)


def wants(event: event_pb2.Event) -> bool:
    """Every event of the subjects but the plain calls registered, which raise and record nothing."""
    if event.type != "call.registered":
        return True
    registered = event_pb2.CallRegistered()
    event.payload.Unpack(registered)
    return remembered(registered)


class ConcealmentSignals:
    """The consumer's handler: each event of a batch in stream order, in the batch's transaction."""

    async def handle(self, conn: Connection, events: Sequence[event_pb2.Event]) -> Applied:
        for event in events:
            for signal in await self._signals_of(conn, event):
                row = await oversight_store.insert_signal(conn, signal=signal, raised_at=datetime.now(UTC))
                if row is not None:
                    await publish(conn, row, event_type="oversight.signal_raised", actor=OVERSIGHT)
        return Applied()

    async def _signals_of(self, conn: Connection, event: event_pb2.Event) -> list[oversight_rules.Signal]:
        at = from_ts(event.occurred_at) if event.HasField("occurred_at") else datetime.now(UTC)
        if event.type == "call.registered":
            return await self._call_registered(conn, event, at)
        if event.type == "call.reclassified":
            return await self._call_reclassified(conn, event, at)
        if event.type == "incident.calls_changed":
            return await self._casualties(conn, event.aggregate_id, event.id, at)
        changed = event_pb2.IncidentChanged()
        if not event.payload.Unpack(changed) or not changed.incident.id:
            return []
        incident = await store.get_incident(conn, incident_id=changed.incident.id)
        if incident is None:
            return []
        facts = facts_of(incident)
        by = event.actor.person_id
        found: list[oversight_rules.Signal | None] = []
        if event.type in ("incident.verified", "incident.reclassified"):
            severity = convert.name_of(convert.SEVERITIES, changed.incident.severity)
            before = await oversight_store.remember_severity(
                conn, incident_id=incident.id, severity=severity, version=event.aggregate_version
            )
            if event.type == "incident.reclassified" and before is not None:
                # The event's own severity, not the store's (a later change may have come since).
                facts = replace(facts, severity=severity)
                found.append(
                    oversight_rules.severity_lowered(
                        facts,
                        before=before,
                        reason=changed.detail or changed.entry.text,
                        by=by,
                        at=at,
                        event_id=event.id,
                    )
                )
        elif event.type == "incident.unfounded":
            reason = changed.incident.close_reason or changed.detail
            found.append(oversight_rules.unfounded(facts, reason=reason, by=by, at=at, event_id=event.id))
        elif event.type == "incident.verification_overdue":
            due = next((v.due_at for v in changed.violations if v.HasField("due_at")), None)
            found.append(
                oversight_rules.unverified_overdue(
                    facts, due_at=from_ts(due) if due is not None else None, at=at, event_id=event.id
                )
            )
        elif event.type == "incident.closed":
            facts = replace(facts, close_reason=changed.incident.close_reason)
            missed = [
                f"{convert.name_of(convert.REPORT_KINDS, v.report_kind)}#{v.number}"
                for v in changed.violations
                if v.kind == "missed"
            ]
            found.append(oversight_rules.closed_by_override(facts, by=by, missed=missed, at=at, event_id=event.id))
        signals = [s for s in found if s is not None]
        if event.type in CASUALTY_CHECKS:
            signals += await self._casualties(conn, incident.id, event.id, at)
        return signals

    async def _call_registered(
        self, conn: Connection, event: event_pb2.Event, at: datetime
    ) -> list[oversight_rules.Signal]:
        registered = event_pb2.CallRegistered()
        event.payload.Unpack(registered)
        if not remembered(registered):
            return []
        await oversight_store.remember_call(
            conn,
            call_id=registered.call_id,
            category=registered.category,
            casualties=registered.casualties,
            version=event.aggregate_version,
        )
        if registered.casualties and registered.incident_id:
            return await self._casualties(conn, registered.incident_id, event.id, at, call=registered)
        return []

    async def _call_reclassified(
        self, conn: Connection, event: event_pb2.Event, at: datetime
    ) -> list[oversight_rules.Signal]:
        changed = event_pb2.CallChanged()
        event.payload.Unpack(changed)
        call = changed.call
        after = call_category(call.category)
        before = await oversight_store.recategorize_call(
            conn, call_id=call.id, category=after, version=event.aggregate_version, keep=after == "emergency"
        )
        signal = oversight_rules.call_reclassified(
            call_id=call.id,
            site_id=event.site_id,
            incident_id=call.incident_id,
            before=before or "",
            after=after,
            detail=changed.detail,
            officer_id=call.officer_id,
            by=event.actor.person_id,
            at=at,
            event_id=event.id,
            drill=event.drill or call.drill,
        )
        return [signal] if signal is not None else []

    async def _casualties(
        self,
        conn: Connection,
        incident_id: str,
        event_id: str,
        at: datetime,
        *,
        call: event_pb2.CallRegistered | None = None,
    ) -> list[oversight_rules.Signal]:
        """The casualty comparison for one incident: the most any one of its calls told of (callers
        about one event see the same victims, so their counts are not added up)."""
        incident = await store.get_incident(conn, incident_id=incident_id)
        if incident is None:
            return []
        told, call_id = await oversight_store.most_casualties_told(conn, incident_id=incident_id)
        if call is not None and call.casualties > told:
            told, call_id = call.casualties, call.call_id
        signal = oversight_rules.casualties_above_reported(
            facts_of(incident), told=told, call_id=call_id, at=at, event_id=event_id
        )
        return [signal] if signal is not None else []
