"""Users' URLs that notify would POST to (people's IM and webhook contacts, agencies' webhooks) are
refused at registration unless https to a public address (dutyline.outbound): INVALID_ARGUMENT naming
the field, and nothing written."""

from __future__ import annotations

import uuid
from typing import Any

import grpc
import pytest

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.errors import field_violations
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from tests.support import token_for

pytestmark = pytest.mark.stack

ADMIN = token_for("p-admin", ["admin"], ["*"])
# The metadata service of a cloud, a private address, plain http to a public name, loopback by name.
BLOCKED = [
    "https://169.254.169.254/latest/meta-data/",
    "https://10.0.0.5:5432/",
    "http://hooks.example.com/im",
    "https://localhost:50052/",
]


async def refused(call: Any) -> set[str]:
    """The fields an INVALID_ARGUMENT answer names."""
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await call
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT, error.value.details()
    return {v.field for v in field_violations(error.value)}


@pytest.mark.parametrize("url", BLOCKED)
async def test_people_and_directory_contacts_must_be_public_https(platform: Any, url: str) -> None:
    person_id = f"p-url-{uuid.uuid4().hex[:6]}"
    async with channel(platform.address("roster"), ADMIN) as ch:
        roster = roster_pb2_grpc.RosterServiceStub(ch)
        person = roster_pb2.Person(
            id=person_id,
            display_name="网址测试 URL test",
            site_id="hz-01",
            roles=[common_pb2.ROLE_OFFICER],
            contacts=[
                roster_pb2.ContactMethod(channel="sms", address="+8613800000000"),
                roster_pb2.ContactMethod(channel="im", address=url),
            ],
        )
        violations = await refused(
            roster.UpsertPerson(roster_pb2.UpsertPersonRequest(idempotency_key=str(uuid.uuid4()), person=person))
        )
        assert "person.contacts[1].address" in violations
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await roster.GetPerson(roster_pb2.GetPersonRequest(person_id=person_id))
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND

        entry = roster_pb2.DirectoryEntry(
            id=f"d-url-{uuid.uuid4().hex[:6]}",
            department="网址测试 URL test",
            site_id="hz-01",
            contacts=[roster_pb2.ContactMethod(channel="webhook", address=url)],
        )
        violations = await refused(
            roster.UpsertDirectoryEntry(
                roster_pb2.UpsertDirectoryEntryRequest(idempotency_key=str(uuid.uuid4()), entry=entry)
            )
        )
        assert "entry.contacts[0].address" in violations


@pytest.mark.parametrize("url", BLOCKED)
async def test_agency_webhooks_must_be_public_https(platform: Any, url: str) -> None:
    agency_id = f"url-{uuid.uuid4().hex[:6]}"
    async with channel(platform.address("notify"), ADMIN) as ch:
        notify = notify_pb2_grpc.NotifyServiceStub(ch)
        request = notify_pb2.RegisterAgencyRequest(
            idempotency_key=str(uuid.uuid4()),
            agency=notify_pb2.Agency(
                id=agency_id, name="网址测试 URL test", site_ids=["hz-01"], event_types=["*"], webhook_url=url
            ),
        )
        assert "agency.webhook_url" in await refused(notify.RegisterAgency(request))
        listed = await notify.ListAgencies(notify_pb2.ListAgenciesRequest())
        assert agency_id not in {a.id for a in listed.agencies}
