"""CompetenceService and the qualification check on the real stack: a site's required certificate refuses
an unqualified substitute (naming it), a rotation and a roster with an unqualified officer; a trained
one is accepted; a drill's attendance and review are recorded; expiring certificates are warned once,
to the person and the duty leaders; other sites' keepers are refused."""

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
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import field_violations
from dutyline.notifier import NotifyClient
from dutyline.roster.v1 import competence_pb2, competence_pb2_grpc, roster_pb2, roster_pb2_grpc
from services.roster.competence_expiry import ExpiryWarner
from tests.support import events_about, notifications_about, service_token_for, staffed_site, token_for

pytestmark = pytest.mark.stack

SITE = "t-comp"
CERT = "值班员培训合格证 duty-officer training certificate"
ADMIN = token_for("p-admin", ["admin"], ["*"])
SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICER, LEADER = common_pb2.ROLE_OFFICER, common_pb2.ROLE_LEADER


def key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
async def stubs(platform: Any) -> AsyncIterator[Any]:
    """stubs(token) -> (RosterService, CompetenceService) stubs calling with that token."""
    channels: dict[str, grpc.aio.Channel] = {}

    def make(token: str) -> tuple[roster_pb2_grpc.RosterServiceStub, competence_pb2_grpc.CompetenceServiceStub]:
        if token not in channels:
            channels[token] = channel(platform.address("roster"), token)
        ch = channels[token]
        return roster_pb2_grpc.RosterServiceStub(ch), competence_pb2_grpc.CompetenceServiceStub(ch)

    yield make
    for ch in channels.values():
        await ch.close()


async def refused(code: grpc.StatusCode, call: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call
    assert err.value.code() == code, err.value.details()
    return err.value


def train(person_id: str, completed_on: date, valid_until: str = "") -> competence_pb2.RecordTrainingRequest:
    return competence_pb2.RecordTrainingRequest(
        idempotency_key=key(),
        person_id=person_id,
        qualification=CERT,
        completed_on=completed_on.isoformat(),
        valid_until=valid_until,
        course="值班员岗位培训",
    )


async def leader_rotation(roster: roster_pb2_grpc.RosterServiceStub, site: str, leaders: list[str]) -> None:
    await roster.UpsertRotation(
        roster_pb2.UpsertRotationRequest(
            idempotency_key=key(),
            rotation=roster_pb2.Rotation(
                id=f"{site}-leaders",
                site_id=site,
                pattern_id=f"{site}-dn",
                role=LEADER,
                person_ids=leaders,
                period_days=7,
                start_date="2026-01-01",
            ),
        )
    )


async def test_an_unqualified_substitute_is_refused_naming_the_qualification_and_a_trained_one_accepted(
    platform: Any, stubs: Any, db: asyncpg.Connection
) -> None:
    roster, competence = stubs(ADMIN)
    officers = (await staffed_site(roster, SITE, officers=3, leaders=2))[:3]
    await leader_rotation(roster, SITE, [f"{SITE}-l1", f"{SITE}-l2"])
    # The reserve officer, outside the rotation and never trained.
    reserve = f"{SITE}-o9"
    await roster.UpsertPerson(
        roster_pb2.UpsertPersonRequest(
            idempotency_key=key(),
            person=roster_pb2.Person(id=reserve, display_name=reserve, site_id=SITE, roles=[OFFICER]),
        )
    )
    declared = await competence.SetRequiredQualifications(
        competence_pb2.SetRequiredQualificationsRequest(
            idempotency_key=key(),
            site_id=SITE,
            requirements=[competence_pb2.QualificationRequirement(role=OFFICER, qualification=CERT, valid_days=730)],
        )
    )
    assert [r.qualification for r in declared.requirements] == [CERT]

    first = date.today() + timedelta(days=10)
    start = datetime.combine(first, time(8), tzinfo=SHANGHAI)
    period = common_pb2.TimeRange(start=ts(start), end=ts(start + timedelta(days=2)))
    leader, _ = stubs(token_for(f"{SITE}-l1", ["leader"], [SITE]))
    publish = roster_pb2.PublishRosterRequest(idempotency_key=key(), site_id=SITE, period=period)
    # Nobody trained yet: the roster is refused, naming an officer and the certificate.
    err = await refused(grpc.StatusCode.FAILED_PRECONDITION, leader.PublishRoster(publish))
    assert CERT in (err.details() or "") and f"{SITE}-o" in (err.details() or "")
    assert await db.fetchval("SELECT count(*) FROM roster.assignments WHERE site_id = $1", SITE) == 0

    month_ago = date.today() - timedelta(days=30)
    trained = {p: await competence.RecordTraining(train(p, month_ago)) for p in officers}
    # Two years by the site's declaration, through the day before the anniversary.
    assert {t.valid_until for t in trained.values()} == {(month_ago + timedelta(days=729)).isoformat()}
    # The same training recorded again (another request) is the same training.
    assert (await competence.RecordTraining(train(officers[0], month_ago))).id == trained[officers[0]].id
    publish.idempotency_key = key()
    assert (await leader.PublishRoster(publish)).published

    # A rotation naming the untrained reserve is refused, naming them.
    rotation = roster_pb2.Rotation(
        id=f"{SITE}-officers",
        site_id=SITE,
        pattern_id=f"{SITE}-dn",
        role=OFFICER,
        person_ids=[*officers, reserve],
        period_days=1,
        start_date="2026-01-01",
    )
    err = await refused(
        grpc.StatusCode.FAILED_PRECONDITION,
        roster.UpsertRotation(roster_pb2.UpsertRotationRequest(idempotency_key=key(), rotation=rotation)),
    )
    assert reserve in (err.details() or "") and CERT in (err.details() or "")

    listed = await leader.ListAssignments(roster_pb2.ListAssignmentsRequest(site_id=SITE, period=period))
    mine = next(a for a in listed.assignments if a.role == OFFICER)
    me, _ = stubs(token_for(mine.person_id, ["officer"], [SITE]))
    ask = roster_pb2.RequestLeaveRequest(idempotency_key=key(), assignment_id=mine.id, substitute_id=reserve)
    err = await refused(grpc.StatusCode.FAILED_PRECONDITION, me.RequestLeave(ask))
    assert reserve in (err.details() or "") and CERT in (err.details() or "")
    assert await db.fetchval("SELECT count(*) FROM roster.leave_requests WHERE assignment_id = $1", mine.id) == 0

    await competence.RecordTraining(train(reserve, date.today()))
    ask.idempotency_key = key()
    leave = await me.RequestLeave(ask)
    assert leave.status == "requested" and leave.substitute_id == reserve

    _, mine_competence = stubs(token_for(mine.person_id, ["officer"], [SITE]))
    states = await mine_competence.ListQualifications(competence_pb2.ListQualificationsRequest(site_id=SITE))
    assert {(q.person_id, q.state) for q in states.qualifications} == {(p, "valid") for p in [*officers, reserve]}
    events = await events_about(platform, SITE)
    assert "qualification.upserted" in {e.type for e in events}
    assert [e.type for e in await events_about(platform, trained[officers[0]].id)] == ["training.recorded"]


async def test_a_drill_is_scheduled_and_held_with_attendance_and_review(
    platform: Any, stubs: Any, db: asyncpg.Connection
) -> None:
    site = "t-drill"
    roster, _ = stubs(ADMIN)
    people = await staffed_site(roster, site, officers=2, leaders=1)
    _, leader = stubs(token_for(f"{site}-l1", ["leader"], [site]))
    when = datetime.now(UTC) + timedelta(days=3)
    drill = await leader.ScheduleDrill(
        competence_pb2.ScheduleDrillRequest(
            idempotency_key=key(),
            site_id=site,
            subject="防汛应急演练 flood drill",
            scheduled_for=ts(when),
            participant_ids=people,
        )
    )
    assert drill.status == "scheduled"
    record = competence_pb2.RecordDrillRequest(
        idempotency_key=key(), drill_id=drill.id, held_at=ts(when), attended_ids=["p-hz-officer-1"], review="ok"
    )
    err = await refused(grpc.StatusCode.INVALID_ARGUMENT, leader.RecordDrill(record))
    assert [v.field for v in field_violations(err)] == ["attended_ids[0]"]
    # Another site's duty leader may not record it.
    _, stranger = stubs(token_for("p-nb-leader-1", ["leader"], ["nb-01"]))
    record.attended_ids[:] = people[:2]
    record.review = "演练总结：响应及时，通讯畅通。Responded in time."
    await refused(grpc.StatusCode.PERMISSION_DENIED, stranger.RecordDrill(record))
    held = await leader.RecordDrill(record)
    assert (held.status, list(held.attended_ids)) == ("held", people[:2]) and held.review.startswith("演练总结")
    assert (await leader.RecordDrill(record)).id == held.id, "a retry answers the same"
    record.idempotency_key = key()
    await refused(grpc.StatusCode.FAILED_PRECONDITION, leader.RecordDrill(record))
    listed = await leader.ListDrills(competence_pb2.ListDrillsRequest(site_id=site, status="held"))
    assert [d.id for d in listed.drills] == [drill.id]
    assert sorted(e.type for e in await events_about(platform, drill.id)) == ["drill.recorded", "drill.scheduled"]


async def test_only_the_sites_keepers_declare_and_train(stubs: Any) -> None:
    declare = competence_pb2.SetRequiredQualificationsRequest(idempotency_key=key(), site_id="hz-01")
    _, officer = stubs(token_for("p-hz-officer-1", ["officer"], ["hz-01"]))
    await refused(grpc.StatusCode.PERMISSION_DENIED, officer.SetRequiredQualifications(declare))
    # The unit head of another site reaches neither hz-01's rules nor its people's trainings.
    _, foreign = stubs(token_for("p-nb-head", ["unit_head"], ["nb-01"]))
    await refused(grpc.StatusCode.PERMISSION_DENIED, foreign.SetRequiredQualifications(declare))
    await refused(grpc.StatusCode.PERMISSION_DENIED, foreign.RecordTraining(train("p-hz-officer-1", date.today())))
    await refused(
        grpc.StatusCode.PERMISSION_DENIED,
        foreign.ListQualifications(competence_pb2.ListQualificationsRequest(site_id="hz-01")),
    )
    # A training not yet completed is bad input.
    _, head = stubs(token_for("p-hz-head", ["unit_head"], ["hz-01"]))
    err = await refused(
        grpc.StatusCode.INVALID_ARGUMENT, head.RecordTraining(train("p-hz-officer-1", date.today() + timedelta(days=2)))
    )
    assert [v.field for v in field_violations(err)] == ["completed_on"]


async def test_an_expiring_certificate_is_warned_once_to_the_person_and_the_leaders(
    platform: Any, stubs: Any, db: asyncpg.Connection
) -> None:
    site = "t-expiry"
    roster, competence = stubs(ADMIN)
    people = await staffed_site(roster, site, officers=1, leaders=1)
    officer = people[0]
    # On duty now: the duty leaders on duty are who notify tells at the site.
    await leader_rotation(roster, site, [f"{site}-l1"])
    start = datetime.now(UTC) - timedelta(days=1)
    published = await roster.PublishRoster(
        roster_pb2.PublishRosterRequest(
            idempotency_key=key(),
            site_id=site,
            period=common_pb2.TimeRange(start=ts(start), end=ts(start + timedelta(days=2))),
            override_reason="test",
        )
    )
    assert published.published
    await competence.SetRequiredQualifications(
        competence_pb2.SetRequiredQualificationsRequest(
            idempotency_key=key(),
            site_id=site,
            requirements=[competence_pb2.QualificationRequirement(role=OFFICER, qualification=CERT, valid_days=730)],
        )
    )
    today = date.today()
    until = today + timedelta(days=20)
    await competence.RecordTraining(train(officer, today - timedelta(days=700), valid_until=until.isoformat()))
    pool = await create_pool(platform.postgres.dsn, schema="roster", min_size=1, max_size=2)
    notifier = NotifyClient(channel(platform.address("notify"), service_token_for("roster")))
    try:
        warner = ExpiryWarner(pool=pool, notifier=notifier)
        # Too early: 31 days ahead nothing is due.
        assert await warner.warn(until - timedelta(days=31)) == 0
        assert await warner.warn(today) >= 1
        assert await warner.warn(today) == 0, "once per qualification and expiry"
        await warner.notify_pending()
        await warner.notify_pending()
    finally:
        await notifier.close()
        await pool.close()
    sent = await notifications_about(platform, f"{officer}:{until.isoformat()}", at_least=2)
    assert {n.person_id for n in sent} == {officer, f"{site}-l1"}
    assert len(sent) == 2, "a second round tells nobody again"
    expiring = [e for e in await events_about(platform, f"{officer}:{CERT}") if e.type == "qualification.expiring"]
    assert len(expiring) == 1
    _, head = stubs(token_for("p-head", ["unit_head"], [site]))
    states = await head.ListQualifications(competence_pb2.ListQualificationsRequest(site_id=site, state="expiring"))
    assert [(q.person_id, q.valid_until) for q in states.qualifications] == [(officer, until.isoformat())]
