"""Intake's view of the incidents it matches calls against, kept from the incident events: a profile
for an incident opened directly (not from a call), closed ones no longer candidates, a merged one
folded into its primary, the category once verified; and the moment an incident intake reserved for
a call exists at the incident service."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from dutyline.common.v1 import common_pb2
from dutyline.consumer import Applied
from dutyline.db.pool import Connection
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.convert import from_ts
from dutyline.incident.v1 import incident_pb2
from services.intake import matching, profile_store

SYSTEM_ACTOR = common_pb2.Actor(person_id="system:intake", display_name="intake", kind="system")


async def confirm_opened(conn: Connection, incident_id: str) -> None:
    """The incident service has the incident: once, tell the stream that the call opened it."""
    call_id = await profile_store.mark_opened(conn, incident_id=incident_id)
    if not call_id:
        return
    record = await conn.fetchrow(
        "UPDATE calls SET version = version + 1 WHERE id = $1 AND incident_id = $2 RETURNING site_id, version, drill",
        call_id,
        incident_id,
    )
    if record is None:  # moved on meanwhile: its own events say where
        return
    await emit(
        conn,
        event_type="call.escalated",
        site_id=record["site_id"],
        aggregate_id=call_id,
        aggregate_version=record["version"],
        actor=SYSTEM_ACTOR,
        payload=event_pb2.CallEscalated(call_id=call_id, incident_id=incident_id),
        drill=record["drill"],
    )


@dataclass(frozen=True)
class IncidentFacts:
    """What intake takes from the incident service about an incident."""

    incident_id: str
    site_id: str
    drill: bool
    registered_at: datetime
    title: str
    summary: str
    place: common_pb2.Place


def incident_facts(incident: incident_pb2.Incident) -> IncidentFacts:
    return IncidentFacts(
        incident_id=incident.id,
        site_id=incident.site_id,
        drill=incident.drill,
        registered_at=from_ts(incident.registered_at),
        title=incident.title,
        summary=incident.summary,
        place=incident.place,
    )


async def add_incident(conn: Connection, *, incident: IncidentFacts, opened: bool) -> None:
    """A profile for an incident intake did not open: its own description counts as its first call."""
    place = incident.place
    described = matching.CallFacts(
        site_id=incident.site_id,
        at=incident.registered_at,
        latitude=place.latitude if place.HasField("latitude") else None,
        longitude=place.longitude if place.HasField("longitude") else None,
        place_text=place.text,
        summary=f"{incident.title} {incident.summary}",
        drill=incident.drill,
    )
    profile = matching.new_profile(incident.incident_id, described, title=incident.title)
    await profile_store.insert(conn, profile=profile, opening_call_id=None, opened=opened)


class IncidentView:
    """The consumer of incident events that keeps the profiles (see the module docstring)."""

    SUBJECTS = (
        "dutyline.*.incident.registered",
        "dutyline.*.incident.verified",
        "dutyline.*.incident.reclassified",
        "dutyline.*.incident.unfounded",
        "dutyline.*.incident.closed",
        "dutyline.*.incident.merged",
    )

    async def handle(self, conn: Connection, events: Sequence[event_pb2.Event]) -> Applied:
        registered: list[tuple[event_pb2.Event, event_pb2.IncidentRegistered]] = []
        changed: list[tuple[event_pb2.Event, incident_pb2.Incident]] = []
        for event in events:
            if event.type == "incident.registered":
                registered.append((event, event_pb2.IncidentRegistered()))
                event.payload.Unpack(registered[-1][1])
            else:
                payload = event_pb2.IncidentChanged()
                event.payload.Unpack(payload)
                changed.append((event, payload.incident))
        # Every profile the batch may touch is locked first, in id order (as deciders lock): no deadlock.
        involved = {e.aggregate_id for e in events} | {i.merged_into for _, i in changed if i.merged_into}
        await profile_store.lock(conn, incident_ids=sorted(involved))
        for event, incident in registered:
            facts = IncidentFacts(
                incident_id=incident.incident_id,
                site_id=event.site_id,
                drill=event.drill,
                registered_at=from_ts(incident.registered_at),
                title=incident.title,
                summary="",
                place=incident.place,
            )
            await add_incident(conn, incident=facts, opened=True)
            await confirm_opened(conn, incident.incident_id)
        for event, changed_incident in changed:
            await self._changed(conn, event, changed_incident)
        return Applied()

    async def _changed(self, conn: Connection, event: event_pb2.Event, incident: incident_pb2.Incident) -> None:
        category = incident_pb2.IncidentCategory.Name(incident.category).removeprefix("INCIDENT_CATEGORY_").lower()
        await profile_store.set_incident_facts(
            conn,
            incident_id=incident.id,
            version=event.aggregate_version,
            category="" if category == "unspecified" else category,
            title=incident.title,
        )
        if incident.stage != incident_pb2.STAGE_CLOSED:
            return
        if not incident.merged_into:
            await profile_store.set_state(conn, incident_id=incident.id, state="closed")
            return
        # A duplicate merged away: its calls count in the primary's profile from now on.
        found = await profile_store.get(conn, incident_id=incident.id, for_update=True)
        primary_id = await profile_store.live(conn, incident_id=incident.merged_into)
        primary = await profile_store.get(conn, incident_id=primary_id, for_update=True)
        if found is None or found[1] != "open" or primary is None or primary_id == incident.id:
            await profile_store.set_state(conn, incident_id=incident.id, state="merged", merged_into=primary_id)
            return
        await profile_store.save(conn, profile=matching.folded(primary[0], found[0]))
        await profile_store.set_state(conn, incident_id=incident.id, state="merged", merged_into=primary_id)
