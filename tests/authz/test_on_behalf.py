"""Acting on a person's behalf (DESIGN §4), on the real stack: a call a person's request causes in
another service carries that person next to the component's own credential; the receiving service
checks the person's roles and sites and the component's policy, and records the person as the actor,
via the component."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta
from typing import Any

import grpc
import jwt
import pytest

from dutyline.config import DEV_TOKEN_SECRET
from dutyline.grpckit.auth import ON_BEHALF_OF, issue_token
from dutyline.grpckit.client import channel
from dutyline.grpckit.errors import FieldViolation, field_violations
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from services.roster.seed import REGION
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.support import events_about, service_token_for, token_for, until

pytestmark = pytest.mark.stack

HZ_OFFICER = token_for("p-hz-officer-1", ["officer"], ["hz-01"])
NB_OFFICER = token_for("p-nb-officer-1", ["officer"], ["nb-01"])
SERVICE = service_token_for("intake")


def acting_for(token: str) -> tuple[tuple[str, str], ...]:
    return ((ON_BEHALF_OF, token),)


async def refused(call: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return caught.value


async def nb_call(platform: Any) -> str:
    async with channel(platform.address("intake"), NB_OFFICER) as ch:
        registered = await intake_pb2_grpc.IntakeServiceStub(ch).RegisterCall(
            emergency_call(site_id="nb-01", category=intake_pb2.CALL_CATEGORY_CONSULTATION), timeout=20
        )
    return str(registered.call.id)


async def test_the_incident_of_an_officers_emergency_call_is_opened_by_the_officer_via_intake(
    platform: Any, intake: Any, on_duty_officer: str
) -> None:
    registered = await intake.RegisterCall(emergency_call(), timeout=20)
    incident_id = registered.incident_id

    async def actor() -> tuple[str, str, str] | None:
        for envelope in await events_about(platform, incident_id, quiet=1.0):
            if envelope.type == "incident.registered":
                return envelope.actor.person_id, envelope.actor.kind, envelope.actor.via
        return None

    await until(actor, (on_duty_officer, "person", "system:intake"))


async def test_a_service_reaches_no_further_for_a_person_than_the_person_could(platform: Any) -> None:
    call_id = await nb_call(platform)
    request = intake_pb2.GetCallRequest(call_id=call_id)
    async with channel(platform.address("intake"), SERVICE) as ch:
        stub = intake_pb2_grpc.IntakeServiceStub(ch)
        # As itself, the component may read any call (it resolves what it checks) ...
        assert (await stub.GetCall(request)).site_id == "nb-01"
        # ... for an officer of hz-01, not nb-01's call; for nb-01's officer, it may.
        denied = await refused(stub.GetCall(request, metadata=acting_for(HZ_OFFICER)))
        assert denied.code() == grpc.StatusCode.PERMISSION_DENIED
        assert (await stub.GetCall(request, metadata=acting_for(NB_OFFICER))).id == call_id


async def test_an_incident_opened_with_a_foreign_call_is_refused_without_naming_its_site(platform: Any) -> None:
    """The incident service asks intake about the calls as the person opening the incident."""
    call_id = await nb_call(platform)
    async with channel(platform.address("incident"), HZ_OFFICER) as ch:
        request = incident_pb2.OpenIncidentRequest(
            idempotency_key=str(uuid.uuid4()), site_id="hz-01", title="跨站点 across sites", call_ids=[call_id]
        )
        error = await refused(incident_pb2_grpc.IncidentServiceStub(ch).OpenIncident(request))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(error) == [FieldViolation("call_ids[0]", "a call of a site you do not act for")]


async def test_on_a_persons_behalf_a_service_does_only_what_its_own_policy_names(platform: Any) -> None:
    """A global admin may change a site; the component may not, not even for the admin."""
    admin = token_for("p-admin", ["admin"], ["*"])
    request = roster_pb2.UpsertSiteRequest(
        idempotency_key=str(uuid.uuid4()),
        site=roster_pb2.Site(
            id="hz-01",
            name="杭州 Hangzhou",
            kind=roster_pb2.SITE_KIND_SITE,
            parent_id=REGION,
            time_zone="Asia/Shanghai",
        ),
    )
    async with channel(platform.address("roster"), SERVICE) as ch:
        error = await refused(roster_pb2_grpc.RosterServiceStub(ch).UpsertSite(request, metadata=acting_for(admin)))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "services acting for a person" in (error.details() or "")


async def test_only_a_service_may_act_for_someone_and_only_for_a_current_person(platform: Any) -> None:
    call_id = await nb_call(platform)
    request = intake_pb2.GetCallRequest(call_id=call_id)
    expired = issue_token(
        DEV_TOKEN_SECRET, person_id="p-nb-officer-1", roles=["officer"], sites=["nb-01"], ttl=timedelta(seconds=-5)
    )
    revoked = token_for("p-nb-officer-1", ["officer"], ["nb-01"])
    with platform.revoked_tokens_file.open("a", encoding="utf-8") as f:
        f.write(jwt.decode(revoked, options={"verify_signature": False})["jti"] + "\n")
    # A person cannot pass for another one by sending the header.
    async with channel(platform.address("intake"), HZ_OFFICER) as ch:
        error = await refused(intake_pb2_grpc.IntakeServiceStub(ch).GetCall(request, metadata=acting_for(NB_OFFICER)))
        assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    async with channel(platform.address("intake"), SERVICE) as ch:
        stub = intake_pb2_grpc.IntakeServiceStub(ch)
        # A component's credential is not a person's.
        error = await refused(stub.GetCall(request, metadata=acting_for(service_token_for("roster"))))
        assert error.code() == grpc.StatusCode.UNAUTHENTICATED
        error = await refused(stub.GetCall(request, metadata=acting_for(expired)))
        assert error.code() == grpc.StatusCode.UNAUTHENTICATED
        # The revocation list is re-read every few seconds.
        deadline = time.monotonic() + 15
        while True:
            try:
                await stub.GetCall(request, metadata=acting_for(revoked))
            except grpc.aio.AioRpcError as exc:
                assert exc.code() == grpc.StatusCode.UNAUTHENTICATED and "revoked" in (exc.details() or "")
                break
            assert time.monotonic() < deadline, "a revoked person's token is still accepted on their behalf"
            await asyncio.sleep(0.5)
