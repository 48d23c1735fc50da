"""Shift patterns, rotations, publishing, and who is on duty."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import grpc

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.grpckit import idempotency
from dutyline.grpckit.auth import current_principal
from dutyline.grpckit.convert import ROLE_NAMES, from_ts, ts
from dutyline.grpckit.errors import NotFound, Violations
from dutyline.roster.v1 import roster_pb2
from services.roster import access, competence_check, convert, planning, rules, schedule_store, store
from services.roster.base import RosterBase
from services.roster.on_duty_cache import OnDutyCache
from services.roster.shift_starter import ShiftStarter


def period_of(period: common_pb2.TimeRange) -> tuple[datetime, datetime]:
    """A [start, end) period from a TimeRange its proto has checked: both ends, in order, at most 93 days."""
    return from_ts(period.start), from_ts(period.end)


# How long the answer of a site without any duty ahead is said to hold.
NO_ROSTER_AHEAD = timedelta(days=1)


class ScheduleRpcs(RosterBase):
    _shifts: ShiftStarter
    _on_duty: OnDutyCache

    async def UpsertShiftPattern(
        self, request: roster_pb2.UpsertShiftPatternRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.ShiftPattern:
        message = request.pattern
        pattern, problems = convert.pattern_from_message(message)
        v = Violations()
        for field, description in problems + rules.validate_pattern(pattern):
            v.add(field, description)
        v.raise_if_any()
        site = await self.site(message.site_id, field="pattern.site_id")
        access.require_admin(current_principal(), site)
        async with self._pool.acquire() as conn:
            others = [
                p for p in await schedule_store.list_patterns(conn, site_id=site.id) if p.pattern.id != pattern.id
            ]
            owner = await schedule_store.pattern_site(conn, pattern_id=pattern.id)
        if owner is not None and owner != site.id:
            v.add("pattern.id", f"already used by a pattern of {owner}")
        for other in others:
            if rules.patterns_overlap(pattern, other.pattern):
                v.add("pattern.shifts", f"overlaps the shifts of pattern {other.pattern.id} of the same site")
            # Assignment ids name the shift, so shift names are unique within a site.
            for name in {s.name for s in pattern.shifts} & {s.name for s in other.pattern.shifts}:
                v.add("pattern.shifts", f"shift name {name!r} is already used by pattern {other.pattern.id}")
        v.raise_if_any()

        async def work(conn: Connection) -> roster_pb2.ShiftPattern:
            return convert.pattern_message(
                await schedule_store.upsert_pattern(conn, pattern=pattern, name=message.name)
            )

        return await self.once("UpsertShiftPattern", request, roster_pb2.ShiftPattern, work)

    async def ListShiftPatterns(
        self, request: roster_pb2.ListShiftPatternsRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.ListShiftPatternsResponse:
        site = await self.readable_site(request.site_id)
        async with self._pool.acquire() as conn:
            rows = await schedule_store.list_patterns(conn, site_id=site.id)
        return roster_pb2.ListShiftPatternsResponse(patterns=[convert.pattern_message(r) for r in rows])

    async def UpsertRotation(
        self, request: roster_pb2.UpsertRotationRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.Rotation:
        message = request.rotation
        v = Violations()
        role = ROLE_NAMES[message.role]
        period_days = message.period_days or 7
        slots = message.slots or 1
        try:
            start_date = date.fromisoformat(message.start_date)
        except ValueError:
            v.add("rotation.start_date", "no such day")
            start_date = date.min
        v.raise_if_any()
        site = await self.site(message.site_id, field="rotation.site_id")
        access.require_admin(current_principal(), site)
        async with self._pool.acquire() as conn:
            patterns = {p.pattern.id: p.pattern for p in await schedule_store.list_patterns(conn, site_id=site.id)}
            people = await store.get_people(conn, person_ids=list(message.person_ids))
            owner = await schedule_store.rotation_site(conn, rotation_id=message.id)
        pattern = patterns.get(message.pattern_id)
        if pattern is None:
            v.add("rotation.pattern_id", f"no pattern {message.pattern_id!r} at {site.id}")
        else:
            names = {s.name for s in pattern.shifts}
            for index, name in enumerate(message.shift_names):
                v.require(name in names, f"rotation.shift_names[{index}]", f"not a shift of {pattern.id}")
        for index, person_id in enumerate(message.person_ids):
            person = people.get(person_id)
            if person is None:
                v.add(f"rotation.person_ids[{index}]", f"unknown person {person_id!r}")
            elif role not in person.roles:
                v.add(f"rotation.person_ids[{index}]", f"{person_id} is not a {role}")
            elif person.site_id not in (site.id, *site.ancestor_ids):
                # Another site's people would be on duty (and paged) here on this admin's word alone.
                v.add(f"rotation.person_ids[{index}]", f"{person_id} is a person of {person.site_id}, not of {site.id}")
        if owner is not None and owner != site.id:
            v.add("rotation.id", f"already used by a rotation of {owner}")
        v.raise_if_any()
        rotation = rules.RotationSpec(
            id=message.id,
            pattern_id=message.pattern_id,
            shift_names=tuple(message.shift_names),
            role=role,
            person_ids=tuple(message.person_ids),
            period_days=period_days,
            start_date=start_date,
            slots=slots,
            double_leader_dates_only=message.double_leader_dates_only,
        )

        async def work(conn: Connection) -> roster_pb2.Rotation:
            await competence_check.refuse_unqualified(
                conn,
                site_id=site.id,
                duties=competence_check.rotation_duties(rotation, time_zone=site.time_zone, now=self.now()),
            )
            await schedule_store.upsert_rotation(conn, site_id=site.id, rotation=rotation)
            return convert.rotation_message(site.id, rotation)

        return await self.once("UpsertRotation", request, roster_pb2.Rotation, work)

    async def ListRotations(
        self, request: roster_pb2.ListRotationsRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.ListRotationsResponse:
        site = await self.readable_site(request.site_id)
        async with self._pool.acquire() as conn:
            rotations = await schedule_store.list_rotations(conn, site_id=site.id)
        return roster_pb2.ListRotationsResponse(rotations=[convert.rotation_message(site.id, r) for r in rotations])

    async def PublishRoster(
        self, request: roster_pb2.PublishRosterRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.PublishRosterResponse:
        start, end = period_of(request.period)
        site = await self.site(request.site_id)
        principal = current_principal()
        access.require_leader(principal, site, what="publish the roster")

        async def work(conn: Connection) -> roster_pb2.PublishRosterResponse:
            plan = await planning.plan_roster(conn, site=site, start=start, end=end)
            response = roster_pb2.PublishRosterResponse(
                gaps=[convert.gap_message(site.id, g) for g in plan.gaps],
                violations=[convert.violation_message(x) for x in plan.violations],
                assignments=[convert.assignment_message(a) for a in plan.assignments],
            )
            if not rules.may_publish(plan.gaps, request.override_reason):
                return response  # refused: nothing written; the gaps say why
            publication_id = await planning.publish(
                conn, site=site, plan=plan, override=request.override_reason.strip(), published_by=principal.person_id
            )
            response.published, response.publication_id = True, publication_id
            return response

        answer, replayed = await idempotency.run_once(
            self._pool,
            method="PublishRoster",
            request=request,
            response_type=roster_pb2.PublishRosterResponse,
            work=work,
        )
        if answer.published and not replayed:
            self._on_duty.forget(site.id)
            self._shifts.kick()
        return answer

    async def GetOnDuty(
        self, request: roster_pb2.GetOnDutyRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.OnDuty:
        site = await self.cached_site(request.site_id)
        access.require_reader(current_principal(), site)
        at = from_ts(request.at) if request.HasField("at") else self.now()
        cached = self._on_duty.get(site.id, at)
        if cached is not None:
            answer = roster_pb2.OnDuty()
            answer.CopyFrom(cached)
            answer.at.FromDatetime(at)
            return answer
        async with self._pool.acquire() as conn:
            rows, valid_until = await schedule_store.on_duty(conn, site_id=site.id, at=at)
        # No duty starts or ends after `at` (no roster published ahead): the answer holds until one is,
        # and every cache of it expires on its own well before then.
        valid_until = valid_until or at + NO_ROSTER_AHEAD
        people = [
            roster_pb2.DutyPerson(
                person_id=r.person_id,
                display_name=r.display_name,
                role=convert.ROLE_VALUES[r.role],
                assignment_id=r.assignment_id,
                shift_name=r.shift_name,
            )
            for r in rows
        ]
        answer = roster_pb2.OnDuty(
            site_id=site.id,
            at=ts(at),
            officers=[p for p in people if p.role == convert.ROLE_VALUES["officer"]],
            leaders=[p for p in people if p.role == convert.ROLE_VALUES["leader"]],
            valid_until=ts(valid_until),
        )
        self._on_duty.put(site.id, at, valid_until, answer)
        return answer

    async def FindCoverageGaps(
        self, request: roster_pb2.FindCoverageGapsRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.FindCoverageGapsResponse:
        start, end = period_of(request.period)
        site = await self.readable_site(request.site_id)
        async with self._pool.acquire() as conn:
            instances = await planning.instances_for(conn, site=site, start=start, end=end)
            rows = await schedule_store.list_assignments(
                conn,
                site_id=site.id,
                start=start - planning.LOOK_BACK,
                end=end,
            )
        gaps = rules.find_gaps(
            start=start,
            end=end,
            instances=instances,
            assignments=[r.assignment for r in rows],
        )
        return roster_pb2.FindCoverageGapsResponse(gaps=[convert.gap_message(site.id, g) for g in gaps])

    async def ListAssignments(
        self, request: roster_pb2.ListAssignmentsRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.ListAssignmentsResponse:
        start, end = period_of(request.period)
        site = await self.readable_site(request.site_id)
        async with self._pool.acquire() as conn:
            rows = await schedule_store.list_assignments(
                conn,
                site_id=site.id,
                start=start,
                end=end,
                person_id=request.person_id or None,
            )
        return roster_pb2.ListAssignmentsResponse(assignments=[convert.assignment_row_message(r) for r in rows])

    async def GetAssignment(
        self, request: roster_pb2.GetAssignmentRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.Assignment:
        async with self._pool.acquire() as conn:
            row = await schedule_store.get_assignment(conn, assignment_id=request.assignment_id)
        if row is None:
            raise NotFound(f"assignment {request.assignment_id} does not exist")
        access.require_reader(current_principal(), await self.site(row.assignment.site_id))
        return convert.assignment_row_message(row)
