"""The demo organization `dutyline up` seeds on an empty database: headquarters, a region with two
sites, officers, duty leaders, a supervisor and an admin, a directory, a day/night pattern with
rotations, and a roster published through the same planning as PublishRoster."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from services.roster import inspection_store, planning, rules, schedule_store, store
from services.roster.competence_seed import seed_demo_competence
from services.roster.equipment_seed import seed_demo_equipment
from services.roster.inspections import ChecklistItem

TIME_ZONE = "Asia/Shanghai"
REGION = "east"
SITES = (
    ("hz-01", "杭州市应急值班室 Hangzhou duty room", "330100"),
    ("nb-01", "宁波市应急值班室 Ningbo duty room", "330200"),
)
DAYS = 14
SEED_ACTOR = common_pb2.Actor(person_id="system:seed", display_name="demo seed", kind="system")
# What the duty leader checks on each shift (查岗清单), the same at both demo sites.
DEMO_CHECKLIST = (
    ChecklistItem("on_post", "值班人员在岗 Officers on post"),
    ChecklistItem("log_kept", "值班记录完整 Duty log kept"),
    ChecklistItem("equipment_checked", "设备检查到位 Equipment checked"),
    ChecklistItem("conduct", "值班纪律良好 Conduct on duty"),
)


@dataclass(frozen=True)
class DemoPerson:
    id: str
    name: str
    site_id: str
    roles: tuple[str, ...]
    phone: str


def demo_people() -> list[DemoPerson]:
    names = {
        "hz-01": (
            "王芳 Wang Fang",
            "李强 Li Qiang",
            "赵磊 Zhao Lei",
            "钱敏 Qian Min",
            "张伟 Zhang Wei",
            "陈静 Chen Jing",
            "黄涛 Huang Tao",
        ),
        "nb-01": (
            "刘洋 Liu Yang",
            "赵敏 Zhao Min",
            "孙悦 Sun Yue",
            "周杰 Zhou Jie",
            "孙磊 Sun Lei",
            "周婷 Zhou Ting",
            "林峰 Lin Feng",
        ),
    }
    people = []
    for n, (site_id, _, _) in enumerate(SITES):
        short = site_id.split("-")[0]
        for i in range(4):
            people.append(
                DemoPerson(f"p-{short}-officer-{i + 1}", names[site_id][i], site_id, ("officer",), f"1380000{n}0{i}1")
            )
        for i in range(2):
            people.append(
                DemoPerson(f"p-{short}-leader-{i + 1}", names[site_id][4 + i], site_id, ("leader",), f"1380000{n}1{i}1")
            )
        # The unit head (单位负责人): told when a shift went without the leader's inspection.
        people.append(DemoPerson(f"p-{short}-head", names[site_id][6], site_id, ("unit_head",), f"1380000{n}301"))
        # A reserve officer (机动值班员) outside the rotation: the substitute for leave and swaps.
        people.append(
            DemoPerson(f"p-{short}-reserve", f"机动 Reserve {short}", site_id, ("officer",), f"1380000{n}201")
        )
    # The region's duty office signs for its sites' reports (签收) and reports further up.
    people.append(DemoPerson("p-east-officer-1", "郑洁 Zheng Jie", REGION, ("officer",), "13800009990"))
    people.append(DemoPerson("p-east-supervisor", "吴刚 Wu Gang", REGION, ("supervisor",), "13800009991"))
    people.append(DemoPerson("p-admin", "管理员 Admin", "hq", ("admin",), "13800009992"))
    return people


def demo_pattern(site_id: str) -> rules.Pattern:
    staffing = {"officer": 2, "leader": 1}
    return rules.Pattern(
        id=f"{site_id}-day-night",
        site_id=site_id,
        shifts=(
            rules.ShiftDef(name="day", local_start=time(8), duration=timedelta(hours=12), staffing=staffing),
            rules.ShiftDef(name="night", local_start=time(20), duration=timedelta(hours=12), staffing=staffing),
        ),
    )


def demo_rotations(site_id: str, pattern_id: str, first_day: date) -> list[rules.RotationSpec]:
    short = site_id.split("-")[0]
    officers = tuple(f"p-{short}-officer-{i}" for i in (1, 2, 3, 4))
    leaders = (f"p-{short}-leader-1", f"p-{short}-leader-2")

    def rotation(name: str, shift: str, role: str, people: tuple[str, ...], slots: int) -> rules.RotationSpec:
        return rules.RotationSpec(
            id=f"{site_id}-{name}",
            pattern_id=pattern_id,
            shift_names=(shift,),
            role=role,
            person_ids=people,
            period_days=1,
            start_date=first_day,
            slots=slots,
        )

    # Pairs alternate daily; whoever works the night works the next day too (24-hour duty, 2 shifts).
    return [
        rotation("day-officers", "day", "officer", officers, 2),
        rotation("night-officers", "night", "officer", officers[2:] + officers[:2], 2),
        rotation("day-leaders", "day", "leader", leaders, 1),
        rotation("night-leaders", "night", "leader", leaders[::-1], 1),
    ]


async def seed_demo(conn: Connection, *, today: date, im_base_url: str = "") -> bool:
    """Seed the demo organization if the roster is empty; returns whether it seeded. People are
    reached by phone, SMS, IM (at ``im_base_url``/im/<person>, e.g. the local gateway) and e-mail."""
    if not await store.is_empty(conn):
        return False

    def site(site_id: str, name: str, kind: str, parent: str | None, jurisdiction: str) -> store.SiteRow:
        return store.SiteRow(
            id=site_id,
            name=name,
            kind=kind,
            parent_id=parent,
            time_zone=TIME_ZONE,
            jurisdiction=jurisdiction,
            answer_limit_seconds=15,
            greeting="您好，这里是应急值班室，请讲。 Duty room, go ahead please.",
            ancestor_ids=(),
        )

    await store.upsert_site(conn, site=site("hq", "总值班室 Headquarters", "headquarters", None, "330000"))
    await store.upsert_site(conn, site=site(REGION, "华东片区 East region", "region", "hq", "330000"))
    for site_id, name, jurisdiction in SITES:
        await store.upsert_site(conn, site=site(site_id, name, "site", REGION, jurisdiction))
        await inspection_store.upsert_checklist(
            conn, site_id=site_id, items=list(DEMO_CHECKLIST), updated_by="system:seed", updated_by_name="demo seed"
        )
    for p in demo_people():
        await store.upsert_person(
            conn,
            person_id=p.id,
            display_name=p.name,
            site_id=p.site_id,
            roles=list(p.roles),
            contacts=(
                ("phone", p.phone),
                ("sms", p.phone),
                *((("im", f"{im_base_url}/im/{p.id}"),) if im_base_url else ()),
                ("email", f"{p.id}@demo.dutyline.local"),
            ),
            department="应急值班室 Duty room",
        )
    await store.upsert_directory_entry(
        conn,
        entry=store.DirectoryRow(
            id="dir-hq-fire",
            site_id="hq",
            department="消防救援支队 Fire and rescue",
            name="值班室 Duty desk",
            title="",
            contacts=(("phone", "119"),),
        ),
    )
    await store.upsert_directory_entry(
        conn,
        entry=store.DirectoryRow(
            id="dir-hz-gas",
            site_id="hz-01",
            department="燃气集团 Gas company",
            name="抢修热线 Repair hotline",
            title="",
            contacts=(("phone", "0571-96777"),),
        ),
    )
    # Before the roster: publishing refuses an officer without the certificate the sites require.
    await seed_demo_competence(
        conn, today=today, site_ids=[s for s, _, _ in SITES], people=[(p.id, p.site_id) for p in demo_people()]
    )
    await seed_demo_equipment(conn, today=today, site_ids=[s for s, _, _ in SITES])
    zone = ZoneInfo(TIME_ZONE)
    first_day = today - timedelta(days=1)
    start = datetime.combine(first_day, time(8), tzinfo=zone)
    end = start + timedelta(days=DAYS)
    for site_id, _, _ in SITES:
        pattern = demo_pattern(site_id)
        await schedule_store.upsert_pattern(conn, pattern=pattern, name="昼夜两班 Day and night")
        for rotation in demo_rotations(site_id, pattern.id, first_day):
            await schedule_store.upsert_rotation(conn, site_id=site_id, rotation=rotation)
        site_row = await store.get_site(conn, site_id=site_id)
        assert site_row is not None
        plan = await planning.plan_roster(conn, site=site_row, start=start, end=end)
        await planning.publish(
            conn, site=site_row, plan=plan, override="", published_by="system:seed", actor=SEED_ACTOR
        )
    return True
