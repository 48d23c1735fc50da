"""A department of the directory (通讯录) as a recipient of Send: reached through its own contacts (it has
no duty console), only from its own site's line; what can never be delivered is refused at once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import grpc
import pytest

from dutyline.grpckit.client import channel
from dutyline.grpckit.errors import field_violations
from dutyline.notify.v1 import notify_pb2
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from services.notify.people.recipients import Person
from services.notify.people.rules import Route, routes_for
from services.notify.people.sending import Message, compose
from tests.services.intake.records.test_messages import department
from tests.services.notify.people.test_notifications import notify, send, settled
from tests.support import token_for

__all__ = ["notify"]  # the fixture


def to(entry_id: str) -> notify_pb2.Recipient:
    return notify_pb2.Recipient(directory_entry_id=entry_id)


def test_a_directory_entry_has_only_its_contacts_to_try() -> None:
    contacts = (("phone", "0571-96777"), ("fax", "0571-1"))
    assert routes_for(contacts, preferred="", available=["voice", "console"], console=False) == [
        Route("voice", "0571-96777")
    ]
    assert routes_for(contacts, preferred="console", available=["sms", "console"], console=False) == []
    entry = Person("dir-gas", "燃气集团 Gas company", contacts, "hz-01", directory=True)
    [row] = compose([entry], Message("hz-01", "generic", {}), key="k", channels=["sms"], now=datetime.now(UTC))
    assert row.routes == ()  # Send refuses it: nothing could ever deliver it


@pytest.mark.stack
async def test_a_department_is_reached_through_its_own_contacts(platform: Any, notify: Any) -> None:
    entry_id = await department(platform, ("email", "desk@heating.example"))
    reply = await notify.Send(send("hz-01", to(entry_id), channel="console"))
    [sent] = reply.notifications
    assert sent.person_id == entry_id and sent.person_name.startswith("供热公司")
    done = await settled(notify, sent.id, "delivered", "failed")
    assert [a.channel for a in done.attempts] == ["email"] and done.status == "delivered"


@pytest.mark.stack
async def test_another_sites_department_or_an_unknown_one_is_refused(platform: Any, notify: Any) -> None:
    elsewhere = await department(platform, ("sms", "0574-12345678"), site_id="nb-01")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await notify.Send(send("hz-01", to(elsewhere)))
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as unknown:
        await notify.Send(send("hz-01", to("dir-nowhere")))
    assert unknown.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations(unknown.value)] == ["recipients[0].directory_entry_id"]
    listed = await notify.ListNotifications(notify_pb2.ListNotificationsRequest(site_id="hz-01"))
    assert not {n.person_id for n in listed.notifications} & {elsewhere, "dir-nowhere"}


@pytest.mark.stack
async def test_an_escalation_chain_names_no_directory_entry(notify: Any) -> None:
    chain = notify_pb2.EscalationChain(
        site_id="hz-01", steps=[notify_pb2.EscalationStep(recipient=to("dir-hz-gas"), wait_seconds=60)], repeat=1
    )
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await notify.UpsertEscalationChain(
            notify_pb2.UpsertEscalationChainRequest(idempotency_key="k-chain", chain=chain)
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert {v.field for v in field_violations(refused.value)} == {"chain.steps[0]"}


@pytest.mark.stack
async def test_roster_gives_an_entry_with_its_contacts_to_its_own_site_only(platform: Any) -> None:
    entry_id = await department(platform, ("sms", "0571-11112222"))
    async with channel(platform.address("roster"), token_for("p-hz-officer-1", ["officer"], ["hz-01"])) as ch:
        entry = await roster_pb2_grpc.RosterServiceStub(ch).GetDirectoryEntry(
            roster_pb2.GetDirectoryEntryRequest(entry_id=entry_id)
        )
        with pytest.raises(grpc.aio.AioRpcError) as bad:
            await roster_pb2_grpc.RosterServiceStub(ch).GetDirectoryEntry(roster_pb2.GetDirectoryEntryRequest())
    assert (entry.site_id, [(c.channel, c.address) for c in entry.contacts]) == ("hz-01", [("sms", "0571-11112222")])
    assert [v.field for v in field_violations(bad.value)] == ["entry_id"]
    async with channel(platform.address("roster"), token_for("p-nb-officer-1", ["officer"], ["nb-01"])) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await roster_pb2_grpc.RosterServiceStub(ch).GetDirectoryEntry(
                roster_pb2.GetDirectoryEntryRequest(entry_id=entry_id)
            )
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
