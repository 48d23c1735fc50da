"""The handover register on the real stack: the duty leader countersigns (带班领导签字) once, whoever
retries; an officer may not; the register pages and exports as a workbook (XLSX, read back with
openpyxl) or CSV with zh-CN or English headers, times in the site's zone. A handover carries the
equipment checks due in the shift and the open faults."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import grpc
import openpyxl
import pytest

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import field_violations
from dutyline.roster.v1 import equipment_pb2, equipment_pb2_grpc, roster_pb2, roster_pb2_grpc
from tests.support import staffed_site, token_for

pytestmark = pytest.mark.stack

SITE = "t-countersign"
ZONE = ZoneInfo("Asia/Shanghai")
ADMIN = token_for("p-admin", ["admin"], ["*"])


def key() -> str:
    return str(uuid.uuid4())


async def rostered_site_with_a_faulty_radio(
    ch: grpc.aio.Channel, site_id: str
) -> tuple[list[roster_pb2.Assignment], equipment_pb2.Equipment, equipment_pb2.Fault]:
    """A fresh site (officers ``<site>-o1``, ``-o2``, leader ``-l1``) rostered for two days weeks ahead (its
    assignments by start), with a radio checked every shift and an open fault on it; ``ch``: an admin's."""
    admin = roster_pb2_grpc.RosterServiceStub(ch)
    await staffed_site(admin, site_id, officers=2, leaders=1, leader_needed=False)
    start = datetime.combine(date.today() + timedelta(days=50), time(8), tzinfo=ZONE)
    period = common_pb2.TimeRange(start=ts(start), end=ts(start + timedelta(days=2)))
    published = await admin.PublishRoster(
        roster_pb2.PublishRosterRequest(idempotency_key=key(), site_id=site_id, period=period), timeout=30
    )
    assert published.published, published.gaps
    shifts = sorted(
        (await admin.ListAssignments(roster_pb2.ListAssignmentsRequest(site_id=site_id, period=period))).assignments,
        key=lambda a: a.start.ToDatetime(),
    )
    equipment = equipment_pb2_grpc.EquipmentServiceStub(ch)
    radio = await equipment.UpsertEquipment(
        equipment_pb2.UpsertEquipmentRequest(
            idempotency_key=key(),
            site_id=site_id,
            kind="radio",
            name="对讲机 radio",
            checks=[equipment_pb2.EquipmentCheck(name="radio channel check", period="shift")],
        ),
        timeout=10,
    )
    fault = await equipment.ReportFault(
        equipment_pb2.ReportFaultRequest(idempotency_key=key(), equipment_id=radio.id, description="no signal"),
        timeout=10,
    )
    return list(shifts), radio, fault


async def test_the_leader_countersigns_once_and_the_register_pages_and_exports(platform: Any) -> None:
    async with channel(platform.address("roster"), ADMIN) as ch:
        admin = roster_pb2_grpc.RosterServiceStub(ch)
        # The radio's check due in the shift and its open fault are both handed over (设备交接).
        shifts, radio, fault = await rostered_site_with_a_faulty_radio(ch, SITE)
        submitted = [
            await admin.SubmitHandover(
                roster_pb2.SubmitHandoverRequest(
                    idempotency_key=key(), outgoing_assignment_id=a.id, shift_log=f"日志 log {a.id}"
                ),
                timeout=60,
            )
            for a in shifts[:2]
        ]
        carried = {(i.kind, i.ref_id) for i in submitted[0].open_items}
        assert {("equipment_check", f"{radio.id}:radio channel check"), ("equipment_fault", fault.id)} <= carried

    async with channel(platform.address("roster"), token_for(f"{SITE}-l1", ["leader"], [SITE])) as ch:
        leader = roster_pb2_grpc.RosterServiceStub(ch)
        sign = roster_pb2.CountersignHandoverRequest(
            idempotency_key=key(), handover_id=submitted[0].id, remarks="已核 checked"
        )
        signed = await leader.CountersignHandover(sign, timeout=10)
        assert signed.countersigned_by_id == f"{SITE}-l1" and signed.countersign_remarks == "已核 checked"
        assert signed.HasField("countersigned_at")
        # The same request again, or a new one: the first signature stands.
        assert await leader.CountersignHandover(sign, timeout=10) == signed
        again = await leader.CountersignHandover(
            roster_pb2.CountersignHandoverRequest(idempotency_key=key(), handover_id=submitted[0].id, remarks="x"),
            timeout=10,
        )
        assert again.countersigned_at == signed.countersigned_at and again.countersign_remarks == "已核 checked"

        page = await leader.ListHandovers(roster_pb2.ListHandoversRequest(site_id=SITE, page_size=1), timeout=10)
        assert [h.id for h in page.handovers] == [submitted[1].id] and page.next_page_token
        rest = await leader.ListHandovers(
            roster_pb2.ListHandoversRequest(site_id=SITE, page_size=1, page_token=page.next_page_token), timeout=10
        )
        assert [h.id for h in rest.handovers] == [submitted[0].id]
        assert rest.handovers[0].countersigned_by_id == f"{SITE}-l1"

        exported = await leader.ExportHandovers(
            roster_pb2.ExportHandoversRequest(site_id=SITE, language="zh-CN"), timeout=30
        )
        assert exported.count == 2 and exported.filename.endswith(".xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).active
        assert sheet is not None
        table = list(sheet.iter_rows(values_only=True))
        header = table[0]
        assert header[:3] == ("交接班编号", "交班时间", "交班人")
        # Oldest first, as a register is read; times local to the site.
        first = dict(zip(header, table[1], strict=True))
        assert first["交接班编号"] == submitted[0].id
        assert first["带班领导签字"] == f"{SITE}-l1" and first["领导意见"] == "已核 checked"
        assert isinstance(first["交班时间"], datetime)
        assert abs(first["交班时间"] - submitted_local(submitted[0])) < timedelta(minutes=1)
        assert dict(zip(header, table[2], strict=True))["带班领导签字"] is None

        as_csv = await leader.ExportHandovers(
            roster_pb2.ExportHandoversRequest(site_id=SITE, format="csv", language="en"), timeout=30
        )
        lines = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
        assert lines[0][:3] == ["Handover", "Submitted at", "Outgoing officer"] and len(lines) == 3

    # An officer of the site may read the register but not countersign.
    async with channel(platform.address("roster"), token_for(f"{SITE}-o1", ["officer"], [SITE])) as ch:
        officer = roster_pb2_grpc.RosterServiceStub(ch)
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await officer.CountersignHandover(
                roster_pb2.CountersignHandoverRequest(idempotency_key=key(), handover_id=submitted[1].id), timeout=10
            )
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
        with pytest.raises(grpc.aio.AioRpcError) as bad:
            await officer.ExportHandovers(roster_pb2.ExportHandoversRequest(site_id=SITE, format="pdf"), timeout=10)
        assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "format" in {v.field for v in field_violations(bad.value)}


def submitted_local(handover: roster_pb2.Handover) -> datetime:
    """The submission time as the register shows it: the site's wall clock, without a zone."""
    return handover.submitted_at.ToDatetime().replace(tzinfo=ZoneInfo("UTC")).astimezone(ZONE).replace(tzinfo=None)
