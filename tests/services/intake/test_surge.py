"""One event, one incident — on the real stack: surges of calls in varied wording, 64 callers at once;
the four-call cascade; an old incident among 2,000 newer ones; officers moving calls; a merge the
platform proposes and a duty leader makes with one action."""

from __future__ import annotations

import itertools
import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import grpc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.surge import make_sites, send_surge
from bench.surge_corpus import Site, Surge, generate_cascade, generate_surge
from dutyline.common.v1 import common_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc
from dutyline.roster.v1 import roster_pb2_grpc
from services.intake import matching
from tests.support import token_for, until

pytestmark = pytest.mark.stack

# Each test gets sites of its own (under the demo region "east"), far from every other test's places.
_sites = itertools.count(1)


def fresh_sites(count: int) -> list[Site]:
    sites = []
    for _ in range(count):
        n = next(_sites)
        # 0.5° apart, on a grid that stays on the globe however many sites a session makes.
        sites.append(
            Site(id=f"sg-{uuid.uuid4().hex[:6]}-{n}", latitude=20.0 + (n % 60) * 0.5, longitude=80.0 + (n // 60) * 0.5)
        )
    return sites


class Platform:
    """The services as an admin of the test's sites and as a duty leader sees them."""

    def __init__(self, platform: Any, db: asyncpg.Connection) -> None:
        self.platform = platform
        self.db = db

    async def sites(self, sites: list[Site]) -> None:
        async with channel(self.platform.address("roster"), token_for("p-admin", ["admin"], ["*"])) as ch:
            await make_sites(roster_pb2_grpc.RosterServiceStub(ch), sites)

    def intake(self, sites: list[Site]) -> Any:
        token = token_for("p-surge-officer", ["officer"], [s.id for s in sites])
        return channel(self.platform.address("intake"), token)

    def incidents(self, sites: list[Site], role: str = "leader") -> Any:
        return channel(self.platform.address("incident"), token_for(f"p-surge-{role}", [role], [s.id for s in sites]))

    async def linked_in_incident_service(self, call_ids: list[str]) -> dict[str, str]:
        rows = await self.db.fetch(
            "SELECT call_id, incident_id FROM incident.incident_calls WHERE call_id = ANY($1)", call_ids
        )
        return {r["call_id"]: r["incident_id"] for r in rows}


@pytest.fixture
async def stack(platform: Any, db: asyncpg.Connection) -> AsyncIterator[Platform]:
    yield Platform(platform, db)


async def run_surge(stack: Platform, surge: Surge, sites: list[Site]) -> None:
    """Send the surge with 64 callers at once; one incident per event, every call in its own event's
    incident, in intake and (from the stream) in the incident service."""
    await stack.sites(sites)
    async with stack.intake(sites) as ch:
        run = await send_surge(
            intake_pb2_grpc.IntakeServiceStub(ch), surge, start=datetime.now(UTC) - timedelta(minutes=15)
        )
    assert run.problems(surge) == []
    call_ids = [r.call.id for r in run.replies if r is not None]
    incident_of = {r.call.id: r.incident_id for r in run.replies if r is not None}
    assert len(set(incident_of.values())) == len(surge.events)
    stored = await stack.db.fetch("SELECT id, incident_id FROM intake.calls WHERE id = ANY($1)", call_ids)
    assert {r["id"]: r["incident_id"] for r in stored} == incident_of
    await until(lambda: stack.linked_in_incident_service(call_ids), incident_of, seconds=60)


@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.integers(0, 2**32 - 1), st.integers(1, 3), st.integers(1, 30), st.data())
async def test_a_surge_of_calls_about_n_events_is_n_incidents(
    stack: Platform, seed: int, site_count: int, events: int, data: st.DataObject
) -> None:
    """N events (up to 30) at random places >= 2 km apart in 1-3 sites, each with 50-500 calls within
    200 m in wording from paraphrase families, interleaved, 64 callers at once (at most 2,500 calls
    per example here; the benchmark sends 10,000)."""
    total = data.draw(st.integers(50 * events, min(500 * events, 2500)), label="calls")
    sites = fresh_sites(site_count)
    surge = generate_surge(random.Random(seed), sites=sites, events=events, total_calls=total)
    await run_surge(stack, surge, sites)


async def test_the_four_call_cascade_is_one_incident(stack: Platform) -> None:
    """Two callers 240 m apart describing one crash in different words, then one between them and one
    at the centre: one incident (not two, not a third for the one that fits both)."""
    sites = fresh_sites(1)
    cascade = generate_cascade()
    placed = Surge(
        events=cascade.events,
        calls=tuple(
            replace(c, site_id=sites[0].id, latitude=(c.latitude or 0.0) + 10.0, longitude=(c.longitude or 0.0) - 20.0)
            for c in cascade.calls
        ),
    )
    await stack.sites(sites)
    async with stack.intake(sites) as ch:
        stub = intake_pb2_grpc.IntakeServiceStub(ch)
        run = await send_surge(stub, placed, start=datetime.now(UTC) - timedelta(minutes=5), concurrency=1)
    assert run.problems(placed) == []
    assert [r.escalation for r in run.replies if r is not None] == ["opened", "linked", "linked", "linked"]


def emergency(site: Site, summary: str, lat: float, lon: float, *, minutes_ago: float = 1.0) -> Any:
    rang = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return intake_pb2.RegisterCallRequest(
        idempotency_key=str(uuid.uuid4()),
        site_id=site.id,
        channel=intake_pb2.CHANNEL_PHONE,
        category=intake_pb2.CALL_CATEGORY_EMERGENCY,
        ring_started_at=ts(rang),
        answered_at=ts(rang + timedelta(seconds=5)),
        place=common_pb2.Place(text="", latitude=lat, longitude=lon),
        summary=summary,
        drill=True,
    )


async def test_an_old_open_incident_among_2000_newer_ones_gets_its_call(stack: Platform) -> None:
    """Every open incident of the site is a candidate (a spatial query), not only the newest: 2,000
    newer open incidents elsewhere at the site, and a few right next to it about other things, do not
    hide the old one from a call at its place in its words.

    The 2,000 newer incidents are written straight into intake's own read model (its profiles of open
    incidents), which is what the candidates are read from; opening them through the incident service
    would start 2,000 processes and page 2,000 times for nothing this test looks at."""
    site = fresh_sites(1)[0]
    await stack.sites([site])
    async with stack.intake([site]) as ch:
        stub = intake_pb2_grpc.IntakeServiceStub(ch)
        old = await stub.RegisterCall(
            emergency(site, "化工厂爆炸，有浓烟", site.latitude, site.longitude, minutes_ago=30), timeout=30
        )
        assert old.escalation == "opened"
        now = datetime.now(UTC)
        rows = []
        for n in range(2000):
            # Newer incidents all over the site, each 3 km or more away, and five next door about fights.
            close = n < 5
            lat = site.latitude + (0.002 if close else 0.03 * (1 + n % 40))
            lon = site.longitude + (0.002 * n if close else 0.03 * (1 + n // 40))
            summary = "有人打架斗殴" if close else f"第{n}号事件 水管爆裂"
            facts = matching.CallFacts(site.id, now - timedelta(minutes=20), lat, lon, "", summary, drill=True)
            profile = matching.new_profile(f"inc-newer-{site.id}-{n}", facts)
            rows.append(
                (
                    profile.incident_id,
                    site.id,
                    profile.first_at,
                    profile.last_at,
                    lat,
                    lon,
                    list(profile.terms),
                    list(profile.terms.values()),
                )
            )
        await stack.db.executemany(
            """INSERT INTO intake.incident_profiles (incident_id, site_id, drill, opened, first_at, last_at, calls,
                   located, ref_lat, ref_lon, centroid, terms, term_counts, created_at)
               VALUES ($1, $2, true, true, $3, $4, 1, 1, $5, $6, point($6, $5), $7, $8, now())""",
            rows,
        )
        later = await stub.RegisterCall(
            emergency(site, "化工厂那边又爆炸了", site.latitude + 0.0005, site.longitude), timeout=30
        )
    assert later.escalation == "linked" and later.incident_id == old.incident_id


async def test_officers_move_calls_and_both_timelines_say_so(stack: Platform) -> None:
    """LinkCall moves a call to another incident, UnlinkCall into one of its own; intake, the incident
    service and both timelines agree."""
    site = fresh_sites(1)[0]
    await stack.sites([site])
    far = site.longitude + 0.05  # about 4 km east: another event
    async with stack.intake([site]) as ch, stack.incidents([site]) as ich:
        intake = intake_pb2_grpc.IntakeServiceStub(ch)
        incidents = incident_pb2_grpc.IncidentServiceStub(ich)
        fire = await intake.RegisterCall(emergency(site, "仓库着火了", site.latitude, site.longitude), timeout=30)
        crash = await intake.RegisterCall(emergency(site, "两车相撞", site.latitude, far), timeout=30)
        wrong = await intake.RegisterCall(
            emergency(site, "仓库起火，烟很大", site.latitude + 0.0003, site.longitude), timeout=30
        )
        assert wrong.incident_id == fire.incident_id
        # The officer knows better: this caller was talking about the crash.
        moved = await intake.LinkCall(
            intake_pb2.LinkCallRequest(
                idempotency_key=str(uuid.uuid4()), call_id=wrong.call.id, incident_id=crash.incident_id, reason="听错了"
            ),
            timeout=30,
        )
        assert moved.incident_id == crash.incident_id and moved.status == "linked"
        # ... and another call is a third event altogether.
        third = await intake.RegisterCall(
            emergency(site, "仓库那边有人被困", site.latitude + 0.0002, site.longitude), timeout=30
        )
        key = str(uuid.uuid4())
        request = intake_pb2.UnlinkCallRequest(idempotency_key=key, call_id=third.call.id, reason="另一件事")
        alone = await intake.UnlinkCall(request, timeout=30)
        again = await intake.UnlinkCall(request, timeout=30)  # a retry: no fourth incident
        assert alone.incident_id not in (fire.incident_id, crash.incident_id) and again.incident_id == alone.incident_id

        await until(
            lambda: stack.linked_in_incident_service([wrong.call.id, third.call.id]),
            {wrong.call.id: crash.incident_id, third.call.id: alone.incident_id},
        )

        async def texts(incident_id: str) -> list[str]:
            reply = await incidents.GetTimeline(incident_pb2.GetTimelineRequest(incident_id=incident_id))
            return [e.text for e in reply.entries if e.kind == "calls_changed"]

        async def moved_out_of_fire() -> set[str]:
            # OpenIncident links the new incident's call at once; the fire incident hears of the move
            # when the incident service consumes intake's call.linked event, a moment later.
            entries = await texts(fire.incident_id)
            return {
                c
                for c in (wrong.call.id, third.call.id)
                if any("moved to another incident" in t and c in t for t in entries)
            }

        await until(moved_out_of_fire, {wrong.call.id, third.call.id})
        assert any("linked" in t and wrong.call.id in t for t in await texts(crash.incident_id))
        found = await incidents.GetIncident(incident_pb2.GetIncidentRequest(incident_id=crash.incident_id))
        assert wrong.call.id in found.call_ids and found.call_count == 2


async def test_the_call_that_opened_an_incident_can_be_unlinked_into_a_new_one(stack: Platform) -> None:
    """The first call of an incident taken out into one of its own: a second opening for the same call,
    which the incident service opens (its key is the new incident's, not the call's)."""
    site = fresh_sites(1)[0]
    await stack.sites([site])
    async with stack.intake([site]) as ch, stack.incidents([site]) as ich:
        intake = intake_pb2_grpc.IntakeServiceStub(ch)
        incidents = incident_pb2_grpc.IncidentServiceStub(ich)
        first = await intake.RegisterCall(emergency(site, "桥上车祸", site.latitude, site.longitude), timeout=30)
        request = intake_pb2.UnlinkCallRequest(
            idempotency_key=str(uuid.uuid4()), call_id=first.call.id, reason="另一件事"
        )
        alone = await intake.UnlinkCall(request, timeout=30)
        assert alone.incident_id != first.incident_id and alone.status != "escalation_refused"
        opened = await incidents.GetIncident(incident_pb2.GetIncidentRequest(incident_id=alone.incident_id))
        assert opened.stage != incident_pb2.STAGE_CLOSED
        # The incident service hears of the move from intake's events.
        await until(lambda: stack.linked_in_incident_service([first.call.id]), {first.call.id: alone.incident_id})


async def test_incidents_found_to_be_one_event_are_proposed_and_merged_by_the_leader(stack: Platform) -> None:
    """An officer opened a second incident for a call about the same fire; the next call fits both, so
    the platform links it to the best one and proposes the merge (no third incident); the duty leader
    merges with one action, and later calls go to the incident that was kept."""
    site = fresh_sites(1)[0]
    await stack.sites([site])
    async with stack.intake([site]) as ch, stack.incidents([site]) as ich:
        intake = intake_pb2_grpc.IntakeServiceStub(ch)
        incidents = incident_pb2_grpc.IncidentServiceStub(ich)
        first = await intake.RegisterCall(
            emergency(site, "阳光小区3号楼着火了", site.latitude, site.longitude, minutes_ago=3), timeout=30
        )
        second = await intake.RegisterCall(
            emergency(site, "阳光小区起火，浓烟", site.latitude + 0.001, site.longitude, minutes_ago=2), timeout=30
        )
        split = await intake.UnlinkCall(
            intake_pb2.UnlinkCallRequest(idempotency_key=str(uuid.uuid4()), call_id=second.call.id), timeout=30
        )
        between = await intake.RegisterCall(
            emergency(site, "阳光小区3号楼起火了", site.latitude + 0.0005, site.longitude), timeout=30
        )
        assert between.escalation == "linked"
        assert between.incident_id in (first.incident_id, split.incident_id)

        async def proposals() -> list[Any]:
            reply = await incidents.ListMergeSuggestions(
                incident_pb2.ListMergeSuggestionsRequest(site_id=site.id, open_only=True, include_drills=True)
            )
            return list(reply.suggestions)

        await until(lambda: _count(proposals()), 1)
        (proposal,) = await proposals()
        assert (proposal.primary_id, proposal.duplicate_id) == (first.incident_id, split.incident_id)
        assert proposal.evidence and proposal.status == "open"

        # An officer may not decide; the duty leader may, with one action.
        async with stack.incidents([site], role="officer") as och:
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await incident_pb2_grpc.IncidentServiceStub(och).DecideMergeSuggestion(
                    incident_pb2.DecideMergeSuggestionRequest(
                        idempotency_key=str(uuid.uuid4()), suggestion_id=proposal.id, merge=True
                    )
                )
            assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
        decided = await incidents.DecideMergeSuggestion(
            incident_pb2.DecideMergeSuggestionRequest(
                idempotency_key=str(uuid.uuid4()), suggestion_id=proposal.id, merge=True, reason="同一火情"
            ),
            timeout=60,
        )
        assert decided.status == "merged"
        duplicate = await incidents.GetIncident(incident_pb2.GetIncidentRequest(incident_id=split.incident_id))
        assert duplicate.merged_into == first.incident_id and duplicate.stage == incident_pb2.STAGE_CLOSED
        assert await proposals() == []

        # Intake hears of the merge: the next call goes to the incident that was kept.
        async def merged_in_intake() -> object:
            return await stack.db.fetchval(
                "SELECT merged_into FROM intake.incident_profiles WHERE incident_id = $1", split.incident_id
            )

        await until(merged_in_intake, first.incident_id)
        later = await intake.RegisterCall(
            emergency(site, "阳光小区火很大", site.latitude + 0.0008, site.longitude), timeout=30
        )
        assert later.incident_id == first.incident_id


async def _count(found: Any) -> int:
    return len(await found)
