"""Plans, activations and tasks between the store's rows and PlanService's messages."""

from __future__ import annotations

from datetime import timedelta

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.convert import ROLE_NAMES, ROLE_VALUES, ts
from dutyline.grpckit.errors import Violations
from dutyline.incident.v1 import plans_pb2
from services.incident import convert, plan_rules
from services.incident.plan_store import ActivationRow, StoredPlan, TaskRow


def plan_from_message(message: plans_pb2.Plan) -> plan_rules.Plan:
    """The plan a request describes (INVALID_ARGUMENT naming the field when it is inconsistent)."""
    plan = plan_rules.Plan(
        id=message.id.strip(),
        version=0,
        name=message.name.strip(),
        category=convert.name_of(convert.CATEGORIES, message.category),
        sub_types=tuple(dict.fromkeys(s.strip() for s in message.sub_types if s.strip())),
        severities=tuple(convert.name_of(convert.SEVERITIES, s) for s in message.severities),
        response_level=convert.name_of(convert.RESPONSE_LEVELS, message.response_level),
        contacts=tuple(
            plan_rules.Contact(
                name=c.name.strip(),
                person_id=c.person_id,
                role=ROLE_NAMES.get(c.role, ""),
                directory_entry_id=c.directory_entry_id,
                superior_office=c.superior_office,
            )
            for c in message.contacts
        ),
        tasks=tuple(
            plan_rules.TaskSpec(
                key=t.key,
                title=t.title.strip(),
                due_after=timedelta(seconds=t.due_after_seconds),
                owner_person_id=t.owner_person_id,
                owner_role=ROLE_NAMES.get(t.owner_role, ""),
            )
            for t in message.tasks
        ),
    )
    v = Violations()
    for field, description in plan_rules.plan_problems(plan):
        v.add(field, description)
    v.raise_if_any()
    return plan


def plan_message(stored: StoredPlan) -> plans_pb2.Plan:
    plan = stored.plan
    message = plans_pb2.Plan(
        id=plan.id,
        version=plan.version,
        name=plan.name,
        category=convert.CATEGORIES.get(plan.category, 0),
        sub_types=list(plan.sub_types),
        severities=[convert.SEVERITIES[s] for s in plan.severities],
        response_level=convert.RESPONSE_LEVELS.get(plan.response_level, 0),
        created_at=ts(stored.created_at),
        created_by=stored.created_by,
    )
    for c in plan.contacts:
        contact = message.contacts.add(name=c.name)
        if c.person_id:
            contact.person_id = c.person_id
        elif c.role:
            contact.role = ROLE_VALUES[c.role]
        elif c.directory_entry_id:
            contact.directory_entry_id = c.directory_entry_id
        else:
            contact.superior_office = True
    for t in plan.tasks:
        spec = message.tasks.add(key=t.key, title=t.title, due_after_seconds=int(t.due_after.total_seconds()))
        if t.owner_person_id:
            spec.owner_person_id = t.owner_person_id
        else:
            spec.owner_role = ROLE_VALUES[t.owner_role]
    return message


def task_message(task: TaskRow) -> plans_pb2.PlanTask:
    return plans_pb2.PlanTask(
        activation_id=task.activation_id,
        key=task.key,
        title=task.title,
        owner_person_id=task.owner_person_id,
        owner_role=ROLE_VALUES.get(task.owner_role, common_pb2.ROLE_UNSPECIFIED),
        due_at=ts(task.due_at),
        status=task.status,
        result=task.result,
        completed_by=(
            common_pb2.Actor(
                person_id=task.completed_by_id, display_name=task.completed_by_name, kind=task.completed_by_kind
            )
            if task.completed_by_id
            else None
        ),
        completed_at=ts(task.completed_at),
        overdue=task.overdue,
    )


def activation_message(
    activation: ActivationRow, *, plan: StoredPlan, tasks: list[TaskRow], site_id: str, drill: bool
) -> plans_pb2.PlanActivation:
    return plans_pb2.PlanActivation(
        id=activation.id,
        incident_id=activation.incident_id,
        site_id=site_id,
        plan_id=activation.plan_id,
        plan_version=activation.plan_version,
        plan_name=plan.plan.name,
        response_level=convert.RESPONSE_LEVELS.get(plan.plan.response_level, 0),
        activated_by=common_pb2.Actor(
            person_id=activation.activated_by_id,
            display_name=activation.activated_by_name,
            kind=activation.activated_by_kind,
        ),
        activated_at=ts(activation.activated_at),
        status=activation.status,
        ended_at=ts(activation.ended_at),
        tasks=[task_message(t) for t in tasks],
        drill=drill,
    )
