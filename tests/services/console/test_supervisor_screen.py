"""The supervisor screen over HTTP, on the real stack: a region of its own with two sites (one with a
roster published for two days, one with none), incidents with and without coordinates. The region's
supervisor sees both sites (and no other): who is on duty and their check-in, the open incidents and
the worst severity, the deadlines at risk amber and red, the coverage gaps of the coming week, and
the map — every marker where the equirectangular projection fitted to the incidents puts it, the
incidents without coordinates listed beside it. An officer of one site sees that site alone, on a map
fitted to its own incidents."""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from tests.console_http import nearest_report
from tests.services.incident.test_incident_service import in_stage
from tests.support import token_for

pytestmark = pytest.mark.stack

ADMIN = token_for("p-admin", ["admin"], ["*"])
OFFICER, LEADER = common_pb2.ROLE_OFFICER, common_pb2.ROLE_LEADER
# The map's viewport and margin (services/console/supervisor.py), and a degree of latitude in km.
WIDTH, HEIGHT, MARGIN = 720.0, 440.0, 30.0
KM_PER_DEGREE = 6371.0088 * math.pi / 180
# What the page says for each check-in status (services/console/i18n.py, zh-CN).
CHECK_IN_WORDS = {"pending": "未签到", "on_time": "准时", "late": "迟到", "absent": "缺勤"}


@dataclass(frozen=True)
class Region:
    id: str
    site_a: str
    site_b: str
    supervisor: str
    officer_a: str
    # incident id → (latitude, longitude), or None when it has no coordinates.
    places: dict[str, tuple[float, float] | None]
    red: str
    amber: str
    unplaced: str
    published_until: datetime


async def _site(roster: Any, site_id: str, parent: str, kind: roster_pb2.SiteKind.ValueType, name: str) -> None:
    await roster.UpsertSite(
        roster_pb2.UpsertSiteRequest(
            idempotency_key=str(uuid.uuid4()),
            site=roster_pb2.Site(
                id=site_id,
                name=name,
                kind=kind,
                parent_id=parent,
                time_zone="Asia/Shanghai",
                # Shaanxi: the national reporting policy (phone report within 30 min for II).
                jurisdiction="610100",
            ),
        )
    )


async def _person(roster: Any, person_id: str, site_id: str, role: common_pb2.Role.ValueType) -> None:
    await roster.UpsertPerson(
        roster_pb2.UpsertPersonRequest(
            idempotency_key=str(uuid.uuid4()),
            person=roster_pb2.Person(
                id=person_id,
                display_name=f"{person_id} 值班",
                site_id=site_id,
                roles=[role],
                contacts=[roster_pb2.ContactMethod(channel="phone", address="13900000000")],
            ),
        )
    )


async def _staff(roster: Any, site_id: str) -> None:
    """Two officers in a daily rotation (one per shift) and a leader with no rotation: a day/night
    pattern that needs an officer and a leader, so leaders are missing wherever the roster is."""
    for person_id, role in ((f"{site_id}-o1", OFFICER), (f"{site_id}-o2", OFFICER), (f"{site_id}-l1", LEADER)):
        await _person(roster, person_id, site_id, role)
    staffing = [roster_pb2.StaffingRequirement(role=r, minimum=1) for r in (OFFICER, LEADER)]
    await roster.UpsertShiftPattern(
        roster_pb2.UpsertShiftPatternRequest(
            idempotency_key=str(uuid.uuid4()),
            pattern=roster_pb2.ShiftPattern(
                id=f"{site_id}-dn",
                site_id=site_id,
                name="day/night",
                shifts=[
                    roster_pb2.ShiftDefinition(name=name, local_start=start, duration_minutes=720, staffing=staffing)
                    for name, start in (("day", "08:00"), ("night", "20:00"))
                ],
            ),
        )
    )
    await roster.UpsertRotation(
        roster_pb2.UpsertRotationRequest(
            idempotency_key=str(uuid.uuid4()),
            rotation=roster_pb2.Rotation(
                id=f"{site_id}-officers",
                site_id=site_id,
                pattern_id=f"{site_id}-dn",
                role=OFFICER,
                person_ids=[f"{site_id}-o1", f"{site_id}-o2"],
                period_days=1,
                start_date="2026-01-01",
                slots=1,
            ),
        )
    )


async def _emergency(
    platform: Any, site_id: str, officer: str, n: int, place: tuple[float, float], answered_ago: timedelta
) -> str:
    """An emergency call answered ``answered_ago`` (the reporting clocks run from then): its incident."""
    now = datetime.now(UTC)
    where = common_pb2.Place(text=f"测试路{n}号 No. {n} Test Road", latitude=place[0], longitude=place[1])
    async with channel(platform.address("intake"), token_for(officer, ["officer"], [site_id])) as ch:
        reply = await intake_pb2_grpc.IntakeServiceStub(ch).RegisterCall(
            intake_pb2.RegisterCallRequest(
                idempotency_key=str(uuid.uuid4()),
                site_id=site_id,
                channel=intake_pb2.CHANNEL_PHONE,
                category=intake_pb2.CALL_CATEGORY_EMERGENCY,
                ring_started_at=ts(now - answered_ago - timedelta(seconds=5)),
                answered_at=ts(now - answered_ago),
                caller=intake_pb2.Caller(name="张三", phone="13912340000"),
                place=where,
                summary=f"测试事件 {n} Test event {n}",
                drill=True,
            ),
            timeout=20,
        )
    assert reply.incident_id, reply
    return str(reply.incident_id)


async def _verify_ii(platform: Any, site_id: str, officer: str, incident_id: str) -> None:
    async with channel(platform.address("incident"), token_for(officer, ["officer"], [site_id])) as ch:
        incidents = incident_pb2_grpc.IncidentServiceStub(ch)
        await in_stage(incidents, incident_id, incident_pb2.STAGE_VERIFY)
        await incidents.Verify(
            incident_pb2.VerifyRequest(
                idempotency_key=str(uuid.uuid4()),
                incident_id=incident_id,
                confirmed=True,
                category=incident_pb2.INCIDENT_CATEGORY_NATURAL_DISASTER,
                sub_type="flood",
                severity=common_pb2.SEVERITY_II,
            )
        )


@pytest.fixture(scope="module")
async def region(platform: Any) -> AsyncIterator[Region]:
    tag = uuid.uuid4().hex[:6]
    region_id, site_a, site_b = f"sv{tag}", f"sv{tag}-a", f"sv{tag}-b"
    now = datetime.now(UTC)
    async with channel(platform.address("roster"), ADMIN) as ch:
        roster = roster_pb2_grpc.RosterServiceStub(ch)
        await _site(roster, region_id, "hq", roster_pb2.SITE_KIND_REGION, f"西北片区 {tag} North-west")
        await _site(roster, site_a, region_id, roster_pb2.SITE_KIND_SITE, f"西安值班室 {tag} Xi'an")
        await _site(roster, site_b, region_id, roster_pb2.SITE_KIND_SITE, f"咸阳值班室 {tag} Xianyang")
        supervisor = f"sv{tag}-boss"
        await _person(roster, supervisor, region_id, common_pb2.ROLE_SUPERVISOR)
        for site_id in (site_a, site_b):
            await _staff(roster, site_id)
        # Site A: the shift under way and two days on published (without leaders: overridden); site B:
        # nothing published.
        published = await roster.PublishRoster(
            roster_pb2.PublishRosterRequest(
                idempotency_key=str(uuid.uuid4()),
                site_id=site_a,
                period=common_pb2.TimeRange(start=ts(now - timedelta(hours=13)), end=ts(now + timedelta(days=2))),
                override_reason="领导排班另行安排 leaders rostered separately",
            )
        )
        assert published.published
        on_duty = await roster.GetOnDuty(roster_pb2.GetOnDutyRequest(site_id=site_a))
        officer_a = on_duty.officers[0].person_id
    published_until = max(a.end.ToDatetime(UTC) for a in published.assignments)
    officer_b = f"{site_b}-o1"
    # Xi'an and around it, each place a few km from the others (no two calls about one event).
    places: dict[str, tuple[float, float] | None] = {}
    red = await _emergency(platform, site_a, officer_a, 1, (34.26, 108.94), timedelta(minutes=40))
    amber = await _emergency(platform, site_a, officer_a, 2, (34.42, 109.12), timedelta(minutes=25))
    # Opened directly, not from a call (intake would link a call without a place to an open incident).
    async with channel(platform.address("incident"), token_for(officer_a, ["officer"], [site_a])) as ch:
        opened = await incident_pb2_grpc.IncidentServiceStub(ch).OpenIncident(
            incident_pb2.OpenIncidentRequest(
                idempotency_key=str(uuid.uuid4()),
                site_id=site_a,
                title="无坐标事件 Incident without coordinates",
                place=common_pb2.Place(text="某处 Somewhere"),
                drill=True,
            )
        )
    unplaced = opened.incident.id
    at_b = await _emergency(platform, site_b, officer_b, 4, (34.33, 108.71), timedelta(minutes=1))
    places.update({red: (34.26, 108.94), amber: (34.42, 109.12), unplaced: None, at_b: (34.33, 108.71)})
    for incident_id in (red, amber):
        await _verify_ii(platform, site_a, officer_a, incident_id)
    yield Region(
        id=region_id,
        site_a=site_a,
        site_b=site_b,
        supervisor=supervisor,
        officer_a=officer_a,
        places=places,
        red=red,
        amber=amber,
        unplaced=unplaced,
        published_until=published_until,
    )


def expected_xy(points: list[tuple[float, float]], lat: float, lon: float) -> tuple[float, float]:
    """Equirectangular, centred on the points' bounding box and fitted inside the margin, x scaled by
    the cosine of the centre's latitude."""
    lat0 = (min(p[0] for p in points) + max(p[0] for p in points)) / 2
    lon0 = (min(p[1] for p in points) + max(p[1] for p in points)) / 2
    k = math.cos(math.radians(lat0))
    span_x = max((max(p[1] for p in points) - min(p[1] for p in points)) * k, 0.1)
    span_y = max(max(p[0] for p in points) - min(p[0] for p in points), 0.1)
    scale = min((WIDTH - 2 * MARGIN) / span_x, (HEIGHT - 2 * MARGIN) / span_y)
    return WIDTH / 2 + (lon - lon0) * k * scale, HEIGHT / 2 - (lat - lat0) * scale


def markers(page: str) -> dict[str, tuple[float, float]]:
    found = {}
    for m in re.finditer(r'<a href="/incidents/([^"]+)" id="marker-\1"[^>]*>(.*?)</a>', page, re.S):
        circle = re.search(r'<circle cx="([-\d.]+)" cy="([-\d.]+)"', m.group(2))
        assert circle is not None, m.group(0)
        found[m.group(1)] = (float(circle.group(1)), float(circle.group(2)))
    return found


def cell(row: str, name: str) -> str:
    found = re.search(rf'<td class="{name}">.*?</td>', row, re.S)
    assert found is not None, row
    return found.group(0)


def site_row(page: str, site_id: str) -> str:
    row = re.search(rf'<tr id="site-{re.escape(site_id)}">.*?</tr>', page, re.S)
    assert row is not None, page
    return row.group(0)


async def assignment_statuses(platform: Any, site_id: str) -> dict[str, str]:
    now = datetime.now(UTC)
    async with channel(platform.address("roster"), ADMIN) as ch:
        found = await roster_pb2_grpc.RosterServiceStub(ch).ListAssignments(
            roster_pb2.ListAssignmentsRequest(
                site_id=site_id,
                period=common_pb2.TimeRange(start=ts(now), end=ts(now + timedelta(seconds=1))),
            )
        )
    return {a.person_id: a.check_in_status for a in found.assignments}


async def test_the_regions_supervisor_sees_both_sites_their_duty_incidents_risks_gaps_and_map(
    platform: Any, browsers: Any, region: Region
) -> None:
    supervisor = browsers()
    await supervisor.sign_in(region.supervisor)
    reply, page = await supervisor.get("/supervisor")
    assert reply.status == 200 and "<h1>值班总览</h1>" in page
    assert 'href="/supervisor" aria-current="page"' in page
    # The region's two sites and nothing else (no demo site of the east region).
    assert sorted(re.findall(r'<tr id="site-([^"]+)">', page)) == [region.site_a, region.site_b]
    assert "site-hz-01" not in page

    a, b = site_row(page, region.site_a), site_row(page, region.site_b)
    # Duty now: A's officer with the check-in status the roster has, no leader; B: nobody at all.
    status = (await assignment_statuses(platform, region.site_a))[region.officer_a]
    assert f"{region.officer_a} 值班" in a and f'data-status="{status}">{CHECK_IN_WORDS[status]}<' in a
    assert "无带班领导！" in a and "无人值班！" in b
    # Open incidents and the worst severity.
    assert '<td class="open-count">3</td>' in a and '<td class="open-count">1</td>' in b
    assert "重大（Ⅱ级）" in cell(a, "worst") and "未定级" in cell(b, "worst")
    # Deadlines at risk: the phone report 10 min overdue (red), the other due in 5 min (amber). Within
    # minutes of 08:00 or 17:00 local a 续报 falls due first, passed already or not (its slot counts
    # from when verification was due): the item names the nearest and is red once it passed.
    async with channel(platform.address("incident"), ADMIN) as ch:
        for incident_id, urgency in ((region.red, "red"), (region.amber, "amber")):
            item = re.search(rf'<li id="risk-{incident_id}">.*?</li>', a, re.S)
            assert item is not None, a
            nearest = await nearest_report(incident_pb2_grpc.IncidentServiceStub(ch), incident_id)
            if nearest.due_at <= datetime.now(UTC):
                urgency = "red"
            assert f'class="countdown {urgency}"' in item.group(0) and nearest.zh in item.group(0), item.group(0)
    assert f"risk-{region.unplaced}" not in a  # unverified: no report due yet beyond what is met

    # Gaps of the coming week: B has neither officer nor leader from now to the week's end; A has its
    # leaders missing throughout and its officers only after the two published days.
    now = datetime.now(UTC)

    def gaps(row: str) -> list[tuple[str, datetime, datetime]]:
        return [
            (role, datetime.fromisoformat(start), datetime.fromisoformat(end))
            for role, start, end in re.findall(
                r'<li class="gap" data-role="(\w+)" data-start="([^"]+)" data-end="([^"]+)">', row
            )
        ]

    b_gaps = gaps(b)
    for role in ("officer", "leader"):
        mine = [g for g in b_gaps if g[0] == role]
        assert len(mine) == 1, b_gaps
        assert abs((mine[0][1] - now).total_seconds()) < 120 and mine[0][2] - now > timedelta(days=6, hours=23)
    a_gaps = gaps(a)
    assert {g[0] for g in a_gaps} == {"officer", "leader"}
    assert min(g[1] for g in a_gaps if g[0] == "officer") == region.published_until
    assert "在岗 0/应有 1" in b

    # The map: the three incidents with coordinates where the projection puts them, the other beside it.
    placed = {i: p for i, p in region.places.items() if p is not None}
    drawn = markers(page)
    assert set(drawn) == set(placed)
    points = list(placed.values())
    for incident_id, (lat, lon) in placed.items():
        x, y = expected_xy(points, lat, lon)
        assert drawn[incident_id] == pytest.approx((x, y), abs=0.06), incident_id
    # Fitted: every marker inside the margin, and the widest extent touching it.
    xs, ys = [p[0] for p in drawn.values()], [p[1] for p in drawn.values()]
    assert min(xs) >= MARGIN - 0.1 and max(xs) <= WIDTH - MARGIN + 0.1
    assert min(ys) >= MARGIN - 0.1 and max(ys) <= HEIGHT - MARGIN + 0.1
    assert min(xs) == pytest.approx(MARGIN, abs=0.1) or min(ys) == pytest.approx(MARGIN, abs=0.1)
    # The scale bar is as long as its distance at the fitted scale.
    lat0 = (min(p[0] for p in points) + max(p[0] for p in points)) / 2
    bar = re.search(r'id="scale-bar" data-length="([\d.]+)" data-km="([\d.]+)"', page)
    assert bar is not None
    one_degree = (expected_xy(points, lat0 + 0.5, 108.9)[1] - expected_xy(points, lat0 - 0.5, 108.9)[1]) * -1
    assert float(bar.group(1)) == pytest.approx(float(bar.group(2)) / KM_PER_DEGREE * one_degree, abs=0.06)
    # Each marker links to its incident and names it, its severity and site.
    marker = re.search(rf'<a href="/incidents/{region.red}" id="marker-{region.red}"[^>]*aria-label="([^"]+)"', page)
    assert marker is not None and "重大（Ⅱ级）" in marker.group(1) and "西安值班室" in marker.group(1)
    assert re.search(rf'<li id="unplaced-{region.unplaced}"><strong class="drill-mark">【演练】</strong><a href', page)
    assert "图例" in page and "sev-iii" in page  # the legend names every severity

    # The body alone, for the live refresh, in English when chosen.
    await supervisor.post("/lang", {"csrf": supervisor.csrf, "lang": "en", "next": "/supervisor"})
    reply, body = await supervisor.get("/supervisor/body")
    assert reply.status == 200 and "<html" not in body and "Map of open incidents" in body
    assert set(markers(body)) == set(placed) and "Nobody is on duty!" in body


async def test_an_officer_of_one_site_sees_that_site_alone_on_a_map_of_its_own(browsers: Any, region: Region) -> None:
    officer = browsers()
    await officer.sign_in(region.officer_a)
    reply, page = await officer.get("/supervisor")
    assert reply.status == 200
    assert re.findall(r'<tr id="site-([^"]+)">', page) == [region.site_a]
    placed = {i: p for i, p in region.places.items() if p is not None and i in (region.red, region.amber)}
    drawn = markers(page)
    assert set(drawn) == set(placed)
    # Fitted to site A's two incidents alone (site B's, farther west, widens the supervisor's map).
    points = list(placed.values())
    for incident_id, (lat, lon) in placed.items():
        assert drawn[incident_id] == pytest.approx(expected_xy(points, lat, lon), abs=0.06)
    # The two span the fitted box: one touches the margin where the other touches the far one.
    (x1, y1), (x2, y2) = drawn.values()
    assert max(abs(x1 - x2) - (WIDTH - 2 * MARGIN), abs(y1 - y2) - (HEIGHT - 2 * MARGIN)) == pytest.approx(0, abs=0.1)


async def test_the_screen_and_its_body_need_a_signed_in_person(browsers: Any) -> None:
    stranger = browsers()
    for path in ("/supervisor", "/supervisor/body"):
        reply, _ = await stranger.get(path)
        assert reply.status == 303 and reply.headers["Location"] == "/signin"
