"""Turning emergency calls into incidents: one event, one incident.

An emergency call is decided in the transaction that records it. Under advisory locks on its
neighbourhood (so they hold across intake replicas, and only for the decision), the call is scored
against the profiles of the site's open incidents near it (`matching`); it is linked to the best one
that is plausibly its event, or it reserves a new incident id and a profile for it. The call, the
profile's new figures and the event commit together, so the next call of a surge sees them.

Nothing crosses to the incident service while the locks are held: a new incident is opened after the
commit (``OpenIncident`` with the reserved id, retried by a sweeper until the incident service has
it), the incident service learns of linked calls from the events (in batches), and proposals to
merge incidents that one call found alike are sent by another sweeper. Intake learns what becomes of
incidents (closed, merged, verified) from the incident events (`incident_view`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import asyncpg
import grpc
import structlog
from google.protobuf.message import Message

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.db.writes import Writes
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.grpckit import idempotency
from dutyline.grpckit.auth import on_behalf
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import FailedPrecondition, FieldViolation, InvalidArgument, Unavailable
from dutyline.ids import new_id
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2
from services.intake import matching, profile_store, store
from services.intake.incident_view import add_incident, confirm_opened, incident_facts
from services.intake.messages import call_message, place_of

log = structlog.get_logger(__name__)

SYSTEM_ACTOR = common_pb2.Actor(person_id="system:intake", display_name="intake", kind="system")
RPC_TIMEOUT = 10.0
# A new incident not opened by then is the sweeper's to open.
OPEN_RETRY_AFTER = timedelta(seconds=5)
# Incidents the sweeper opens at once; the incident service answers each in a few round trips.
SWEEP_CONCURRENCY = 8
TITLE_LENGTH = 60


@dataclass(frozen=True)
class Decided:
    """What became of an emergency call: the incident and how ("linked", "opened"), with the
    suggestions the officer sees (best first) and their titles."""

    incident_id: str
    how: str
    suggestions: tuple[matching.Suggestion, ...] = ()
    titles: dict[str, str] | None = None


def facts_of_call(call: store.CallRow) -> matching.CallFacts:
    return matching.CallFacts(
        site_id=call.site_id,
        at=call.ring_started_at,
        latitude=call.latitude,
        longitude=call.longitude,
        place_text=call.place_text,
        summary=call.summary,
        drill=call.drill,
    )


def title_of(call: store.CallRow) -> str:
    return call.summary[:TITLE_LENGTH] or call.place_text[:TITLE_LENGTH] or "来电 call"


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
        self.settings = settings or matching.MatchSettings()
        # Reserved incidents the sweeper tried and could not open (each is tried again next round).
        self.open_failures = 0

    # -- deciding, in the caller's transaction --------------------------------------------------------

    async def decide(self, conn: Connection, call: store.CallRow, writes: Writes) -> Decided:
        """Link the call to the open incident about its event, or reserve a new one for it. In
        ``conn``'s transaction, whose commit releases the locks the decision takes; the profile's new
        figures and any merge proposals go with ``writes`` (the caller adds the call and runs them)."""
        facts = facts_of_call(call)
        candidates = await profile_store.locked_candidates(conn, call=facts, settings=self.settings)
        decision = matching.decide(facts, candidates, self.settings)
        by_id = {p.incident_id: p for p in candidates}
        titles = {p.incident_id: p.title for p in candidates}
        if decision.link_to is None:
            incident_id = new_id("inc")
            profile = matching.new_profile(incident_id, facts, title=title_of(call))
            await profile_store.insert(writes, profile=profile, opening_call_id=call.id, opened=False)
            return Decided(incident_id, "opened", decision.suggestions, titles)
        target = by_id[decision.link_to]
        await profile_store.save(writes, profile=matching.with_call(target, facts))
        if decision.merge_with:
            await self._propose(writes, call, target, [(by_id[m.incident_id], m) for m in decision.merge_with])
        return Decided(target.incident_id, "linked", decision.suggestions, titles)

    async def _propose(
        self,
        conn: Writes,
        call: store.CallRow,
        target: matching.Profile,
        others: Sequence[tuple[matching.Profile, matching.Suggestion]],
    ) -> None:
        """Each other incident the call fits is proposed for merging with the one it joined; the older
        incident is kept, so that the reporting clocks keep running from the first call."""
        for other, suggestion in others:
            older, newer = sorted((target, other), key=lambda p: (p.first_at, p.incident_id))
            await profile_store.propose_merge(
                conn,
                site_id=call.site_id,
                call_id=call.id,
                primary_id=older.incident_id,
                duplicate_id=newer.incident_id,
                evidence=[
                    f"来电 call {call.id} 同时符合两事件 fits both",
                    f"{target.incident_id}: {suggestion.score:.2f}",
                    *suggestion.reasons,
                ],
                score=suggestion.score,
            )

    async def chosen(self, conn: Connection, call: store.CallRow, incident_id: str) -> matching.Profile:
        """The open incident an officer chose for the call, locked, with the call counted in (the
        caller records the call there). Refused: another site, a drill against a real incident or the
        reverse, closed or merged away."""
        found = await profile_store.get(conn, incident_id=incident_id, for_update=True)
        if found is None:
            raise InvalidArgument([FieldViolation("incident_id", f"unknown incident {incident_id}")])
        profile, state = found
        if profile.site_id != call.site_id:
            raise InvalidArgument([FieldViolation("incident_id", "an incident of the call's site")])
        if profile.drill != call.drill:
            raise InvalidArgument([FieldViolation("incident_id", "drills and real incidents are never mixed")])
        if state == "merged":
            primary = await profile_store.live(conn, incident_id=incident_id)
            raise FailedPrecondition(f"incident {incident_id} was merged into {primary}; link the call there")
        if state != "open":
            raise FailedPrecondition(f"incident {incident_id} is closed; open a new one for this call")
        updated = matching.with_call(profile, facts_of_call(call))
        await profile_store.save(conn, profile=updated)
        return updated

    async def release(self, conn: Connection, call: store.CallRow) -> None:
        """Count the call out of the incident it leaves (the profile of a merged one lives on in its primary)."""
        if not call.incident_id:
            return
        live = await profile_store.live(conn, incident_id=call.incident_id)
        found = await profile_store.get(conn, incident_id=live, for_update=True)
        if found is not None:
            await profile_store.save(conn, profile=matching.without_call(found[0], facts_of_call(call)))

    async def ensure_profile(self, incident_id: str) -> None:
        """A profile for an incident intake has not heard of yet (opened directly, events still on their
        way), from the incident service."""
        async with self._pool.acquire() as conn:
            if await profile_store.get(conn, incident_id=incident_id) is not None:
                return
        try:
            # As the officer who named it: an incident they may not read is one they cannot link to.
            incident = await self._incidents.GetIncident(
                incident_pb2.GetIncidentRequest(incident_id=incident_id), timeout=RPC_TIMEOUT, metadata=on_behalf()
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED):
                raise InvalidArgument([FieldViolation("incident_id", f"unknown incident {incident_id}")]) from exc
            raise Unavailable(f"the incident service did not answer ({exc.code().name}); retry") from exc
        async with self._pool.acquire() as conn, conn.transaction():
            await add_incident(conn, incident=incident_facts(incident), opened=True)
            if incident.stage == incident_pb2.STAGE_CLOSED:
                await profile_store.set_state(conn, incident_id=incident_id, state="closed")

    # -- calls registered earlier ------------------------------------------------------------------------

    async def decide_existing(self, call_id: str) -> store.CallRow:
        """Decide an emergency call registered earlier and still undecided (reclassified as an
        emergency, or left pending): link it, or open an incident for it."""
        async with self._pool.acquire() as conn, conn.transaction():
            call = await store.get_call(conn, call_id=call_id, for_update=True)
            assert call is not None
            if call.status != "escalation_pending":
                return call
            writes = Writes()
            decided = await self.decide(conn, call, writes)
            await writes.run(conn)
            updated = await store.mark_escalated(
                conn, call_id=call.id, incident_id=decided.incident_id, status=decided_call(call, decided).status
            )
            if decided.how == "linked":
                await emit_linked(conn, updated, previous="", how="matched")
        if decided.how == "opened":
            await self.open(decided.incident_id, updated)
        return updated

    async def move(
        self,
        call_id: str,
        *,
        to: str | None,
        how: str,
        request: Message,
        method: str,
        reason: str = "",
        title: str = "",
    ) -> store.CallRow:
        """Move a call to incident ``to`` (an officer's choice), or with ``to`` None into a new incident
        of its own; the incident it leaves counts it out. Once per idempotency key of ``request``."""
        if to is not None:
            await self.ensure_profile(to)
        key = str(request.idempotency_key)  # type: ignore[attr-defined]
        async with self._pool.acquire() as conn, conn.transaction():
            call = await store.get_call(conn, call_id=call_id, for_update=True)
            assert call is not None
            prior = await idempotency.claim(conn, method=method, key=key, request=request, response=intake_pb2.Call())
            if prior is not None or (to is not None and call.incident_id == to):
                return call  # a retry (the first request moved it), or already there
            previous = call.incident_id or ""
            involved = [i for i in (previous, to) if i]
            if previous:
                involved.append(await profile_store.live(conn, incident_id=previous))
            await profile_store.lock(conn, incident_ids=involved)
            await self.release(conn, call)
            if to is None:
                target = new_id("inc")
                title = title or title_of(call)
                profile = matching.new_profile(target, facts_of_call(call), title=title)
                await profile_store.insert(conn, profile=profile, opening_call_id=call.id, opened=False)
                status = "escalated"
            else:
                await self.chosen(conn, call, to)
                target, status = to, "linked"
            updated = await store.mark_escalated(conn, call_id=call.id, incident_id=target, status=status)
            if previous or to is not None:
                await emit_linked(conn, updated, previous=previous, how=how, reason=reason)
            await idempotency.remember(conn, method=method, key=key, response=call_message(updated))
        if to is None:
            await self.open(target, updated, title=title)
        return updated

    # -- after the commit -------------------------------------------------------------------------------

    async def open(self, incident_id: str, call: store.CallRow, *, title: str = "") -> bool:
        """Open the incident reserved for ``call``; False while the incident service is away (the
        sweeper tries again). A refusal is a defect, not the caller's: the incident and its calls are
        marked refused and an error logged."""
        try:
            await self._incidents.OpenIncident(
                incident_pb2.OpenIncidentRequest(
                    # Per opening: a call unlinked into an incident of its own opens another one.
                    idempotency_key=f"call-escalation:{incident_id}",
                    incident_id=incident_id,
                    site_id=call.site_id,
                    title=title or title_of(call),
                    summary=call.summary,
                    place=place_of(call),
                    call_ids=[call.id],
                    first_responder_id=call.officer_id,
                    drill=call.drill,
                    occurred_at=ts(call.ring_started_at),
                ),
                timeout=RPC_TIMEOUT,
                # For the officer whose call it is, while they wait; the sweeper's retries as intake.
                metadata=on_behalf(),
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                log.warning("incident not opened yet; will retry", incident_id=incident_id, code=exc.code().name)
                return False
            log.error("incident service refused an incident", incident_id=incident_id, code=exc.code().name)
            async with self._pool.acquire() as conn, conn.transaction():
                await profile_store.set_state(conn, incident_id=incident_id, state="refused")
                await conn.execute(
                    "UPDATE calls SET status = 'escalation_refused', version = version + 1 WHERE incident_id = $1",
                    incident_id,
                )
            return True
        async with self._pool.acquire() as conn, conn.transaction():
            await confirm_opened(conn, incident_id)
        return True

    async def sweep_unopened(self) -> None:
        """Open the incidents reserved by calls whose first opening failed, SWEEP_CONCURRENCY at a time: the
        backlog an outage leaves (hundreds of emergencies) opens at the incident service's pace, not one
        round trip after another. Each on its own: one that fails (an error, no answer in time) is logged
        and counted, and the round goes on with the others — one bad call must never keep every later
        emergency from its incident."""
        gate = asyncio.Semaphore(SWEEP_CONCURRENCY)

        async def one(incident_id: str, call_id: str, title: str) -> None:
            async with gate:
                try:
                    if not await self._open_reserved(incident_id, call_id, title):
                        self.open_failures += 1
                except Exception as exc:
                    self.open_failures += 1
                    log.error(
                        "opening a reserved incident failed; the sweeper goes on",
                        incident_id=incident_id,
                        error=repr(exc),
                    )

        await asyncio.gather(*(one(*reserved) for reserved in await self._reserved()))

    async def _reserved(self) -> list[tuple[str, str, str]]:
        async with self._pool.acquire() as conn:
            return await profile_store.unopened(conn, older_than=datetime.now(UTC) - OPEN_RETRY_AFTER)

    async def _open_reserved(self, incident_id: str, call_id: str, title: str) -> bool:
        async with self._pool.acquire() as conn:
            call = await store.get_call(conn, call_id=call_id)
        return call is None or await self.open(incident_id, call, title=title)

    async def sweep_proposals(self) -> None:
        """Send the merge proposals not sent yet (the incident service keeps the first of a pair)."""
        async with self._pool.acquire() as conn:
            proposals = await profile_store.unsent_proposals(conn)
        for p in proposals:
            try:
                await self._incidents.SuggestMerge(
                    incident_pb2.SuggestMergeRequest(
                        idempotency_key=f"merge:{p['primary_id']}:{p['duplicate_id']}",
                        primary_id=p["primary_id"],
                        duplicate_id=p["duplicate_id"],
                        score=p["score"],
                        evidence=list(p["evidence"]),
                    ),
                    timeout=RPC_TIMEOUT,
                )
                outcome = "sent"
            except grpc.aio.AioRpcError as exc:
                if exc.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                    return
                # Not yet opened, closed or merged meanwhile: nothing to propose any more.
                outcome = f"refused: {exc.code().name}"
            async with self._pool.acquire() as conn:
                await profile_store.mark_proposal_sent(
                    conn, primary_id=p["primary_id"], duplicate_id=p["duplicate_id"], outcome=outcome
                )


async def emit_linked(conn: Connection, call: store.CallRow, *, previous: str, how: str, reason: str = "") -> None:
    """call.linked: the call now belongs to its incident (moved from ``previous`` if any)."""
    await emit(
        conn,
        event_type="call.linked",
        site_id=call.site_id,
        aggregate_id=call.id,
        aggregate_version=call.version,
        actor=SYSTEM_ACTOR if how == "matched" else None,
        payload=event_pb2.CallLinked(
            call_id=call.id, incident_id=call.incident_id or "", previous_incident_id=previous, how=how, reason=reason
        ),
        drill=call.drill,
    )


def decided_call(call: store.CallRow, decided: Decided) -> store.CallRow:
    """The call with its incident, as the decision says (the caller inserts or updates it)."""
    return replace(call, incident_id=decided.incident_id, status="linked" if decided.how == "linked" else "escalated")
