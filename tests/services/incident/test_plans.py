"""Emergency plans (应急预案) and response levels on the real stack: the demo's plans are there; a plan
activated on a verified gas leak is the gas-leak plan, once however often it is asked for, its
contacts are notified through notify and its tasks have deadlines; a task is done; a declared and a
lifted response level reach a subscribed agency as CAP 1.2 Updates of the incident's Alert; admins
alone change plans (a new version each); staff of other sites act on none of it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import asyncpg
import grpc
import pytest
import xmlschema

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.client import channel
from dutyline.incident.v1 import incident_pb2, plans_pb2, plans_pb2_grpc
from dutyline.natsconn import connect_url
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc
from services.notify.agencies import renditions
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.support import token_for

pytestmark = pytest.mark.stack

ADMIN = token_for("p-admin", ["admin"], ["*"])
FOREIGN = token_for("p-nb-officer-1", ["officer"], ["nb-01"])
CAP_SCHEMA = Path(renditions.__file__).parent / "standards" / "CAP-v1.2.xsd"
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"


def key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
async def plans(platform: Any, officer_token: str) -> AsyncIterator[plans_pb2_grpc.PlanServiceStub]:
    async with channel(platform.address("incident"), officer_token) as ch:
        yield plans_pb2_grpc.PlanServiceStub(ch)


async def refused(code: grpc.StatusCode, call: Any) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call
    assert err.value.code() == code, err.value.details()


async def eventually(read: Any, timeout: float = 20.0) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (value := await read()):
        assert loop.time() < deadline, "not in time"
        await asyncio.sleep(0.1)
    return value


async def verified_gas_leak(intake: Any, incidents: Any) -> str:
    incident_id = (await intake.RegisterCall(emergency_call(drill=True), timeout=20)).incident_id
    for _ in range(100):
        got = await incidents.GetIncident(incident_pb2.GetIncidentRequest(incident_id=incident_id))
        if got.stage == incident_pb2.STAGE_VERIFY:
            break
        await asyncio.sleep(0.05)
    await incidents.Verify(
        incident_pb2.VerifyRequest(
            idempotency_key=key(),
            incident_id=incident_id,
            confirmed=True,
            category=incident_pb2.INCIDENT_CATEGORY_ACCIDENT,
            sub_type="gas",
            severity=common_pb2.SEVERITY_III,
        )
    )
    return str(incident_id)


async def test_a_plan_activated_on_an_incident_notifies_its_contacts_and_sets_its_tasks(
    platform: Any, intake: Any, incidents: Any, plans: Any, db: asyncpg.Connection
) -> None:
    listed = await plans.ListPlans(plans_pb2.ListPlansRequest())
    assert {"gas-leak", "road-traffic-accident", "flood", "flood-major"} <= {p.id for p in listed.plans}
    incident_id = await verified_gas_leak(intake, incidents)

    request = plans_pb2.ActivatePlanRequest(idempotency_key=key(), incident_id=incident_id)
    activation = await plans.ActivatePlan(request)
    assert activation.plan_id == "gas-leak" and activation.status == "active" and activation.drill
    assert activation.response_level == incident_pb2.RESPONSE_LEVEL_III
    activated = activation.activated_at.ToDatetime()
    due = {t.key: t.due_at.ToDatetime() - activated for t in activation.tasks}
    assert due == {
        "gas-company": timedelta(minutes=5),
        "evacuate": timedelta(minutes=15),
        "no-ignition": timedelta(minutes=20),
        "leader-briefed": timedelta(minutes=30),
    }
    # Once per incident and plan: a retry, and another request for the same plan, answer with it.
    assert await plans.ActivatePlan(request) == activation
    again = await plans.ActivatePlan(
        plans_pb2.ActivatePlanRequest(idempotency_key=key(), incident_id=incident_id, plan_id="gas-leak")
    )
    assert again.id == activation.id

    # The contacts, through notify: hz-01's duty leader, its gas company, the fire brigade, the office above.
    entry = await eventually(
        lambda: db.fetchval(
            "SELECT text FROM incident.timeline WHERE incident_id = $1 AND kind = 'plan_contacts_notified'", incident_id
        )
    )
    assert "燃气集团抢修热线" in entry and "带班领导" in entry, entry
    contacts = await db.fetch(
        "SELECT DISTINCT person_id FROM notify.notifications WHERE ref_id = $1 AND template = 'plan_activated'",
        incident_id,
    )
    assert len(contacts) >= 3, contacts

    done = await plans.CompleteTask(
        plans_pb2.CompleteTaskRequest(
            idempotency_key=key(), activation_id=activation.id, task_key="gas-company", result="燃气公司已关阀"
        )
    )
    assert done.status == "done" and done.result == "燃气公司已关阀" and done.completed_by.person_id
    kinds = await db.fetch(
        "SELECT kind FROM incident.timeline WHERE incident_id = $1 AND kind LIKE 'plan_%' ORDER BY seq", incident_id
    )
    assert [r["kind"] for r in kinds if r["kind"] != "plan_contacts_notified"] == ["plan_activated", "plan_task_done"]

    # Staff of another site act on none of it.
    async with channel(platform.address("incident"), FOREIGN) as ch:
        foreign = plans_pb2_grpc.PlanServiceStub(ch)
        await refused(
            grpc.StatusCode.PERMISSION_DENIED,
            foreign.ActivatePlan(plans_pb2.ActivatePlanRequest(idempotency_key=key(), incident_id=incident_id)),
        )
        await refused(
            grpc.StatusCode.PERMISSION_DENIED,
            foreign.CompleteTask(
                plans_pb2.CompleteTaskRequest(
                    idempotency_key=key(), activation_id=activation.id, task_key="evacuate", result="x"
                )
            ),
        )


async def test_a_declared_and_a_lifted_response_reach_a_subscribed_agency_as_cap_updates(
    platform: Any, intake: Any, incidents: Any, plans: Any, db: asyncpg.Connection
) -> None:
    async with channel(platform.address("notify"), ADMIN) as ch:
        notify = notify_pb2_grpc.NotifyServiceStub(ch)
        agency_id = f"fire-{uuid.uuid4().hex[:6]}"
        await notify.RegisterAgency(
            notify_pb2.RegisterAgencyRequest(
                idempotency_key=key(),
                agency=notify_pb2.Agency(
                    id=agency_id, name="消防救援支队 Fire and rescue", site_ids=["hz-01"], event_types=["incident.*"]
                ),
            )
        )
        creds = await notify.IssueAgencyCredentials(
            notify_pb2.IssueAgencyCredentialsRequest(idempotency_key=key(), agency_id=agency_id)
        )
    path = Path(platform.state_dir) / f"{agency_id}.creds"
    path.write_text(creds.creds)
    nc = await connect_url(platform.nats.url, path, name=agency_id, inbox_prefix=creds.inbox_prefix)
    try:
        as_cap = await nc.subscribe("dutyline_cap.hz-01.incident.>")
        await nc.flush()
        incident_id = await verified_gas_leak(intake, incidents)
        declare = plans_pb2.DeclareResponseRequest(
            idempotency_key=key(), incident_id=incident_id, level=incident_pb2.RESPONSE_LEVEL_III, reason="泄漏扩大"
        )
        declared = await plans.DeclareResponse(declare)
        assert declared.response_level == incident_pb2.RESPONSE_LEVEL_III
        assert await plans.DeclareResponse(declare) == declared  # a retry records nothing more
        await refused(
            grpc.StatusCode.FAILED_PRECONDITION,
            plans.DeclareResponse(
                plans_pb2.DeclareResponseRequest(
                    idempotency_key=key(), incident_id=incident_id, level=incident_pb2.RESPONSE_LEVEL_III, reason="再次"
                )
            ),
        )
        lifted = await plans.LiftResponse(
            plans_pb2.LiftResponseRequest(idempotency_key=key(), incident_id=incident_id, reason="险情解除")
        )
        assert lifted.response_level == incident_pb2.RESPONSE_LEVEL_UNSPECIFIED

        schema = xmlschema.XMLSchema(CAP_SCHEMA)
        alert_id, updates = "", {}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        while len(updates) < 2:
            msg = await as_cap.next_msg(timeout=max(0.1, deadline - loop.time()))
            if incident_id.encode() not in msg.data:
                continue
            schema.validate(msg.data)
            root = ElementTree.fromstring(msg.data)
            params = {p.findtext(f"{CAP}valueName"): p.findtext(f"{CAP}value") for p in root.iter(f"{CAP}parameter")}
            if root.findtext(f"{CAP}msgType") == "Alert":
                alert_id = root.findtext(f"{CAP}identifier") or ""
            elif params["dutyline:event_type"] in ("incident.response_declared", "incident.response_lifted"):
                updates[params["dutyline:event_type"]] = (root, params)
        for root, _ in updates.values():
            assert root.findtext(f"{CAP}msgType") == "Update"
            assert alert_id and alert_id in (root.findtext(f"{CAP}references") or "")
        assert updates["incident.response_declared"][1]["dutyline:response_level"] == "III"
        assert "dutyline:response_level" not in updates["incident.response_lifted"][1]
    finally:
        await nc.close()
    entries = await db.fetch(
        "SELECT kind FROM incident.timeline WHERE incident_id = $1 AND kind LIKE 'response_%' ORDER BY seq", incident_id
    )
    assert [e["kind"] for e in entries] == ["response_declared", "response_lifted"]


async def test_admins_alone_change_plans_and_each_change_is_a_new_version(platform: Any, plans: Any) -> None:
    plan_id = f"test-plan-{uuid.uuid4().hex[:8]}"
    plan = plans_pb2.Plan(
        id=plan_id,
        name="测试预案 Test plan",
        category=incident_pb2.INCIDENT_CATEGORY_SOCIAL_SAFETY,
        sub_types=["crowd"],
        tasks=[plans_pb2.PlanTaskSpec(key="a", title="任务 Task", owner_role=common_pb2.ROLE_OFFICER)],
    )
    await refused(
        grpc.StatusCode.PERMISSION_DENIED,
        plans.UpsertPlan(plans_pb2.UpsertPlanRequest(idempotency_key=key(), plan=plan)),
    )
    async with channel(platform.address("incident"), ADMIN) as ch:
        admin = plans_pb2_grpc.PlanServiceStub(ch)
        first = plans_pb2.UpsertPlanRequest(idempotency_key=key(), plan=plan)
        v1 = await admin.UpsertPlan(first)
        assert await admin.UpsertPlan(first) == v1  # a retry makes no second version
        plan.tasks.add(key="a", title="重复 Twice", owner_role=common_pb2.ROLE_LEADER)
        await refused(
            grpc.StatusCode.INVALID_ARGUMENT,
            admin.UpsertPlan(plans_pb2.UpsertPlanRequest(idempotency_key=key(), plan=plan)),
        )
        del plan.tasks[-1]
        plan.name = "测试预案（修订） Test plan, revised"
        v2 = await admin.UpsertPlan(plans_pb2.UpsertPlanRequest(idempotency_key=key(), plan=plan))
        assert (v1.version, v2.version) == (1, 2)
        history = await admin.ListPlans(plans_pb2.ListPlansRequest(plan_id=plan_id, all_versions=True))
        assert [p.version for p in history.plans] == [2, 1]


async def test_a_task_due_at_once_is_marked_overdue_and_its_owner_told(
    platform: Any, intake: Any, incidents: Any, plans: Any, db: asyncpg.Connection
) -> None:
    sub_type = f"drill-{uuid.uuid4().hex[:6]}"
    async with channel(platform.address("incident"), ADMIN) as ch:
        await plans_pb2_grpc.PlanServiceStub(ch).UpsertPlan(
            plans_pb2.UpsertPlanRequest(
                idempotency_key=key(),
                plan=plans_pb2.Plan(
                    id=f"plan-{sub_type}",
                    name="即时任务 Due at once",
                    category=incident_pb2.INCIDENT_CATEGORY_ACCIDENT,
                    sub_types=[sub_type],
                    tasks=[plans_pb2.PlanTaskSpec(key="now", title="立即上报", owner_role=common_pb2.ROLE_OFFICER)],
                ),
            )
        )
    incident_id = await verified_gas_leak(intake, incidents)
    await incidents.Reclassify(
        incident_pb2.ReclassifyRequest(
            idempotency_key=key(),
            incident_id=incident_id,
            severity=common_pb2.SEVERITY_III,
            sub_type=sub_type,
            reason="细类更正",
        )
    )
    activation = await plans.ActivatePlan(plans_pb2.ActivatePlanRequest(idempotency_key=key(), incident_id=incident_id))
    assert activation.plan_id == f"plan-{sub_type}"
    entry = await eventually(
        lambda: db.fetchval(
            "SELECT text FROM incident.timeline WHERE incident_id = $1 AND kind = 'plan_task_overdue'", incident_id
        )
    )
    assert "立即上报" in entry and "role:officer" in entry, entry
    told = await eventually(
        lambda: db.fetchval(
            "SELECT person_id FROM notify.notifications WHERE ref_id = $1 AND template = 'plan_task_overdue'",
            incident_id,
        )
    )
    assert told.startswith("p-hz-")
    listed = await plans.ListPlanActivations(plans_pb2.ListPlanActivationsRequest(incident_id=incident_id))
    assert [t.overdue for t in listed.activations[0].tasks] == [True]
