"""The demo's equipment and emergency supplies (值班设备与应急物资): at each demo site the duty phone
(critical), a radio, the fax, the duty computer and the generator with their checks, and the supplies —
one first-aid kit expiring within the warning window, so the demo shows a warning."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from dutyline.db.pool import Connection
from services.roster import equipment_store

# (key, kind, name, critical, ((check, period), ...))
DEMO_EQUIPMENT = (
    ("phone", "duty_phone", "值班电话 Duty phone", True, (("拨号音 dial tone", "shift"), ("录音 recording", "daily"))),
    ("radio", "radio", "对讲机 Radio", False, (("信道检查 channel check", "shift"), ("电量 battery", "daily"))),
    ("fax", "fax", "传真机 Fax", False, (("收发测试 send/receive test", "daily"),)),
    ("pc", "computer", "值班电脑 Duty computer", False, (("系统登录 system login", "shift"),)),
    ("gen", "generator", "发电机 Generator", False, (("试运行 test run", "weekly"), ("燃油 fuel level", "monthly"))),
)
# (key, name, quantity, minimum, days to expiry or None)
DEMO_SUPPLIES = (
    ("firstaid", "急救箱 First-aid kit", 2, 2, 20),
    ("flashlight", "手电筒 Flashlights", 6, 4, None),
    ("raincoat", "雨衣 Raincoats", 10, 6, None),
    ("batteries", "备用电池 Spare batteries", 3, 8, 400),
    ("water", "饮用水 Drinking water (boxes)", 5, 4, 180),
)


async def seed_demo_equipment(conn: Connection, *, today: date, site_ids: Iterable[str]) -> None:
    for site_id in site_ids:
        for key, kind, name, critical, checks in DEMO_EQUIPMENT:
            await equipment_store.upsert_equipment(
                conn,
                row=equipment_store.EquipmentRow(
                    id=f"eq-{site_id}-{key}",
                    site_id=site_id,
                    kind=kind,
                    name=name,
                    critical=critical,
                    checks=checks,
                    version=1,
                ),
            )
        for key, name, quantity, minimum, expires_in in DEMO_SUPPLIES:
            await equipment_store.upsert_supply(
                conn,
                row=equipment_store.SupplyRow(
                    id=f"sup-{site_id}-{key}",
                    site_id=site_id,
                    name=name,
                    quantity=quantity,
                    minimum=minimum,
                    expiry_date=today + timedelta(days=expires_in) if expires_in is not None else None,
                    version=1,
                ),
            )
