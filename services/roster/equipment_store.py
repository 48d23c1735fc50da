"""Persistence of the duty room's equipment, checks, faults and supplies (值班设备与应急物资).
Keyword-only functions over a connection; the caller owns the transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from dutyline.db.pool import Connection
from services.roster.equipment_rules import CheckSpec


@dataclass(frozen=True)
class EquipmentRow:
    id: str
    site_id: str
    kind: str
    name: str
    critical: bool
    checks: tuple[tuple[str, str], ...]  # (name, period)
    version: int
    open_faults: int = 0

    def specs(self) -> list[CheckSpec]:
        return [CheckSpec(self.id, self.name, name, period) for name, period in self.checks]


@dataclass(frozen=True)
class CheckRow:
    id: str
    site_id: str
    equipment_id: str
    check_name: str
    result: str
    note: str
    checked_by_id: str
    checked_by_name: str
    checked_at: datetime


@dataclass(frozen=True)
class FaultRow:
    id: str
    site_id: str
    equipment_id: str
    equipment_name: str
    critical: bool
    check_id: str | None
    description: str
    status: str
    reported_by_id: str
    reported_by_name: str
    reported_at: datetime
    resolution: str = ""
    resolved_by_id: str = ""
    resolved_by_name: str = ""
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class SupplyRow:
    id: str
    site_id: str
    name: str
    quantity: int
    minimum: int
    expiry_date: date | None
    version: int


def _equipment(row: asyncpg.Record) -> EquipmentRow:
    return EquipmentRow(
        id=row["id"],
        site_id=row["site_id"],
        kind=row["kind"],
        name=row["name"],
        critical=row["critical"],
        checks=tuple((c["name"], c["period"]) for c in json.loads(row["checks"])),
        version=row["version"],
        open_faults=row["open_faults"],
    )


_EQUIPMENT_SQL = """
SELECT e.*, (SELECT count(*) FROM equipment_faults f WHERE f.equipment_id = e.id AND f.status = 'open')::int
    AS open_faults
FROM equipment e
"""


async def upsert_equipment(conn: Connection, *, row: EquipmentRow) -> EquipmentRow:
    checks = json.dumps([{"name": n, "period": p} for n, p in row.checks], ensure_ascii=False)
    await conn.execute(
        """
        INSERT INTO equipment (id, site_id, kind, name, critical, checks) VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (id) DO UPDATE SET kind = $3, name = $4, critical = $5, checks = $6,
            version = equipment.version + 1, updated_at = now()
        """,
        row.id,
        row.site_id,
        row.kind,
        row.name,
        row.critical,
        checks,
    )
    saved = await get_equipment(conn, equipment_id=row.id)
    assert saved is not None
    return saved


async def get_equipment(conn: Connection, *, equipment_id: str) -> EquipmentRow | None:
    row = await conn.fetchrow(_EQUIPMENT_SQL + " WHERE e.id = $1", equipment_id)
    return _equipment(row) if row else None


async def list_equipment(conn: Connection, *, site_id: str) -> list[EquipmentRow]:
    rows = await conn.fetch(_EQUIPMENT_SQL + " WHERE e.site_id = $1 ORDER BY e.name, e.id", site_id)
    return [_equipment(r) for r in rows]


async def insert_check(conn: Connection, *, check: CheckRow) -> None:
    await conn.execute(
        """
        INSERT INTO equipment_checks (id, site_id, equipment_id, check_name, result, note, checked_by_id,
            checked_by_name, checked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        """,
        check.id,
        check.site_id,
        check.equipment_id,
        check.check_name,
        check.result,
        check.note,
        check.checked_by_id,
        check.checked_by_name,
        check.checked_at,
    )


async def last_checks(conn: Connection, *, site_id: str) -> dict[tuple[str, str], datetime]:
    """When each check of the site's equipment was last done, by (equipment id, check name)."""
    rows = await conn.fetch(
        """
        SELECT equipment_id, check_name, max(checked_at) AS at FROM equipment_checks
        WHERE site_id = $1 GROUP BY equipment_id, check_name
        """,
        site_id,
    )
    return {(r["equipment_id"], r["check_name"]): r["at"] for r in rows}


_FAULT_SQL = """
SELECT f.*, e.name AS equipment_name, e.critical FROM equipment_faults f JOIN equipment e ON e.id = f.equipment_id
"""


def _fault(row: asyncpg.Record) -> FaultRow:
    return FaultRow(
        id=row["id"],
        site_id=row["site_id"],
        equipment_id=row["equipment_id"],
        equipment_name=row["equipment_name"],
        critical=row["critical"],
        check_id=row["check_id"],
        description=row["description"],
        status=row["status"],
        reported_by_id=row["reported_by_id"],
        reported_by_name=row["reported_by_name"],
        reported_at=row["reported_at"],
        resolution=row["resolution"],
        resolved_by_id=row["resolved_by_id"],
        resolved_by_name=row["resolved_by_name"],
        resolved_at=row["resolved_at"],
    )


async def insert_fault(conn: Connection, *, fault: FaultRow) -> None:
    await conn.execute(
        """
        INSERT INTO equipment_faults (id, site_id, equipment_id, check_id, description, reported_by_id,
            reported_by_name, reported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        """,
        fault.id,
        fault.site_id,
        fault.equipment_id,
        fault.check_id,
        fault.description,
        fault.reported_by_id,
        fault.reported_by_name,
        fault.reported_at,
    )


async def get_fault(conn: Connection, *, fault_id: str) -> FaultRow | None:
    row = await conn.fetchrow(_FAULT_SQL + " WHERE f.id = $1", fault_id)
    return _fault(row) if row else None


async def resolve_fault(
    conn: Connection, *, fault_id: str, resolution: str, by_id: str, by_name: str, at: datetime
) -> FaultRow | None:
    """The fault resolved now; None if it was not open."""
    done = await conn.fetchval(
        """
        UPDATE equipment_faults SET status = 'resolved', resolution = $2, resolved_by_id = $3,
            resolved_by_name = $4, resolved_at = $5
        WHERE id = $1 AND status = 'open' RETURNING id
        """,
        fault_id,
        resolution,
        by_id,
        by_name,
        at,
    )
    return await get_fault(conn, fault_id=fault_id) if done else None


async def list_faults(conn: Connection, *, site_id: str, status: str | None, limit: int, offset: int) -> list[FaultRow]:
    """Newest first; ``status`` "open" or "resolved", None for all."""
    rows = await conn.fetch(
        _FAULT_SQL + " WHERE f.site_id = $1 AND ($2::text IS NULL OR f.status = $2)"
        " ORDER BY f.reported_at DESC, f.id DESC LIMIT $3 OFFSET $4",
        site_id,
        status,
        limit,
        offset,
    )
    return [_fault(r) for r in rows]


async def unalerted_critical_faults(conn: Connection, *, reported_before: datetime) -> list[FaultRow]:
    """Open faults of critical items whose leader alert has not gone out yet."""
    rows = await conn.fetch(
        _FAULT_SQL + " WHERE f.alerted_at IS NULL AND f.status = 'open' AND e.critical AND f.reported_at < $1"
        " ORDER BY f.reported_at LIMIT 100",
        reported_before,
    )
    return [_fault(r) for r in rows]


async def mark_alerted(conn: Connection, *, fault_id: str) -> None:
    await conn.execute("UPDATE equipment_faults SET alerted_at = now() WHERE id = $1", fault_id)


async def faults_to_follow_up(
    conn: Connection, *, reported_before: datetime, site_id: str | None = None
) -> list[FaultRow]:
    """Open faults reported before ``reported_before`` whose duty leader has not been told yet that they
    are still open (of ``site_id`` only, if given)."""
    rows = await conn.fetch(
        _FAULT_SQL + " WHERE f.status = 'open' AND f.followed_up_at IS NULL AND f.reported_at < $1"
        " AND ($2::text IS NULL OR f.site_id = $2) ORDER BY f.reported_at LIMIT 100",
        reported_before,
        site_id,
    )
    return [_fault(r) for r in rows]


async def mark_followed_up(conn: Connection, *, fault_id: str) -> None:
    await conn.execute("UPDATE equipment_faults SET followed_up_at = now() WHERE id = $1", fault_id)


def _supply(row: asyncpg.Record) -> SupplyRow:
    return SupplyRow(
        id=row["id"],
        site_id=row["site_id"],
        name=row["name"],
        quantity=row["quantity"],
        minimum=row["minimum"],
        expiry_date=row["expiry_date"],
        version=row["version"],
    )


async def upsert_supply(conn: Connection, *, row: SupplyRow) -> SupplyRow:
    saved = await conn.fetchrow(
        """
        INSERT INTO supplies (id, site_id, name, quantity, minimum, expiry_date) VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (id) DO UPDATE SET name = $3, quantity = $4, minimum = $5, expiry_date = $6,
            version = supplies.version + 1, updated_at = now()
        RETURNING *
        """,
        row.id,
        row.site_id,
        row.name,
        row.quantity,
        row.minimum,
        row.expiry_date,
    )
    assert saved is not None
    return _supply(saved)


async def get_supply(conn: Connection, *, supply_id: str) -> SupplyRow | None:
    row = await conn.fetchrow("SELECT * FROM supplies WHERE id = $1", supply_id)
    return _supply(row) if row else None


async def list_supplies(conn: Connection, *, site_id: str) -> list[SupplyRow]:
    rows = await conn.fetch("SELECT * FROM supplies WHERE site_id = $1 ORDER BY name, id", site_id)
    return [_supply(r) for r in rows]


async def supplies_expiring_unwarned(conn: Connection, *, until: date) -> list[SupplyRow]:
    """Supplies expiring by ``until`` (or expired) not yet warned of for their current expiry date."""
    rows = await conn.fetch(
        """
        SELECT s.* FROM supplies s WHERE s.expiry_date IS NOT NULL AND s.expiry_date <= $1
        AND NOT EXISTS (
            SELECT 1 FROM supply_expiry_warnings w WHERE w.supply_id = s.id AND w.expiry_date = s.expiry_date
        )
        ORDER BY s.expiry_date, s.id LIMIT 500
        """,
        until,
    )
    return [_supply(r) for r in rows]


async def mark_expiry_warned(conn: Connection, *, supply_id: str, expiry_date: date) -> bool:
    """True the first time for this supply and expiry date."""
    status = await conn.execute(
        "INSERT INTO supply_expiry_warnings (supply_id, expiry_date) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        supply_id,
        expiry_date,
    )
    return str(status).endswith(" 1")
