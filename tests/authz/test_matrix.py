"""The authorization matrix, generated from the services' declared policies, on the real stack: every
RPC × every role × a token for the request's own site, a foreign site, the region above and (for
everyone but the platform's services) nothing else. A role the policy does not name is refused with
PERMISSION_DENIED before anything else; a role it names is never refused for its own site or the
region above; a foreign site is refused wherever the request gets as far as its site.

Requests are minimal (their ``site_id``, if they have one, is the own site hz-01): "allowed" means
anything but PERMISSION_DENIED / UNAUTHENTICATED (bad input, NOT_FOUND... passed authorization)."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.protobuf import descriptor_pool, message_factory

from dutyline.grpckit.client import channel
from dutyline.grpckit.policy import Policy
from services.incident.policy import POLICIES as INCIDENT
from services.intake.policy import POLICIES as INTAKE
from services.notify.policy import POLICIES as NOTIFY
from services.roster.policy import POLICIES as ROSTER
from services.roster.seed import REGION
from tests.support import service_token_for, token_for

pytestmark = pytest.mark.stack

SERVICES = {"roster": ROSTER, "intake": INTAKE, "incident": INCIDENT, "notify": NOTIFY}
ROLES = ("officer", "leader", "unit_head", "admin", "supervisor", "agency", "system")
OWN, FOREIGN = "hz-01", "nb-01"
SCOPES = {"own": [OWN], "foreign": [FOREIGN], "region": [REGION]}
REFUSED = (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED)


def minimal_request(method: str) -> Any:
    service, name = method.strip("/").split("/")
    descriptor = descriptor_pool.Default().FindServiceByName(service).methods_by_name[name]
    request = message_factory.GetMessageClass(descriptor.input_type)()
    if "site_id" in descriptor.input_type.fields_by_name:
        request.site_id = OWN
    return request, descriptor.server_streaming


async def code_of(ch: grpc.aio.Channel, method: str) -> grpc.StatusCode:
    request, streaming = minimal_request(method)
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


async def answers(platform: Any, service: str, role: str, sites: list[str]) -> dict[str, grpc.StatusCode]:
    # The role system comes only with a service credential (a user token claiming it is refused).
    token = service_token_for("matrix") if role == "system" else token_for(f"p-matrix-{role}", [role], sites)
    async with channel(platform.address(service), token) as ch:
        return {method: await code_of(ch, method) for method in SERVICES[service]}


def expected_refusal(policy: Policy, role: str) -> bool:
    return role not in policy.roles


@pytest.mark.parametrize("service", sorted(SERVICES))
@pytest.mark.parametrize("role", ROLES)
async def test_each_rpc_admits_exactly_the_roles_and_sites_its_policy_names(
    platform: Any, service: str, role: str
) -> None:
    scopes = {"all": ["*"]} if role == "system" else SCOPES
    got = {scope: await answers(platform, service, role, sites) for scope, sites in scopes.items()}
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
    assert not wrong, "\n".join(wrong)
