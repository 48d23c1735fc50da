"""`dutyline plan …`: emergency plans (应急预案) — list them, show one, change them from a YAML or JSON
file (admins: each change a new version), activate one on an incident (the plan that fits, or the one
named), its tasks and marking one done, and the incident's response level (启动/解除 响应级别).

Every error is one line with exit code 2 ("Refused …" for a step not allowed now); every change sends
an idempotency key (``--idempotency-key`` to retry safely); times are in the incident's site's zone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import grpc
import typer
from rich.markup import escape

import dutyline.cli.plan.text  # noqa: F401  (adds the group's words to the CLI's catalogue)
from dutyline.cli.common import connect
from dutyline.cli.common.enums import Choices, enum_name, enum_value
from dutyline.cli.common.i18n import label, t
from dutyline.cli.common.lookups import RosterLookups, run_with_roster
from dutyline.cli.common.session import (
    KeyOpt,
    LangOpt,
    StateDirOpt,
    TokenOpt,
    new_key,
    read_text,
    session,
    start_session,
)
from dutyline.cli.common.state import DEFAULT_STATE_DIR
from dutyline.cli.common.tables import Ids, list_table, record_table
from dutyline.cli.common.times import when
from dutyline.cli.incident.views import span
from dutyline.common.v1 import common_pb2
from dutyline.grpckit.files import FileError, messages_from_yaml
from dutyline.incident.v1 import incident_pb2, plans_pb2, plans_pb2_grpc

TIMEOUT = 15.0
FMT = "%m-%d %H:%M"
LEVELS = Choices.of_enum(incident_pb2.ResponseLevel, upper=True)

plan_app = typer.Typer(
    help="应急预案 Emergency plans: list, show, upsert, activate, tasks, task done, respond, lift.",
    no_args_is_help=True,
)
task_app = typer.Typer(help="预案任务 A task of an activated plan.", no_args_is_help=True)
plan_app.add_typer(task_app, name="task")

IncidentArg = Annotated[str, typer.Argument(metavar="INCIDENT", help="事件编号 incident id")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="理由 why (who decided); - reads standard input")]


class Plans(RosterLookups):
    """The PlanService (hosted by the incident process), with the roster for the sites' zones."""

    def __init__(self, ch: grpc.aio.Channel, roster: grpc.aio.Channel) -> None:
        super().__init__(roster)
        self.stub = plans_pb2_grpc.PlanServiceStub(ch)


@plan_app.callback()
def plan_main(
    ctx: typer.Context, lang: LangOpt = None, token: TokenOpt = None, state_dir: StateDirOpt = DEFAULT_STATE_DIR
) -> None:
    """应急预案 Emergency plans: activated on an incident, their contacts are told and their tasks followed."""
    start_session(ctx, "incident", lang, token, state_dir)


# -- how things read --------------------------------------------------------------------------------


def level_text(level: int) -> str:
    return t("plan.level", level=enum_name(incident_pb2.ResponseLevel, level).upper()) if level else "—"


def fits(plan: plans_pb2.Plan) -> str:
    category = enum_name(incident_pb2.IncidentCategory, plan.category)
    parts = [label("incident_category", category) if category else t("plan.any")]
    if plan.sub_types:
        parts.append("/".join(plan.sub_types))
    if plan.severities:
        parts.append("、".join(label("severity", enum_name(common_pb2.Severity, s).upper()) for s in plan.severities))
    return " · ".join(parts)


def owner(person_id: str, role: int) -> str:
    return person_id or t("plan.role", role=label("role", enum_name(common_pb2.Role, role)))


def contact_target(contact: plans_pb2.PlanContact) -> str:
    target = contact.WhichOneof("target")
    if target == "person_id":
        return contact.person_id
    if target == "role":
        return t("plan.role", role=label("role", enum_name(common_pb2.Role, contact.role)))
    if target == "directory_entry_id":
        return t("plan.directory", id=contact.directory_entry_id)
    return t("plan.superior")


def print_tasks(ctx: typer.Context, title: str, tasks: list[plans_pb2.PlanTask], zone: ZoneInfo) -> None:
    table = list_table(
        title,
        Ids(t("plan.col.id")),
        t("plan.col.task"),
        t("plan.col.owner"),
        t("plan.col.due"),
        t("plan.col.status"),
        t("plan.col.result"),
    )
    for task in tasks:
        status = label("task_status", task.status) + (f" ({t('plan.overdue')})" if task.overdue else "")
        table.add_row(
            task.key,
            escape(task.title),
            escape(owner(task.owner_person_id, task.owner_role)),
            when(task, "due_at", zone, FMT),
            status,
            escape(task.result),
        )
    session(ctx).out.print(table)


# -- plans ------------------------------------------------------------------------------------------


@plan_app.command("list")
def list_(ctx: typer.Context) -> None:
    """预案列表 The emergency plans, each in its latest version."""

    async def work(px: Plans) -> plans_pb2.ListPlansResponse:
        return await px.stub.ListPlans(plans_pb2.ListPlansRequest(), timeout=TIMEOUT)

    found = run_with_roster(ctx, Plans, work)
    out = session(ctx).out
    if not found.plans:
        out.print(t("plan.none"))
        return
    table = list_table(
        t("plan.title", count=len(found.plans)),
        Ids(t("plan.col.id")),
        t("plan.col.version"),
        t("plan.col.name"),
        t("plan.col.fits"),
        t("plan.col.level"),
        t("plan.col.tasks"),
    )
    for p in found.plans:
        table.add_row(
            p.id, str(p.version), escape(p.name), escape(fits(p)), level_text(p.response_level), str(len(p.tasks))
        )
    out.print(table)


@plan_app.command()
def show(
    ctx: typer.Context,
    plan_id: Annotated[str, typer.Argument(metavar="PLAN", help="预案编号 plan id")],
    versions: Annotated[bool, typer.Option("--versions", help="列出所有版本 every version, newest first")] = False,
) -> None:
    """查看预案 One plan: what it is for, its response level, who is told and its checklist."""

    async def work(px: Plans) -> plans_pb2.ListPlansResponse:
        request = plans_pb2.ListPlansRequest(plan_id=plan_id, all_versions=versions)
        return await px.stub.ListPlans(request, timeout=TIMEOUT)

    found = run_with_roster(ctx, Plans, work)
    if not found.plans:
        connect.fail(t("plan.unknown", id=plan_id))
    out = session(ctx).out
    for p in found.plans:
        out.print(
            record_table(
                f"{p.name} — {p.id} v{p.version}",
                [
                    (t("plan.col.fits"), fits(p)),
                    (t("plan.col.level"), level_text(p.response_level)),
                    (t("plan.col.version"), f"{p.version} ({p.created_by})"),
                ],
            )
        )
        contacts = list_table(t("plan.contacts"), t("plan.col.contact"), t("plan.col.reached"))
        for c in p.contacts:
            contacts.add_row(escape(c.name), escape(contact_target(c)))
        out.print(contacts)
        tasks = list_table(
            t("plan.tasks"), Ids(t("plan.col.id")), t("plan.col.task"), t("plan.col.owner"), t("plan.col.due")
        )
        for task in p.tasks:
            tasks.add_row(
                task.key,
                escape(task.title),
                escape(owner(task.owner_person_id, task.owner_role)),
                t("plan.after", time=span(task.due_after_seconds)),
            )
        out.print(tasks)


@plan_app.command()
def upsert(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", exists=True, dir_okay=False, help="预案文件 a YAML or JSON file")
    ],
    idempotency_key: KeyOpt = None,
) -> None:
    """修订预案 Save the plans of a file, each as its next version (admins).

    The file holds one plan, a list, or a mapping with them under "plans": PlanService's Plan in the
    proto's JSON mapping (services/incident/demo_plans.yaml is an example)."""
    try:
        plans = messages_from_yaml(file.read_text(encoding="utf-8"), plans_pb2.Plan, key="plans")
    except (FileError, UnicodeDecodeError) as exc:
        connect.fail(t("plan.bad_file", path=file, problem=exc))
    key = new_key(idempotency_key)

    async def work(px: Plans) -> list[plans_pb2.Plan]:
        # One key per plan of the file: a retry of the whole file makes no second version of any.
        return [
            await px.stub.UpsertPlan(plans_pb2.UpsertPlanRequest(idempotency_key=f"{key}:{i}", plan=p), timeout=TIMEOUT)
            for i, p in enumerate(plans)
        ]

    for saved in run_with_roster(ctx, Plans, work, key=key):
        line = t("plan.saved", id=saved.id, version=saved.version, name=saved.name)
        session(ctx).out.print(f"[green]{escape(line)}[/]", soft_wrap=True)


# -- on an incident ---------------------------------------------------------------------------------


@plan_app.command()
def activate(
    ctx: typer.Context,
    incident: IncidentArg,
    plan_id: Annotated[
        str, typer.Option("--plan", metavar="PLAN", help="预案编号 this plan (default: the one that fits the incident)")
    ] = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """启动预案 Activate a plan on an incident: its contacts are told, its tasks get deadlines."""
    key = new_key(idempotency_key)
    request = plans_pb2.ActivatePlanRequest(idempotency_key=key, incident_id=incident, plan_id=plan_id)

    async def work(px: Plans) -> tuple[plans_pb2.PlanActivation, ZoneInfo]:
        made = await px.stub.ActivatePlan(request, timeout=TIMEOUT)
        return made, await px.zone(made.site_id)

    made, zone = run_with_roster(ctx, Plans, work, key=key)
    line = t("plan.activated", plan=made.plan_name, version=made.plan_version, id=made.id)
    session(ctx).out.print(f"[green]{escape(line)}[/]", soft_wrap=True)
    print_tasks(ctx, f"{made.plan_name} ({zone.key})", list(made.tasks), zone)


@plan_app.command()
def tasks(ctx: typer.Context, incident: IncidentArg) -> None:
    """预案任务 The plans activated on an incident and the state of their tasks."""

    async def work(px: Plans) -> tuple[plans_pb2.ListPlanActivationsResponse, ZoneInfo | None]:
        found = await px.stub.ListPlanActivations(
            plans_pb2.ListPlanActivationsRequest(incident_id=incident), timeout=TIMEOUT
        )
        return found, await px.zone(found.activations[0].site_id) if found.activations else None

    found, zone = run_with_roster(ctx, Plans, work)
    if zone is None:
        session(ctx).out.print(t("plan.activations_none"))
        return
    for a in found.activations:
        title = t("plan.activation_title", plan=a.plan_name, id=a.id, status=label("plan_status", a.status))
        print_tasks(ctx, title, list(a.tasks), zone)


@task_app.command("done")
def task_done(
    ctx: typer.Context,
    activation: Annotated[str, typer.Argument(metavar="ACTIVATION", help="启动编号 the activation's id")],
    task: Annotated[str, typer.Argument(metavar="TASK", help="任务编号 the task's key")],
    result: Annotated[str, typer.Option("--result", help="结果 what was done; - reads standard input")],
    idempotency_key: KeyOpt = None,
) -> None:
    """完成任务 Mark a task of an activated plan done, with its result."""
    key = new_key(idempotency_key)
    request = plans_pb2.CompleteTaskRequest(
        idempotency_key=key, activation_id=activation, task_key=task, result=read_text(result)
    )

    async def work(px: Plans) -> plans_pb2.PlanTask:
        return await px.stub.CompleteTask(request, timeout=TIMEOUT)

    done = run_with_roster(ctx, Plans, work, key=key)
    line = t("plan.task_done", task=done.title)
    session(ctx).out.print(f"[green]{escape(line)}[/]", soft_wrap=True)


@plan_app.command()
def respond(
    ctx: typer.Context,
    incident: IncidentArg,
    level: Annotated[str, LEVELS.option("--level", help="响应级别 response level, I the highest")],
    reason: ReasonOpt,
    idempotency_key: KeyOpt = None,
) -> None:
    """启动响应 Declare the incident's response level (it reaches subscribed agencies as a CAP Update)."""
    key = new_key(idempotency_key)
    request = plans_pb2.DeclareResponseRequest(
        idempotency_key=key,
        incident_id=incident,
        level=enum_value(incident_pb2.ResponseLevel, level),
        reason=read_text(reason),
    )

    async def work(px: Plans) -> incident_pb2.Incident:
        return await px.stub.DeclareResponse(request, timeout=TIMEOUT)

    changed = run_with_roster(ctx, Plans, work, key=key)
    line = t("plan.declared", level=level_text(changed.response_level))
    session(ctx).out.print(f"[green]{escape(line)}[/]", soft_wrap=True)


@plan_app.command()
def lift(ctx: typer.Context, incident: IncidentArg, reason: ReasonOpt, idempotency_key: KeyOpt = None) -> None:
    """解除响应 Lift the incident's response level."""
    key = new_key(idempotency_key)
    request = plans_pb2.LiftResponseRequest(idempotency_key=key, incident_id=incident, reason=read_text(reason))

    async def work(px: Plans) -> incident_pb2.Incident:
        return await px.stub.LiftResponse(request, timeout=TIMEOUT)

    run_with_roster(ctx, Plans, work, key=key)
    session(ctx).out.print(f"[green]{escape(t('plan.lifted'))}[/]", soft_wrap=True)
