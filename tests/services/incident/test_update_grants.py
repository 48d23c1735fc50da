"""Issue 14, finding 6 (the Temporal part): reaching Temporal is not being authorised. An update sent
straight to an incident's workflow — an "admin" override, a verification — is refused and changes
nothing; so is one carrying a grant the incident service signed for another update. Through the
service, the same steps go through (the service decided, and the workflow records what it signed)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import asyncpg
import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowUpdateFailedError

from dutyline.common.v1 import common_pb2
from dutyline.incident.v1 import incident_pb2
from services.incident import grants
from tests.services.incident.test_incident_service import in_stage, open_incident
from tests.support import until
from workflows.incident.types import Actor, CloseArgs, UpdateResult, VerifyArgs

pytestmark = pytest.mark.stack

K = incident_pb2


async def timeline_kinds(db: asyncpg.Connection, incident_id: str) -> list[str]:
    rows = await db.fetch("SELECT kind FROM incident.timeline WHERE incident_id = $1 ORDER BY seq", incident_id)
    return [r["kind"] for r in rows]


async def test_an_update_sent_past_the_service_is_refused_and_changes_nothing(
    platform: Any, intake: Any, incidents: Any, db: asyncpg.Connection
) -> None:
    incident_id, _ = await open_incident(intake)
    await in_stage(incidents, incident_id, K.STAGE_VERIFY)
    client = await Client.connect(platform.temporal.address)
    handle = client.get_workflow_handle(incident_id)
    # The store says verify once the step is recorded; the workflow, once it has taken the answer.
    await until(lambda: handle.query("stage"), "verify")
    intruder = Actor(person_id="p-intruder", name="intruder", admin=True)

    # Verified straight through Temporal, without a grant: refused, still to verify.
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(
            "verify",
            VerifyArgs(actor=intruder, confirmed=True, category="social_safety", severity="I"),
            id=f"forged-{uuid.uuid4()}",
            result_type=UpdateResult,
        )
    assert "grant" in str(refused.value.cause)
    assert "verified" not in await timeline_kinds(db, incident_id)
    assert await db.fetchval("SELECT verified_at IS NULL FROM incident.incidents WHERE id = $1", incident_id)
    assert await handle.query("stage") == "verify"

    # Through the service, the officer's verification goes through.
    await incidents.Verify(
        K.VerifyRequest(
            idempotency_key=str(uuid.uuid4()),
            incident_id=incident_id,
            confirmed=True,
            category=K.INCIDENT_CATEGORY_SOCIAL_SAFETY,
            severity=common_pb2.SEVERITY_I,
        )
    )
    assert "verified" in await timeline_kinds(db, incident_id)

    # The grant the service signed for it, read from the workflow's history, covers that update only:
    # an admin override closing the incident with it is refused, and the incident stays open.
    granted = ""
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            payload = event.workflow_execution_update_accepted_event_attributes.accepted_request.input.args
            granted = json.loads(payload.payloads[0].data)["actor"]["grant"] or granted
    assert granted
    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update(
            "close",
            CloseArgs(actor=Actor(person_id="p-intruder", admin=True, grant=granted), summary="x", override_reason="x"),
            id=f"forged-{uuid.uuid4()}",
            result_type=UpdateResult,
        )
    assert await db.fetchval("SELECT stage FROM incident.incidents WHERE id = $1", incident_id) != "closed"
    assert "closed" not in await timeline_kinds(db, incident_id)
    assert await handle.query("stage") != "closed"


def test_a_grant_covers_one_update_of_one_incident_until_it_expires() -> None:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    grant = grants.sign("k", incident_id="inc-1", update_id="close:u1", authorised="{x}", now=now)
    ok = {"incident_id": "inc-1", "change_id": "update:close:u1", "authorised": "{x}", "at": now}
    assert grants.problem(["old", "k"], grant, **ok) == ""  # type: ignore[arg-type]
    for changed in (
        {"incident_id": "inc-2"},
        {"change_id": "update:close:u2"},
        {"authorised": "{y}"},
    ):
        assert "does not cover" in grants.problem(["k"], grant, **(ok | changed))  # type: ignore[arg-type]
    assert "expired" in grants.problem(["k"], grant, **(ok | {"at": now + 2 * grants.GRANT_TTL}))  # type: ignore[arg-type]
    assert "no grant" in grants.problem(["k"], "", **ok)  # type: ignore[arg-type]
    assert "does not cover" in grants.problem(["other"], grant, **ok)  # type: ignore[arg-type]


def test_outside_development_the_grant_key_must_be_set() -> None:
    from services.incident.settings import IncidentSettings

    assert "DUTYLINE_INCIDENT_GRANT_KEY" in IncidentSettings(env="production").insecure_secrets()
    real = IncidentSettings(env="production", incident_grant_key="k2,k1")  # type: ignore[arg-type]
    assert "DUTYLINE_INCIDENT_GRANT_KEY" not in real.insecure_secrets() and real.grant_keys() == ["k2", "k1"]
