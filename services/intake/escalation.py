"""Turning emergency calls into incidents: one event, one incident.

Under locks on its neighbourhood (PostgreSQL advisory locks, so they hold across intake replicas),
a call is matched against the site's open incidents. A certain match links the call to that incident;
otherwise the call opens a new one. A surge of calls about one event thus ends as one incident
with many calls, while the locks keep two concurrent first calls from opening two incidents.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import asyncpg
import grpc
import structlog
from google.protobuf.message import Message

from dutyline.common.v1 import common_pb2
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.convert import from_ts, ts
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from services.intake import matching, store
from services.intake.messages import call_message, place_of

log = structlog.get_logger(__name__)

SYSTEM_ACTOR = common_pb2.Actor(person_id="system:intake", display_name="intake", kind="system")
OPEN_INCIDENTS_TTL = 2.0
RPC_TIMEOUT = 10.0
# Escalations holding a connection at once (the pool has more, for everything else).
DECIDING_AT_ONCE = 8


@dataclass(frozen=True)
class Escalated:
    call: store.CallRow
    # "opened", "linked", or "pending" (the incident service did not answer; the sweeper retries).
    how: str
    suggestions: list[matching.Suggestion]


def facts_of_call(call: store.CallRow) -> matching.CallFacts:
    return matching.CallFacts(
        site_id=call.site_id,
        at=call.ring_started_at,
        latitude=call.latitude,
        longitude=call.longitude,
        place_text=call.place_text,
        summary=call.summary,
        category=call.category,
    )


def facts_of_incident(incident: incident_pb2.Incident) -> matching.IncidentFacts:
    place = incident.place
    return matching.IncidentFacts(
        id=incident.id,
        site_id=incident.site_id,
        registered_at=from_ts(incident.registered_at),
        latitude=place.latitude if place.HasField("latitude") else None,
        longitude=place.longitude if place.HasField("longitude") else None,
        place_text=place.text,
        title=incident.title,
        summary=incident.summary,
        category=incident_pb2.IncidentCategory.Name(incident.category).removeprefix("INCIDENT_CATEGORY_").lower()
        if incident.category
        else "",
    )


class Escalator:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        incidents: incident_pb2_grpc.IncidentServiceStub,
        settings: matching.MatchSettings | None = None,
    ) -> None:
        self._pool = pool
        self._incidents = incidents
        self._open: dict[str, tuple[float, dict[str, matching.IncidentFacts]]] = {}
        self._slots = asyncio.Semaphore(DECIDING_AT_ONCE)
        self.settings = settings or matching.MatchSettings()

    async def open_incidents(self, site_id: str) -> list[matching.IncidentFacts]:
        """The site's open incidents (kept a moment: a surge asks for them thousands of times)."""
        cached = self._open.get(site_id)
        if cached is not None and cached[0] > time.monotonic():
            return list(cached[1].values())
        reply = await self._incidents.ListIncidents(
            incident_pb2.ListIncidentsRequest(
                site_id=site_id, open_only=True, include_drills=True, page=common_pb2.PageRequest(page_size=500)
            ),
            timeout=RPC_TIMEOUT,
        )
        found = {i.id: facts_of_incident(i) for i in reply.incidents}
        self._open[site_id] = (time.monotonic() + OPEN_INCIDENTS_TTL, found)
        return list(found.values())

    async def suggestions(self, call: store.CallRow) -> list[matching.Suggestion]:
        """Open incidents that may concern the call's event (not the one it already belongs to)."""
        candidates = [i for i in await self.open_incidents(call.site_id) if i.id != call.incident_id]
        return matching.suggest(facts_of_call(call), candidates, self.settings)

    def title_of(self, site_id: str, incident_id: str) -> str:
        cached = self._open.get(site_id)
        facts = cached[1].get(incident_id) if cached else None
        return facts.title if facts else ""

    async def escalate(
        self, call: store.CallRow, *, link_to: str | None = None, force_new: bool = False, title: str = ""
    ) -> Escalated:
        """Link the call to an incident (``link_to``, or a certain match) or open one for it."""
        # Decisions that could collide (calls within the matching distance of each other) take
        # turns, across replicas; the others run in parallel. A call without coordinates may match
        # anything at its site by place text: it takes the whole site. Few tasks wait at a time,
        # so waiting never holds the pool's connections hostage.
        site_key = f"intake-escalate-{call.site_id}"
        async with self._slots, self._pool.acquire() as lock:
            try:
                if call.latitude is None or call.longitude is None:
                    await lock.execute("SELECT pg_advisory_lock(hashtext($1))", site_key)
                else:
                    cells = matching.lock_keys(
                        call.site_id, call.latitude, call.longitude, self.settings.max_distance_m
                    )
                    # One round trip; taken in a fixed (sorted) order, so two deciders never deadlock.
                    await lock.execute("SELECT pg_advisory_lock_shared(hashtext($1))", site_key)
                    await lock.execute(
                        "SELECT count(pg_advisory_lock(hashtext(cell))) FROM unnest($1::text[]) AS cell", cells
                    )
                return await self._escalate_locked(call.id, link_to=link_to, force_new=force_new, title=title)
            except grpc.aio.AioRpcError as exc:
                if exc.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                    raise  # a refusal (unknown or closed incident) is the caller's to hear
                log.warning("incident not reached yet; will retry", call_id=call.id, code=exc.code().name)
                return Escalated(call=call, how="pending", suggestions=[])
            except asyncpg.DeadlockDetectedError:
                # Should not happen (locks are taken in order); if it does, the sweeper decides later.
                log.warning("escalation lock deadlock; will retry", call_id=call.id)
                return Escalated(call=call, how="pending", suggestions=[])
            finally:
                await lock.execute("SELECT pg_advisory_unlock_all()")

    async def _escalate_locked(self, call_id: str, *, link_to: str | None, force_new: bool, title: str) -> Escalated:
        # Read afresh under the locks: another decider may have escalated it meanwhile.
        async with self._pool.acquire() as conn:
            call = await store.get_call(conn, call_id=call_id)
        assert call is not None
        if call.incident_id and link_to in (None, call.incident_id) and not force_new:
            return Escalated(call=call, how="linked" if call.status == "linked" else "opened", suggestions=[])
        suggestions = [] if force_new else await self.suggestions(call)
        target = link_to or (None if force_new else matching.auto_link(suggestions, self.settings))
        if target is not None:
            await self._incidents.AttachCall(
                incident_pb2.AttachCallRequest(
                    idempotency_key=f"call-link:{call.id}:{target}", incident_id=target, call_id=call.id
                ),
                timeout=RPC_TIMEOUT,
            )
            return Escalated(call=await self._record(call, target, "linked"), how="linked", suggestions=suggestions)
        opened = await self._incidents.OpenIncident(
            incident_pb2.OpenIncidentRequest(
                idempotency_key=f"call-escalation:{call.id}",
                site_id=call.site_id,
                title=title or call.summary[:60],
                summary=call.summary,
                place=place_of(call),
                call_ids=[call.id],
                first_responder_id=call.officer_id,
                drill=call.drill,
                occurred_at=ts(call.ring_started_at),
            ),
            timeout=RPC_TIMEOUT,
        )
        # Known at once to the next call of the surge, before the cached list refreshes.
        cached = self._open.get(call.site_id)
        if cached is not None:
            cached[1][opened.incident.id] = facts_of_incident(opened.incident)
        return Escalated(
            call=await self._record(call, opened.incident.id, "escalated"), how="opened", suggestions=suggestions
        )

    async def _record(self, call: store.CallRow, incident_id: str, status: str) -> store.CallRow:
        async with self._pool.acquire() as conn, conn.transaction():
            updated = await store.mark_escalated(conn, call_id=call.id, incident_id=incident_id, status=status)
            if status == "escalated":
                payload: Message = event_pb2.CallEscalated(call_id=updated.id, incident_id=incident_id)
            else:
                payload = event_pb2.CallChanged(call=call_message(updated), detail=f"linked to {incident_id}")
            await emit(
                conn,
                event_type="call.escalated" if status == "escalated" else "call.linked",
                site_id=updated.site_id,
                aggregate_id=updated.id,
                aggregate_version=updated.version,
                actor=SYSTEM_ACTOR,
                payload=payload,
                drill=updated.drill,
            )
        return updated
