"""Emergency plans (应急预案), their activations and tasks, and the incident's response level (响应级别).
Keyword-only functions; the caller owns the transaction."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import asyncpg

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.incident.v1 import plans_pb2
from services.incident import convert, store
from services.incident.plan_rules import Contact, Plan, TaskDue, TaskSpec


@dataclass(frozen=True)
class StoredPlan:
    plan: Plan
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class ActivationRow:
    id: str
    incident_id: str
    plan_id: str
    plan_version: int
    activated_by_id: str
    activated_by_name: str
    activated_by_kind: str
    activated_at: datetime
    status: str
    ended_at: datetime | None
    workflow_started: bool


@dataclass(frozen=True)
class TaskRow:
    activation_id: str
    key: str
    title: str
    owner_person_id: str
    owner_role: str
    due_at: datetime
    status: str
    result: str
    completed_by_id: str
    completed_by_name: str
    completed_by_kind: str
    completed_at: datetime | None
    overdue: bool


def _stored(row: asyncpg.Record) -> StoredPlan:
    plan = Plan(
        id=row["id"],
        version=row["version"],
        name=row["name"],
        category=row["category"],
        sub_types=tuple(row["sub_types"]),
        severities=tuple(row["severities"]),
        response_level=row["response_level"],
        contacts=tuple(Contact(**c) for c in json.loads(row["contacts"])),
        tasks=tuple(
            TaskSpec(
                key=t["key"],
                title=t["title"],
                due_after=timedelta(seconds=t["due_after_seconds"]),
                owner_person_id=t["owner_person_id"],
                owner_role=t["owner_role"],
            )
            for t in json.loads(row["tasks"])
        ),
    )
    return StoredPlan(plan=plan, created_by=row["created_by"], created_at=row["created_at"])


async def insert_plan_version(conn: Connection, *, plan: Plan, created_by: str, at: datetime) -> StoredPlan:
    """Store ``plan`` as the next version of its id (the version given is ignored)."""
    # Serialises concurrent upserts of one plan (the next version is counted under the lock).
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('plan:' || $1))", plan.id)
    version = await conn.fetchval("SELECT COALESCE(max(version), 0) + 1 FROM plans WHERE id = $1", plan.id)
    tasks = [
        {
            "key": t.key,
            "title": t.title,
            "due_after_seconds": int(t.due_after.total_seconds()),
            "owner_person_id": t.owner_person_id,
            "owner_role": t.owner_role,
        }
        for t in plan.tasks
    ]
    row = await conn.fetchrow(
        """INSERT INTO plans (id, version, name, category, sub_types, severities, response_level, contacts, tasks,
               created_by, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *""",
        plan.id,
        version,
        plan.name,
        plan.category,
        list(plan.sub_types),
        list(plan.severities),
        plan.response_level,
        json.dumps([asdict(c) for c in plan.contacts], ensure_ascii=False),
        json.dumps(tasks, ensure_ascii=False),
        created_by,
        at,
    )
    assert row is not None
    return _stored(row)


async def ensure_plans(conn: Connection, *, plans: list[Plan], created_by: str, at: datetime) -> int:
    """Install ``plans`` whose id has no version yet (the demo's set); how many were installed."""
    stored = {r["id"] for r in await conn.fetch("SELECT DISTINCT id FROM plans")}
    missing = [p for p in plans if p.id not in stored]
    for plan in missing:
        await insert_plan_version(conn, plan=plan, created_by=created_by, at=at)
    return len(missing)


async def latest_plans(conn: Connection) -> list[StoredPlan]:
    rows = await conn.fetch("SELECT DISTINCT ON (id) * FROM plans ORDER BY id, version DESC")
    return [_stored(r) for r in rows]


async def plan_versions(conn: Connection, *, plan_id: str) -> list[StoredPlan]:
    """Every version of one plan, newest first."""
    rows = await conn.fetch("SELECT * FROM plans WHERE id = $1 ORDER BY version DESC", plan_id)
    return [_stored(r) for r in rows]


async def plan_version(conn: Connection, *, plan_id: str, version: int) -> StoredPlan | None:
    row = await conn.fetchrow("SELECT * FROM plans WHERE id = $1 AND version = $2", plan_id, version)
    return _stored(row) if row is not None else None


# --- activations and their tasks -------------------------------------------------------------------


async def insert_activation(conn: Connection, *, activation: ActivationRow, tasks: list[TaskDue]) -> bool:
    """The activation and its tasks; False when the incident has this plan activated already."""
    inserted = await conn.fetchval(
        """INSERT INTO plan_activations (id, incident_id, plan_id, plan_version, activated_by_id, activated_by_name,
               activated_by_kind, activated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (incident_id, plan_id) DO NOTHING RETURNING true""",
        activation.id,
        activation.incident_id,
        activation.plan_id,
        activation.plan_version,
        activation.activated_by_id,
        activation.activated_by_name,
        activation.activated_by_kind,
        activation.activated_at,
    )
    if not inserted:
        return False
    await conn.executemany(
        """INSERT INTO plan_tasks (activation_id, key, title, owner_person_id, owner_role, due_at)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        [(activation.id, t.key, t.title, t.owner_person_id, t.owner_role, t.due_at) for t in tasks],
    )
    return True


async def activation(conn: Connection, *, activation_id: str) -> ActivationRow | None:
    row = await conn.fetchrow("SELECT * FROM plan_activations WHERE id = $1", activation_id)
    return ActivationRow(**dict(row)) if row is not None else None


async def activation_of(conn: Connection, *, incident_id: str, plan_id: str) -> ActivationRow | None:
    row = await conn.fetchrow(
        "SELECT * FROM plan_activations WHERE incident_id = $1 AND plan_id = $2", incident_id, plan_id
    )
    return ActivationRow(**dict(row)) if row is not None else None


async def activations(conn: Connection, *, incident_id: str) -> list[ActivationRow]:
    rows = await conn.fetch(
        "SELECT * FROM plan_activations WHERE incident_id = $1 ORDER BY activated_at, id", incident_id
    )
    return [ActivationRow(**dict(r)) for r in rows]


async def unstarted(conn: Connection) -> list[ActivationRow]:
    """Activations whose workflow has not been started yet (Temporal was away)."""
    rows = await conn.fetch("SELECT * FROM plan_activations WHERE NOT workflow_started ORDER BY activated_at LIMIT 100")
    return [ActivationRow(**dict(r)) for r in rows]


async def mark_started(conn: Connection, *, activation_id: str) -> None:
    await conn.execute("UPDATE plan_activations SET workflow_started = true WHERE id = $1", activation_id)


async def tasks(conn: Connection, *, activation_id: str) -> list[TaskRow]:
    rows = await conn.fetch("SELECT * FROM plan_tasks WHERE activation_id = $1 ORDER BY due_at, key", activation_id)
    return [TaskRow(**dict(r)) for r in rows]


async def task(conn: Connection, *, activation_id: str, key: str) -> TaskRow | None:
    row = await conn.fetchrow("SELECT * FROM plan_tasks WHERE activation_id = $1 AND key = $2", activation_id, key)
    return TaskRow(**dict(row)) if row is not None else None


async def complete_task(
    conn: Connection, *, activation_id: str, key: str, result: str, actor: common_pb2.Actor, at: datetime
) -> bool:
    """Mark an open task done; False when it was done already."""
    done = await conn.fetchval(
        """UPDATE plan_tasks SET status = 'done', result = $3, completed_by_id = $4, completed_by_name = $5,
               completed_by_kind = $6, completed_at = $7
           WHERE activation_id = $1 AND key = $2 AND status = 'open' RETURNING true""",
        activation_id,
        key,
        result,
        actor.person_id,
        actor.display_name,
        actor.kind,
        at,
    )
    return bool(done)


async def mark_overdue(conn: Connection, *, activation_id: str, key: str) -> None:
    await conn.execute(
        "UPDATE plan_tasks SET overdue = true WHERE activation_id = $1 AND key = $2 AND status = 'open'",
        activation_id,
        key,
    )


async def end_activation(conn: Connection, *, activation_id: str, status: str, at: datetime) -> bool:
    """Completed or ended; False when it was over already."""
    ended = await conn.fetchval(
        "UPDATE plan_activations SET status = $2, ended_at = $3 WHERE id = $1 AND status = 'active' RETURNING true",
        activation_id,
        status,
        at,
    )
    return bool(ended)


# --- the response level ----------------------------------------------------------------------------


async def set_response_level(conn: Connection, *, incident_id: str, level: str, at: datetime) -> store.IncidentRow:
    """The incident's response level ("" lifted), as a new version of the incident."""
    await conn.execute(
        "UPDATE incidents SET response_level = $2, response_changed_at = $3, version = version + 1 WHERE id = $1",
        incident_id,
        level,
        at,
    )
    incident = await store.get_incident(conn, incident_id=incident_id)
    assert incident is not None
    return incident


# --- the timeline and the stream -------------------------------------------------------------------


async def publish(
    conn: Connection,
    *,
    incident_id: str,
    event_type: str | None,
    kind: str,
    text: str,
    actor: common_pb2.Actor,
    at: datetime,
    dedupe_key: str,
    activation: plans_pb2.PlanActivation | None = None,
    task: plans_pb2.PlanTask | None = None,
) -> bool:
    """A timeline entry on the incident and its event, unless ``event_type`` is None (the incident as it
    is now, with the plan's activation and task when given); False when an earlier attempt recorded it
    already."""
    added = await store.append_timeline(
        conn,
        incident_id=incident_id,
        at=at,
        actor_id=actor.person_id,
        actor_name=actor.display_name,
        actor_kind=actor.kind,
        kind=kind,
        text=text,
        dedupe_key=dedupe_key,
    )
    if not added or event_type is None:
        return added
    incident = await store.get_incident(conn, incident_id=incident_id)
    entry = await store.timeline_entry(conn, dedupe_key=dedupe_key)
    assert incident is not None and entry is not None
    payload = event_pb2.IncidentChanged(
        incident=convert.incident_message(incident, now=at),
        detail=text,
        entry=convert.timeline_message(entry),
        plan_activation=activation,
        plan_task=task,
    )
    await emit(
        conn,
        event_type=event_type,
        site_id=incident.site_id,
        aggregate_id=incident.id,
        aggregate_version=incident.version,
        payload=payload,
        drill=incident.drill,
        actor=actor,
        occurred_at=at,
    )
    return True
