"""EquipmentService on the real stack (值班设备与应急物资): the checks due show at check-in and in the
handover's items, a fault on the duty phone alerts the duty leader on duty through notify, faults are
followed until resolved, supplies warn (supply.expiring once per supply and expiry), and every resource
is checked against the caller's sites."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import grpc
import pytest

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import create_pool
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import from_ts, ts
from dutyline.grpckit.errors import field_violations
from dutyline.notifier import NotifyClient
from dutyline.roster.v1 import equipment_pb2, equipment_pb2_grpc, roster_pb2, roster_pb2_grpc
from services.roster.equipment_items import equipment_open_items
from services.roster.rpc_equipment import EquipmentAlerts
from tests.support import events_about, notifications_about, service_token_for, staffed_site, token_for

pytestmark = pytest.mark.stack

SITE = "t-equip"
ZONE = ZoneInfo("Asia/Shanghai")
ADMIN = token_for("p-admin", ["admin"], ["*"])
LEADER = token_for(f"{SITE}-l1", ["leader"], [SITE])
OFFICER = token_for(f"{SITE}-o1", ["officer"], [SITE])
FOREIGN_OFFICER = token_for("p-nb-officer-1", ["officer"], ["nb-01"])


def key() -> str:
    return str(uuid.uuid4())


@pytest.fixture(scope="module")
async def on_duty(platform: Any) -> roster_pb2.OnDuty:
    """A site of its own with one officer and one leader on duty now, day and night."""
    async with channel(platform.address("roster"), ADMIN) as ch:
        admin = roster_pb2_grpc.RosterServiceStub(ch)
        await staffed_site(admin, SITE, officers=1, leaders=1)
        await admin.UpsertRotation(
            roster_pb2.UpsertRotationRequest(
                idempotency_key=key(),
                rotation=roster_pb2.Rotation(
                    id=f"{SITE}-leaders",
                    site_id=SITE,
                    pattern_id=f"{SITE}-dn",
                    role=common_pb2.ROLE_LEADER,
                    person_ids=[f"{SITE}-l1"],
                    period_days=1,
                    start_date="2026-01-01",
                ),
            )
        )
        start = datetime.combine(date.today() - timedelta(days=1), time(8), tzinfo=ZONE)
        period = common_pb2.TimeRange(start=ts(start), end=ts(start + timedelta(days=3)))
        published = await admin.PublishRoster(
            roster_pb2.PublishRosterRequest(idempotency_key=key(), site_id=SITE, period=period), timeout=30
        )
        assert published.published, published.gaps
        found: roster_pb2.OnDuty = await admin.GetOnDuty(roster_pb2.GetOnDutyRequest(site_id=SITE))
        assert found.officers and found.leaders
        return found


@pytest.fixture
async def roster_pool(platform: Any) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(platform.postgres.dsn, schema="roster", min_size=1, max_size=2)
    yield pool
    await pool.close()


@pytest.fixture
async def alerts(platform: Any, roster_pool: asyncpg.Pool) -> AsyncIterator[EquipmentAlerts]:
    """The service's sweep, run by the test (in the service it runs every minute)."""
    notifier = NotifyClient(channel(platform.address("notify"), service_token_for("roster")))
    yield EquipmentAlerts(pool=roster_pool, notifier=notifier)
    await notifier.close()


async def test_a_duty_phone_fault_alerts_the_leader_and_the_checks_due_show_at_check_in_and_handover(
    platform: Any, on_duty: roster_pb2.OnDuty, roster_pool: asyncpg.Pool, alerts: EquipmentAlerts
) -> None:
    async with (
        channel(platform.address("roster"), LEADER) as leader_ch,
        channel(platform.address("roster"), OFFICER) as officer_ch,
    ):
        leader = equipment_pb2_grpc.EquipmentServiceStub(leader_ch)
        officer = equipment_pb2_grpc.EquipmentServiceStub(officer_ch)
        phone = await leader.UpsertEquipment(
            equipment_pb2.UpsertEquipmentRequest(
                idempotency_key=key(),
                site_id=SITE,
                kind="duty_phone",
                name="值班电话",
                critical=True,
                checks=[equipment_pb2.EquipmentCheck(name="dial tone", period="shift")],
            )
        )
        radio = await leader.UpsertEquipment(
            equipment_pb2.UpsertEquipmentRequest(
                idempotency_key=key(),
                site_id=SITE,
                kind="radio",
                name="对讲机",
                checks=[equipment_pb2.EquipmentCheck(name="channel check", period="daily")],
            )
        )

        # Check-in answers with the checks due in the shift.
        mine = on_duty.officers[0]
        checked_in = await roster_pb2_grpc.RosterServiceStub(officer_ch).CheckIn(
            roster_pb2.CheckInRequest(idempotency_key=key(), assignment_id=mine.assignment_id)
        )
        # The site is the module's: the other tests' equipment (its checks) may be there before this one's.
        ours = {phone.id, radio.id}
        due = [i for i in checked_in.checks_due if i.ref_id.split(":")[0] in ours]
        assert {i.ref_id for i in due} == {f"{phone.id}:dial tone", f"{radio.id}:channel check"}
        assert {i.kind for i in due} == {"equipment_check"}

        await officer.RecordCheck(
            equipment_pb2.RecordCheckRequest(
                idempotency_key=key(), equipment_id=radio.id, check_name="channel check", result="ok"
            )
        )
        # The phone's check finds no dial tone: a fault, on a critical item.
        failing = equipment_pb2.RecordCheckRequest(
            idempotency_key=key(), equipment_id=phone.id, check_name="dial tone", result="fault", note="无拨号音"
        )
        recorded = await officer.RecordCheck(failing)
        fault = recorded.fault
        assert fault.id and fault.critical and fault.status == "open" and fault.check_id == recorded.check.id
        assert (await officer.RecordCheck(failing)) == recorded  # a retry records nothing more

        # The duty leader on duty is alerted at once, through notify.
        paged = await notifications_about(platform, fault.id)
        assert {n.person_id for n in paged} == {on_duty.leaders[0].person_id}
        assert "值班电话" in paged[0].subject

        # The handover carries the open fault; both checks were done in their periods.
        async with roster_pool.acquire() as conn:
            items = await equipment_open_items(
                conn,
                site_id=SITE,
                time_zone="Asia/Shanghai",
                starts_at=from_ts(checked_in.shift_start),
                ends_at=from_ts(checked_in.shift_start) + timedelta(hours=12),
            )
        mentioned = [(i.kind, i.ref_id) for i in items if i.kind == "equipment_fault" or i.ref_id.split(":")[0] in ours]
        assert mentioned == [("equipment_fault", fault.id)]
        # When it was reported, in the site's time, as the officer taking over reads it.
        reported = from_ts(fault.reported_at).astimezone(ZoneInfo("Asia/Shanghai"))
        assert next(i for i in items if i.ref_id == fault.id).text.endswith(
            f"(报告 reported {reported:%Y-%m-%d %H:%M})"
        )

        faults = await officer.ListFaults(equipment_pb2.ListFaultsRequest(site_id=SITE, status="open"))
        assert [f.id for f in faults.faults] == [fault.id]
        resolve = equipment_pb2.ResolveFaultRequest(idempotency_key=key(), fault_id=fault.id, resolution="更换话机")
        resolved = await officer.ResolveFault(resolve)
        assert resolved.status == "resolved" and resolved.resolution == "更换话机"
        assert await officer.ResolveFault(resolve) == resolved
        with pytest.raises(grpc.aio.AioRpcError) as again:
            await officer.ResolveFault(
                equipment_pb2.ResolveFaultRequest(idempotency_key=key(), fault_id=fault.id, resolution="x")
            )
        assert again.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert not (await officer.ListFaults(equipment_pb2.ListFaultsRequest(site_id=SITE, status="open"))).faults

        # A fault on an item that is not critical is recorded and followed, not paged.
        minor = await officer.ReportFault(
            equipment_pb2.ReportFaultRequest(idempotency_key=key(), equipment_id=radio.id, description="杂音")
        )
        assert not minor.critical
        # …until it has been open for a day: then the duty leader is told, once.
        await alerts.follow_up(now=datetime.now(UTC) + timedelta(hours=23), site_id=SITE)
        assert not await notifications_about(platform, minor.id, timeout=1)
        for _ in range(2):
            await alerts.follow_up(now=datetime.now(UTC) + timedelta(hours=25), site_id=SITE)
        followed = await notifications_about(platform, minor.id)
        assert [n.person_id for n in followed] == [on_duty.leaders[0].person_id]
        types = [e.type for e in await events_about(platform, fault.id)]
        assert types == ["equipment.fault_reported", "equipment.fault_resolved"]


async def test_equipment_and_faults_are_checked_against_the_callers_sites(
    platform: Any, on_duty: roster_pb2.OnDuty
) -> None:
    async with (
        channel(platform.address("roster"), LEADER) as leader_ch,
        channel(platform.address("roster"), OFFICER) as officer_ch,
        channel(platform.address("roster"), FOREIGN_OFFICER) as foreign_ch,
    ):
        leader = equipment_pb2_grpc.EquipmentServiceStub(leader_ch)
        officer = equipment_pb2_grpc.EquipmentServiceStub(officer_ch)
        foreign = equipment_pb2_grpc.EquipmentServiceStub(foreign_ch)
        fax = await leader.UpsertEquipment(
            equipment_pb2.UpsertEquipmentRequest(
                idempotency_key=key(),
                site_id=SITE,
                kind="fax",
                name="传真机",
                checks=[equipment_pb2.EquipmentCheck(name="send test", period="weekly")],
            )
        )
        refused = [
            # Officers record checks and faults; only leaders and admins keep the lists.
            officer.UpsertEquipment(
                equipment_pb2.UpsertEquipmentRequest(idempotency_key=key(), site_id=SITE, kind="fax", name="x")
            ),
            officer.UpsertSupply(equipment_pb2.UpsertSupplyRequest(idempotency_key=key(), site_id=SITE, name="x")),
            # Another site's officer reaches nothing of this one, by site or by id.
            foreign.ListEquipment(equipment_pb2.ListEquipmentRequest(site_id=SITE)),
            foreign.ListFaults(equipment_pb2.ListFaultsRequest(site_id=SITE)),
            foreign.RecordCheck(
                equipment_pb2.RecordCheckRequest(
                    idempotency_key=key(), equipment_id=fax.id, check_name="send test", result="ok"
                )
            ),
            foreign.ReportFault(
                equipment_pb2.ReportFaultRequest(idempotency_key=key(), equipment_id=fax.id, description="x")
            ),
        ]
        for call in refused:
            with pytest.raises(grpc.aio.AioRpcError) as denied:
                await call
            assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
        # A check the equipment does not have is refused at the field, and nothing is written.
        with pytest.raises(grpc.aio.AioRpcError) as bad:
            await officer.RecordCheck(
                equipment_pb2.RecordCheckRequest(
                    idempotency_key=key(), equipment_id=fax.id, check_name="dial tone", result="ok"
                )
            )
        assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert [v.field for v in field_violations(bad.value)] == ["check_name"]
        listed = await officer.ListEquipment(equipment_pb2.ListEquipmentRequest(site_id=SITE))
        assert fax.id in {e.id for e in listed.equipment}


async def test_supplies_warn_and_supply_expiring_is_published_once(
    platform: Any, on_duty: roster_pb2.OnDuty, alerts: EquipmentAlerts
) -> None:
    today = datetime.now(ZONE).date()
    async with channel(platform.address("roster"), LEADER) as leader_ch:
        leader = equipment_pb2_grpc.EquipmentServiceStub(leader_ch)
        kit = await leader.UpsertSupply(
            equipment_pb2.UpsertSupplyRequest(
                idempotency_key=key(),
                site_id=SITE,
                name="急救箱",
                quantity=1,
                minimum=2,
                expiry_date=(today + timedelta(days=10)).isoformat(),
            )
        )
        assert list(kit.warnings) == ["below_minimum", "expiring"]
        listed = await leader.ListSupplies(equipment_pb2.ListSuppliesRequest(site_id=SITE, warn_days=5))
        assert [list(s.warnings) for s in listed.supplies if s.id == kit.id] == [["below_minimum"]]

    await alerts.warn_expiring(today=today)
    await alerts.warn_expiring(today=today)  # the sweep runs again: nothing new
    types = [e.type for e in await events_about(platform, kit.id)]
    assert types == ["supply.upserted", "supply.expiring"]
    assert {n.person_id for n in await notifications_about(platform, kit.id)} == {on_duty.leaders[0].person_id}
