"""Corrections of reports (更正) in the IncidentWorkflow on Temporal's time-skipping test server: a
correction is the report's next version, compared with the current one; a material figure corrected
later than the policy allows (30 days, 7 for road traffic and fire accidents) is 错报 (wrong_report),
charged to the author of the version corrected. The activities are the deadline tests' fakes plus a
load_incident_report that answers from the ChangeSets recorded, as the store would."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from dutyline.temporal_sandbox import workflow_runner
from tests.workflows.incident.test_incident_deadlines import (
    OFFICER,
    SIX_ITEMS,
    Incident,
    near,
    start,
    terminate_leftovers,  # noqa: F401  (autouse: no workflow outlives its test)
)
from tests.workflows.incident.test_incident_deadlines import FakeIncidentActivities as DeadlineFakes
from workflows.incident.convert import parse
from workflows.incident.types import (
    LOAD_REPORT,
    Actor,
    CasualtiesData,
    ChangeSet,
    CorrectArgs,
    ReportQuery,
    ReportVersionData,
    UpdateResult,
)
from workflows.incident.workflow import NOTHING_TO_CORRECT, IncidentWorkflow

D = timedelta(days=1)
CORRECTOR = Actor(person_id="p-officer-2", name="值班员二 Second officer")


@dataclass
class FakeIncidentActivities(DeadlineFakes):
    """The deadline tests' fakes, and the reports as apply_change would have stored them."""

    @activity.defn(name=LOAD_REPORT)
    async def load_report(self, query: ReportQuery) -> ReportVersionData:
        casualties, severity, current = CasualtiesData(), "", None
        for change in self.changes:
            severity = change.fields.severity or severity
            casualties = change.fields.casualties or casualties
            if change.report is not None and change.report.id == query.report_id:
                r = change.report
                current = ReportVersionData(
                    report_id=r.id,
                    kind=r.kind,
                    number=r.number,
                    version=1,
                    content=r.content,
                    author_id=r.author_id,
                    casualties=casualties,
                    severity=severity,
                    accident=r.accident,
                )
            if (c := change.correction) is not None and current is not None and c.report_id == query.report_id:
                current = replace(
                    current,
                    version=c.version,
                    content=c.content,
                    author_id=c.author_id,
                    casualties=c.casualties,
                    severity=c.severity,
                    cause=c.cause,
                    accident=c.accident,
                )
        if current is None:
            raise ApplicationError(f"NOT_FOUND: report {query.report_id}", non_retryable=True)
        return current

    def activities(self) -> list[Callable[..., Any]]:
        return [*super().activities(), self.load_report]

    def corrections(self) -> list[ChangeSet]:
        return self.of("incident.report_corrected")


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


async def reported(incident: Incident, fake: FakeIncidentActivities, kind: str, **accident: Any) -> str:
    """A report of `kind` made now; its id."""
    await incident.report(kind, **accident)
    made = fake.of("incident.report_submitted")[-1].report
    assert made is not None
    return made.id


async def correct(incident: Incident, report_id: str, *, actor: Actor = CORRECTOR, **what: Any) -> UpdateResult:
    return await incident.handle.execute_update(
        IncidentWorkflow.correct,
        CorrectArgs(actor=actor, report_id=report_id, reason="核实后更正 checked again", **what),
    )


async def test_a_material_figure_corrected_in_time_is_a_new_version_without_a_violation(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    incident = await start(env, worker, fake)
    await incident.verify("IV")  # casualties: 2 injured
    report_id = await reported(incident, fake, "initial_written")
    await incident.at(29 * D)

    result = await correct(incident, report_id, casualties=CasualtiesData(deaths=1, injuries=2), cause="燃气泄漏")

    assert result.number == 2 and result.detail == ""
    [change] = fake.corrections()
    c = change.correction
    assert c is not None and (c.report_id, c.version, c.author_id) == (report_id, 2, CORRECTOR.person_id)
    assert [(f.figure, f.before, f.after, f.material) for f in c.changes] == [
        ("deaths", "0", "1", True),
        ("cause", "", "燃气泄漏", False),
    ]
    assert not c.late and not c.content_changed and change.violations == []
    # national-IV: 30 days from the registration (no call: the clock runs from it).
    assert c.allowed_until is not None and near(c.allowed_until, incident.registered_at + 30 * D)
    # The incident's casualties follow; the text says what changed and why.
    assert change.fields.casualties == CasualtiesData(deaths=1, injuries=2)
    assert "死亡 deaths 0→1" in change.timeline_text and "核实后更正" in change.timeline_text
    assert "错报" not in change.timeline_text


@pytest.mark.parametrize(
    ("category", "sub_type", "severity", "late_after"),
    [("social_safety", "", "IV", 30 * D), ("accident", "road_traffic", "IV", 7 * D)],
)
async def test_a_material_figure_corrected_too_late_is_a_wrong_report_of_the_versions_author(
    env: WorkflowEnvironment,
    worker: Worker,
    fake: FakeIncidentActivities,
    category: str,
    sub_type: str,
    severity: str,
    late_after: timedelta,
) -> None:
    incident = await start(env, worker, fake)
    await incident.verify(severity, category=category, sub_type=sub_type)
    accident = {"accident": SIX_ITEMS} if category == "accident" else {}
    report_id = await reported(incident, fake, "initial_written", **accident)
    # In time, by another officer: version 2, nothing charged.
    await correct(incident, report_id, content="更正 wording", actor=OFFICER)
    await incident.at(late_after + timedelta(hours=1))

    result = await correct(incident, report_id, casualties=CasualtiesData(deaths=2, injuries=2))

    assert result.number == 3 and result.detail == "wrong_report"
    first, second = fake.corrections()
    assert first.violations == [] and first.correction is not None and first.correction.content_changed
    c = second.correction
    assert c is not None and c.late and [f.figure for f in c.changes] == ["deaths"]
    assert not c.content_changed  # the figures changed, not the wording or the accident report's items
    assert [(v.kind, v.person_id, v.report_id, v.ref, v.report_kind) for v in second.violations] == [
        ("wrong_report", OFFICER.person_id, report_id, f"corrected:{report_id}:v3", "initial_written")
    ]
    assert "错报" in second.timeline_text
    if category == "accident":
        # The accident report's casualties are the corrected ones, too.
        assert c.accident is not None and c.accident.casualties == CasualtiesData(deaths=2, injuries=2)
        assert c.accident.unit == SIX_ITEMS.unit


async def test_a_late_correction_of_the_wording_only_is_no_wrong_report(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    incident = await start(env, worker, fake)
    await incident.verify("IV")
    report_id = await reported(incident, fake, "initial_written")
    await incident.at(31 * D)

    await correct(incident, report_id, content="补充现场照片说明 a note on the photos", cause="燃气泄漏")

    [change] = fake.corrections()
    assert change.correction is not None and not change.correction.late and change.violations == []


async def test_a_correction_that_changes_nothing_is_refused_and_the_incident_goes_on(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    incident = await start(env, worker, fake)
    await incident.verify("IV")
    report_id = await reported(incident, fake, "initial_written")
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await correct(incident, report_id, casualties=CasualtiesData(injuries=2))
    assert isinstance(refused.value.cause, ApplicationError) and refused.value.cause.type == NOTHING_TO_CORRECT
    assert fake.corrections() == []
    assert (await correct(incident, report_id, casualties=CasualtiesData(injuries=3))).number == 2


async def test_a_run_with_corrections_replays_on_the_current_code(
    env: WorkflowEnvironment, worker: Worker, fake: FakeIncidentActivities
) -> None:
    incident = await start(env, worker, fake)
    await incident.verify("IV")
    report_id = await reported(incident, fake, "initial_written")
    await correct(incident, report_id, severity="III")
    await incident.at(31 * D)
    await correct(incident, report_id, casualties=CasualtiesData(deaths=1))
    assert [parse(c.at) > incident.registered_at for c in fake.corrections()] == [True, True]
    history = await incident.handle.fetch_history()
    await Replayer(workflows=[IncidentWorkflow], workflow_runner=workflow_runner()).replay_workflow(history)
