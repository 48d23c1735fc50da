"""The time to verify (核实时限), the reporting clock from the first call's answer and the contact with
the scene (现场联系) in the IncidentWorkflow, on Temporal's time-skipping test server. The activities are
the deadline tests' fakes: load_verify_within answers with the real rule over the shipped policies
(10 min everywhere), load_policy with the shipped policies (I/II: progress every hour)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import time, timedelta

import pytest
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from dutyline.temporal_sandbox import workflow_runner
from tests.temporal_support import until
from tests.workflows.incident.test_incident_deadlines import (
    OFFICER,
    FakeIncidentActivities,
    Incident,
    launch,
    local,
    near,
    skip_to_local,
    start,
    terminate_leftovers,  # noqa: F401  (autouse: no workflow outlives its test)
)
from workflows.incident.types import NoteArgs
from workflows.incident.workflow import IncidentWorkflow

M, H = timedelta(minutes=1), timedelta(hours=1)


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


def steps(fake: FakeIncidentActivities) -> list[str]:
    """The duty leader's notices after the registration's."""
    return [n.step for n in fake.notices if n.step != "registered"]


async def test_unverified_past_ten_minutes_is_charged_and_the_duty_leader_alerted(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    incident = await start(env, worker, fake)
    await incident.at(9 * M)
    assert fake.of("incident.verification_overdue") == []

    await incident.at(11 * M)
    await until(lambda: "unverified" in steps(fake), "the duty leader's alert")
    [overdue] = fake.of("incident.verification_overdue")
    assert (overdue.timeline_kind, overdue.actor.kind) == ("verification_overdue", "system")
    assert near(overdue.at, incident.registered_at + 10 * M)
    [violation] = overdue.violations
    assert (violation.kind, violation.ref) == ("unverified", f"unverified:{incident.handle.id}")
    # Charged to whoever answers for the incident (apply_change: the responsible person).
    assert violation.person_id == ""
    assert violation.due_at is not None and near(violation.due_at, incident.registered_at + 10 * M)

    # Verifying late is still possible and charges nothing more.
    assert (await incident.verify("IV")).stage == "escalate"
    await incident.at(3 * H)
    assert len(fake.of("incident.verification_overdue")) == 1
    assert steps(fake).count("unverified") == 1


async def test_verified_in_time_or_found_unfounded_raises_nothing(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    verified = await start(env, worker, fake)
    await verified.at(9 * M)
    await verified.verify("IV")
    unfounded = await start(env, worker, fake)
    await unfounded.at(5 * M)
    await unfounded.verify("", confirmed=False)
    await unfounded.at(H)
    assert fake.of("incident.verification_overdue") == []
    assert "unverified" not in steps(fake)


async def test_the_reporting_clock_runs_from_the_call_s_answer_however_late_the_verification(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    """The call was answered 8 min before the incident was opened; it is verified 3 h later as 重大 (II).
    Verification was due 10 min after the answer, and every report is due from the answer too: the
    phone report 30 min, the written one 1 h after it, both missed by the time of verification."""
    await skip_to_local(env, time(10, 0))
    opened = await env.get_current_time()
    answered = opened - 8 * M
    handle = await launch(env, worker, opened, clock_from=answered)
    incident = Incident(env, fake, handle, opened)
    await incident.at(3 * M)
    await until(lambda: bool(fake.of("incident.verification_overdue")), "the verification overdue")
    assert near(fake.of("incident.verification_overdue")[0].at, answered + 10 * M)

    await incident.at(3 * H)
    await incident.verify("II")
    deadlines = await incident.deadlines()
    assert near(deadlines["initial_phone:0"]["due_at"], answered + 30 * M)
    assert near(deadlines["initial_written:0"]["due_at"], answered + H)
    await env.sleep(M)  # the reports already overdue at verification are charged at once
    missed = {(v.report_kind, v.kind) for v in fake.violations()}
    assert {("initial_phone", "late"), ("initial_written", "late"), ("", "unverified")} <= missed


async def test_verifying_late_does_not_skip_a_follow_up_due_in_between(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    """Opened at 07:45 (verification due 07:55), verified as II at 09:00: the 续报 at 08:00 counts from
    when verification was due, so it is owed, and already late."""
    incident = await start(env, worker, fake, wall=time(7, 45))
    await incident.at(75 * M)
    await incident.verify("II")
    follow_up = (await incident.deadlines())["follow_up:1"]
    assert local(follow_up["due_at"]) == (8, 0)
    assert near(follow_up["due_at"], incident.registered_at + 15 * M)


async def test_silence_from_the_scene_alerts_the_person_then_the_leader_and_progress_starts_over(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    incident = await start(env, worker, fake)
    await incident.verify("II")  # national-II: progress every hour while in tracking
    await incident.at(5 * M)
    await incident.report("initial_phone")
    assert (await incident.report("initial_written")).stage == "track"
    tracking_from = await env.get_current_time()

    await env.sleep(50 * M)
    assert fake.responsible == [] and fake.of("incident.scene_silent") == []
    await env.sleep(15 * M)  # an hour and 5 min without word from the scene
    await until(lambda: len(fake.of("incident.scene_silent")) == 1, "the responsible person's alert")
    [alert] = fake.responsible
    assert alert.incident_id == incident.handle.id and "60 min" in alert.detail
    first = fake.of("incident.scene_silent")[0]
    assert near(first.at, tracking_from + H)
    assert OFFICER.person_id in first.timeline_text
    assert not any(s.startswith("scene_silent") for s in steps(fake))

    await env.sleep(H)  # still silent one interval later: the duty leader
    await until(lambda: len(fake.of("incident.scene_silent")) == 2, "the duty leader's alert")
    assert near(fake.of("incident.scene_silent")[1].at, tracking_from + 2 * H)
    assert len([s for s in steps(fake) if s.startswith("scene_silent")]) == 1
    await env.sleep(2 * H)  # the leader's escalation goes on in notify: no page per hour from here
    assert len(fake.of("incident.scene_silent")) == 2

    await incident.handle.execute_update(
        IncidentWorkflow.progress, NoteArgs(actor=OFFICER, text="现场已控制 under control at the scene")
    )
    heard = await env.get_current_time()
    await env.sleep(65 * M)
    await until(lambda: len(fake.responsible) == 2, "the alert after the progress note")
    assert near(fake.of("incident.scene_silent")[2].at, heard + H)

    history = await incident.handle.fetch_history()
    replayed = await Replayer(workflows=[IncidentWorkflow], workflow_runner=workflow_runner()).replay_workflow(
        history, raise_on_replay_failure=False
    )
    assert replayed.replay_failure is None


async def test_no_scene_contact_is_required_for_grade_iv(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    incident = await start(env, worker, fake)
    await incident.verify("IV")
    assert (await incident.report("initial_written")).stage == "track"
    await incident.at(6 * H)
    assert fake.of("incident.scene_silent") == [] and fake.responsible == []
