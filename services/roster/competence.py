"""CompetenceService (资格、培训、演练): the qualifications a site requires of each role, trainings that
grant them, and the drill calendar. Hosted in the roster process over roster's database; the check
that refuses unqualified people lives in competence_check, the expiry warnings in competence_expiry."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import grpc

from dutyline.db.pool import Connection
from dutyline.emit import emit
from dutyline.grpckit.auth import Principal, current_principal
from dutyline.grpckit.convert import ROLE_NAMES, ROLE_VALUES, from_ts, ts
from dutyline.grpckit.errors import FailedPrecondition, NotFound, PermissionDenied, Violations
from dutyline.grpckit.server import ServiceContext
from dutyline.ids import new_id
from dutyline.notifier import NotifyClient
from dutyline.roster.v1 import competence_pb2, competence_pb2_grpc
from dutyline.temporal_start import sweep_forever
from services.roster import access, competence_rules, competence_store, store
from services.roster.base import RosterBase
from services.roster.competence_expiry import SWEEP_SECONDS, ExpiryWarner
from services.roster.competence_policy import DRILL_KEEPERS, KEEPERS, POLICIES, SERVICE


def _require(principal: Principal, site: store.SiteRow, roles: set[str], what: str) -> None:
    """The caller acts for the site in one of ``roles`` (its policy admitted the role on some site)."""
    access.require_reader(principal, site)
    if not principal.has_role(*roles):
        raise PermissionDenied(f"only {' / '.join(sorted(roles))} may {what} at {site.id}")


def local_today(site: store.SiteRow, now: datetime) -> date:
    return now.astimezone(ZoneInfo(site.time_zone)).date()


def requirement_message(r: competence_rules.Requirement) -> competence_pb2.QualificationRequirement:
    return competence_pb2.QualificationRequirement(
        role=ROLE_VALUES[r.role], qualification=r.qualification, valid_days=r.valid_days
    )


def training_message(t: competence_store.TrainingRow) -> competence_pb2.Training:
    return competence_pb2.Training(
        id=t.id,
        person_id=t.person_id,
        site_id=t.site_id,
        qualification=t.qualification,
        completed_on=t.completed_on.isoformat(),
        valid_until=t.valid_until.isoformat(),
        course=t.course,
        certificate_no=t.certificate_no,
        recorded_by=t.recorded_by,
        recorded_at=ts(t.recorded_at),
    )


def drill_message(d: competence_store.DrillRow) -> competence_pb2.Drill:
    return competence_pb2.Drill(
        id=d.id,
        site_id=d.site_id,
        subject=d.subject,
        scheduled_for=ts(d.scheduled_for),
        participant_ids=list(d.participant_ids),
        status=d.status,
        attended_ids=list(d.attended_ids),
        held_at=ts(d.held_at),
        review=d.review,
        scheduled_by=d.scheduled_by,
        recorded_by=d.recorded_by,
    )


def _day(text: str, field: str, v: Violations) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        v.add(field, "no such day")
        return None


class CompetenceServicer(RosterBase, competence_pb2_grpc.CompetenceServiceServicer):
    async def SetRequiredQualifications(
        self, request: competence_pb2.SetRequiredQualificationsRequest, context: grpc.aio.ServicerContext
    ) -> competence_pb2.RequiredQualifications:
        v = Violations()
        seen: set[tuple[str, str]] = set()
        wanted: list[competence_rules.Requirement] = []
        for index, r in enumerate(request.requirements):
            item = competence_rules.Requirement(ROLE_NAMES[r.role], r.qualification.strip(), r.valid_days)
            if (item.role, item.qualification) in seen:
                v.add(f"requirements[{index}]", f"{item.qualification!r} is already required of a {item.role}")
            seen.add((item.role, item.qualification))
            wanted.append(item)
        v.raise_if_any()
        site = await self.site(request.site_id)
        principal = current_principal()
        _require(principal, site, KEEPERS, "declare the qualifications its roles require")

        async def work(conn: Connection) -> competence_pb2.RequiredQualifications:
            updated_at = await competence_store.set_requirements(
                conn, site_id=site.id, requirements=wanted, updated_by=principal.person_id
            )
            answer = competence_pb2.RequiredQualifications(
                site_id=site.id,
                requirements=[requirement_message(r) for r in wanted],
                updated_at=ts(updated_at),
                updated_by=principal.person_id,
            )
            await emit(
                conn,
                event_type="qualification.upserted",
                site_id=site.id,
                aggregate_id=site.id,
                aggregate_version=int(updated_at.timestamp() * 1_000_000),
                payload=answer,
            )
            return answer

        return await self.once("SetRequiredQualifications", request, competence_pb2.RequiredQualifications, work)

    async def RecordTraining(
        self, request: competence_pb2.RecordTrainingRequest, context: grpc.aio.ServicerContext
    ) -> competence_pb2.Training:
        v = Violations()
        completed_on = _day(request.completed_on, "completed_on", v)
        valid_until = _day(request.valid_until, "valid_until", v) if request.valid_until else None
        v.raise_if_any()
        assert completed_on is not None
        principal = current_principal()
        async with self._pool.acquire() as conn:
            person = await store.get_person(conn, person_id=request.person_id)
        if person is None:
            raise NotFound(f"person {request.person_id} does not exist")
        site = await self.site(person.site_id)
        _require(principal, site, KEEPERS, "record trainings")
        qualification = request.qualification.strip()
        if completed_on > local_today(site, self.now()):
            v.add("completed_on", "a training is recorded once completed, not ahead")
        if valid_until is None:
            async with self._pool.acquire() as conn:
                days = [
                    r.valid_days
                    for r in await competence_store.requirements(conn, site_id=site.id)
                    if r.qualification == qualification
                ]
            if not days:
                v.add("valid_until", f"{site.id} declares no validity for {qualification!r}: give the last valid day")
            else:
                valid_until = competence_rules.valid_until_of(completed_on, max(days))
        elif valid_until < completed_on:
            v.add("valid_until", "before the day the training was completed")
        v.raise_if_any()
        assert valid_until is not None

        async def work(conn: Connection) -> competence_pb2.Training:
            stored, new = await competence_store.record_training(
                conn,
                training=competence_store.TrainingRow(
                    id=new_id("trn"),
                    person_id=person.id,
                    site_id=site.id,
                    qualification=qualification,
                    completed_on=completed_on,
                    valid_until=valid_until,
                    course=request.course.strip(),
                    certificate_no=request.certificate_no.strip(),
                    recorded_by=principal.person_id,
                    recorded_at=self.now(),
                ),
            )
            answer = training_message(stored)
            if new:
                await emit(
                    conn,
                    event_type="training.recorded",
                    site_id=site.id,
                    aggregate_id=stored.id,
                    aggregate_version=1,
                    payload=answer,
                )
            return answer

        return await self.once("RecordTraining", request, competence_pb2.Training, work)

    async def ListQualifications(
        self, request: competence_pb2.ListQualificationsRequest, context: grpc.aio.ServicerContext
    ) -> competence_pb2.ListQualificationsResponse:
        site = await self.readable_site(request.site_id)
        async with self._pool.acquire() as conn:
            people = await store.list_people(conn, site_id=site.id)
            if request.person_id:
                people = [p for p in people if p.id == request.person_id]
                if not people:
                    raise NotFound(f"{request.person_id} is not a person of {site.id}")
            requirements = await competence_store.requirements(conn, site_id=site.id)
            held = await competence_store.held(conn, person_ids=[p.id for p in people])
        today = local_today(site, self.now())
        rows = []
        for person in people:
            for r in requirements:
                if r.role not in person.roles:
                    continue
                until = held.get((person.id, r.qualification))
                state = competence_rules.state_of(until, today)
                if request.state and state != request.state:
                    continue
                rows.append(
                    competence_pb2.Qualification(
                        person_id=person.id,
                        display_name=person.display_name,
                        site_id=site.id,
                        role=ROLE_VALUES[r.role],
                        qualification=r.qualification,
                        valid_until=until.isoformat() if until else "",
                        state=state,
                    )
                )
        return competence_pb2.ListQualificationsResponse(
            qualifications=rows, requirements=[requirement_message(r) for r in requirements]
        )

    async def ScheduleDrill(
        self, request: competence_pb2.ScheduleDrillRequest, context: grpc.aio.ServicerContext
    ) -> competence_pb2.Drill:
        site = await self.site(request.site_id)
        principal = current_principal()
        _require(principal, site, DRILL_KEEPERS, "schedule drills")
        async with self._pool.acquire() as conn:
            people = await store.get_people(conn, person_ids=list(request.participant_ids))
        v = Violations()
        for index, person_id in enumerate(request.participant_ids):
            person = people.get(person_id)
            if person is None:
                v.add(f"participant_ids[{index}]", f"unknown person {person_id!r}")
            elif person.site_id not in (site.id, *site.ancestor_ids):
                v.add(f"participant_ids[{index}]", f"{person_id} is a person of {person.site_id}, not of {site.id}")
        v.raise_if_any()

        async def work(conn: Connection) -> competence_pb2.Drill:
            drill = await competence_store.insert_drill(
                conn,
                drill=competence_store.DrillRow(
                    id=new_id("drill"),
                    site_id=site.id,
                    subject=request.subject.strip(),
                    scheduled_for=from_ts(request.scheduled_for),
                    participant_ids=tuple(request.participant_ids),
                    scheduled_by=principal.person_id,
                ),
            )
            answer = drill_message(drill)
            await emit(
                conn,
                event_type="drill.scheduled",
                site_id=site.id,
                aggregate_id=drill.id,
                aggregate_version=drill.version,
                payload=answer,
            )
            return answer

        return await self.once("ScheduleDrill", request, competence_pb2.Drill, work)

    async def RecordDrill(
        self, request: competence_pb2.RecordDrillRequest, context: grpc.aio.ServicerContext
    ) -> competence_pb2.Drill:
        principal = current_principal()

        async def work(conn: Connection) -> competence_pb2.Drill:
            drill = await competence_store.get_drill(conn, drill_id=request.drill_id, for_update=True)
            if drill is None:
                raise NotFound(f"drill {request.drill_id} does not exist")
            site = await self.site(drill.site_id, conn=conn)
            _require(principal, site, DRILL_KEEPERS, "record drills")
            if drill.status != "scheduled":
                raise FailedPrecondition(f"drill {drill.id} is already recorded")
            v = Violations()
            for index, person_id in enumerate(request.attended_ids):
                v.require(
                    person_id in drill.participant_ids, f"attended_ids[{index}]", f"{person_id} is not a participant"
                )
            v.raise_if_any()
            held = await competence_store.record_drill(
                conn,
                drill_id=drill.id,
                attended_ids=list(request.attended_ids),
                held_at=from_ts(request.held_at),
                review=request.review.strip(),
                recorded_by=principal.person_id,
            )
            answer = drill_message(held)
            await emit(
                conn,
                event_type="drill.recorded",
                site_id=site.id,
                aggregate_id=held.id,
                aggregate_version=held.version,
                payload=answer,
            )
            return answer

        return await self.once("RecordDrill", request, competence_pb2.Drill, work)

    async def ListDrills(
        self, request: competence_pb2.ListDrillsRequest, context: grpc.aio.ServicerContext
    ) -> competence_pb2.ListDrillsResponse:
        site = await self.readable_site(request.site_id)
        period = request.period
        async with self._pool.acquire() as conn:
            drills = await competence_store.list_drills(
                conn,
                site_id=site.id,
                status=request.status or None,
                start=from_ts(period.start) if period.HasField("start") else None,
                end=from_ts(period.end) if period.HasField("end") else None,
            )
        return competence_pb2.ListDrillsResponse(drills=[drill_message(d) for d in drills])


def serve_competence(ctx: ServiceContext, server: grpc.aio.Server, notifier: NotifyClient) -> None:
    """Hosts CompetenceService in the roster process, with the sweep that warns of expiring
    qualifications; like RosterService, it does not start without a policy for each RPC."""
    ctx.hosted.append(SERVICE)
    ctx.policies.update(POLICIES)
    warner = ExpiryWarner(pool=ctx.pool, notifier=notifier)
    ctx.background.append(sweep_forever(warner.sweep, every=SWEEP_SECONDS))
    competence_pb2_grpc.add_CompetenceServiceServicer_to_server(CompetenceServicer(ctx), server)
