"""Escalations on the real stack (dev server, worker, notify, roster): a site's chain is walked by
an EscalationWorkflow until someone acknowledges, and the others are told who did."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any, cast

import asyncpg
import grpc
import pytest
from temporalio.client import Client

from dutyline.common.v1 import common_pb2
from dutyline.events.v1 import event_pb2
from dutyline.grpckit import idempotency
from dutyline.grpckit.client import channel
from dutyline.grpckit.errors import field_violations
from dutyline.natsconn import connect_url
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from services.notify.people import store
from services.notify.people.escalation_activities import EscalationActivities
from tests.support import token_for
from workflows.escalation.types import STATE_QUERY, EscalationState, StepNotice, StepSent

pytestmark = pytest.mark.stack

ADMIN = token_for("p-admin", ["admin"], ["*"])


@pytest.fixture
async def notify(platform: Any) -> AsyncIterator[notify_pb2_grpc.NotifyServiceStub]:
    async with channel(platform.address("notify"), ADMIN) as ch:
        yield notify_pb2_grpc.NotifyServiceStub(ch)


async def site_with_chain(platform: Any, notify: Any, *people: str, wait: int, repeat: int) -> str:
    """A site of its own (so no other test's chain interferes) whose chain names ``people``."""
    site_id = f"esc-{uuid.uuid4().hex[:8]}"
    async with channel(platform.address("roster"), ADMIN) as ch:
        await roster_pb2_grpc.RosterServiceStub(ch).UpsertSite(
            roster_pb2.UpsertSiteRequest(
                idempotency_key=str(uuid.uuid4()),
                site=roster_pb2.Site(
                    id=site_id,
                    name="升级测试 Escalation test",
                    kind=roster_pb2.SITE_KIND_SITE,
                    parent_id="east",
                    time_zone="Asia/Shanghai",
                    jurisdiction="330100",
                ),
            )
        )
    steps = [
        notify_pb2.EscalationStep(recipient=notify_pb2.Recipient(person_id=p), channel="console", wait_seconds=wait)
        for p in people
    ]
    await notify.UpsertEscalationChain(
        notify_pb2.UpsertEscalationChainRequest(
            idempotency_key=str(uuid.uuid4()),
            chain=notify_pb2.EscalationChain(site_id=site_id, steps=steps, repeat=repeat),
        )
    )
    return site_id


def escalate(site_id: str) -> notify_pb2.EscalateRequest:
    return notify_pb2.EscalateRequest(
        idempotency_key=str(uuid.uuid4()),
        site_id=site_id,
        template="incident_registered",
        data={"incident_id": "inc-escalation-test", "title": "山体滑坡 Landslide"},
        ref_kind="incident",
        ref_id="inc-escalation-test",
        drill=True,
    )


async def escalation_when(notify: Any, escalation_id: str, check: Any, timeout: float = 30.0) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = await notify.GetEscalation(notify_pb2.GetEscalationRequest(escalation_id=escalation_id))
        if check(found):
            return found
        if loop.time() > deadline:
            raise AssertionError(f"escalation never got there: {found}")
        await asyncio.sleep(0.1)


async def test_an_acknowledgement_at_step_2_stops_step_3_and_the_others_are_told(platform: Any, notify: Any) -> None:
    site_id = await site_with_chain(
        platform, notify, "p-hz-leader-1", "p-hz-leader-2", "p-east-supervisor", wait=2, repeat=2
    )
    started = await notify.Escalate(escalate(site_id))
    assert started.status == "running" and started.workflow_id == f"escalation-{started.id}"
    at_step_2 = await escalation_when(
        notify, started.id, lambda e: any(n.person_id == "p-hz-leader-2" for n in e.notifications)
    )
    second = next(n for n in at_step_2.notifications if n.person_id == "p-hz-leader-2")
    async with channel(platform.address("notify"), token_for("p-hz-leader-2", ["leader"], ["hz-01"])) as ch:
        await notify_pb2_grpc.NotifyServiceStub(ch).Acknowledge(
            notify_pb2.AcknowledgeRequest(idempotency_key=str(uuid.uuid4()), notification_id=second.id)
        )
    done = await escalation_when(notify, started.id, lambda e: e.status != "running")
    assert done.status == "acknowledged" and done.acknowledged_by == "p-hz-leader-2"
    await asyncio.sleep(3.0)  # longer than step 2's wait: step 3 would have come by now
    after = await notify.GetEscalation(notify_pb2.GetEscalationRequest(escalation_id=started.id))
    assert "p-east-supervisor" not in {n.person_id for n in after.notifications}
    told = await notify.ListNotifications(
        notify_pb2.ListNotificationsRequest(person_id="p-hz-leader-1", ref_id="inc-escalation-test")
    )
    assert any(n.template == "escalation_acknowledged" and "【演练" in n.subject for n in told.notifications)


async def test_nobody_acknowledging_exhausts_the_chain_with_its_event(platform: Any, notify: Any) -> None:
    site_id = await site_with_chain(platform, notify, "p-nb-leader-1", "p-east-supervisor", wait=1, repeat=2)
    nc = await connect_url(platform.nats.url, platform.nats_creds)
    try:
        seen: list[event_pb2.Event] = []

        async def keep(msg: Any) -> None:
            event = event_pb2.Event()
            event.ParseFromString(msg.data)
            seen.append(event)

        await nc.subscribe(f"dutyline.{site_id}.escalation.>", cb=keep)
        started = await notify.Escalate(escalate(site_id))
        done = await escalation_when(notify, started.id, lambda e: e.status != "running")
        assert done.status == "exhausted"
        # Two loops over two steps: each person notified twice.
        assert sorted(n.person_id for n in done.notifications) == ["p-east-supervisor"] * 2 + ["p-nb-leader-1"] * 2
        for _ in range(50):
            if any(e.type == "escalation.exhausted" for e in seen):
                break
            await asyncio.sleep(0.1)
        types = [e.type for e in seen]
        assert types.count("escalation.step") == 4 and types[-1] == "escalation.exhausted"
        assert all(e.drill for e in seen)
    finally:
        await nc.close()


async def test_a_retried_escalation_starts_one_workflow(notify: Any, platform: Any) -> None:
    site_id = await site_with_chain(platform, notify, "p-hz-leader-1", wait=30, repeat=1)
    request = escalate(site_id)
    first = await notify.Escalate(request)
    second = await notify.Escalate(request)
    assert first.id == second.id


async def test_an_escalation_notifies_its_first_step_before_it_answers_once_per_key(notify: Any, platform: Any) -> None:
    """Its first step is not left to the workflow (DESIGN §8: the leader told at once); requests racing
    with one key, or repeating it in other words (the incident classified meanwhile), get that one
    escalation and its one notification."""
    site_id = await site_with_chain(platform, notify, "p-hz-leader-1", wait=30, repeat=1)
    request = escalate(site_id)
    reworded = notify_pb2.EscalateRequest()
    reworded.CopyFrom(request)
    reworded.data["category"] = "fire"
    answers = await asyncio.gather(*(notify.Escalate(r) for r in (request, request, reworded)))
    assert len({a.id for a in answers}) == 1
    found = await notify.GetEscalation(notify_pb2.GetEscalationRequest(escalation_id=answers[0].id))
    assert [(n.person_id, n.escalation_loop, n.escalation_step) for n in found.notifications] == [
        ("p-hz-leader-1", 1, 1)
    ]
    # The workflow's first step finds it: still one notification once the walk waits for an acknowledgement.
    handle = (await Client.connect(platform.temporal.address)).get_workflow_handle(found.workflow_id)
    for _ in range(300):
        if (await handle.query(STATE_QUERY, result_type=EscalationState)).notified_person_ids:
            break
        await asyncio.sleep(0.1)
    assert (await handle.query(STATE_QUERY, result_type=EscalationState)).notified_person_ids == ["p-hz-leader-1"]
    again = await notify.GetEscalation(notify_pb2.GetEscalationRequest(escalation_id=found.id))
    assert [n.id for n in again.notifications] == [n.id for n in found.notifications]


async def test_a_key_stored_by_the_whole_request_before_the_deploy_still_finds_its_escalation(
    notify: Any, platform: Any
) -> None:
    """Escalate compares its request without ``data``; a key stored by a release that hashed the whole
    request (an activity retried across the deploy) gets its escalation, not INVALID_ARGUMENT."""
    site_id = await site_with_chain(platform, notify, "p-hz-leader-1", wait=30, repeat=1)
    request = escalate(site_id)
    first = await notify.Escalate(request)
    conn = await asyncpg.connect(platform.postgres.dsn, server_settings={"search_path": "notify"})
    try:
        await conn.execute(
            "UPDATE idempotency SET request_hash = $2 WHERE method = 'Escalate' AND key = $1",
            request.idempotency_key,
            idempotency._request_hash(request),  # the stack's hash key is the development one, as here
        )
    finally:
        await conn.close()
    assert (await notify.Escalate(request)).id == first.id
    other = notify_pb2.EscalateRequest()
    other.CopyFrom(request)
    other.ref_id = "inc-another"
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await notify.Escalate(other)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT


class NobodyResolves:
    """A resolver for a step that must not be resolved again."""

    async def step(self, step: Any) -> list[Any]:
        raise AssertionError(f"step {step} resolved again")


async def test_the_workflows_first_step_answers_what_escalate_sent_without_resolving_it(
    notify: Any, platform: Any
) -> None:
    """A step happens once: sent at once by Escalate, the workflow's activity returns its notifications
    (the roster not asked, nothing composed again); a step not recorded yet is for it to send."""
    site_id = await site_with_chain(platform, notify, "p-hz-leader-1", "p-hz-leader-2", wait=30, repeat=1)
    started = await notify.Escalate(escalate(site_id))
    pool = await asyncpg.create_pool(platform.postgres.dsn, server_settings={"search_path": "notify"})
    try:
        sent = (await notify.GetEscalation(notify_pb2.GetEscalationRequest(escalation_id=started.id))).notifications
        activities = EscalationActivities(pool=pool, resolver=cast(Any, NobodyResolves()), channels=["console"])
        answer = await activities.notify_step(StepNotice(escalation_id=started.id, loop=1, step=1))
        assert answer == StepSent(person_ids=["p-hz-leader-1"], notification_ids=[n.id for n in sent])
        async with pool.acquire() as conn:
            assert await store.recorded_step(conn, escalation_id=started.id, loop=1, step=2) is None
    finally:
        await pool.close()


async def test_bad_chains_are_refused(notify: Any) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await notify.UpsertEscalationChain(
            notify_pb2.UpsertEscalationChainRequest(
                idempotency_key=str(uuid.uuid4()),
                chain=notify_pb2.EscalationChain(
                    site_id="hz-01",
                    repeat=0,
                    steps=[
                        notify_pb2.EscalationStep(recipient=notify_pb2.Recipient(), wait_seconds=0, channel="fax"),
                        notify_pb2.EscalationStep(
                            recipient=notify_pb2.Recipient(
                                role=notify_pb2.RoleAtSite(site_id="hz-01", role=common_pb2.ROLE_AGENCY)
                            ),
                            wait_seconds=60,
                        ),
                        notify_pb2.EscalationStep(
                            recipient=notify_pb2.Recipient(person_id="p-nobody-like-this"), wait_seconds=60
                        ),
                    ],
                ),
            )
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = {v.field for v in field_violations(refused.value)}
    # The proto's limits, all at once, before anything is looked up.
    assert {
        "chain.repeat",
        "chain.steps[0].recipient.target",
        "chain.steps[0].channel",
        "chain.steps[0].wait_seconds",
        "chain.steps[1].recipient.role.role",
    } <= fields
    # Within them, a person roster does not know is refused too.
    with pytest.raises(grpc.aio.AioRpcError) as unknown:
        await notify.UpsertEscalationChain(
            notify_pb2.UpsertEscalationChainRequest(
                idempotency_key=str(uuid.uuid4()),
                chain=notify_pb2.EscalationChain(
                    site_id="hz-01",
                    repeat=1,
                    steps=[
                        notify_pb2.EscalationStep(
                            recipient=notify_pb2.Recipient(
                                role=notify_pb2.RoleAtSite(site_id="hz-01", role=common_pb2.ROLE_LEADER)
                            ),
                            wait_seconds=60,
                        ),
                        notify_pb2.EscalationStep(
                            recipient=notify_pb2.Recipient(person_id="p-hz-leader-1"), wait_seconds=60
                        ),
                        notify_pb2.EscalationStep(
                            recipient=notify_pb2.Recipient(person_id="p-nobody-like-this"), wait_seconds=60
                        ),
                    ],
                ),
            )
        )
    assert unknown.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert {v.field for v in field_violations(unknown.value)} == {"chain.steps[2].recipient.person_id"}
    default = await notify.GetEscalationChain(notify_pb2.GetEscalationChainRequest(site_id="nb-01"))
    assert default.is_default and len(default.steps) == 4 and default.repeat == 2
