"""EquipmentService over gRPC (值班设备与应急物资), served by the roster process: the equipment of a site
with the checks it needs, checks and faults, and the emergency supplies. Each change commits with its
event; a fault on a critical item (the duty phone) then alerts the duty leader through notify, and a
sweep alerts those whose alert did not go out (notify away), raises faults still open after a day with
the duty leader once, and warns of supplies about to expire."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import asyncpg
import grpc
import structlog

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.emit import emit
from dutyline.grpckit import idempotency
from dutyline.grpckit.actors import actor_of
from dutyline.grpckit.auth import current_principal
from dutyline.grpckit.convert import from_ts, ts
from dutyline.grpckit.errors import FailedPrecondition, FieldViolation, InvalidArgument, NotFound
from dutyline.grpckit.server import ServiceContext
from dutyline.ids import new_id
from dutyline.notifier import NotifyClient, notify_key
from dutyline.notify.v1 import notify_pb2
from dutyline.roster.v1 import equipment_pb2, equipment_pb2_grpc
from dutyline.temporal_start import sweep_forever
from services.roster import access, equipment_rules, equipment_store, store
from services.roster.base import RosterBase
from services.roster.equipment_policy import POLICIES, SERVICE

log = structlog.get_logger(__name__)

PAGE_SIZE = 100
SYSTEM_ACTOR = common_pb2.Actor(person_id="system:equipment", display_name="EquipmentService", kind="system")
# The RPC alerts at once; the sweep only takes faults older than this (their RPC failed to alert).
ALERT_RETRY_AFTER = timedelta(seconds=30)
# An open fault is raised again with the duty leader once after this long (followed until repaired).
FOLLOW_UP_AFTER = timedelta(hours=24)
SWEEP_SECONDS = 60.0
KIND_LABELS = {
    "duty_phone": "值班电话 duty phone",
    "radio": "对讲机 radio",
    "fax": "传真机 fax",
    "computer": "电脑 computer",
    "generator": "发电机 generator",
    "other": "其他 other",
}


def equipment_message(row: equipment_store.EquipmentRow) -> equipment_pb2.Equipment:
    return equipment_pb2.Equipment(
        id=row.id,
        site_id=row.site_id,
        kind=row.kind,
        name=row.name,
        critical=row.critical,
        checks=[equipment_pb2.EquipmentCheck(name=n, period=p) for n, p in row.checks],
        open_faults=row.open_faults,
        version=row.version,
    )


def check_message(row: equipment_store.CheckRow) -> equipment_pb2.CheckResult:
    return equipment_pb2.CheckResult(
        id=row.id,
        equipment_id=row.equipment_id,
        check_name=row.check_name,
        result=row.result,
        note=row.note,
        checked_by=common_pb2.Actor(person_id=row.checked_by_id, display_name=row.checked_by_name),
        checked_at=ts(row.checked_at),
    )


def fault_message(row: equipment_store.FaultRow) -> equipment_pb2.Fault:
    return equipment_pb2.Fault(
        id=row.id,
        site_id=row.site_id,
        equipment_id=row.equipment_id,
        equipment_name=row.equipment_name,
        critical=row.critical,
        description=row.description,
        status=row.status,
        reported_by=common_pb2.Actor(person_id=row.reported_by_id, display_name=row.reported_by_name),
        reported_at=ts(row.reported_at),
        resolution=row.resolution,
        resolved_by=common_pb2.Actor(person_id=row.resolved_by_id, display_name=row.resolved_by_name),
        resolved_at=ts(row.resolved_at),
        check_id=row.check_id or "",
    )


def supply_message(row: equipment_store.SupplyRow, *, today: date, warn_days: int) -> equipment_pb2.Supply:
    return equipment_pb2.Supply(
        id=row.id,
        site_id=row.site_id,
        name=row.name,
        quantity=row.quantity,
        minimum=row.minimum,
        expiry_date=row.expiry_date.isoformat() if row.expiry_date else "",
        warnings=equipment_rules.supply_warnings(
            quantity=row.quantity, minimum=row.minimum, expiry_date=row.expiry_date, today=today, warn_days=warn_days
        ),
        version=row.version,
    )


class EquipmentAlerts:
    """The duty leader's alert of a critical fault and of a fault open too long (escalations that climb
    if nobody acknowledges), and the leaders' warning of a supply about to expire. Idempotent by key."""

    def __init__(self, *, pool: asyncpg.Pool, notifier: NotifyClient) -> None:
        self._pool = pool
        self._notifier = notifier

    async def _escalate(self, fault: equipment_store.FaultRow, *, what: str, subject: str) -> bool:
        try:
            await self._notifier.escalate(
                site_id=fault.site_id,
                template="generic",
                data={
                    "subject": f"{subject}: {fault.equipment_name}",
                    "body": f"{fault.equipment_name}: {fault.description[:1000]} "
                    f"(报告人 reported by {fault.reported_by_name or fault.reported_by_id}, "
                    f"{fault.reported_at.isoformat(timespec='minutes')})",
                },
                key=notify_key(what, fault.id),
                ref_kind="equipment_fault",
                ref_id=fault.id,
            )
        except grpc.aio.AioRpcError as exc:
            log.warning("fault not escalated yet", what=what, fault_id=fault.id, code=exc.code().name)
            return False
        return True

    async def alert_fault(self, fault: equipment_store.FaultRow) -> None:
        """A critical item's fault, to the duty leader at once."""
        if await self._escalate(fault, what="equipment-fault", subject="关键设备故障 Critical equipment fault"):
            async with self._pool.acquire() as conn:
                await equipment_store.mark_alerted(conn, fault_id=fault.id)

    async def follow_up(self, *, now: datetime, site_id: str | None = None) -> None:
        """Faults still open a day after they were reported, to the duty leader once (跟踪督办)."""
        async with self._pool.acquire() as conn:
            faults = await equipment_store.faults_to_follow_up(
                conn, reported_before=now - FOLLOW_UP_AFTER, site_id=site_id
            )
        for fault in faults:
            subject = "设备故障超过24小时未修复 Equipment fault open for over a day"
            if await self._escalate(fault, what="equipment-fault-open", subject=subject):
                async with self._pool.acquire() as conn:
                    await equipment_store.mark_followed_up(conn, fault_id=fault.id)

    async def sweep(self) -> None:
        now = datetime.now(UTC)
        async with self._pool.acquire() as conn:
            faults = await equipment_store.unalerted_critical_faults(conn, reported_before=now - ALERT_RETRY_AFTER)
        for fault in faults:
            await self.alert_fault(fault)
        await self.follow_up(now=now)
        await self.warn_expiring(today=now.date())

    async def warn_expiring(self, *, today: date, warn_days: int = equipment_rules.DEFAULT_WARN_DAYS) -> None:
        """supply.expiring once per supply and expiry date, and a notice to the site's duty leader. A day
        of slack covers the sites east of UTC; the warning date is checked in the site's zone."""
        async with self._pool.acquire() as conn:
            expiring = await equipment_store.supplies_expiring_unwarned(
                conn, until=today + timedelta(days=warn_days + 1)
            )
        for supply in expiring:
            assert supply.expiry_date is not None
            async with self._pool.acquire() as conn:
                site = await store.get_site(conn, site_id=supply.site_id)
                local = equipment_rules.local_today(datetime.now(UTC), site.time_zone) if site else today
                if supply.expiry_date > local + timedelta(days=warn_days):
                    continue
                async with conn.transaction():
                    if not await equipment_store.mark_expiry_warned(
                        conn, supply_id=supply.id, expiry_date=supply.expiry_date
                    ):
                        continue
                    await emit(
                        conn,
                        event_type="supply.expiring",
                        site_id=supply.site_id,
                        aggregate_id=supply.id,
                        aggregate_version=supply.version,
                        payload=supply_message(supply, today=local, warn_days=warn_days),
                        actor=SYSTEM_ACTOR,
                    )
            try:
                await self._notifier.send_to(
                    notify_pb2.Recipient(
                        role=notify_pb2.RoleAtSite(site_id=supply.site_id, role=common_pb2.ROLE_LEADER)
                    ),
                    site_id=supply.site_id,
                    template="generic",
                    data={
                        "subject": f"应急物资即将过期 Supply expiring: {supply.name}",
                        "body": f"{supply.name} ×{supply.quantity}: 有效期至 expires {supply.expiry_date.isoformat()}",
                    },
                    key=notify_key("supply-expiring", supply.id, supply.expiry_date.isoformat()),
                    ref_kind="supply",
                    ref_id=supply.id,
                )
            except grpc.aio.AioRpcError as exc:
                # The event is the record; the notice is a courtesy that the leader also sees in ListSupplies.
                log.warning("supply expiry notice not sent", supply_id=supply.id, code=exc.code().name)


class EquipmentServicer(RosterBase, equipment_pb2_grpc.EquipmentServiceServicer):
    def __init__(self, ctx: ServiceContext, *, alerts: EquipmentAlerts) -> None:
        super().__init__(ctx)
        self._alerts = alerts

    async def _equipment(self, equipment_id: str) -> tuple[equipment_store.EquipmentRow, store.SiteRow]:
        """The equipment and its site, once the caller may act for it (else NOT_FOUND / PERMISSION_DENIED)."""
        async with self._pool.acquire() as conn:
            row = await equipment_store.get_equipment(conn, equipment_id=equipment_id)
        if row is None:
            raise NotFound(f"设备 {equipment_id} 不存在 equipment {equipment_id} does not exist")
        site = await self.site(row.site_id)
        access.require_reader(current_principal(), site)
        return row, site

    async def UpsertEquipment(
        self, request: equipment_pb2.UpsertEquipmentRequest, context: grpc.aio.ServicerContext
    ) -> equipment_pb2.Equipment:
        site = await self.readable_site(request.site_id)
        names = [c.name.strip() for c in request.checks]
        if len(set(names)) != len(names):
            raise InvalidArgument([FieldViolation("checks", "检查项名称重复 check names must be unique")])
        if request.id:
            existing, _ = await self._equipment(request.id)
            if existing.site_id != site.id:
                raise InvalidArgument([FieldViolation("site_id", f"equipment {request.id} is of {existing.site_id}")])
        row = equipment_store.EquipmentRow(
            id=request.id or new_id("eq"),
            site_id=site.id,
            kind=request.kind,
            name=request.name.strip(),
            critical=request.critical,
            checks=tuple((n, c.period) for n, c in zip(names, request.checks, strict=True)),
            version=1,
        )

        async def work(conn: Connection) -> equipment_pb2.Equipment:
            saved = equipment_message(await equipment_store.upsert_equipment(conn, row=row))
            await emit(
                conn,
                event_type="equipment.upserted",
                site_id=site.id,
                aggregate_id=saved.id,
                aggregate_version=saved.version,
                payload=saved,
            )
            return saved

        return await self.once("UpsertEquipment", request, equipment_pb2.Equipment, work)

    async def ListEquipment(
        self, request: equipment_pb2.ListEquipmentRequest, context: grpc.aio.ServicerContext
    ) -> equipment_pb2.ListEquipmentResponse:
        site = await self.readable_site(request.site_id)
        async with self._pool.acquire() as conn:
            rows = await equipment_store.list_equipment(conn, site_id=site.id)
        return equipment_pb2.ListEquipmentResponse(equipment=[equipment_message(r) for r in rows])

    async def _open_fault(
        self,
        conn: Connection,
        *,
        equipment: equipment_store.EquipmentRow,
        description: str,
        check_id: str | None,
        at: datetime,
    ) -> equipment_store.FaultRow:
        by = actor_of(current_principal())
        fault = equipment_store.FaultRow(
            id=new_id("flt"),
            site_id=equipment.site_id,
            equipment_id=equipment.id,
            equipment_name=equipment.name,
            critical=equipment.critical,
            check_id=check_id,
            description=description,
            status="open",
            reported_by_id=by.person_id,
            reported_by_name=by.display_name,
            reported_at=at,
        )
        await equipment_store.insert_fault(conn, fault=fault)
        await emit(
            conn,
            event_type="equipment.fault_reported",
            site_id=fault.site_id,
            aggregate_id=fault.id,
            aggregate_version=1,
            payload=fault_message(fault),
        )
        return fault

    async def _after_fault(self, fault: equipment_pb2.Fault, replayed: bool) -> None:
        if fault.id and fault.critical and not replayed:
            async with self._pool.acquire() as conn:
                row = await equipment_store.get_fault(conn, fault_id=fault.id)
            if row is not None:
                await self._alerts.alert_fault(row)

    async def RecordCheck(
        self, request: equipment_pb2.RecordCheckRequest, context: grpc.aio.ServicerContext
    ) -> equipment_pb2.RecordCheckResponse:
        equipment, site = await self._equipment(request.equipment_id)
        name = request.check_name.strip()
        if name not in {n for n, _ in equipment.checks}:
            raise InvalidArgument(
                [FieldViolation("check_name", f"{equipment.name} has no check {name!r}: {equipment.checks}")]
            )
        by = actor_of(current_principal())
        now = self.now()
        check = equipment_store.CheckRow(
            id=new_id("chk"),
            site_id=site.id,
            equipment_id=equipment.id,
            check_name=name,
            result=request.result,
            note=request.note.strip(),
            checked_by_id=by.person_id,
            checked_by_name=by.display_name,
            checked_at=min(from_ts(request.checked_at), now) if request.HasField("checked_at") else now,
        )

        async def work(conn: Connection) -> equipment_pb2.RecordCheckResponse:
            await equipment_store.insert_check(conn, check=check)
            answer = equipment_pb2.RecordCheckResponse(check=check_message(check))
            await emit(
                conn,
                event_type="equipment.checked",
                site_id=site.id,
                aggregate_id=check.id,
                aggregate_version=1,
                payload=answer.check,
            )
            if check.result == "fault":
                fault = await self._open_fault(
                    conn,
                    equipment=equipment,
                    description=f"{name}: {check.note or '检查不合格 check failed'}",
                    check_id=check.id,
                    at=now,
                )
                answer.fault.CopyFrom(fault_message(fault))
            return answer

        answer, replayed = await idempotency.run_once(
            self._pool,
            method="RecordCheck",
            request=request,
            response_type=equipment_pb2.RecordCheckResponse,
            work=work,
        )
        await self._after_fault(answer.fault, replayed)
        return answer

    async def ReportFault(
        self, request: equipment_pb2.ReportFaultRequest, context: grpc.aio.ServicerContext
    ) -> equipment_pb2.Fault:
        equipment, _ = await self._equipment(request.equipment_id)

        async def work(conn: Connection) -> equipment_pb2.Fault:
            fault = await self._open_fault(
                conn, equipment=equipment, description=request.description.strip(), check_id=None, at=self.now()
            )
            return fault_message(fault)

        answer, replayed = await idempotency.run_once(
            self._pool, method="ReportFault", request=request, response_type=equipment_pb2.Fault, work=work
        )
        await self._after_fault(answer, replayed)
        return answer

    async def ResolveFault(
        self, request: equipment_pb2.ResolveFaultRequest, context: grpc.aio.ServicerContext
    ) -> equipment_pb2.Fault:
        async with self._pool.acquire() as conn:
            found = await equipment_store.get_fault(conn, fault_id=request.fault_id)
        if found is None:
            raise NotFound(f"故障 {request.fault_id} 不存在 fault {request.fault_id} does not exist")
        access.require_reader(current_principal(), await self.site(found.site_id))
        by = actor_of(current_principal())

        async def work(conn: Connection) -> equipment_pb2.Fault:
            done = await equipment_store.resolve_fault(
                conn,
                fault_id=found.id,
                resolution=request.resolution.strip(),
                by_id=by.person_id,
                by_name=by.display_name,
                at=self.now(),
            )
            if done is None:
                raise FailedPrecondition(f"故障 {found.id} 已修复 fault {found.id} was resolved already")
            answer = fault_message(done)
            await emit(
                conn,
                event_type="equipment.fault_resolved",
                site_id=done.site_id,
                aggregate_id=done.id,
                aggregate_version=2,
                payload=answer,
            )
            return answer

        return await self.once("ResolveFault", request, equipment_pb2.Fault, work)

    async def ListFaults(
        self, request: equipment_pb2.ListFaultsRequest, context: grpc.aio.ServicerContext
    ) -> equipment_pb2.ListFaultsResponse:
        site = await self.readable_site(request.site_id)
        size, offset = request.page.page_size or PAGE_SIZE, int(request.page.page_token or 0)
        async with self._pool.acquire() as conn:
            rows = await equipment_store.list_faults(
                conn, site_id=site.id, status=request.status or None, limit=size, offset=offset
            )
        return equipment_pb2.ListFaultsResponse(
            faults=[fault_message(r) for r in rows],
            page=common_pb2.PageResponse(next_page_token=str(offset + size) if len(rows) == size else ""),
        )

    async def UpsertSupply(
        self, request: equipment_pb2.UpsertSupplyRequest, context: grpc.aio.ServicerContext
    ) -> equipment_pb2.Supply:
        site = await self.readable_site(request.site_id)
        try:
            expiry = date.fromisoformat(request.expiry_date) if request.expiry_date else None
        except ValueError:
            raise InvalidArgument([FieldViolation("expiry_date", "not a date (YYYY-MM-DD)")]) from None
        if request.id:
            async with self._pool.acquire() as conn:
                existing = await equipment_store.get_supply(conn, supply_id=request.id)
            if existing is None:
                raise NotFound(f"物资 {request.id} 不存在 supply {request.id} does not exist")
            if existing.site_id != site.id:
                raise InvalidArgument([FieldViolation("site_id", f"supply {request.id} is of {existing.site_id}")])
        row = equipment_store.SupplyRow(
            id=request.id or new_id("sup"),
            site_id=site.id,
            name=request.name.strip(),
            quantity=request.quantity,
            minimum=request.minimum,
            expiry_date=expiry,
            version=1,
        )
        today = equipment_rules.local_today(self.now(), site.time_zone)

        async def work(conn: Connection) -> equipment_pb2.Supply:
            saved = await equipment_store.upsert_supply(conn, row=row)
            answer = supply_message(saved, today=today, warn_days=equipment_rules.DEFAULT_WARN_DAYS)
            await emit(
                conn,
                event_type="supply.upserted",
                site_id=site.id,
                aggregate_id=saved.id,
                aggregate_version=saved.version,
                payload=answer,
            )
            return answer

        return await self.once("UpsertSupply", request, equipment_pb2.Supply, work)

    async def ListSupplies(
        self, request: equipment_pb2.ListSuppliesRequest, context: grpc.aio.ServicerContext
    ) -> equipment_pb2.ListSuppliesResponse:
        site = await self.readable_site(request.site_id)
        today = equipment_rules.local_today(self.now(), site.time_zone)
        warn_days = request.warn_days or equipment_rules.DEFAULT_WARN_DAYS
        async with self._pool.acquire() as conn:
            rows = await equipment_store.list_supplies(conn, site_id=site.id)
        return equipment_pb2.ListSuppliesResponse(
            supplies=[supply_message(r, today=today, warn_days=warn_days) for r in rows]
        )


def serve_equipment(ctx: ServiceContext, server: grpc.aio.Server, notifier: NotifyClient) -> None:
    """Hosts EquipmentService in the roster process, with the sweep of alerts and expiry warnings; like
    RosterService, it does not start without a policy for each RPC."""
    ctx.hosted.append(SERVICE)
    ctx.policies.update(POLICIES)
    alerts = EquipmentAlerts(pool=ctx.pool, notifier=notifier)
    ctx.background.append(sweep_forever(alerts.sweep, every=SWEEP_SECONDS))
    equipment_pb2_grpc.add_EquipmentServiceServicer_to_server(EquipmentServicer(ctx, alerts=alerts), server)
