"""Planning a roster for a period (排班发布) and checking a change against it: the glue between the
pure rules and the stores. The caller owns the transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import FailedPrecondition
from dutyline.ids import new_id
from services.roster import competence_check, convert, rules, schedule_store
from services.roster.store import SiteRow

# Night shifts of the day before reach into a period; look that far back for requirements.
LOOK_BACK = timedelta(days=1)


@dataclass(frozen=True)
class Plan:
    """What publishing [start, end) would produce, and what is wrong with it."""

    start: datetime
    end: datetime
    assignments: list[rules.Assignment]
    gaps: list[rules.Gap]
    violations: list[rules.RuleViolation]


async def instances_for(
    conn: Connection, *, site: SiteRow, start: datetime, end: datetime
) -> list[rules.ShiftInstance]:
    """The shift instances of every pattern of the site that start in [start - 1 day, end)."""
    zone = ZoneInfo(site.time_zone)
    first = (start - LOOK_BACK).astimezone(zone).date()
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    instances: list[rules.ShiftInstance] = []
    for row in await schedule_store.list_patterns(conn, site_id=site.id):
        instances.extend(rules.shift_instances(row.pattern, zone, first, last))
    return sorted(instances, key=lambda i: (i.starts_at, i.shift_name))


async def plan_roster(conn: Connection, *, site: SiteRow, start: datetime, end: datetime) -> Plan:
    instances = await instances_for(conn, site=site, start=start, end=end)
    in_period = [i for i in instances if start <= i.starts_at < end]
    rotations = await schedule_store.list_rotations(conn, site_id=site.id)
    planned = rules.generate_assignments(site.id, in_period, rotations)
    # Assignments already there that the publication does not replace (the night before, or
    # changes that stay) still cover the period.
    planned_ids = {a.id for a in planned}
    existing = [
        row.assignment
        for row in await schedule_store.list_assignments(conn, site_id=site.id, start=start - LOOK_BACK, end=end)
        if row.assignment.id not in planned_ids and not (start <= row.assignment.starts_at < end)
    ]
    coverage = planned + existing
    return Plan(
        start=start,
        end=end,
        assignments=planned,
        gaps=rules.find_gaps(start=start, end=end, instances=instances, assignments=coverage),
        violations=rules.check_rules(coverage, max_consecutive=site.max_consecutive_shifts),
    )


@dataclass(frozen=True)
class ChangeCheck:
    """Gaps and rule violations a change to the published roster would add."""

    new_gaps: list[rules.Gap]
    new_violations: list[rules.RuleViolation]

    @property
    def ok(self) -> bool:
        return not self.new_gaps and not self.new_violations

    def describe(self) -> str:
        parts = [
            f"{g.role} {g.present}/{g.required} from {g.starts_at.isoformat()} to {g.ends_at.isoformat()}"
            for g in self.new_gaps
        ] + [f"{v.rule}: {v.detail}" for v in self.new_violations]
        return "; ".join(parts)


async def check_change(
    conn: Connection,
    *,
    site: SiteRow,
    start: datetime,
    end: datetime,
    change: list[str],
    apply: Callable[[list[rules.Assignment]], list[rules.Assignment]],
) -> ChangeCheck:
    """Compare coverage and rules over [start, end) before and after ``apply`` (a function from the
    current assignments to the changed ones) for the assignments ``change`` touches."""
    window_start, window_end = start - LOOK_BACK, end + LOOK_BACK
    rows = await schedule_store.list_assignments(conn, site_id=site.id, start=window_start, end=window_end)
    before = [r.assignment for r in rows]
    # People coming in may have duty elsewhere at the same time.
    known = {a.id for a in before}
    after = apply(before)
    outside: list[rules.Assignment] = []
    for person in {a.person_id for a in after if a.id in change}:
        for other in await schedule_store.person_assignments(
            conn, person_id=person, start=window_start, end=window_end
        ):
            if other.id not in known:
                outside.append(other)
    instances = await instances_for(conn, site=site, start=start, end=end)
    gaps_before = set(rules.find_gaps(start=start, end=end, instances=instances, assignments=before))
    gaps_after = rules.find_gaps(start=start, end=end, instances=instances, assignments=after)
    rules_before = {
        (v.rule, v.person_id, v.assignment_ids)
        for v in rules.check_rules(before + outside, max_consecutive=site.max_consecutive_shifts)
    }
    violations_after = [
        v
        for v in rules.check_rules(after + outside, max_consecutive=site.max_consecutive_shifts)
        if (v.rule, v.person_id, v.assignment_ids) not in rules_before
    ]
    return ChangeCheck(new_gaps=[g for g in gaps_after if g not in gaps_before], new_violations=violations_after)


async def publish(
    conn: Connection,
    *,
    site: SiteRow,
    plan: Plan,
    override: str,
    published_by: str,
    actor: common_pb2.Actor | None = None,
) -> str:
    """Write a plan as the site's roster, with the publication record and roster.published."""
    if plan.gaps and not override:
        raise FailedPrecondition("a roster with gaps needs an override reason")
    # Nobody goes on duty without what the site requires of their role (值班资格), override or not.
    await competence_check.refuse_unqualified(
        conn, site_id=site.id, duties=competence_check.duties_of(plan.assignments)
    )
    publication_id = new_id("pub")
    await schedule_store.insert_publication(
        conn,
        publication_id=publication_id,
        site_id=site.id,
        start=plan.start,
        end=plan.end,
        override_reason=override,
        gaps=[
            {
                "role": g.role,
                "start": g.starts_at.isoformat(),
                "end": g.ends_at.isoformat(),
                "required": g.required,
                "present": g.present,
            }
            for g in plan.gaps
        ],
        published_by=published_by,
    )
    await schedule_store.publish_assignments(
        conn,
        site_id=site.id,
        start=plan.start,
        end=plan.end,
        assignments=plan.assignments,
        publication_id=publication_id,
    )
    # The roster as stored (a kept leave or swap holds its person), for readers of the stream.
    stored = await schedule_store.list_assignments(conn, site_id=site.id, start=plan.start, end=plan.end)
    await emit(
        conn,
        event_type="roster.published",
        site_id=site.id,
        aggregate_id=publication_id,
        aggregate_version=1,
        payload=event_pb2.RosterPublished(
            publication_id=publication_id,
            site_id=site.id,
            period=common_pb2.TimeRange(start=ts(plan.start), end=ts(plan.end)),
            assignments=len(plan.assignments),
            gaps=[convert.gap_message(site.id, g) for g in plan.gaps],
            override_reason=override,
            roster=[convert.assignment_row_message(r) for r in stored if r.assignment.starts_at >= plan.start],
        ),
        actor=actor,
    )
    return publication_id
