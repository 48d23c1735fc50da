"""What incident's events carry for the figures read from them (issue 17): incident.registered names the
category the opener gave, and a change that records several violations carries every one of them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from dutyline.db.pool import create_pool
from dutyline.events.v1 import event_pb2
from dutyline.incident.v1 import incident_pb2
from services.incident.activities import IncidentActivities
from tests.services.incident.test_site_facts import unconfirmed_incident
from tests.support import events_about
from workflows.incident.types import Actor, ChangeSet, ViolationData

pytestmark = pytest.mark.stack


@pytest.fixture
async def incident_pool(platform: Any) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(platform.postgres.dsn, schema="incident", min_size=1, max_size=2)
    yield pool
    await pool.close()


async def test_incident_registered_names_the_category_the_opener_gave(platform: Any, incidents: Any) -> None:
    opened = await incidents.OpenIncident(
        incident_pb2.OpenIncidentRequest(
            idempotency_key=str(uuid.uuid4()),
            site_id="hz-01",
            title="山体滑坡 landslide",
            category=incident_pb2.INCIDENT_CATEGORY_NATURAL_DISASTER,
            drill=True,
        )
    )
    assert opened.incident.category == incident_pb2.INCIDENT_CATEGORY_NATURAL_DISASTER
    [event] = [e for e in await events_about(platform, opened.incident.id) if e.type == "incident.registered"]
    registered = event_pb2.IncidentRegistered()
    assert event.payload.Unpack(registered)
    assert registered.category == "natural_disaster"


async def test_every_violation_one_change_records_is_on_its_event(platform: Any, incident_pool: asyncpg.Pool) -> None:
    incident_id = await unconfirmed_incident(incident_pool)
    due = datetime.now(UTC) - timedelta(minutes=5)
    activities = IncidentActivities(
        pool=incident_pool,
        roster=None,  # type: ignore[arg-type]  # apply_change asks roster nothing
        notifier=None,  # type: ignore[arg-type]
        grant_keys=[],
    )
    await activities.apply_change(
        ChangeSet(
            incident_id=incident_id,
            change_id="deadline:both",
            event_type="incident.deadline_missed",
            at=datetime.now(UTC).isoformat(),
            actor=Actor(person_id="system", kind="system"),
            timeline_kind="deadline_missed",
            timeline_text="两份报告逾期 two reports overdue",
            violations=[
                ViolationData(kind="late", report_kind="initial_phone", number=1, due_at=due.isoformat()),
                ViolationData(kind="late", report_kind="initial_written", number=1, due_at=due.isoformat()),
            ],
        )
    )
    [event] = [e for e in await events_about(platform, incident_id) if e.type == "incident.deadline_missed"]
    changed = event_pb2.IncidentChanged()
    assert event.payload.Unpack(changed)
    kinds = [(v.kind, v.report_kind) for v in changed.violations]
    assert kinds == [
        ("late", incident_pb2.REPORT_KIND_INITIAL_PHONE),
        ("late", incident_pb2.REPORT_KIND_INITIAL_WRITTEN),
    ]
    assert len({v.id for v in changed.violations}) == 2
    # Readers of the one field from before still find a violation there: the last.
    assert changed.violation == changed.violations[-1]
