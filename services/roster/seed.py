"""The demo organization `dutyline up` seeds on an empty database: a region with two sites, their
officers and duty leaders, and a regional supervisor, on day/night duty for two weeks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dutyline.db.pool import Connection
from services.roster import store


@dataclass(frozen=True)
class DemoPerson:
    id: str
    name: str
    site_id: str
    roles: tuple[str, ...]
    phone: str


REGION = "east"
SITES = (
    ("hz-01", "杭州市应急值班室 Hangzhou duty room", "330100"),
    ("nb-01", "宁波市应急值班室 Ningbo duty room", "330200"),
)
TIME_ZONE = "Asia/Shanghai"
PEOPLE = (
    DemoPerson("p-hz-officer-1", "王芳 Wang Fang", "hz-01", ("officer",), "13800000001"),
    DemoPerson("p-hz-officer-2", "李强 Li Qiang", "hz-01", ("officer",), "13800000002"),
    DemoPerson("p-hz-leader-1", "张伟 Zhang Wei", "hz-01", ("leader",), "13800000003"),
    DemoPerson("p-hz-leader-2", "陈静 Chen Jing", "hz-01", ("leader",), "13800000004"),
    DemoPerson("p-nb-officer-1", "刘洋 Liu Yang", "nb-01", ("officer",), "13800000005"),
    DemoPerson("p-nb-officer-2", "赵敏 Zhao Min", "nb-01", ("officer",), "13800000006"),
    DemoPerson("p-nb-leader-1", "孙磊 Sun Lei", "nb-01", ("leader",), "13800000007"),
    DemoPerson("p-nb-leader-2", "周婷 Zhou Ting", "nb-01", ("leader",), "13800000008"),
    DemoPerson("p-east-supervisor", "吴刚 Wu Gang", REGION, ("supervisor",), "13800000009"),
    DemoPerson("p-admin", "管理员 Admin", "hq", ("admin",), "13800000010"),
)
SHIFTS = (("day", time(8, 0)), ("night", time(20, 0)))
DAYS = 14


def demo_shifts(first_day: date) -> list[tuple[str, datetime, datetime]]:
    zone = ZoneInfo(TIME_ZONE)
    out = []
    for offset in range(DAYS):
        day = first_day + timedelta(days=offset)
        for name, start in SHIFTS:
            starts_at = datetime.combine(day, start, tzinfo=zone)
            out.append((f"{day.isoformat()}-{name}", starts_at, starts_at + timedelta(hours=12)))
    return out


async def seed_demo(conn: Connection, *, today: date) -> bool:
    """Seed the demo organization if the roster is empty; returns whether it seeded."""
    if not await store.is_empty(conn):
        return False
    await store.upsert_site(
        conn,
        site_id="hq",
        name="总值班室 Headquarters",
        kind="headquarters",
        parent_id=None,
        time_zone=TIME_ZONE,
        jurisdiction="330000",
    )
    await store.upsert_site(
        conn,
        site_id=REGION,
        name="华东片区 East region",
        kind="region",
        parent_id="hq",
        time_zone=TIME_ZONE,
        jurisdiction="330000",
    )
    for site_id, name, jurisdiction in SITES:
        await store.upsert_site(
            conn,
            site_id=site_id,
            name=name,
            kind="site",
            parent_id=REGION,
            time_zone=TIME_ZONE,
            jurisdiction=jurisdiction,
            answer_limit_seconds=15,
            greeting="您好，这里是应急值班室，请讲。 Duty room, go ahead please.",
        )
    for p in PEOPLE:
        await store.upsert_person(
            conn,
            person_id=p.id,
            display_name=p.name,
            site_id=p.site_id,
            roles=list(p.roles),
            contacts=(("phone", p.phone),),
        )
    for site_id, _, _ in SITES:
        officers = [p.id for p in PEOPLE if p.site_id == site_id and "officer" in p.roles]
        leaders = [p.id for p in PEOPLE if p.site_id == site_id and "leader" in p.roles]
        for index, (shift, starts_at, ends_at) in enumerate(demo_shifts(today - timedelta(days=1))):
            day, is_night = divmod(index, 2)
            for role, pool in (("officer", officers), ("leader", leaders)):
                # Day and night alternate between the two people, and swap every day.
                person = pool[(day + is_night) % len(pool)]
                await store.add_assignment(
                    conn,
                    assignment_id=f"a-{site_id}-{shift}-{role}",
                    site_id=site_id,
                    person_id=person,
                    role=role,
                    shift_name=shift.rsplit("-", 1)[1],
                    starts_at=starts_at,
                    ends_at=ends_at,
                )
    return True
