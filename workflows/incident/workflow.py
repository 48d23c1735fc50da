"""The emergency process of one incident (register → verify → escalate → track → feedback → close).

Deterministic: no I/O, time from workflow.now(); everything else happens in activities. This first
version registers the incident, notifies the duty leader at once, and waits in the verify stage;
the later stages arrive with the incidents issue (use workflow.patched for running incidents).
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey

with workflow.unsafe.imports_passed_through():
    from workflows.incident.activities import IncidentActivities
    from workflows.incident.types import IncidentInput, IncidentOutcome, LeaderNotice

STAGE = SearchAttributeKey.for_keyword("DutylineStage")
SITE = SearchAttributeKey.for_keyword("DutylineSite")
SEVERITY = SearchAttributeKey.for_keyword("DutylineSeverity")

# The leader must hear of it: retry for as long as it takes, backing off to a minute.
NOTIFY_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))


@workflow.defn(name="IncidentWorkflow")
class IncidentWorkflow:
    def __init__(self) -> None:
        self._stage = "register"
        self._closed = False

    @workflow.run
    async def run(self, incident: IncidentInput) -> IncidentOutcome:
        await workflow.execute_activity_method(
            IncidentActivities.notify_duty_leader,
            LeaderNotice(
                incident_id=incident.incident_id,
                site_id=incident.site_id,
                title=incident.title,
                drill=incident.drill,
            ),
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=NOTIFY_RETRY,
        )
        self._set_stage("verify")
        await workflow.wait_condition(lambda: self._closed)
        self._set_stage("closed")
        return IncidentOutcome(incident_id=incident.incident_id, stage=self._stage)

    def _set_stage(self, stage: str) -> None:
        self._stage = stage
        workflow.upsert_search_attributes([STAGE.value_set(stage)])

    @workflow.query
    def stage(self) -> str:
        return self._stage
