"""insight's first projections: calls (with line calls and callbacks), incidents and reports, violations.

Without servers: the rows a batch of events writes, whatever order the events come in. On the real
NATS JetStream and PostgreSQL (marked ``stack``): events published → rows; the same events again →
the same rows; a rebuild → identical tables; and the scored facts as the scoring reads them."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from nats.aio.client import Client

from dutyline.db.pool import Connection, create_pool
from dutyline.events.v1 import event_pb2
from dutyline.incident.v1 import incident_pb2
from dutyline.intake.v1 import intake_pb2
from dutyline.projection import Projection, ProjectionRunner, lag, rebuild
from services.insight import scoring
from services.insight.projections import PROJECTIONS, calls, incidents, violations
from tests.dutyline.projection_servers import Servers, fresh_stream, postgres_and_nats, publish, schema_with
from tests.services.insight import events as ev
from tests.support import until

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _orders(events: list[event_pb2.Event]) -> list[list[event_pb2.Event]]:
    return [list(p) for p in itertools.permutations(events)]


# -- calls ------------------------------------------------------------------------------------------


def _call_story() -> list[event_pb2.Event]:
    """A call registered with an incomplete notice (the same version), completed, then linked."""
    record = ev.call_record("call-1", at=T0, status="registered", line_call_id="lc-1")
    completed = ev.call_record("call-1", at=T0, status="completed", line_call_id="lc-1")
    return [
        ev.call_registered("call-1", T0),
        ev.call_changed("notice.incomplete", record, version=1, at=T0),
        ev.call_changed("call.completed", completed, version=2, at=T0 + timedelta(minutes=3)),
        ev.call_linked("call-1", "inc-9", version=3, at=T0 + timedelta(minutes=4)),
    ]


def test_a_call_is_its_newest_record_and_newest_incident_in_any_order() -> None:
    results = {
        (tuple(sorted(out.calls.items())), tuple(sorted(out.incidents.items())))
        for out in (calls.changes(order) for order in _orders(_call_story()))
    }
    assert len(results) == 1
    out = calls.changes(_call_story())
    row = out.calls["call-1"]
    assert (row.status, row.line_call_id, row.assignment_id, row.category, row.channel) == (
        "completed",
        "lc-1",
        "asg-1",
        "consultation",
        "phone",
    )
    # The link (version 3) is newer than the record (version 2): it goes alone, with its version.
    assert out.incidents["call-1"].incident_id == "inc-9"
    assert out.incidents["call-1"].version > row.version


def test_the_whole_record_wins_over_the_registration_of_the_same_version() -> None:
    record = ev.call_record("call-1", at=T0, status="registered", line_call_id="lc-1")
    for order in _orders(
        [ev.call_registered("call-1", T0), ev.call_changed("notice.incomplete", record, version=1, at=T0)]
    ):
        row = calls.changes(order).calls["call-1"]
        assert (row.status, row.line_call_id) == ("registered", "lc-1")


def test_a_registration_alone_names_its_line_call_and_the_officers_assignment() -> None:
    out = calls.changes([ev.call_registered("call-1", T0, line_call_id="lc-1", assignment_id="asg-7")])
    row = out.calls["call-1"]
    assert (row.line_call_id, row.assignment_id, row.duty_gap) == ("lc-1", "asg-7", False)


def test_callback_events_say_nothing_of_the_call_record() -> None:
    record = ev.call_record("call-1", at=T0)
    promised = ev.callback_event("callback.promised", record, "cb-1", due=T0 + timedelta(minutes=10), at=T0)
    out = calls.changes([promised])
    assert out.calls == {}
    [cb] = out.callbacks
    assert (cb.callback_id, cb.call_id, cb.promised_at, cb.completed_at) == ("cb-1", "call-1", T0, None)
    done = ev.callback_event(
        "callback.completed",
        record,
        "cb-1",
        due=T0 + timedelta(minutes=10),
        at=T0 + timedelta(minutes=8),
        completed=T0 + timedelta(minutes=8),
        version=2,
    )
    [cb] = calls.changes([done]).callbacks
    assert (cb.promised_at, cb.completed_at) == (None, T0 + timedelta(minutes=8))


def test_a_line_call_is_its_newest_version() -> None:
    story = [
        ev.line_call("ringing", "lc-1", version=1, at=T0, state="ringing"),
        ev.line_call("abandoned", "lc-1", version=2, at=T0 + timedelta(seconds=40), state="abandoned"),
    ]
    for order in _orders(story):
        row = calls.changes(order).line_calls["lc-1"]
        assert (row.state, row.line_id, row.shift_name, row.version) == ("abandoned", "line-1", "day", 2)


# -- incidents ---------------------------------------------------------------------------------------


def _incident_story() -> list[event_pb2.Event]:
    first = ev.report("rep-1", "inc-1", T0 + timedelta(minutes=20))
    late = ev.report("rep-2", "inc-1", T0 + timedelta(minutes=75), late=900.0)
    tracked = ev.incident("inc-1", registered=T0, reports=(first,))
    closed = ev.incident(
        "inc-1", registered=T0, reports=(first, late), stage=incident_pb2.STAGE_CLOSED, closed=T0 + timedelta(hours=3)
    )
    return [
        ev.incident_registered("inc-1", T0),
        ev.incident_changed(
            "incident.report_submitted", tracked, version=3, at=T0 + timedelta(minutes=20), report=first
        ),
        ev.incident_changed("incident.unfounded", closed, version=5, at=T0 + timedelta(hours=3)),
        ev.incident_changed("incident.closed", closed, version=6, at=T0 + timedelta(hours=3)),
    ]


def test_an_incident_is_its_newest_version_its_reports_are_all_kept_and_it_ends_unfounded() -> None:
    outcomes = set()
    for order in _orders(_incident_story()):
        out = incidents.changes(order)
        row = out.incidents["inc-1"]
        assert (row.version, row.stage, row.severity, row.category) == (6, "closed", "II", "accident")
        assert sorted(out.reports) == ["rep-1", "rep-2"]
        assert out.reports["rep-2"].late_seconds == 900.0
        outcomes.add(out.outcomes["inc-1"])
    assert outcomes == {"unfounded"}


def test_a_registration_alone_is_an_unrated_incident_at_the_register_stage() -> None:
    out = incidents.changes([ev.incident_registered("inc-2", T0, drill=True)])
    row = out.incidents["inc-2"]
    assert (row.stage, row.severity, row.category, row.drill, row.registered_at, row.call_count) == (
        "register",
        "unrated",
        "accident",
        True,
        T0,
        1,
    )


# -- violations --------------------------------------------------------------------------------------


def test_each_violation_event_is_the_fact_scoring_charges() -> None:
    current = ev.incident("inc-1", registered=T0)
    missed_call = ev.call_record("call-7", at=T0, status="missed", officer="p-night")
    cases = [
        (
            ev.incident_changed(
                "incident.deadline_missed",
                current,
                version=4,
                at=T0,
                violations=[ev.violation("vio-1", "inc-1", "late", T0 + timedelta(hours=1))],
            ),
            ("late_report", "p-officer", ("violation", "vio-1"), T0 + timedelta(hours=1)),
        ),
        (
            ev.incident_changed(
                "incident.closed", current, version=9, at=T0, violations=[ev.violation("vio-2", "inc-1", "missed", T0)]
            ),
            ("missed_report", "p-officer", ("violation", "vio-2"), T0),
        ),
        (
            ev.incident_changed(
                "incident.report_submitted",
                current,
                version=5,
                at=T0,
                violations=[ev.violation("vio-1", "inc-1", "late", T0 + timedelta(hours=1))],
            ),
            ("late_report", "p-officer", ("violation", "vio-1"), T0 + timedelta(hours=1)),
        ),
        (
            ev.incident_changed(
                "incident.merged", current, version=9, at=T0, violations=[ev.violation("vio-3", "inc-1", "missed", T0)]
            ),
            ("missed_report", "p-officer", ("violation", "vio-3"), T0),
        ),
        (
            # 退回 as wrong by the superior office: 错报, charged to the report's author
            ev.incident_changed(
                "incident.report_returned",
                current,
                version=6,
                at=T0,
                violations=[ev.violation("vio-4", "inc-1", "wrong_report", T0)],
            ),
            ("wrong_report", "p-officer", ("violation", "vio-4"), T0),
        ),
        (
            # 瞒报 confirmed by a supervisor (OversightService): charged to each person the signal named
            ev.incident_changed(
                "oversight.finding_recorded",
                current,
                version=2,
                at=T0,
                violations=[ev.violation("vio-5", "inc-1", "concealment", T0)],
            ),
            ("concealment", "p-officer", ("violation", "vio-5"), T0),
        ),
        (
            # 更正 of a material figure later than the policy allows: 错报, charged to the corrected version's author
            ev.incident_changed(
                "incident.report_corrected",
                current,
                version=7,
                at=T0,
                violations=[ev.violation("vio-6", "inc-1", "wrong_report", T0, person="p-author")],
            ),
            ("wrong_report", "p-author", ("violation", "vio-6"), T0),
        ),
        (
            # 未及时核实: still unverified past the time to verify, charged to the responsible person
            ev.incident_changed(
                "incident.verification_overdue",
                current,
                version=3,
                at=T0,
                violations=[ev.violation("vio-7", "inc-1", "unverified", T0 + timedelta(minutes=10))],
            ),
            ("unverified", "p-officer", ("violation", "vio-7"), T0 + timedelta(minutes=10)),
        ),
        (ev.absence("asg-1", "p-a", T0), ("absence", "p-a", ("assignment", "asg-1"), T0)),
        (ev.check_in("asg-2", "p-b", T0, late_seconds=420), ("late_check_in", "p-b", ("assignment", "asg-2"), T0)),
        (ev.check_out("asg-3", "p-b", T0, early_seconds=3600), ("early_leave", "p-b", ("assignment", "asg-3"), T0)),
        (ev.handover_overdue("ho-1", T0), ("handover_overdue", "p-in", ("handover", "ho-1"), T0)),
        (ev.handover_missed("asg-5", "p-out", T0), ("handover_missed", "p-out", ("assignment", "asg-5"), T0)),
        (ev.inspection_missed("asg-4", "p-lead", T0), ("inspection_missed", "p-lead", ("assignment", "asg-4"), T0)),
        (
            ev.call_changed("call.missed", missed_call, version=1, at=T0 + timedelta(seconds=5)),
            ("unanswered_call", "p-night", ("call", "call-7"), T0 - timedelta(seconds=35)),
        ),
        (
            ev.callback_event(
                "callback.overdue",
                missed_call,
                "cb-3",
                due=T0,
                at=T0 + timedelta(minutes=1),
                overdue=True,
                version=2,
                recipient="p-night",
            ),
            ("callback_overdue", "p-night", ("callback", "cb-3"), T0 + timedelta(minutes=1)),
        ),
        (ev.case_overdue("case-1", "p-c", T0), ("case_overdue", "p-c", ("case", "case-1"), T0)),
        (
            ev.line_call("unregistered", "lc-4", version=5, at=T0, state="ended", delay=3.0),
            ("unregistered_call", "p-officer", ("line_call", "lc-4"), T0),
        ),
    ]
    # A check-out at the end is no fact (nor a check-in on time).
    assert violations.violations_of(ev.check_out("asg-3", "p-b", T0)) == []
    assert {e.type for e, _ in cases} == set(violations.TYPES)
    for event, (kind, person, record, when) in cases:
        [row] = violations.violations_of(event)
        assert (row.kind, row.person_id, (row.record_type, row.record_id), row.occurred_at) == (
            kind,
            person,
            record,
            when,
        ), event.type
        assert row.event_id == event.id and row.site_id == "hz-01" and not row.drill


def test_what_is_no_violation_records_none() -> None:
    current = ev.incident("inc-1", registered=T0)
    assert violations.violations_of(ev.check_in("asg-2", "p-b", T0)) == []
    assert violations.violations_of(ev.incident_changed("incident.closed", current, version=9, at=T0)) == []


def _two_reports_missed() -> event_pb2.Event:
    """One deadline change that recorded two violations: the written report and the follow-up both late."""
    current = ev.incident("inc-1", registered=T0)
    late = T0 + timedelta(hours=1)
    return ev.incident_changed(
        "incident.deadline_missed",
        current,
        version=4,
        at=late,
        violations=[ev.violation("vio-1", "inc-1", "late", late), ev.violation("vio-2", "inc-1", "late", late)],
    )


def test_every_violation_one_change_recorded_is_a_fact_and_is_scored() -> None:
    rows = violations.violations_of(_two_reports_missed())
    assert [(r.kind, r.record_id) for r in rows] == [("late_report", "vio-1"), ("late_report", "vio-2")]
    facts = [
        scoring.Fact(r.kind, r.site_id, r.person_id, r.occurred_at, scoring.SourceRef(r.record_type, r.record_id))
        for r in rows
    ]
    zones = {"hz-01": ZoneInfo("Asia/Shanghai")}
    period = scoring.Period.parse("2026-03")
    [site_card, officer_card] = scoring.scorecards(
        facts,
        rules_versions=[scoring.DEFAULT_RULES],
        annotations=[],
        duties=[],
        period=period,
        zones=zones,
        as_of=T0 + timedelta(days=1),
    )
    assert officer_card.person_id == "p-officer"
    late = [line for line in officer_card.lines if line.kind == scoring.ViolationKind.LATE_REPORT]
    assert [(line.source.record_id, line.points) for line in late] == [("vio-1", -2), ("vio-2", -2)]
    assert site_card.person_id == ""


def test_an_event_from_before_all_violations_were_carried_gives_its_one() -> None:
    event = _two_reports_missed()
    changed = event_pb2.IncidentChanged()
    assert event.payload.Unpack(changed)
    del changed.violations[:]
    event.payload.Pack(changed)
    assert [r.record_id for r in violations.violations_of(event)] == ["vio-2"]


def test_a_drill_violation_is_marked_a_drill() -> None:
    current = ev.incident("inc-1", registered=T0, drill=True)
    event = ev.incident_changed(
        "incident.deadline_missed",
        current,
        version=4,
        at=T0,
        violations=[ev.violation("vio-1", "inc-1", "late", T0, drill=True)],
    )
    [row] = violations.violations_of(event)
    assert row.drill


def test_an_event_of_another_payload_is_refused_so_it_becomes_a_dead_letter() -> None:
    bad = ev.event("absence.recorded", intake_pb2.Call(id="x"), aggregate_id="asg-1", version=1, at=T0)
    with pytest.raises(ValueError, match="AbsenceRecorded"):
        violations.violations_of(bad)
    with pytest.raises(ValueError):
        calls.changes([ev.event("call.registered", intake_pb2.Call(id="x"), aggregate_id="c", version=1, at=T0)])


def test_a_shuffled_month_of_calls_gives_the_same_rows() -> None:
    rng = random.Random(17)
    story: list[event_pb2.Event] = []
    for n in range(200):
        at = T0 + timedelta(minutes=7 * n)
        call_id = f"call-{n}"
        story.append(ev.call_registered(call_id, at, delay=rng.uniform(1, 30), late=rng.random() < 0.2))
        record = ev.call_record(call_id, at=at, status="completed")
        story.append(ev.call_changed("call.completed", record, version=2, at=at + timedelta(minutes=2)))
    shuffled = story[:]
    rng.shuffle(shuffled)
    assert calls.changes(story).calls == calls.changes(shuffled).calls
    assert all(row.status == "completed" for row in calls.changes(shuffled).calls.values())


# -- on the real NATS JetStream and PostgreSQL -------------------------------------------------------


@dataclass
class Story:
    """Events of a morning at hz-01, and what the tables must say of them (counted here, apart)."""

    events: list[event_pb2.Event] = field(default_factory=list)
    late_answers: set[str] = field(default_factory=set)
    missed_line_calls: set[str] = field(default_factory=set)
    callbacks_on_time: set[str] = field(default_factory=set)
    facts: set[tuple[str, str, str, str]] = field(default_factory=set)


def morning() -> Story:
    rng = random.Random(1717)
    story = Story()
    add = story.events.append
    for n in range(40):
        at = T0 + timedelta(minutes=5 * n)
        call_id = f"call-{n:03d}"
        drill = n % 10 == 9
        delay = rng.uniform(2, 30)
        late = delay > 15
        category = rng.choice(["consultation", "complaint", "emergency"])
        add(ev.call_registered(call_id, at, delay=delay, late=late, category=category, drill=drill))
        record = ev.call_record(call_id, at=at, status="completed", delay=delay, late=late, drill=drill)
        add(ev.call_changed("call.completed", record, version=2, at=at + timedelta(minutes=2), drill=drill))
        if late and not drill:
            story.late_answers.add(call_id)
            story.facts.add(("late_answer", "p-officer", "call", call_id))
    for n in range(6):
        at = T0 + timedelta(minutes=13 * n + 1)
        line_call_id, call_id, callback_id = f"lc-{n}", f"call-m{n}", f"cb-{n}"
        add(ev.line_call("ringing", line_call_id, version=1, at=at - timedelta(seconds=40), state="ringing"))
        add(ev.line_call("not_answered", line_call_id, version=2, at=at, state="not_answered"))
        missed = ev.call_record(call_id, at=at, status="missed", officer="p-night", line_call_id=line_call_id)
        add(ev.call_changed("call.missed", missed, version=1, at=at))
        due = at + timedelta(minutes=10)
        add(ev.callback_event("callback.promised", missed, callback_id, due=due, at=at, recipient="p-night"))
        done = at + timedelta(minutes=8 if n % 3 else 25)
        if n % 3:
            story.callbacks_on_time.add(callback_id)
        else:
            late_at = due + timedelta(seconds=1)
            add(
                ev.callback_event(
                    "callback.overdue",
                    missed,
                    callback_id,
                    due=due,
                    at=late_at,
                    overdue=True,
                    version=2,
                    recipient="p-night",
                )
            )
            story.facts.add(("callback_overdue", "p-night", "callback", callback_id))
        add(
            ev.callback_event(
                "callback.completed",
                missed,
                callback_id,
                due=due,
                at=done,
                completed=done,
                version=2,
                recipient="p-night",
            )
        )
        story.missed_line_calls.add(line_call_id)
        story.facts.add(("unanswered_call", "p-night", "call", call_id))
    for n in range(4):
        incident_id = f"inc-{n}"
        at = T0 + timedelta(hours=n)
        first = ev.report(f"rep-{n}-1", incident_id, at + timedelta(minutes=20))
        add(ev.incident_registered(incident_id, at))
        tracked = ev.incident(incident_id, registered=at, reports=(first,))
        add(ev.incident_changed("incident.report_submitted", tracked, version=2, at=at, report=first))
        late = ev.violation(f"vio-{n}", incident_id, "late", at + timedelta(hours=1))
        recorded = [late]
        if n == 0:
            # One deadline change that recorded two violations: both are facts.
            recorded.append(ev.violation("vio-0-b", incident_id, "late", at + timedelta(hours=1)))
            story.facts.add(("late_report", "p-officer", "violation", "vio-0-b"))
        add(ev.incident_changed("incident.deadline_missed", tracked, version=3, at=at, violations=recorded))
        closed = ev.incident(incident_id, registered=at, reports=(first,), stage=incident_pb2.STAGE_CLOSED)
        if n % 2:
            # Closed without the written report: 漏报 replaces 迟报.
            missed = ev.violation(f"vio-{n}", incident_id, "missed", at + timedelta(hours=1))
            add(ev.incident_changed("incident.closed", closed, version=4, at=at, violations=[missed]))
            story.facts.add(("missed_report", "p-officer", "violation", f"vio-{n}"))
        else:
            story.facts.add(("late_report", "p-officer", "violation", f"vio-{n}"))
            add(ev.incident_changed("incident.closed", closed, version=4, at=at))
    add(ev.absence("asg-7", "p-a", T0))
    add(ev.check_in("asg-8", "p-b", T0, late_seconds=400))
    add(ev.check_in("asg-9", "p-c", T0))
    add(ev.handover_overdue("ho-1", T0))
    add(ev.case_overdue("case-1", "p-d", T0))
    story.facts |= {
        ("absence", "p-a", "assignment", "asg-7"),
        ("late_check_in", "p-b", "assignment", "asg-8"),
        ("handover_overdue", "p-in", "handover", "ho-1"),
        ("case_overdue", "p-d", "case", "case-1"),
    }
    return story


TABLES = {
    "calls": "call_id",
    "line_calls": "line_call_id",
    "callbacks": "callback_id",
    "incidents": "incident_id",
    "reports": "report_id",
    "violations": "site_id, record_type, record_id, kind",
}


async def tables(pool: asyncpg.Pool) -> dict[str, list[asyncpg.Record]]:
    return {t: await pool.fetch(f"SELECT * FROM {t} ORDER BY {key}") for t, key in TABLES.items()}


def consumed(story: Story) -> dict[str, int]:
    return {p.name: len({e.id for e in story.events if e.type in p.types}) for p in PROJECTIONS}


async def consumed_now(pool: asyncpg.Pool) -> dict[str, int]:
    rows = await pool.fetch("SELECT consumer, count(*) AS n FROM consumed_events GROUP BY consumer")
    return {p.name: next((r["n"] for r in rows if r["consumer"] == p.name), 0) for p in PROJECTIONS}


@pytest.fixture(scope="module")
async def servers() -> AsyncIterator[Servers]:
    async with postgres_and_nats() as started:
        yield started


@pytest.mark.stack
async def test_the_events_become_rows_once_and_a_rebuild_gives_the_same_tables(servers: Servers) -> None:
    story = morning()
    async with (
        fresh_stream(servers.nats.url) as nc,
        schema_with(servers.postgres.dsn, "services.insight.migrations", "insight_t") as schema,
    ):
        pool = await create_pool(servers.postgres.dsn, schema=schema, min_size=1, max_size=8)
        runners = [ProjectionRunner(pool=pool, projection=p, nats_url=servers.nats.url, batch=64) for p in PROJECTIONS]
        tasks = [asyncio.create_task(r.run()) for r in runners]
        try:
            await publish(nc, story.events)
            await until(lambda: consumed_now(pool), consumed(story))
            first = await tables(pool)

            calls_ = {r["call_id"]: r for r in first["calls"]}
            assert len(calls_) == 46
            assert {c for c, r in calls_.items() if r["answered_late"] and not r["drill"]} == story.late_answers
            assert sum(r["drill"] for r in calls_.values()) == 4
            assert all(r["status"] == "completed" for c, r in calls_.items() if not c.startswith("call-m"))
            missed = {r["line_call_id"] for r in first["line_calls"] if r["state"] in ("abandoned", "not_answered")}
            assert missed == story.missed_line_calls
            on_time = {r["callback_id"] for r in first["callbacks"] if r["completed_at"] <= r["due_at"]}
            assert on_time == story.callbacks_on_time
            assert {r["outcome"] for r in first["incidents"]} == {"closed"}
            assert len(first["reports"]) == 4
            facts = await pool.fetch(
                "SELECT kind, person_id, record_type, record_id FROM scoring_facts WHERE NOT drill"
            )
            assert {tuple(r) for r in facts} == story.facts

            # Everything delivered again, in another order: the same rows.
            again = story.events[:]
            random.Random(3).shuffle(again)
            await publish(nc, again, again=True)
            async with pool.acquire() as conn:
                for projection in PROJECTIONS:
                    await until(lambda p=projection: _pending(conn, nc, p), 0)
            assert await tables(pool) == first

            # Rebuilt from the stream (which holds every event twice now): the same rows again.
            async with pool.acquire() as conn:
                for projection in PROJECTIONS:
                    await rebuild(conn, nc.jetstream(), projection)
            await until(lambda: consumed_now(pool), consumed(story))
            async with pool.acquire() as conn:
                for projection in PROJECTIONS:
                    await until(lambda p=projection: _pending(conn, nc, p), 0)
            assert await tables(pool) == first
            assert await pool.fetchval("SELECT count(*) FROM dead_letters") == 0
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await pool.close()


async def _pending(conn: Connection, nc: Client, projection: Projection) -> int:
    return (await lag(conn, nc.jetstream(), projection)).pending


@asynccontextmanager
async def projected_into(servers: Servers, events: list[event_pb2.Event]) -> AsyncIterator[asyncpg.Pool]:
    """A schema the projections filled from ``events`` published in this order on a stream of their own."""
    story = Story(events=events)
    async with (
        fresh_stream(servers.nats.url) as nc,
        schema_with(servers.postgres.dsn, "services.insight.migrations", "insight_t") as schema,
    ):
        pool = await create_pool(servers.postgres.dsn, schema=schema, min_size=1, max_size=8)
        runners = [ProjectionRunner(pool=pool, projection=p, nats_url=servers.nats.url, batch=16) for p in PROJECTIONS]
        tasks = [asyncio.create_task(r.run()) for r in runners]
        try:
            await publish(nc, events)
            await until(lambda: consumed_now(pool), consumed(story))
            yield pool
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await pool.close()


async def projected(servers: Servers, events: list[event_pb2.Event]) -> dict[str, list[asyncpg.Record]]:
    """The tables the projections make of ``events`` published in this order on a stream of their own."""
    async with projected_into(servers, events) as pool:
        return await tables(pool)


@pytest.mark.stack
async def test_the_same_events_in_another_order_give_the_same_tables(servers: Servers) -> None:
    events = morning().events
    shuffled = events[:]
    random.Random(11).shuffle(shuffled)
    in_order = await projected(servers, events)
    assert await projected(servers, shuffled) == in_order
    assert await projected(servers, list(reversed(events))) == in_order


# Answer times per line (接听时长，按线路): a registered call's answer, by the line it rang on.
ANSWER_TIMES_PER_LINE = """
SELECT l.line_id, count(*) AS calls, avg(c.answer_delay_seconds) AS mean_delay, max(c.answer_delay_seconds) AS longest
FROM calls c JOIN line_calls l ON l.line_call_id = c.line_call_id
WHERE NOT c.drill GROUP BY l.line_id ORDER BY l.line_id
"""


@pytest.mark.stack
async def test_answer_times_per_line_count_calls_known_only_by_their_registration(servers: Servers) -> None:
    # Three answered line calls, each registered against the switch's call: the registration is all the
    # stream says of the call record yet (no later change carries the whole record).
    answered = [("lc-a", "line-1", 4.0), ("lc-b", "line-1", 10.0), ("lc-c", "line-2", 20.0)]
    events: list[event_pb2.Event] = []
    for n, (line_call_id, line, delay) in enumerate(answered):
        at = T0 + timedelta(minutes=10 * n)
        events.append(
            ev.line_call("answered", line_call_id, version=2, at=at, state="answered", delay=delay, line=line)
        )
        events.append(
            ev.call_registered(f"call-{n}", at, delay=delay, line_call_id=line_call_id, assignment_id=f"asg-{line}")
        )
    async with projected_into(servers, events) as pool:
        per_line = [tuple(r) for r in await pool.fetch(ANSWER_TIMES_PER_LINE)]
        per_assignment = dict(
            tuple(r) for r in await pool.fetch("SELECT assignment_id, count(*) FROM calls GROUP BY assignment_id")
        )
    assert per_line == [("line-1", 2, 7.0, 10.0), ("line-2", 1, 20.0, 20.0)]
    assert per_assignment == {"asg-line-1": 2, "asg-line-2": 1}
