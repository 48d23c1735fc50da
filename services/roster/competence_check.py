"""Refusing a person without a valid required qualification (值班资格) for the duty they would take: the
check rotations, publishing, leave substitutes and swaps share. A site that requires nothing refuses
nobody."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from dutyline.db.pool import Connection
from dutyline.grpckit.errors import FailedPrecondition
from services.roster import competence_rules, competence_store, rules


async def refuse_unqualified(conn: Connection, *, site_id: str, duties: Iterable[competence_rules.Duty]) -> None:
    """FAILED_PRECONDITION naming each person and the qualification they lack."""
    requirements = await competence_store.requirements(conn, site_id=site_id)
    if not requirements:
        return
    duties = list(duties)
    held = await competence_store.held(conn, person_ids={d.person_id for d in duties})
    missing = competence_rules.missing_qualifications(duties, requirements, held)
    if missing:
        raise FailedPrecondition(
            "缺少有效的值班资格 a required qualification is missing: " + "; ".join(m.describe() for m in missing)
        )


def duties_of(assignments: Iterable[rules.Assignment]) -> list[competence_rules.Duty]:
    return [competence_rules.Duty(a.person_id, a.role, a.local_date) for a in assignments]


def rotation_duties(rotation: rules.RotationSpec, *, time_zone: str, now: datetime) -> list[competence_rules.Duty]:
    """A rotation's people on its first day ahead (its start, or today once started): publishing checks
    each of their shifts later, when the days are known."""
    first = max(rotation.start_date, now.astimezone(ZoneInfo(time_zone)).date())
    return [competence_rules.Duty(p, rotation.role, first) for p in rotation.person_ids]
