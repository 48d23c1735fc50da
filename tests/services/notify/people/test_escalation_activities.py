"""Notify's escalation activities answer to the names the EscalationWorkflow calls (its contract in
workflows/escalation/types.py)."""

from __future__ import annotations

from typing import Any

from temporalio import activity

from services.notify.people.escalation_activities import EscalationActivities
from workflows.escalation.types import ACK_STATE, NOTIFY_STEP, RECORD_ACK, RECORD_EXHAUSTED


def test_the_activities_carry_the_names_the_workflow_calls() -> None:
    none: Any = None
    activities = EscalationActivities(pool=none, resolver=none, channels=[])
    names = [
        activity._Definition.must_from_callable(f).name
        for f in (activities.notify_step, activities.ack_state, activities.record_ack, activities.record_exhausted)
    ]
    # Recorded histories name these: they never change.
    assert names == [NOTIFY_STEP, ACK_STATE, RECORD_ACK, RECORD_EXHAUSTED]
    assert names == [
        "escalation_notify_step",
        "escalation_ack_state",
        "escalation_record_ack",
        "escalation_record_exhausted",
    ]
