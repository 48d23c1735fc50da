"""The equipment part of a shift's check-in and handover (设备交接): the checks due in the shift and the
open faults of the site, as open items. Read from the roster's own tables (same service, same
database): the handover gatherer and CheckIn call it with the shift's bounds."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from dutyline.db.pool import Connection
from services.roster import equipment_store
from services.roster.duty_store import OpenItem
from services.roster.equipment_rules import PERIOD_LABELS, checks_due


async def checks_due_items(
    conn: Connection, *, site_id: str, time_zone: str, starts_at: datetime, ends_at: datetime
) -> list[OpenItem]:
    """OpenItem "equipment_check" for each check due in the shift [starts_at, ends_at), due by its end;
    ref_id is "<equipment id>:<check name>"."""
    equipment = await equipment_store.list_equipment(conn, site_id=site_id)
    done = await equipment_store.last_checks(conn, site_id=site_id)
    specs = [spec for e in equipment for spec in e.specs()]
    return [
        OpenItem(
            kind="equipment_check",
            ref_id=f"{spec.equipment_id}:{spec.name}",
            text=f"设备检查 check due ({PERIOD_LABELS[spec.period]}): {spec.equipment_name} — {spec.name}",
            due_at=ends_at,
        )
        for spec in checks_due(specs, done, shift_start=starts_at, time_zone=time_zone)
    ]


async def open_fault_items(conn: Connection, *, site_id: str, time_zone: str) -> list[OpenItem]:
    """OpenItem "equipment_fault" for each fault of the site not resolved yet, oldest first; when it was
    reported, in the site's time, as the officers taking over read it."""
    faults: list[equipment_store.FaultRow] = []
    offset = 0
    while True:
        page = await equipment_store.list_faults(conn, site_id=site_id, status="open", limit=500, offset=offset)
        faults.extend(page)
        if len(page) < 500:
            break
        offset += 500
    zone = ZoneInfo(time_zone)
    return [
        OpenItem(
            kind="equipment_fault",
            ref_id=f.id,
            text=f"设备故障未修复 open fault{'【关键 critical】' if f.critical else ''}: {f.equipment_name} — "
            f"{f.description} (报告 reported {f.reported_at.astimezone(zone):%Y-%m-%d %H:%M})",
        )
        for f in reversed(faults)
    ]


async def equipment_open_items(
    conn: Connection, *, site_id: str, time_zone: str, starts_at: datetime, ends_at: datetime
) -> list[OpenItem]:
    """The checks due in the shift, then the site's open faults: what a handover carries about equipment."""
    due = await checks_due_items(conn, site_id=site_id, time_zone=time_zone, starts_at=starts_at, ends_at=ends_at)
    return due + await open_fault_items(conn, site_id=site_id, time_zone=time_zone)
