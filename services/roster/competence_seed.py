"""The demo's qualifications: its sites require the duty-officer training certificate (值班员培训合格证) of
officers, valid two years, and every demo person holds it, trained some months ago."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from dutyline.db.pool import Connection
from services.roster import competence_rules, competence_store

CERTIFICATE = "值班员培训合格证 duty-officer training certificate"
VALID_DAYS = 730
TRAINED_DAYS_AGO = 200


async def seed_demo_competence(
    conn: Connection, *, today: date, site_ids: Iterable[str], people: Iterable[tuple[str, str]]
) -> None:
    """``people``: (person id, site id) of every demo person."""
    requirement = competence_rules.Requirement("officer", CERTIFICATE, VALID_DAYS)
    for site_id in site_ids:
        await competence_store.set_requirements(
            conn, site_id=site_id, requirements=[requirement], updated_by="system:seed"
        )
    completed_on = today - timedelta(days=TRAINED_DAYS_AGO)
    for person_id, site_id in people:
        await competence_store.record_training(
            conn,
            training=competence_store.TrainingRow(
                id=f"trn-demo-{person_id}",
                person_id=person_id,
                site_id=site_id,
                qualification=CERTIFICATE,
                completed_on=completed_on,
                valid_until=competence_rules.valid_until_of(completed_on, VALID_DAYS),
                course="值班员岗位培训 Duty officer course",
                certificate_no=f"DEMO-{person_id}",
                recorded_by="system:seed",
                recorded_at=datetime.now(UTC),
            ),
        )
