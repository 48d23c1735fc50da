"""`dutyline equipment …` and `dutyline supplies …`: the duty room's equipment and emergency supplies
(值班设备与应急物资) — the equipment of a site with the checks it needs (leaders and admins keep the
list), checks with their result and faults followed until resolved (the officers of the site; a fault
on a critical item such as the duty phone alerts the duty leader at once), and the supplies with their
quantities, minimums and expiry dates, listed with their warnings.

Every error is one line with exit code 2; every change sends an idempotency key (``--idempotency-key``
to retry safely); times are in the site's zone.
"""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

import grpc
import typer
from rich.markup import escape

import dutyline.cli.equipment.text  # noqa: F401  (adds the group's words to the CLI's catalogue)
from dutyline.cli.common.i18n import label, t
from dutyline.cli.common.lookups import RosterLookups, run_with_roster
from dutyline.cli.common.session import (
    KeyOpt,
    LangOpt,
    StateDirOpt,
    TokenOpt,
    new_key,
    read_text,
    session,
    site_or_default,
    start_session,
)
from dutyline.cli.common.state import DEFAULT_STATE_DIR
from dutyline.cli.common.tables import Ids, list_table
from dutyline.cli.common.times import when
from dutyline.common.v1 import common_pb2
from dutyline.roster.v1 import equipment_pb2, equipment_pb2_grpc

TIMEOUT = 15.0
FMT = "%Y-%m-%d %H:%M"
KINDS = ("duty_phone", "radio", "fax", "computer", "generator", "other")

equipment_app = typer.Typer(
    help="值班设备 Duty-room equipment: list, upsert, check, fault, resolve, faults.", no_args_is_help=True
)
supplies_app = typer.Typer(help="应急物资 Emergency supplies: list, upsert.", no_args_is_help=True)


class Equipment(RosterLookups):
    """The EquipmentService (hosted by the roster process), with the roster for the sites' zones."""

    def __init__(self, ch: grpc.aio.Channel, roster: grpc.aio.Channel) -> None:
        super().__init__(roster)
        self.stub = equipment_pb2_grpc.EquipmentServiceStub(ch)


SiteOpt = Annotated[str | None, typer.Option("--site", help="站点 site id (default: the token's site)")]


@equipment_app.callback()
def equipment_main(
    ctx: typer.Context, lang: LangOpt = None, token: TokenOpt = None, state_dir: StateDirOpt = DEFAULT_STATE_DIR
) -> None:
    """值班设备 The duty room's equipment, its checks and faults (a critical fault alerts the duty leader)."""
    start_session(ctx, "roster", lang, token, state_dir)


@supplies_app.callback()
def supplies_main(
    ctx: typer.Context, lang: LangOpt = None, token: TokenOpt = None, state_dir: StateDirOpt = DEFAULT_STATE_DIR
) -> None:
    """应急物资 The duty room's emergency supplies, with warnings before expiry and below minimum."""
    start_session(ctx, "roster", lang, token, state_dir)


def _check(value: str) -> equipment_pb2.EquipmentCheck:
    name, sep, period = value.rpartition("=")
    if not sep or not name.strip() or period.strip() not in ("shift", "daily", "weekly", "monthly"):
        raise typer.BadParameter(t("equipment.bad_check"), param_hint="--check")
    return equipment_pb2.EquipmentCheck(name=name.strip(), period=period.strip())


def _print(ctx: typer.Context, line: str, colour: str = "green") -> None:
    session(ctx).out.print(f"[{colour}]{escape(line)}[/]", soft_wrap=True)


@equipment_app.command("list")
def list_equipment(ctx: typer.Context, site: SiteOpt = None) -> None:
    """设备列表 The site's equipment with its checks and open faults."""
    site_id = site_or_default(site, session(ctx).target())

    async def work(eq: Equipment) -> equipment_pb2.ListEquipmentResponse:
        return await eq.stub.ListEquipment(equipment_pb2.ListEquipmentRequest(site_id=site_id), timeout=TIMEOUT)

    found = run_with_roster(ctx, Equipment, work)
    out = session(ctx).out
    if not found.equipment:
        out.print(t("equipment.none"))
        return
    table = list_table(
        t("equipment.title", count=len(found.equipment)),
        Ids(t("equipment.col.id")),
        t("equipment.col.kind"),
        t("equipment.col.name"),
        t("equipment.col.checks"),
        t("equipment.col.open_faults"),
    )
    for e in found.equipment:
        critical = f" ({t('equipment.critical')})" if e.critical else ""
        checks = "; ".join(f"{c.name} ({label('check_period', c.period)})" for c in e.checks)
        table.add_row(
            e.id, label("equipment_kind", e.kind) + critical, escape(e.name), escape(checks), str(e.open_faults)
        )
    out.print(table)


@equipment_app.command()
def upsert(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="名称 name, e.g. 值班电话")],
    kind: Annotated[str, typer.Option("--kind", help=f"类别 kind: {', '.join(KINDS)}")],
    check: Annotated[
        list[str] | None,
        typer.Option("--check", metavar="NAME=PERIOD", help="检查项 a check, e.g. '拨号音 dial tone=shift' (repeat)"),
    ] = None,
    critical: Annotated[bool, typer.Option("--critical", help="关键设备：故障立即通知带班领导")] = False,
    equipment_id: Annotated[str, typer.Option("--id", help="设备编号 change this equipment")] = "",
    site: SiteOpt = None,
    idempotency_key: KeyOpt = None,
) -> None:
    """登记/修改设备 Add or change a piece of equipment with the checks it needs (leaders, admins)."""
    if kind not in KINDS:
        raise typer.BadParameter(", ".join(KINDS), param_hint="--kind")
    key = new_key(idempotency_key)
    request = equipment_pb2.UpsertEquipmentRequest(
        idempotency_key=key,
        id=equipment_id,
        site_id=site_or_default(site, session(ctx).target()),
        kind=kind,
        name=name,
        critical=critical,
        checks=[_check(c) for c in check or []],
    )

    async def work(eq: Equipment) -> equipment_pb2.Equipment:
        return await eq.stub.UpsertEquipment(request, timeout=TIMEOUT)

    saved = run_with_roster(ctx, Equipment, work, key=key)
    _print(ctx, t("equipment.saved", id=saved.id, name=saved.name))


@equipment_app.command("check")
def record_check(
    ctx: typer.Context,
    equipment: Annotated[str, typer.Argument(metavar="ID", help="设备编号 equipment id")],
    check_name: Annotated[str, typer.Argument(metavar="CHECK", help="检查项 the check, as listed")],
    fault: Annotated[bool, typer.Option("--fault", help="检查不合格（登记故障） the check found a fault")] = False,
    note: Annotated[str, typer.Option("--note", help="备注 note; - reads standard input")] = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """记录检查 Record a check with its result; a fault opens a fault record."""
    key = new_key(idempotency_key)
    request = equipment_pb2.RecordCheckRequest(
        idempotency_key=key,
        equipment_id=equipment,
        check_name=check_name,
        result="fault" if fault else "ok",
        note=read_text(note) if note else "",
    )

    async def work(eq: Equipment) -> equipment_pb2.RecordCheckResponse:
        return await eq.stub.RecordCheck(request, timeout=TIMEOUT)

    done = run_with_roster(ctx, Equipment, work, key=key)
    if done.fault.id:
        _print(
            ctx,
            t("equipment.checked_fault", name=done.fault.equipment_name, check=check_name, fault=done.fault.id),
            "yellow",
        )
        if done.fault.critical:
            _print(ctx, t("equipment.leader_alerted"), "red")
    else:
        _print(ctx, t("equipment.checked_ok", name=equipment, check=check_name))


@equipment_app.command("fault")
def report_fault(
    ctx: typer.Context,
    equipment: Annotated[str, typer.Argument(metavar="ID", help="设备编号 equipment id")],
    description: Annotated[str, typer.Argument(metavar="TEXT", help="故障描述; - reads standard input")],
    idempotency_key: KeyOpt = None,
) -> None:
    """登记故障 Report a fault (a critical item's alerts the duty leader at once)."""
    key = new_key(idempotency_key)
    request = equipment_pb2.ReportFaultRequest(
        idempotency_key=key, equipment_id=equipment, description=read_text(description)
    )

    async def work(eq: Equipment) -> equipment_pb2.Fault:
        return await eq.stub.ReportFault(request, timeout=TIMEOUT)

    fault = run_with_roster(ctx, Equipment, work, key=key)
    _print(ctx, t("equipment.fault_reported", id=fault.id, name=fault.equipment_name), "yellow")
    if fault.critical:
        _print(ctx, t("equipment.leader_alerted"), "red")


@equipment_app.command()
def resolve(
    ctx: typer.Context,
    fault: Annotated[str, typer.Argument(metavar="ID", help="故障编号 fault id")],
    resolution: Annotated[str, typer.Option("--resolution", help="修复情况 what was done; - reads standard input")],
    idempotency_key: KeyOpt = None,
) -> None:
    """故障修复 Close a fault with what was done."""
    key = new_key(idempotency_key)
    request = equipment_pb2.ResolveFaultRequest(idempotency_key=key, fault_id=fault, resolution=read_text(resolution))

    async def work(eq: Equipment) -> equipment_pb2.Fault:
        return await eq.stub.ResolveFault(request, timeout=TIMEOUT)

    done = run_with_roster(ctx, Equipment, work, key=key)
    _print(ctx, t("equipment.fault_resolved", id=done.id))


@equipment_app.command()
def faults(
    ctx: typer.Context,
    site: SiteOpt = None,
    status: Annotated[str, typer.Option("--status", help="open / resolved (default: all)")] = "",
    page_token: Annotated[str, typer.Option("--page-token", help="下一页 the next page")] = "",
) -> None:
    """故障列表 The site's equipment faults, newest first."""
    site_id = site_or_default(site, session(ctx).target())
    request = equipment_pb2.ListFaultsRequest(
        site_id=site_id, status=status, page=common_pb2.PageRequest(page_token=page_token)
    )

    async def work(eq: Equipment) -> tuple[equipment_pb2.ListFaultsResponse, ZoneInfo]:
        return await eq.stub.ListFaults(request, timeout=TIMEOUT), await eq.zone(site_id)

    found, zone = run_with_roster(ctx, Equipment, work)
    out = session(ctx).out
    if not found.faults:
        out.print(t("equipment.no_faults"))
        return
    table = list_table(
        t("equipment.faults_title", count=len(found.faults)),
        Ids(t("equipment.col.id")),
        t("equipment.col.reported"),
        t("equipment.col.name"),
        t("equipment.col.status"),
        t("equipment.col.description"),
        Ids(t("equipment.col.by")),
        t("equipment.col.resolution"),
    )
    for f in found.faults:
        critical = f" ({t('equipment.critical')})" if f.critical else ""
        table.add_row(
            f.id,
            when(f, "reported_at", zone, FMT),
            escape(f.equipment_name) + critical,
            label("fault_status", f.status),
            escape(f.description),
            f.reported_by.person_id,
            escape(f.resolution),
        )
    out.print(table)
    if found.page.next_page_token:
        out.print(t("equipment.more", token=found.page.next_page_token))


@supplies_app.command("list")
def list_supplies(
    ctx: typer.Context,
    site: SiteOpt = None,
    warn_days: Annotated[int, typer.Option("--warn-days", min=0, max=366, help="提前提醒天数 (default 30)")] = 0,
) -> None:
    """物资列表 The site's emergency supplies with their warnings."""
    site_id = site_or_default(site, session(ctx).target())

    async def work(eq: Equipment) -> equipment_pb2.ListSuppliesResponse:
        request = equipment_pb2.ListSuppliesRequest(site_id=site_id, warn_days=warn_days)
        return await eq.stub.ListSupplies(request, timeout=TIMEOUT)

    found = run_with_roster(ctx, Equipment, work)
    out = session(ctx).out
    if not found.supplies:
        out.print(t("supplies.none"))
        return
    table = list_table(
        t("supplies.title", count=len(found.supplies)),
        Ids(t("supplies.col.id")),
        t("supplies.col.name"),
        t("supplies.col.quantity"),
        t("supplies.col.minimum"),
        t("supplies.col.expiry"),
        t("supplies.col.warnings"),
    )
    for s in found.supplies:
        warnings = ", ".join(label("supply_warning", w) for w in s.warnings)
        table.add_row(
            s.id,
            escape(s.name),
            str(s.quantity),
            str(s.minimum),
            s.expiry_date or "-",
            f"[yellow]{escape(warnings)}[/]" if warnings else "",
        )
    out.print(table)


@supplies_app.command("upsert")
def upsert_supply(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="名称 name, e.g. 急救箱")],
    quantity: Annotated[int, typer.Option("--quantity", min=0, help="数量 quantity")],
    minimum: Annotated[int, typer.Option("--minimum", min=0, help="最低库存 minimum")] = 0,
    expiry: Annotated[str, typer.Option("--expiry", metavar="YYYY-MM-DD", help="有效期至 expiry date")] = "",
    supply_id: Annotated[str, typer.Option("--id", help="物资编号 change this supply")] = "",
    site: SiteOpt = None,
    idempotency_key: KeyOpt = None,
) -> None:
    """登记/修改物资 Add or change an emergency supply (leaders, admins)."""
    key = new_key(idempotency_key)
    request = equipment_pb2.UpsertSupplyRequest(
        idempotency_key=key,
        id=supply_id,
        site_id=site_or_default(site, session(ctx).target()),
        name=name,
        quantity=quantity,
        minimum=minimum,
        expiry_date=expiry,
    )

    async def work(eq: Equipment) -> equipment_pb2.Supply:
        return await eq.stub.UpsertSupply(request, timeout=TIMEOUT)

    saved = run_with_roster(ctx, Equipment, work, key=key)
    _print(ctx, t("supplies.saved", id=saved.id, name=saved.name))
