"""The requests that once jammed the platform, one test each, on the real stack: each is refused with
a typed error that names the field, writes nothing, and the platform goes on (the next normal call is
on JetStream within a second, the next incident can be verified)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import grpc
import pytest
from google.protobuf import timestamp_pb2

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import field_violations
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.support import notifications_about, published_within, token_for

pytestmark = pytest.mark.stack

K = incident_pb2


def key() -> str:
    return str(uuid.uuid4())


async def refused(call: Any, field: str, code: grpc.StatusCode = grpc.StatusCode.INVALID_ARGUMENT) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call
    assert err.value.code() == code, err.value.details()
    fields = [v.field for v in field_violations(err.value)]
    assert any(f == field or f.startswith(field + ".") or f.startswith(field + "[") for f in fields), fields


async def verified(incidents: Any, incident_id: str, **fields: Any) -> incident_pb2.Incident:
    """Verified as a fire of severity III, unless ``fields`` say otherwise."""
    given: dict[str, Any] = {
        "category": K.INCIDENT_CATEGORY_ACCIDENT,
        "sub_type": "fire",
        "severity": common_pb2.SEVERITY_III,
    }
    request = K.VerifyRequest(idempotency_key=key(), incident_id=incident_id, confirmed=True, **(given | fields))
    return await incidents.Verify(request, timeout=30)  # type: ignore[no-any-return]


async def still_works(platform: Any, intake: Any, incidents: Any) -> None:
    """A normal call reaches JetStream within a second and its incident can be verified."""
    reply = await intake.RegisterCall(emergency_call(), timeout=20)
    await published_within(platform, reply.call.id, seconds=1.0)
    incident = await verified(incidents, reply.incident_id)
    assert incident.stage == K.STAGE_ESCALATE


@pytest.fixture
async def notify(platform: Any, officer_token: str) -> AsyncIterator[notify_pb2_grpc.NotifyServiceStub]:
    async with channel(platform.address("notify"), officer_token) as ch:
        yield notify_pb2_grpc.NotifyServiceStub(ch)


async def test_a_nul_in_the_sub_type_is_refused_and_the_incident_goes_on(
    platform: Any, intake: Any, incidents: Any
) -> None:
    reply = await intake.RegisterCall(emergency_call(), timeout=20)
    await refused(verified(incidents, reply.incident_id, sub_type="fire\x00"), "sub_type")
    # The same incident is verified right after; workflow and database agree.
    incident = await verified(incidents, reply.incident_id)
    stored = await incidents.GetIncident(K.GetIncidentRequest(incident_id=reply.incident_id))
    assert incident.stage == stored.stage == K.STAGE_ESCALATE and stored.sub_type == "fire"
    progress = await incidents.AddProgress(
        K.AddProgressRequest(idempotency_key=key(), incident_id=reply.incident_id, text="已到场 on scene"), timeout=30
    )
    assert progress.kind == "progress"


async def test_a_hundred_thousand_call_ids_are_refused(
    platform: Any, intake: Any, incidents: Any, db: asyncpg.Connection
) -> None:
    before = await db.fetchval("SELECT count(*) FROM incident.incidents")
    ids = [f"call-{n:08d}" for n in range(100_000)]
    request = K.OpenIncidentRequest(idempotency_key=key(), site_id="hz-01", title="t", call_ids=ids)
    await refused(incidents.OpenIncident(request, timeout=30), "call_ids")
    # A few ids that do not exist, or a call of another site, are refused too (references are checked).
    request = K.OpenIncidentRequest(idempotency_key=key(), site_id="hz-01", title="t", call_ids=["call-nope"])
    await refused(incidents.OpenIncident(request, timeout=30), "call_ids[0]")
    assert await db.fetchval("SELECT count(*) FROM incident.incidents") == before
    await still_works(platform, intake, incidents)


async def test_a_place_longer_than_every_service_takes_is_refused_and_the_longest_one_reaches_the_leader(
    platform: Any, intake: Any, incidents: Any
) -> None:
    long_place = common_pb2.Place(text="文" * 3000)
    await refused(
        incidents.OpenIncident(
            K.OpenIncidentRequest(idempotency_key=key(), site_id="hz-01", title="t", place=long_place)
        ),
        "place.text",
    )
    # The longest place intake and incident accept passes notify too: the leader is told.
    call = emergency_call()
    call.place.text = "文" * 200
    reply = await intake.RegisterCall(call, timeout=20)
    incident = await verified(incidents, reply.incident_id)
    assert incident.place.text == "文" * 200 and incident.stage == K.STAGE_ESCALATE
    told = await notifications_about(platform, reply.incident_id)
    assert told and any("文" * 200 in n.body for n in told), [n.body[:80] for n in told]


async def test_a_notice_of_one_and_a_half_megabytes_is_refused(platform: Any, intake: Any, incidents: Any) -> None:
    call = emergency_call(category=intake_pb2.CALL_CATEGORY_NOTICE)
    call.notice.content = "通" * 500_000  # 1.5 MB in UTF-8
    await refused(intake.RegisterCall(call, timeout=20), "notice.content")
    await still_works(platform, intake, incidents)


async def test_a_reason_whose_json_would_grow_sixfold_is_refused(platform: Any, intake: Any, incidents: Any) -> None:
    reply = await intake.RegisterCall(emergency_call(), timeout=20)
    request = K.VerifyRequest(
        idempotency_key=key(), incident_id=reply.incident_id, confirmed=False, reason="\x01" * 4000
    )
    await refused(incidents.Verify(request, timeout=30), "reason")
    # The longest reason of characters JSON escapes (quotes, backslashes) is taken and published.
    request.idempotency_key = key()
    request.reason = '"\\' * 2000
    unfounded = await incidents.Verify(request, timeout=30)
    assert unfounded.stage == K.STAGE_CLOSED
    await published_within(platform, reply.incident_id, seconds=5.0, event_type="incident.unfounded")


def out_of_range() -> dict[str, timestamp_pb2.Timestamp]:
    """By name: the ids are the same in every collecting process (pytest-xdist compares them)."""
    now = datetime.now(UTC)
    return {
        "2^62 s": timestamp_pb2.Timestamp(seconds=2**62),
        "before year 1": timestamp_pb2.Timestamp(seconds=-62_135_596_800 - 1),
        "year 10000": timestamp_pb2.Timestamp(seconds=253_402_300_800),
        "negative nanos": timestamp_pb2.Timestamp(seconds=int(now.timestamp()), nanos=-1),
        "a second of nanos": timestamp_pb2.Timestamp(seconds=int(now.timestamp()), nanos=10**9),
        "ten years ahead": ts(now + timedelta(days=3650)),
        "year 1": ts(datetime(1, 1, 1, tzinfo=UTC)),
    }


@pytest.mark.parametrize("when", [pytest.param(t, id=name) for name, t in out_of_range().items()])
async def test_timestamps_out_of_range_are_refused(intake: Any, incidents: Any, notify: Any, when: Any) -> None:
    for field in ("ring_started_at", "answered_at", "ended_at"):
        call = emergency_call()
        getattr(call, field).CopyFrom(when)
        await refused(intake.RegisterCall(call, timeout=20), field)
    request = K.OpenIncidentRequest(idempotency_key=key(), site_id="hz-01", title="t", occurred_at=when)
    await refused(incidents.OpenIncident(request, timeout=20), "occurred_at")
    notice = emergency_call(category=intake_pb2.CALL_CATEGORY_NOTICE)
    notice.notice.meeting_time.CopyFrom(when)
    await refused(intake.RegisterCall(notice, timeout=20), "notice.meeting_time")


@pytest.mark.parametrize("value", [-1, 7, 99, -(2**31)])
async def test_enums_out_of_range_are_refused(intake: Any, incidents: Any, value: int) -> None:
    request = K.OpenIncidentRequest(idempotency_key=key(), site_id="hz-01", title="t", category=value)  # type: ignore[arg-type]
    await refused(incidents.OpenIncident(request, timeout=20), "category")
    await refused(intake.RegisterCall(emergency_call(category=value), timeout=20), "category")


@pytest.mark.parametrize("responder", ["😀", "../../etc/passwd", "p-nobody"])
async def test_a_first_responder_who_is_not_a_person_of_the_site_is_refused(platform: Any, responder: str) -> None:
    # A leader's request: only a leader or an admin names someone else (issue 14, finding 19).
    request = K.OpenIncidentRequest(idempotency_key=key(), site_id="hz-01", title="t", first_responder_id=responder)
    async with channel(platform.address("incident"), token_for("p-hz-leader-1", ["leader"], ["hz-01"])) as ch:
        await refused(incident_pb2_grpc.IncidentServiceStub(ch).OpenIncident(request, timeout=20), "first_responder_id")


@pytest.mark.parametrize("loss", [-1, -(2**63), 2**63 - 1])
async def test_a_loss_out_of_range_is_refused(intake: Any, incidents: Any, loss: int) -> None:
    reply = await intake.RegisterCall(emergency_call(), timeout=20)
    casualties = K.Casualties(loss_yuan=loss)
    await refused(verified(incidents, reply.incident_id, casualties=casualties), "casualties.loss_yuan")


async def test_a_send_to_the_superior_of_an_unknown_site_or_with_odd_keys_is_refused(notify: Any) -> None:
    def send(**fields: Any) -> Any:
        base: dict[str, Any] = {
            "idempotency_key": key(),
            "site_id": "hz-01",
            "template": "generic",
            "recipients": [notify_pb2.Recipient(superior_of_site="no-such-site")],
        }
        return notify.Send(notify_pb2.SendRequest(**(base | fields)), timeout=20)

    await refused(send(), "recipients[0].superior_of_site")
    for odd in ("😀", " ", "a b"):
        leader = notify_pb2.Recipient(role=notify_pb2.RoleAtSite(role=common_pb2.ROLE_LEADER))
        await refused(send(recipients=[leader], data={odd: "x"}), "data")


async def test_verify_right_after_open_never_fails(platform: Any, officer_token: str) -> None:
    """Verify sent the instant OpenIncident answers, many at once: every one is accepted."""
    async with channel(platform.address("incident"), officer_token) as ch:
        from dutyline.incident.v1 import incident_pb2_grpc

        stub = incident_pb2_grpc.IncidentServiceStub(ch)

        async def pair(n: int) -> incident_pb2.Incident:
            opened = await stub.OpenIncident(
                K.OpenIncidentRequest(idempotency_key=key(), site_id="hz-01", title=f"竞态 race {n}", drill=True),
                timeout=30,
            )
            return await verified(stub, opened.incident.id)

        results = await asyncio.gather(*(pair(n) for n in range(40)), return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    assert not failures, failures[:3]
