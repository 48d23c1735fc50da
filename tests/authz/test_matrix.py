"""The authorization matrix, generated from the services' declared policies, on the real stack: every
RPC × every role × a token for the request's own site, a foreign site, the region above and (for
everyone but the platform's services) nothing else. A role the policy does not name is refused with
PERMISSION_DENIED before anything else; a role it names is never refused for its own site or the
region above; a foreign site is refused wherever the request gets as far as its site.

Requests are minimal (their ``site_id``, if they have one, is the own site hz-01): "allowed" means
anything but PERMISSION_DENIED / UNAUTHENTICATED (bad input, NOT_FOUND... passed authorization). A
reading RPC that names its resource by id gets a real resource of hz-01 (a person, an assignment, a
call, an incident, a notification, an escalation), so the foreign case reaches the server-side site
check of what the id resolves to; writes stay minimal, so the matrix changes nothing (their site
checks have a test each in test_findings.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import grpc
import pytest
from google.protobuf import descriptor_pool, message_factory

from dutyline.grpckit.client import channel
from dutyline.grpckit.policy import Policy
from dutyline.intake.v1 import intake_pb2_grpc
from services.incident.policy import POLICIES as INCIDENT
from services.insight.policy import POLICIES as INSIGHT
from services.intake.policy import POLICIES as INTAKE
from services.notify.policy import POLICIES as NOTIFY
from services.roster.duty_records_policy import POLICIES as DUTY_RECORDS
from services.roster.equipment_policy import POLICIES as EQUIPMENT
from services.roster.inspection_policy import POLICIES as INSPECTION
from services.roster.policy import POLICIES as ROSTER
from services.roster.seed import REGION
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.support import service_token_for, token_for, until

pytestmark = pytest.mark.stack

SERVICES = {
    "roster": {**ROSTER, **EQUIPMENT, **INSPECTION, **DUTY_RECORDS},
    "intake": INTAKE,
    "incident": INCIDENT,
    "notify": NOTIFY,
    "insight": INSIGHT,
}
ROLES = ("officer", "leader", "unit_head", "admin", "supervisor", "agency", "system")
OWN, FOREIGN = "hz-01", "nb-01"
SCOPES = {"own": [OWN], "foreign": [FOREIGN], "region": [REGION]}
REFUSED = (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED)


@pytest.fixture(scope="session")
async def hz_resources(platform: Any) -> AsyncIterator[dict[str, str]]:
    """One resource of the own site per id field a reading RPC names it by."""
    db = await asyncpg.connect(platform.postgres.dsn)
    async with channel(platform.address("intake"), token_for("p-hz-officer-1", ["officer"], [OWN])) as ch:
        registered = await intake_pb2_grpc.IntakeServiceStub(ch).RegisterCall(emergency_call(), timeout=20)
    # The duty leader is paged about the new incident: a notification and an escalation of hz-01.
    await until(lambda: db.fetchval("SELECT count(*) > 0 FROM notify.escalations WHERE site_id = $1", OWN), True)
    await until(lambda: db.fetchval("SELECT count(*) > 0 FROM notify.notifications WHERE site_id = $1", OWN), True)
    yield {
        "person_id": "p-hz-officer-1",
        "assignment_id": await db.fetchval("SELECT id FROM roster.assignments WHERE site_id = $1 LIMIT 1", OWN),
        "call_id": registered.call.id,
        "incident_id": registered.incident_id,
        "notification_id": await db.fetchval("SELECT id FROM notify.notifications WHERE site_id = $1 LIMIT 1", OWN),
        "escalation_id": await db.fetchval("SELECT id FROM notify.escalations WHERE site_id = $1 LIMIT 1", OWN),
    }
    await db.close()


def _input(method: str) -> Any:
    service, name = method.strip("/").split("/")
    return descriptor_pool.Default().FindServiceByName(service).methods_by_name[name]


def named_resource(method: str, resources: dict[str, str]) -> str:
    """The id field by which the matrix sends ``method`` a real resource of the own site, if any: reads
    whose site comes from the resource (a write would change what the other cases see)."""
    policy = next(policies[method] for policies in SERVICES.values() if method in policies)
    fields = _input(method).input_type.fields_by_name
    if policy.mutating or "site_id" in fields:
        return ""
    return next((f for f in resources if f in fields), "")


def minimal_request(method: str, resources: dict[str, str]) -> Any:
    descriptor = _input(method)
    request = message_factory.GetMessageClass(descriptor.input_type)()
    if "site_id" in descriptor.input_type.fields_by_name:
        request.site_id = OWN
    field = named_resource(method, resources)
    if field:
        setattr(request, field, resources[field])
    return request, descriptor.server_streaming


async def code_of(ch: grpc.aio.Channel, method: str, resources: dict[str, str]) -> grpc.StatusCode:
    request, streaming = minimal_request(method, resources)
    try:
        if streaming:
            call = ch.unary_stream(method, request_serializer=type(request).SerializeToString)(request, timeout=3)
            async for _ in call:
                break
        else:
            await ch.unary_unary(method, request_serializer=type(request).SerializeToString)(request, timeout=10)
    except grpc.aio.AioRpcError as exc:
        return exc.code()
    return grpc.StatusCode.OK


async def answers(
    platform: Any, service: str, role: str, sites: list[str], resources: dict[str, str]
) -> dict[str, grpc.StatusCode]:
    # The role system comes only with a service credential (a user token claiming it is refused).
    token = service_token_for("matrix") if role == "system" else token_for(f"p-matrix-{role}", [role], sites)
    async with channel(platform.address(service), token) as ch:
        return {method: await code_of(ch, method, resources) for method in SERVICES[service]}


def expected_refusal(policy: Policy, role: str) -> bool:
    return role not in policy.roles


@pytest.mark.parametrize("service", sorted(SERVICES))
@pytest.mark.parametrize("role", ROLES)
async def test_each_rpc_admits_exactly_the_roles_and_sites_its_policy_names(
    platform: Any, service: str, role: str, hz_resources: dict[str, str]
) -> None:
    scopes = {"all": ["*"]} if role == "system" else SCOPES
    got = {scope: await answers(platform, service, role, sites, hz_resources) for scope, sites in scopes.items()}
    wrong: list[str] = []
    for method, policy in SERVICES[service].items():
        for scope, codes in got.items():
            code = codes[method]
            if expected_refusal(policy, role):
                if code != grpc.StatusCode.PERMISSION_DENIED:
                    wrong.append(f"{method} {role}@{scope}: {code.name}, expected PERMISSION_DENIED")
            elif scope == "foreign" and policy.site_scoped:
                # Refused for the foreign site, unless the request stopped before its site (bad input).
                own = got["own"][method]
                if code != grpc.StatusCode.PERMISSION_DENIED and (code != own or own == grpc.StatusCode.OK):
                    wrong.append(f"{method} {role}@foreign: {code.name} (own site: {own.name})")
            elif code in REFUSED:
                wrong.append(f"{method} {role}@{scope}: {code.name}, expected to pass authorization")
            elif scope != "foreign" and named_resource(method, hz_resources) and code != grpc.StatusCode.OK:
                # A real resource of the own site: the foreign refusal above was its site check.
                wrong.append(f"{method} {role}@{scope}: {code.name}, expected OK for a resource of {OWN}")
    assert not wrong, "\n".join(wrong)
