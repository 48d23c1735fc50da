"""IncidentWorkflow's reporting deadlines on Temporal's time-skipping test server: hours and days of an
incident run in well under a second. The activities are replaced by fakes registered under the same
names: the leader notice and every ChangeSet are recorded, and load_policy answers from the REAL shipped
policies (rules.default_policies) through the real conversion, so the tests exercise them.

Started without search attributes (the time-skipping server cannot register custom ones; the workflow
then skips its upserts). Every test first moves the shared clock to a known local time in Asia/Shanghai,
so the fixed-time follow-ups (续报 at 08:00 and 17:00) fall where the test expects them."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from time import monotonic
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle, WorkflowHistory, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from dutyline.temporal_sandbox import workflow_runner
from services.incident import rules
from tests.temporal_support import until
from workflows.incident.convert import parse, policy_to_data
from workflows.incident.types import (
    APPLY_CHANGE,
    CALLS_LINKED_SIGNAL,
    INCIDENT_REVISION,
    INCIDENT_REVISION_EVERY_WORKER_RUNS,
    LOAD_POLICY,
    LOAD_VERIFY_WITHIN,
    NOTIFY_DUTY_LEADER,
    NOTIFY_RESPONSIBLE,
    RECORD_FAILURE,
    AccidentData,
    Actor,
    CasualtiesData,
    ChangeSet,
    CloseArgs,
    IncidentInput,
    IncidentOutcome,
    LeaderNotice,
    LeaderNotified,
    NoteArgs,
    PolicyData,
    PolicyQuery,
    ReclassifyArgs,
    ReportArgs,
    ResponsibleNotice,
    StepFailure,
    UpdateResult,
    VerifyArgs,
    ViolationData,
)
from workflows.incident.workflow import STEP_FAILED, IncidentWorkflow

Handle = WorkflowHandle[IncidentWorkflow, IncidentOutcome]
HISTORIES = Path(__file__).parent / "histories"
# Every workflow the tests start; the ones still running are terminated after each test.
STARTED: list[Handle] = []
SHANGHAI = ZoneInfo("Asia/Shanghai")
POLICIES = rules.default_policies(datetime(2020, 1, 1, tzinfo=UTC))
BEIJING, HANGZHOU = "110000", "330100"
# Times are the server's skipped clock; a timer fires and an update runs within a moment of it.
SLACK = timedelta(seconds=2)
OFFICER = Actor(person_id="p-officer-1", name="值班员 Officer")
ADMIN = Actor(person_id="p-admin-1", name="管理员 Admin", admin=True)
SIX_ITEMS = AccidentData(
    unit="某化工厂 a chemical plant",
    time_place_scene="10:00 车间二 workshop 2, fire contained",
    what_happened="反应釜泄漏起火 a reactor leaked and caught fire",
    measures="疏散、灭火 evacuated, fire put out",
    other="",
    casualties=CasualtiesData(injuries=2),
)


@dataclass
class FakeIncidentActivities:
    """The three incident activities for one test: record every notice, policy query and ChangeSet."""

    changes: list[ChangeSet] = field(default_factory=list)
    notices: list[LeaderNotice] = field(default_factory=list)
    queries: list[PolicyQuery] = field(default_factory=list)
    # When set, the registration notice waits for it (a slow roster or notifier).
    hold_registration_notice: asyncio.Event | None = None
    registration_notice_sent: asyncio.Event = field(default_factory=asyncio.Event)
    # While set, every notice fails and is retried (notify unreachable); the attempts made.
    notify_down: bool = False
    notice_attempts: int = 0
    # Event types whose change cannot be stored, for good (as a database refusing the data); and
    # whether the leader notices are refused for good (as notify refusing the escalation).
    refuse: set[str] = field(default_factory=set)
    refuse_notices: bool = False
    failures: list[StepFailure] = field(default_factory=list)
    # The time zone load_policy reports for the incident's site ("": none, as before the field).
    zone: str = ""
    # Alerts to the incident's responsible person (silence from the scene).
    responsible: list[ResponsibleNotice] = field(default_factory=list)

    @activity.defn(name=NOTIFY_DUTY_LEADER)
    async def notify_duty_leader(self, notice: LeaderNotice) -> LeaderNotified:
        self.notice_attempts += 1
        if self.notify_down:
            raise ApplicationError("UNAVAILABLE: notify: connection refused")
        if self.refuse_notices:
            raise ApplicationError("INVALID_ARGUMENT: data.place: at most 2000 characters", non_retryable=True)
        self.notices.append(notice)
        if notice.step == "registered" and self.hold_registration_notice is not None:
            await self.hold_registration_notice.wait()
        if notice.step == "registered":
            self.registration_notice_sent.set()
        return LeaderNotified(leader_ids=["p-leader-1"], channel="test")

    @activity.defn(name=LOAD_POLICY)
    async def load_policy(self, query: PolicyQuery) -> PolicyData | None:
        self.queries.append(query)
        chosen = rules.select_policy(
            POLICIES,
            jurisdiction=query.jurisdiction,
            category=query.category,
            sub_type=query.sub_type,
            severity=query.severity,
            at=parse(query.at),
        )
        return replace(policy_to_data(chosen), time_zone=self.zone) if chosen is not None else None

    @activity.defn(name=LOAD_VERIFY_WITHIN)
    async def load_verify_within(self, query: PolicyQuery) -> int:
        # The real rule over the shipped policies.
        within = rules.verify_within(POLICIES, jurisdiction=query.jurisdiction, at=parse(query.at))
        return int(within.total_seconds())

    @activity.defn(name=NOTIFY_RESPONSIBLE)
    async def notify_responsible(self, notice: ResponsibleNotice) -> str:
        self.responsible.append(notice)
        return OFFICER.person_id

    @activity.defn(name=APPLY_CHANGE)
    async def apply_change(self, change: ChangeSet) -> None:
        if change.event_type in self.refuse:
            raise ApplicationError("DataError: invalid byte sequence for encoding UTF8: 0x00", non_retryable=True)
        self.changes.append(change)

    @activity.defn(name=RECORD_FAILURE)
    async def record_failure(self, failure: StepFailure) -> None:
        self.failures.append(failure)

    def activities(self) -> list[Callable[..., Any]]:
        return [
            self.notify_duty_leader,
            self.load_policy,
            self.apply_change,
            self.record_failure,
            self.load_verify_within,
            self.notify_responsible,
        ]

    def events(self) -> list[str]:
        return [c.event_type for c in self.changes]

    def of(self, event_type: str) -> list[ChangeSet]:
        return [c for c in self.changes if c.event_type == event_type]

    def violations(self) -> list[ViolationData]:
        return [v for c in self.changes for v in c.violations]


@pytest.fixture
def fake() -> FakeIncidentActivities:
    return FakeIncidentActivities()


@pytest.fixture
async def worker(env: WorkflowEnvironment, fake: FakeIncidentActivities) -> AsyncIterator[Worker]:
    async with Worker(
        env.client,
        task_queue=f"tq-{uuid.uuid4()}",
        workflows=[IncidentWorkflow],
        activities=fake.activities(),
        workflow_runner=workflow_runner(),
    ) as running:
        yield running


async def processed(handle: Handle, activity_type: str) -> None:
    """Wait until a workflow task has run after the first `activity_type` activity completed."""
    for _ in range(250):
        events = [e async for e in handle.fetch_history_events()]
        scheduled = next(
            e.event_id
            for e in events
            if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
            and e.activity_task_scheduled_event_attributes.activity_type.name == activity_type
        )
        done = next(
            (
                i
                for i, e in enumerate(events)
                if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
                and e.activity_task_completed_event_attributes.scheduled_event_id == scheduled
            ),
            None,
        )
        if done is not None and any(
            e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED for e in events[done:]
        ):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the workflow never went on after {activity_type}")


async def skip_to_local(env: WorkflowEnvironment, wall: time) -> None:
    """Skip the shared clock to the next `wall` o'clock in Asia/Shanghai."""
    now = await env.get_current_time()
    local = now.astimezone(SHANGHAI)
    target = datetime.combine(local.date(), wall, SHANGHAI)
    if target <= local:
        target += timedelta(days=1)
    await env.sleep(target - now)


def near(moment: datetime | str | None, expected: datetime) -> bool:
    assert moment is not None
    value = parse(moment) if isinstance(moment, str) else moment
    return abs(value - expected) <= SLACK


def local(moment: str | None) -> tuple[int, int]:
    """(hour, minute) of an ISO instant on the Asia/Shanghai clock."""
    assert moment is not None
    at = parse(moment).astimezone(SHANGHAI)
    return at.hour, at.minute


@dataclass
class Incident:
    """One incident workflow and the operator's actions on it."""

    env: WorkflowEnvironment
    fake: FakeIncidentActivities
    handle: Handle
    registered_at: datetime

    async def at(self, offset: timedelta) -> None:
        """Skip the clock to `offset` after registration."""
        remaining = self.registered_at + offset - await self.env.get_current_time()
        if remaining > timedelta(0):
            await self.env.sleep(remaining)

    async def verify(
        self, severity: str, *, category: str = "social_safety", sub_type: str = "", confirmed: bool = True
    ) -> UpdateResult:
        return await self.handle.execute_update(
            IncidentWorkflow.verify,
            VerifyArgs(
                actor=OFFICER,
                confirmed=confirmed,
                category=category,
                sub_type=sub_type,
                severity=severity,
                casualties=CasualtiesData(injuries=2),
                reason="" if confirmed else "误报 false alarm",
            ),
        )

    async def reclassify(self, severity: str, *, category: str = "social_safety", sub_type: str = "") -> UpdateResult:
        return await self.handle.execute_update(
            IncidentWorkflow.reclassify,
            ReclassifyArgs(actor=OFFICER, severity=severity, category=category, sub_type=sub_type, reason="新情况"),
        )

    async def report(self, kind: str, *, accident: AccidentData | None = None) -> UpdateResult:
        """A report of `kind` to whom the policy in force names."""
        recipient = next((d["recipient"] for d in (await self.deadlines()).values() if d["kind"] == kind), "")
        return await self.handle.execute_update(
            IncidentWorkflow.report,
            ReportArgs(
                actor=OFFICER,
                report_id=f"rep-{uuid.uuid4()}",
                kind=kind,
                recipient=recipient or rules.SUPERIOR,
                content=f"{kind} report",
                accident=accident,
                casualties=CasualtiesData(injuries=2) if accident else None,
            ),
        )

    async def feedback(self) -> UpdateResult:
        return await self.handle.execute_update(
            IncidentWorkflow.feedback,
            NoteArgs(actor=OFFICER, text="已处置 handled", call_id="call-1", method="phone", feedback_id="fb-1"),
        )

    async def close(self, *, override: str = "", actor: Actor = OFFICER) -> UpdateResult:
        return await self.handle.execute_update(
            IncidentWorkflow.close, CloseArgs(actor=actor, summary="处置完毕 done", override_reason=override)
        )

    async def deadlines(self) -> dict[str, dict[str, Any]]:
        """The `deadlines` query by key ("initial_phone:0", "follow_up:1", …), in the workflow's order.
        Queried by name: its declared type does not decode (test_the_deadlines_query_decodes_as_declared)."""
        answer: list[dict[str, Any]] = await self.handle.query("deadlines")
        return {f"{d['kind']}:{d['number']}": d for d in answer}


async def launch(
    env: WorkflowEnvironment,
    worker: Worker,
    registered_at: datetime,
    *,
    jurisdiction: str = BEIJING,
    clock_from: datetime | None = None,
    revision: int = INCIDENT_REVISION,
) -> Handle:
    """A new incident's workflow, registered at ``registered_at`` (as OpenIncident starts it; by default with
    the newest revision, whose leader notices are local activities)."""
    incident_id = f"inc-{uuid.uuid4()}"
    handle = await env.client.start_workflow(
        IncidentWorkflow.run,
        IncidentInput(
            incident_id=incident_id,
            site_id="site-01",
            title="燃气泄漏 gas leak",
            first_responder_id=OFFICER.person_id,
            drill=False,
            registered_at=registered_at.astimezone(UTC).isoformat(),
            jurisdiction=jurisdiction,
            time_zone="Asia/Shanghai",
            clock_from=clock_from.astimezone(UTC).isoformat() if clock_from else "",
            revision=revision,
        ),
        id=incident_id,
        task_queue=worker.task_queue,
    )
    STARTED.append(handle)
    return handle


async def start(
    env: WorkflowEnvironment,
    worker: Worker,
    fake: FakeIncidentActivities,
    *,
    jurisdiction: str = BEIJING,
    wall: time = time(10, 0),
    wait_for_notice: bool = True,
    revision: int = INCIDENT_REVISION,
) -> Incident:
    """An incident registered at the next `wall` o'clock Shanghai time, in stage verify (the leader told)."""
    await skip_to_local(env, wall)
    registered_at = await env.get_current_time()
    handle = await launch(env, worker, registered_at, jurisdiction=jurisdiction, revision=revision)
    assert near((await handle.describe()).start_time, registered_at)  # registered when the workflow started
    if wait_for_notice:
        for _ in range(250):
            if await handle.query(IncidentWorkflow.stage) == "verify":
                break
            await asyncio.sleep(0.02)
        assert await handle.query(IncidentWorkflow.stage) == "verify"
    return Incident(env, fake, handle, registered_at)


_ACTIVITY_ENDS = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: "activity_task_completed_event_attributes",
    EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED: "activity_task_failed_event_attributes",
    EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: "activity_task_timed_out_event_attributes",
    EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED: "activity_task_canceled_event_attributes",
}

_WORKFLOW_TASK_EVENTS = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
}


async def idle(handle: Handle) -> bool:
    """Whether the workflow has no work in hand: its last workflow task completed and every activity it
    scheduled ended (read from its history: the time-skipping server's describe does not tell)."""
    events = [e async for e in handle.fetch_history_events()]
    scheduled = {e.event_id for e in events if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED}
    ended = {
        getattr(e, _ACTIVITY_ENDS[e.event_type]).scheduled_event_id for e in events if e.event_type in _ACTIVITY_ENDS
    }
    tasks = [e.event_type for e in events if e.event_type in _WORKFLOW_TASK_EVENTS]
    return scheduled <= ended and bool(tasks) and tasks[-1] == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED


@pytest.fixture(autouse=True)
async def terminate_leftovers(worker: Worker) -> AsyncIterator[None]:
    """A workflow a test leaves running must not wait on timers in the shared clock with no worker.
    Its work in hand (a workflow task, activities) finishes first, while its worker still runs (the
    fixture needs it, so it is torn down first): a workflow ended with an activity outstanding left the
    time-skipping server's clock locked, and every later ``env.sleep`` of the module timed out."""
    yield
    while STARTED:
        handle = STARTED.pop()
        for _ in range(250):
            if (await handle.describe()).status != WorkflowExecutionStatus.RUNNING:
                break
            if await idle(handle):
                await handle.terminate("test over")
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError(f"{handle.id} kept a workflow task or activities outstanding")


def policy(policy_id: str) -> rules.Policy:
    return next(p for p in POLICIES if p.id == policy_id)


# -- 1. every shipped policy family, reported on time --------------------------------------------------


@dataclass(frozen=True)
class Family:
    policy_id: str
    jurisdiction: str
    severity: str
    category: str
    sub_type: str
    # Expected timed deadlines (the leader notice aside) by key, as offsets from registration at 10:00.
    due: dict[str, timedelta]
    # When each report goes in (on time), then a quiet stretch past every deadline before 终报 and closing.
    reports: tuple[tuple[timedelta, str], ...]
    quiet_until: timedelta


M, H, D = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
FAMILIES = [
    Family(
        "national-I",
        BEIJING,
        "I",
        "social_safety",
        "",
        # 续报 at 17:00 and 08:00 local: 7 h and 22 h after 10:00.
        {"initial_phone:0": 30 * M, "initial_written:0": H, "follow_up:1": 7 * H, "follow_up:2": 22 * H},
        ((25 * M, "initial_phone"), (55 * M, "initial_written"), (6 * H, "follow_up")),
        7 * H + 5 * M,
    ),
    Family(
        "national-II",
        BEIJING,
        "II",
        "natural_disaster",
        "",
        {"initial_phone:0": 30 * M, "initial_written:0": H, "follow_up:1": 7 * H, "follow_up:2": 22 * H},
        ((29 * M, "initial_phone"), (59 * M, "initial_written"), (6 * H, "follow_up")),
        7 * H + 5 * M,
    ),
    Family(
        "national-III",
        BEIJING,
        "III",
        "public_health",
        "",
        {"initial_phone:0": H, "initial_written:0": 2 * H, "follow_up:1": 22 * H},
        ((50 * M, "initial_phone"), (110 * M, "initial_written"), (21 * H, "follow_up")),
        22 * H + 5 * M,
    ),
    Family(
        "national-IV",
        BEIJING,
        "IV",
        "social_safety",
        "",
        {"initial_written:0": 2 * H},
        ((115 * M, "initial_written"),),
        2 * H + 5 * M,
    ),
    Family(
        "zj-I",
        HANGZHOU,
        "I",
        "social_safety",
        "",
        {"initial_phone:0": 15 * M, "initial_written:0": 35 * M, "follow_up:1": 7 * H},
        ((14 * M, "initial_phone"), (34 * M, "initial_written")),
        40 * M,
    ),
    Family(
        "zj-II",
        HANGZHOU,
        "II",
        "natural_disaster",
        "",
        {"initial_phone:0": 15 * M, "initial_written:0": 35 * M, "follow_up:1": 7 * H},
        ((10 * M, "initial_phone"), (30 * M, "initial_written")),
        40 * M,
    ),
    Family(
        "accident",
        BEIJING,
        "III",
        "accident",
        "hazardous_chemicals",
        # Phone to the county within 1 h, written one level up within 2 h, casualty changes within 30 days.
        {"initial_phone:0": H, "initial_written:0": 2 * H, "follow_up:1": 30 * D},
        ((55 * M, "initial_phone"), (115 * M, "initial_written"), (29 * D, "follow_up")),
        30 * D + H,
    ),
    Family(
        "accident-road-fire",
        BEIJING,
        "IV",
        "accident",
        "road_traffic",
        {"initial_phone:0": H, "initial_written:0": 2 * H, "follow_up:1": 7 * D},
        ((55 * M, "initial_phone"), (115 * M, "initial_written"), (6 * D + 23 * H, "follow_up")),
        # Not 7 d 1 h: the scene's silence is alerted then (2 h after the follow-up), and an update
        # arriving in the same instant as a timer trips the time-skipping test server.
        7 * D + 30 * M,
    ),
]


@pytest.mark.parametrize("family", FAMILIES, ids=[f.policy_id for f in FAMILIES])
async def test_reports_on_time_raise_no_violation(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities, family: Family
) -> None:
    incident = await start(env, worker, fake, jurisdiction=family.jurisdiction)
    assert (await incident.verify(family.severity, category=family.category, sub_type=family.sub_type)).stage == (
        "escalate"
    )
    verified = fake.of("incident.verified")[0]
    assert (verified.fields.policy_id, verified.fields.policy_version) == (family.policy_id, 1)

    planned = await incident.deadlines()
    assert planned["leader_notice:0"]["met_at"] is not None
    assert planned["final:0"]["due_at"] is None
    timed = {key: d for key, d in planned.items() if d["due_at"] is not None and key != "leader_notice:0"}
    assert set(family.due) <= set(timed)
    for key, after in family.due.items():
        assert near(timed[key]["due_at"], incident.registered_at + after), key
    recipients = {r.kind: r.recipient for r in policy(family.policy_id).requirements}
    assert all(d["recipient"] == recipients[d["kind"]] for d in planned.values())

    for offset, kind in family.reports:
        await incident.at(offset)
        content = SIX_ITEMS if family.category == "accident" and kind == "initial_written" else None
        result = await incident.report(kind, accident=content)
        assert result.late_seconds == 0, kind
    await incident.at(family.quiet_until)  # every deadline above has passed: none may fire
    await incident.report("final")
    await incident.feedback()
    assert (await incident.close()).stage == "closed"
    assert (await incident.handle.result()).stage == "closed"

    assert "incident.deadline_missed" not in fake.events()
    assert fake.violations() == []
    assert [c.report.late_seconds for c in fake.of("incident.report_submitted") if c.report] == [0] * (
        len(family.reports) + 1
    )
    # No report late; the scene's silence over hours without a progress note is alerted (its own test).
    assert [n.step for n in fake.notices if not n.step.startswith("scene_silent")] == ["registered"]
    if family.category == "accident":  # the six items went one level up
        reports = [c.report for c in fake.of("incident.report_submitted") if c.report is not None]
        written = next(r for r in reports if r.kind == "initial_written")
        assert (written.accident, written.recipient) == (SIX_ITEMS, rules.NEXT_LEVEL)
    final = await incident.deadlines()
    assert not any(d["missed"] for d in final.values())
    assert all(d["met_at"] for d in final.values() if d["kind"] != "follow_up")
    for offset, kind in family.reports:
        met = next(d for d in final.values() if d["kind"] == kind and d["met_at"])
        assert near(met["met_at"], incident.registered_at + offset), kind


# -- 2. 迟报: a report late --------------------------------------------------------------------------------


async def test_a_late_phone_report_is_a_violation_with_its_lateness(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    incident = await start(env, worker, fake, jurisdiction=BEIJING)
    await incident.verify("I")
    phone_due = incident.registered_at + 30 * M

    await incident.at(29 * M)
    assert "incident.deadline_missed" not in fake.events()
    await incident.at(30 * M + timedelta(seconds=1))
    await until(lambda: bool(fake.of("incident.deadline_missed")), "the missed deadline")
    missed = fake.of("incident.deadline_missed")[0]
    assert near(missed.at, phone_due)
    assert missed.actor.kind == "system"
    assert len(missed.violations) == 1
    violation = missed.violations[0]
    assert (violation.kind, violation.report_kind, violation.number) == ("late", "initial_phone", 0)
    assert violation.due_at is not None and near(violation.due_at, phone_due)
    assert missed.deadlines is not None
    assert [d.missed for d in missed.deadlines if d.kind == "initial_phone"] == [True]
    await until(lambda: len(fake.notices) == 2, "the leader told of it")
    assert fake.notices[1].step == "missed:initial_phone:0"

    await incident.at(42 * M)
    result = await incident.report("initial_phone")
    assert result.late_seconds == pytest.approx(720, abs=SLACK.total_seconds())
    submitted = fake.of("incident.report_submitted")[0]
    assert submitted.report is not None
    assert submitted.report.late_seconds == pytest.approx(720, abs=SLACK.total_seconds())
    assert [(v.kind, v.report_kind) for v in submitted.violations] == [("late", "initial_phone")]
    assert submitted.violations[0].late_seconds == pytest.approx(720, abs=SLACK.total_seconds())

    await incident.at(50 * M)
    assert (await incident.report("initial_written")).late_seconds == 0
    await incident.at(61 * M)
    assert len(fake.of("incident.deadline_missed")) == 1  # the written report was on time
    deadlines = await incident.deadlines()
    phone = deadlines["initial_phone:0"]
    assert phone["missed"] is True  # stays 迟报 though met afterwards
    assert near(phone["met_at"], incident.registered_at + 42 * M)
    assert deadlines["initial_written:0"]["missed"] is False


# -- 3. 漏报: closed without it ----------------------------------------------------------------------------


async def test_closing_without_the_written_report_is_refused_unless_an_admin_overrides(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    incident = await start(env, worker, fake, jurisdiction=BEIJING)
    await incident.verify("IV")
    await incident.at(2 * H + 5 * M)
    await until(lambda: bool(fake.of("incident.deadline_missed")), "the missed written report")

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await incident.close()
    cause = refused.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "CloseRefused"
    assert "initial_written:0" in cause.message
    assert "final:0" in cause.message
    assert "feedback" in cause.message

    await incident.report("final")
    await incident.feedback()
    with pytest.raises(WorkflowUpdateFailedError) as still_refused:
        await incident.close()
    cause = still_refused.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "CloseRefused"
    assert "still missing initial_written:0 (" in cause.message  # feedback no longer
    assert "incident.closed" not in fake.events()
    assert await incident.handle.query(IncidentWorkflow.stage) == "feedback"

    closed = await incident.close(override="上级同意 approved by the bureau", actor=ADMIN)
    assert (closed.stage, closed.detail) == ("closed", "initial_written:0")
    change = fake.of("incident.closed")[0]
    assert change.actor.admin
    assert change.fields.close_reason == "上级同意 approved by the bureau"
    assert [(v.kind, v.report_kind, v.number) for v in change.violations] == [("missed", "initial_written", 0)]
    assert near(change.violations[0].due_at, incident.registered_at + 2 * H)
    assert "漏报" in change.timeline_text
    assert (await incident.handle.result()).stage == "closed"
    # The lateness at 2 h was 迟报; closing without it adds 漏报.
    assert [(v.kind, v.report_kind) for v in fake.violations()] == [
        ("late", "initial_written"),
        ("missed", "initial_written"),
    ]


async def test_merging_records_the_reports_overdue_here_and_not_made_there(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    """A merge is no way out of a 漏报 (finding 10): the duplicate's overdue reports that the incident it
    joins has not made either are recorded; those made there, and those not yet due, are not."""
    incident = await start(env, worker, fake, jurisdiction=BEIJING)
    await incident.verify("I")
    await incident.at(61 * M)  # the phone report (30 min) and the written one (1 h) overdue
    await until(lambda: len(fake.of("incident.deadline_missed")) == 2, "both deadlines missed")

    merged = await incident.handle.execute_update(
        IncidentWorkflow.close,
        CloseArgs(actor=OFFICER, summary="重复 duplicate", merged_into="inc-primary", reported_there=["initial_phone"]),
    )
    assert (merged.stage, merged.detail) == ("closed", "initial_written:0")
    change = fake.of("incident.merged")[0]
    assert [(v.kind, v.report_kind, v.number) for v in change.violations] == [("missed", "initial_written", 0)]
    assert "漏报 missed: initial_written:0" in change.timeline_text


async def test_closing_before_the_written_report_is_due_still_requires_it(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    incident = await start(env, worker, fake, jurisdiction=BEIJING)
    await incident.verify("IV")  # written report within 2 h
    await incident.at(20 * M)
    await incident.report("final")
    await incident.feedback()
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await incident.close()
    assert isinstance(refused.value.cause, ApplicationError)
    assert "initial_written:0" in refused.value.cause.message


# -- 4. severity upgrade --------------------------------------------------------------------------------


async def test_an_upgrade_adds_the_new_deadlines_and_never_pushes_one_later(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    incident = await start(env, worker, fake, jurisdiction=BEIJING)
    await incident.verify("IV")
    as_iv = await incident.deadlines()
    assert list(as_iv) == ["leader_notice:0", "initial_written:0", "final:0"]
    written_iv = parse(as_iv["initial_written:0"]["due_at"])
    assert near(written_iv, incident.registered_at + 2 * H)

    await incident.at(10 * M)
    await incident.reclassify("I")
    change = fake.of("incident.reclassified")[0]
    assert (change.fields.severity, change.fields.policy_id) == ("I", "national-I")
    as_i = await incident.deadlines()
    phone = as_i["initial_phone:0"]
    assert (phone["met_at"], phone["missed"]) == (None, False)
    assert near(phone["due_at"], incident.registered_at + 30 * M)  # from registration, not the upgrade
    assert parse(phone["due_at"]) < written_iv
    assert near(as_i["initial_written:0"]["due_at"], incident.registered_at + H)  # brought forward
    follow_ups = [d for d in as_i.values() if d["kind"] == "follow_up"]
    assert [d["number"] for d in follow_ups] == list(range(1, len(follow_ups) + 1))
    assert [local(d["due_at"]) for d in follow_ups[:3]] == [(17, 0), (8, 0), (17, 0)]
    assert near(follow_ups[0]["due_at"], incident.registered_at + 7 * H)
    assert as_i["leader_notice:0"]["met_at"] is not None
    assert change.deadlines is not None and len(change.deadlines) == len(as_i)

    # Back down to IV: the written report stays due at 1 h (not 2 h) and what I required stays owed.
    await incident.at(15 * M)
    await incident.reclassify("IV")
    as_iv_again = await incident.deadlines()
    assert near(as_iv_again["initial_written:0"]["due_at"], incident.registered_at + H)
    assert near(as_iv_again["initial_phone:0"]["due_at"], incident.registered_at + 30 * M)
    assert [d["due_at"] for d in as_iv_again.values() if d["kind"] == "follow_up"] == [d["due_at"] for d in follow_ups]

    await incident.at(31 * M)
    await until(lambda: bool(fake.of("incident.deadline_missed")), "the phone report missed")
    assert [(v.kind, v.report_kind) for v in fake.violations()] == [("late", "initial_phone")]


# -- 5. unfounded --------------------------------------------------------------------------------------


async def test_an_unfounded_incident_closes_with_nothing_due(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    incident = await start(env, worker, fake, jurisdiction=BEIJING)
    result = await incident.verify("I", confirmed=False)
    assert result.stage == "closed"
    assert await incident.handle.result() == IncidentOutcome(incident_id=incident.handle.id, stage="closed")
    assert await incident.deadlines() == {}
    assert fake.queries == []  # no policy looked up: nothing is due
    assert fake.events() == ["incident.unfounded"]
    unfounded = fake.changes[0]
    assert unfounded.deadlines == []
    assert unfounded.violations == []
    assert unfounded.fields.stage == "closed"
    assert unfounded.fields.close_reason == "误报 false alarm"

    await env.sleep(3 * H)  # past every deadline national-I would have set
    assert fake.events() == ["incident.unfounded"]
    assert [n.step for n in fake.notices] == ["registered"]


# -- 6. 续报 at fixed local times -----------------------------------------------------------------------


async def test_a_follow_up_is_due_at_eight_and_missing_it_is_late(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    incident = await start(env, worker, fake, jurisdiction=BEIJING, wall=time(7, 50))
    await incident.verify("I")
    planned = await incident.deadlines()
    follow_up = planned["follow_up:1"]
    assert local(follow_up["due_at"]) == (8, 0)
    assert near(follow_up["due_at"], incident.registered_at + 10 * M)
    assert local(planned["follow_up:2"]["due_at"]) == (17, 0)
    assert local(planned["initial_phone:0"]["due_at"]) == (8, 20)

    await incident.at(2 * M)
    await incident.report("initial_phone")
    await incident.report("initial_written")
    await incident.at(10 * M + timedelta(seconds=1))
    await until(lambda: bool(fake.of("incident.deadline_missed")), "the missed follow-up")
    missed = fake.of("incident.deadline_missed")[0]
    assert [(v.kind, v.report_kind, v.number) for v in missed.violations] == [("late", "follow_up", 1)]
    assert local(missed.violations[0].due_at) == (8, 0)
    await until(lambda: len(fake.notices) == 2, "the leader told of it")
    assert fake.notices[1].step == "missed:follow_up:1"
    after_miss = await incident.deadlines()
    assert after_miss["follow_up:1"]["missed"] is True
    second = after_miss["follow_up:2"]
    assert (local(second["due_at"]), second["met_at"], second["missed"]) == ((17, 0), None, False)

    await incident.at(20 * M)  # 08:10
    result = await incident.report("follow_up")
    assert result.number == 1
    assert result.late_seconds == pytest.approx(600, abs=SLACK.total_seconds())
    submitted = fake.of("incident.report_submitted")[-1]
    assert submitted.report is not None and submitted.report.number == 1
    assert [(v.kind, v.report_kind, v.number) for v in submitted.violations] == [("late", "follow_up", 1)]
    later = await incident.deadlines()
    assert later["follow_up:1"]["met_at"] is not None
    assert later["follow_up:2"]["met_at"] is None and not later["follow_up:2"]["missed"]
    assert len(fake.of("incident.deadline_missed")) == 1


async def test_the_clocks_run_from_the_first_calls_answer_in_the_sites_time_zone(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    """Issue 14, finding 14: deadlines count from the call's answer, not from OpenIncident, and the
    follow-ups fall on the time zone load_policy reports (filled in from roster), not the guess the
    incident started with."""
    fake.zone = "Asia/Tokyo"  # an hour ahead of the Asia/Shanghai the incident was started with
    await skip_to_local(env, time(7, 50))
    registered_at = await env.get_current_time()
    answered_at = registered_at - 20 * M
    handle = await launch(env, worker, registered_at, clock_from=answered_at)
    await until(lambda: bool(fake.notices), "the leader told")
    incident = Incident(env, fake, handle, registered_at)
    await incident.verify("I")
    assert fake.queries[0].incident_id == handle.id
    planned = await incident.deadlines()
    assert near(planned["initial_phone:0"]["due_at"], answered_at + 30 * M)
    # 08:50 in Tokyo: the next follow-up is at 17:00 there, 16:00 in Shanghai.
    assert local(planned["follow_up:1"]["due_at"]) == (16, 0)


# -- 7. an illegal step ---------------------------------------------------------------------------------


async def test_reclassifying_before_verification_is_refused_and_the_incident_goes_on(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    incident = await start(env, worker, fake, jurisdiction=BEIJING)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await incident.reclassify("I")
    cause = refused.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "IllegalTransition"
    assert "stage verify" in cause.message
    assert fake.changes == []

    assert (await incident.handle.describe()).status == WorkflowExecutionStatus.RUNNING
    assert await incident.handle.query(IncidentWorkflow.stage) == "verify"
    assert (await incident.verify("II")).stage == "escalate"
    assert (await incident.reclassify("I")).stage == "escalate"
    assert fake.events() == ["incident.verified", "incident.reclassified"]


# -- the deadlines query, typed ---------------------------------------------------------------------------


async def test_the_deadlines_query_decodes_as_declared(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    incident = await start(env, worker, fake, jurisdiction=BEIJING)
    await incident.verify("IV")
    typed = await incident.handle.query(IncidentWorkflow.deadlines)
    assert [vars(d) for d in typed] == list((await incident.deadlines()).values())


# -- the race of verification with the registration notice ---------------------------------------------


async def test_verifying_while_the_leader_is_being_notified_keeps_the_verification(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    # Revision 1, whose notice is an activity task (a local one holds the workflow task, so no update
    # runs beside it: test_an_officer_s_verification_is_applied_at_once_while_the_leader_notice_keeps_failing).
    fake.hold_registration_notice = asyncio.Event()
    incident = await start(
        env, worker, fake, jurisdiction=BEIJING, wait_for_notice=False, revision=INCIDENT_REVISION_EVERY_WORKER_RUNS
    )
    await until(lambda: bool(fake.notices), "the registration notice under way")
    assert (await incident.verify("IV")).stage == "escalate"  # allowed in stage register
    fake.hold_registration_notice.set()
    await fake.registration_notice_sent.wait()
    await processed(incident.handle, "notify_duty_leader")
    # An update takes the workflow's lock only once whatever the notice's completion set off is done.
    await incident.handle.execute_update(IncidentWorkflow.progress, NoteArgs(actor=OFFICER, text="现场处置中"))

    assert await incident.handle.query(IncidentWorkflow.stage) == "escalate"
    assert "incident.deadline_missed" not in fake.events()
    assert (await incident.deadlines())["leader_notice:0"]["met_at"] is not None


async def test_an_officer_s_verification_is_applied_at_once_while_the_leader_notice_keeps_failing(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    """With notify unreachable the leader notice, a local activity, retries in its workflow task only
    for the first short backoffs (LEADER_NOTICE_LOCAL_RETRY), then on timers: a Verify meanwhile does
    not wait for the task to be heartbeated (8 s of the 10 s task timeout); the notice, once notify is
    back, meets its deadline."""
    fake.notify_down = True
    incident = await start(env, worker, fake, jurisdiction=BEIJING, wait_for_notice=False)
    await until(lambda: fake.notice_attempts >= 3, "retries of the notice on timers")
    began = monotonic()
    assert (await incident.verify("IV")).stage == "escalate"
    waited = monotonic() - began
    fake.notify_down = False
    for _ in range(250):
        if (await incident.deadlines())["leader_notice:0"]["met_at"] is not None:
            break
        await asyncio.sleep(0.02)
    assert (await incident.deadlines())["leader_notice:0"]["met_at"] is not None
    assert waited < 4.0, f"the verification waited {waited:.1f} s for the notice's workflow task"


# -- 8. replay -----------------------------------------------------------------------------------------


async def test_a_surge_of_calls_tells_the_leader_once_per_step_not_per_call(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    """The incident service signals when an incident's calls reach 100 and 1,000 (in batches, never per
    call); the duty leader is told once per step, a repeated signal changes nothing."""
    incident = await start(env, worker, fake)
    await incident.handle.signal(CALLS_LINKED_SIGNAL, 100)
    await until(lambda: len(fake.notices) >= 2, "the notice at 100 calls")
    for step in (100, 1000):
        await incident.handle.signal(CALLS_LINKED_SIGNAL, step)
    await until(lambda: len(fake.notices) >= 3, "the notice at 1000 calls")
    await asyncio.sleep(0.2)  # and no more
    assert [n.step for n in fake.notices] == ["registered", "calls:100", "calls:1000"]
    assert "来电激增 Surge: 1000+ calls" in fake.notices[-1].title
    assert await incident.handle.query(IncidentWorkflow.stage) == "verify"


async def test_a_step_that_cannot_be_recorded_changes_nothing_and_the_incident_goes_on(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    """The verification cannot be stored, for good: the update fails (the operator hears why), the
    workflow is as before — not "verified in the workflow, not in the database" —, the failure is on
    the timeline, and the next attempt and the rest of the process work."""
    incident = await start(env, worker, fake)
    before = await incident.deadlines()
    fake.refuse.add("incident.verified")
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await incident.verify("II")
    assert isinstance(refused.value.cause, ApplicationError) and refused.value.cause.type == STEP_FAILED
    assert "nothing changed" in refused.value.cause.message
    assert await incident.handle.query(IncidentWorkflow.stage) == "verify"
    assert await incident.deadlines() == before
    assert [(f.step, f.tell_leader) for f in fake.failures] == [("update:verify", False)]
    assert "0x00" in fake.failures[0].reason

    fake.refuse.clear()
    assert (await incident.verify("II")).stage == "escalate"
    assert (await incident.reclassify("III")).stage == "escalate"


async def test_a_leader_notice_refused_for_good_is_recorded_and_the_process_goes_on(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    fake.refuse_notices = True
    incident = await start(env, worker, fake)
    assert [(f.step, f.tell_leader) for f in fake.failures] == [("leader_notice:registered", True)]
    assert (await incident.verify("IV")).stage == "escalate"


async def test_an_update_right_after_the_start_is_accepted(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    """An update sent before the workflow's first task ran (OpenIncident then Verify at once) is
    valid from the first instant: never a failed workflow task."""
    registered_at = await env.get_current_time()
    verify = VerifyArgs(
        actor=OFFICER,
        confirmed=True,
        category="social_safety",
        sub_type="",
        severity="IV",
        casualties=CasualtiesData(),
        reason="",
    )

    async def pair() -> UpdateResult:
        handle = await launch(env, worker, registered_at)
        return await handle.execute_update(IncidentWorkflow.verify, verify)

    # 1,000 pairs, 25 at a time: the updates meet workflows whose first task has not run yet.
    results: list[UpdateResult] = []
    for _ in range(40):
        results.extend(await asyncio.gather(*(pair() for _ in range(25))))
    assert len(results) == 1000
    assert all(r.stage in ("verify", "escalate") for r in results)


async def test_a_full_run_replays_on_the_current_code(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    """Verify (Zhejiang I), a late phone report, feedback, the final report and closing, replayed."""
    incident = await start(env, worker, fake, jurisdiction=HANGZHOU)
    await incident.verify("I")
    await incident.at(16 * M)
    await until(lambda: bool(fake.of("incident.deadline_missed")), "the missed phone report")
    assert (await incident.report("initial_phone")).late_seconds == pytest.approx(60, abs=SLACK.total_seconds())
    await incident.at(30 * M)
    assert (await incident.report("initial_written")).late_seconds == 0
    await incident.feedback()
    await incident.report("final")
    assert (await incident.close()).stage == "closed"
    assert (await incident.handle.result()).stage == "closed"
    assert fake.events() == [
        "incident.verified",
        "incident.deadline_missed",
        "incident.report_submitted",
        "incident.report_submitted",
        "incident.feedback_recorded",
        "incident.report_submitted",
        "incident.closed",
    ]

    history = await incident.handle.fetch_history()
    # Refresh the recorded history with DUTYLINE_RECORD_HISTORIES=1 when the workflow changes on purpose.
    if os.environ.get("DUTYLINE_RECORD_HISTORIES"):
        HISTORIES.mkdir(exist_ok=True)
        (HISTORIES / "incident_late_report_closed.json").write_text(history.to_json())
    replayed = await Replayer(workflows=[IncidentWorkflow], workflow_runner=workflow_runner()).replay_workflow(
        history, raise_on_replay_failure=False
    )
    assert replayed.replay_failure is None


async def test_the_recorded_deadline_history_still_replays() -> None:
    """A history recorded from an earlier version: a change that breaks running incidents fails here."""
    recorded = (HISTORIES / "incident_late_report_closed.json").read_text()
    history = WorkflowHistory.from_json("recorded-incident-deadlines", recorded)
    await Replayer(workflows=[IncidentWorkflow], workflow_runner=workflow_runner()).replay_workflow(history)
