"""`dutyline incident …`: the emergency process (应急处置) for officers and duty leaders — the incidents
of a site, one incident with its deadlines and the time left, verifying (核实), reclassifying, reports
(报告带班领导, 初报, 续报, 终报), progress, feedback to the caller, closing, merging a duplicate, the
timeline, reporting violations (迟报/漏报) and a live duty board.

An illegal step or a refused close is FAILED_PRECONDITION, shown as one line ("Refused …") with exit
code 2, like every other error. Every step sends an idempotency key (a fresh UUID unless
``--idempotency-key`` names one, so that a script can retry safely). Times are shown in the site's
zone (roster GetSite), Asia/Shanghai when it cannot be found; drills are labelled 【演练 DRILL】.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape

from dutyline.cli.common import connect
from dutyline.cli.common.enums import Choices, enum_value
from dutyline.cli.common.i18n import t
from dutyline.cli.common.lookups import DEFAULT_ZONE
from dutyline.cli.common.session import (
    FromOpt,
    KeyOpt,
    LangOpt,
    SiteOpt,
    StateDirOpt,
    TokenOpt,
    ToOpt,
    new_key,
    read_text,
    session,
    site_or_default,
    start_session,
)
from dutyline.cli.common.state import DEFAULT_STATE_DIR
from dutyline.cli.common.times import local_period, parse_date, when
from dutyline.cli.incident import report_versions, views
from dutyline.cli.incident.client import MAX_PAGE, STEP_TIMEOUT, TIMEOUT, Incidents, call
from dutyline.cli.incident.watch import live_board, print_changes
from dutyline.common.v1 import common_pb2
from dutyline.incident.v1 import incident_pb2

T = TypeVar("T")

incident_app = typer.Typer(
    help="突发事件 Incidents: list, show, verify, reclassify, report, progress, feedback, close, merge, "
    "timeline, violations, policies, watch; correct a report (更正) and list its versions.",
    no_args_is_help=True,
)

# -- choices and options ----------------------------------------------------------------------------


# From the protos: a stage, grade, category or kind added there is a choice here. "unrated" is what a
# severity is before verification, never a grade anyone gives.
STAGES = Choices.of_enum(incident_pb2.Stage)
SEVERITIES = Choices.of_enum(common_pb2.Severity, leave_out=("unrated",), upper=True)
CATEGORIES = Choices.of_enum(incident_pb2.IncidentCategory)
KINDS = Choices.of_enum(incident_pb2.ReportKind)


def _value(enum: Any, choice: str | None) -> str | None:
    """The API's name of a choice (STAGE_VERIFY for verify); None leaves a filter or an optional value unset."""
    return enum_value(enum, choice) if choice else None


IncidentArg = Annotated[str, typer.Argument(metavar="ID", help="事件编号 incident id")]
StageOpt = Annotated[str | None, STAGES.option("--stage", help="阶段 stage")]
SeverityOpt = Annotated[str | None, SEVERITIES.option("--severity", help="等级 I 特别重大, II 重大, III 较大, IV 一般")]
CategoryOpt = Annotated[str | None, CATEGORIES.option("--category", help="类别 category")]
SubTypeOpt = Annotated[str, typer.Option("--sub-type", help="细类 sub-type, e.g. flood, fire, road_traffic, gas")]
DrillsOpt = Annotated[bool, typer.Option("--drills", help="包括演练 include drills")]
DeathsOpt = Annotated[int | None, typer.Option("--deaths", min=0, help="死亡 deaths")]
SeriousOpt = Annotated[int | None, typer.Option("--serious", min=0, help="重伤 serious injuries")]
InjuriesOpt = Annotated[int | None, typer.Option("--injuries", min=0, help="轻伤 injuries")]
MissingOpt = Annotated[int | None, typer.Option("--missing", min=0, help="下落不明 missing")]
LossOpt = Annotated[int | None, typer.Option("--loss", min=0, metavar="YUAN", help="直接经济损失（元） loss in yuan")]


def _casualties(
    deaths: int | None, serious: int | None, injuries: int | None, missing: int | None, loss: int | None
) -> incident_pb2.Casualties | None:
    """The figures given on the command line; None when none was."""
    figures = (deaths, serious, injuries, missing, loss)
    if all(figure is None for figure in figures):
        return None
    d, s, i, m, yuan = (figure or 0 for figure in figures)
    return incident_pb2.Casualties(deaths=d, serious_injuries=s, injuries=i, missing=m, loss_yuan=yuan)


# -- the group and its calls ------------------------------------------------------------------------


@incident_app.callback()
def incident_main(
    ctx: typer.Context, lang: LangOpt = None, token: TokenOpt = None, state_dir: StateDirOpt = DEFAULT_STATE_DIR
) -> None:
    """突发事件 The emergency process: register → verify 核实 → escalate 上报 → track 跟踪 → feedback 反馈 → close."""
    start_session(ctx, "incident", lang, token, state_dir)


def _now() -> datetime:
    return datetime.now(UTC)


def _done(out: Console, incident: incident_pb2.Incident, message: str, style: str = "green") -> None:
    """A step's confirmation on one line (marked for a drill)."""
    text = " ".join(part for part in (views.drill(incident), message) if part)
    out.print(f"[{style}]{escape(text)}[/]", soft_wrap=True)


def _policy(incident: incident_pb2.Incident) -> str:
    return f"{incident.policy_id} v{incident.policy_version}" if incident.policy_id else t("verify.no_policy")


async def _changed(ix: Incidents, step: Awaitable[incident_pb2.Incident]) -> tuple[incident_pb2.Incident, ZoneInfo]:
    """A step that answers with the incident as it is now, and the zone of its site."""
    changed = await step
    return changed, await ix.zone(changed.site_id)


async def _recorded(ix: Incidents, step: Awaitable[T], incident_id: str) -> tuple[T, incident_pb2.Incident, ZoneInfo]:
    """A step that answers with what it recorded, then the incident as it is now and the zone of its site."""
    made = await step
    found = await ix.get(incident_id)
    return made, found, await ix.zone(found.site_id)


# -- reading ----------------------------------------------------------------------------------------


@incident_app.command("list")
def list_incidents(
    ctx: typer.Context,
    site: SiteOpt = None,
    stage: StageOpt = None,
    severity: SeverityOpt = None,
    category: CategoryOpt = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="只看已超时的 only with a passed deadline")] = False,
    drills: DrillsOpt = False,
    open_only: Annotated[bool, typer.Option("--open", help="只看未结案的 only not closed")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=MAX_PAGE - 1, help="最多显示 at most this many")] = 100,
) -> None:
    """事件列表 The incidents of a site, newest first, with the next deadline and the time left."""
    target = session(ctx).target()
    site_id = site_or_default(site, target)
    request = incident_pb2.ListIncidentsRequest(
        site_id=site_id,
        stage=_value(incident_pb2.Stage, stage),
        severity=_value(common_pb2.Severity, severity),
        category=_value(incident_pb2.IncidentCategory, category),
        overdue_only=overdue,
        include_drills=drills,
        open_only=open_only,
        # One more than shown: the reply has a next page token whenever the page is full.
        page=common_pb2.PageRequest(page_size=limit + 1),
    )

    async def work(ix: Incidents) -> tuple[list[incident_pb2.Incident], ZoneInfo, str]:
        listed = await ix.stub.ListIncidents(request, timeout=TIMEOUT)
        return list(listed.incidents), await ix.zone(site_id), await ix.site_label(site_id)

    found, zone, name = call(ctx, work, target=target)
    out = session(ctx).out
    if not found:
        out.print(t("incidents.none"))
        return
    out.print(views.incidents(found[:limit], t("incidents.title", site=name, zone=zone.key), zone, _now()))
    if len(found) > limit:
        out.print(f"[yellow]{escape(t('incidents.more', count=limit))}[/]")


@incident_app.command()
def show(ctx: typer.Context, incident: IncidentArg) -> None:
    """查看事件 One incident with its pending deadlines and the time left.

    Stage, class, severity (and the one suggested for an accident), who answers for it, the deadlines in
    the site's zone, the reports made and the calls."""

    async def work(ix: Incidents) -> tuple[incident_pb2.Incident, ZoneInfo, str, dict[str, str]]:
        found = await ix.get(incident)
        people = [found.responsible_person_id, found.first_responder_id, found.assignee_id]
        zone, name, names = await asyncio.gather(ix.zone(found.site_id), ix.site_label(found.site_id), ix.names(people))
        return found, zone, name, names

    found, zone, name, names = call(ctx, work)
    session(ctx).out.print(views.incident_view(found, zone, name, names, _now()))


@incident_app.command()
def timeline(ctx: typer.Context, incident: IncidentArg) -> None:
    """处置记录 Every step of an incident in order: who did what, when."""

    async def work(ix: Incidents) -> tuple[incident_pb2.Incident, incident_pb2.GetTimelineResponse, ZoneInfo]:
        found = await ix.get(incident)
        entries = await ix.stub.GetTimeline(incident_pb2.GetTimelineRequest(incident_id=incident), timeout=TIMEOUT)
        return found, entries, await ix.zone(found.site_id)

    found, entries, zone = call(ctx, work)
    title = " ".join(part for part in (views.drill(found), t("timeline.title", id=found.id, zone=zone.key)) if part)
    session(ctx).out.print(views.timeline(entries.entries, title, zone))


@incident_app.command()
def violations(
    ctx: typer.Context,
    site: Annotated[str | None, typer.Option("--site", help="站点 site id (default: every site you may see)")] = None,
    person: Annotated[str | None, typer.Option("--person", help="人员编号 only this person")] = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    drills: DrillsOpt = False,
) -> None:
    """迟报漏报 Reporting violations: reports made late (迟报) and reports never made (漏报)."""
    first, last = parse_date(from_, "--from"), parse_date(to, "--to")

    async def work(ix: Incidents) -> tuple[list[incident_pb2.Violation], dict[str, ZoneInfo]]:
        zone = await ix.zone(site) if site else ZoneInfo(DEFAULT_ZONE)
        request = incident_pb2.ListViolationsRequest(
            site_id=site or "", person_id=person or "", period=local_period(zone, first, last), include_drills=drills
        )
        found: list[incident_pb2.Violation] = []
        while True:  # every page of the period
            page = await ix.stub.ListViolations(request, timeout=TIMEOUT)
            found.extend(page.violations)
            if not page.page.next_page_token:
                break
            request.page.page_token = page.page.next_page_token
        sites = sorted({v.site_id for v in found})
        zones = await asyncio.gather(*(ix.zone(s) for s in sites))
        return found, dict(zip(sites, zones, strict=True))

    found, zones = call(ctx, work)
    out = session(ctx).out
    if not found:
        out.print(t("violations.none"))
        return
    out.print(views.violations(found, zones))


@incident_app.command()
def policies(
    ctx: typer.Context,
    jurisdiction: Annotated[
        str, typer.Option("--jurisdiction", help="行政区划代码 division code: its own and its parents' policies")
    ] = "",
) -> None:
    """报告规则 Reporting policies in force: the reports due, the time to verify (核实时限) and how often
    the scene must report progress (现场联系)."""

    async def work(ix: Incidents) -> list[incident_pb2.ReportingPolicy]:
        request = incident_pb2.ListReportingPoliciesRequest(jurisdiction=jurisdiction)
        return list((await ix.stub.ListReportingPolicies(request, timeout=TIMEOUT)).policies)

    found = call(ctx, work)
    out = session(ctx).out
    out.print(views.policies(found) if found else t("policies.none"))


# -- the steps of the process -----------------------------------------------------------------------


@incident_app.command()
def verify(
    ctx: typer.Context,
    incident: IncidentArg,
    category: CategoryOpt = None,
    severity: SeverityOpt = None,
    sub_type: SubTypeOpt = "",
    deaths: DeathsOpt = None,
    serious: SeriousOpt = None,
    injuries: InjuriesOpt = None,
    missing: MissingOpt = None,
    loss: LossOpt = None,
    unfounded: Annotated[bool, typer.Option("--unfounded", help="核实不实 not founded: closes it")] = False,
    reason: Annotated[str, typer.Option("--reason", help="不实的理由 why it is unfounded")] = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """核实 Verify an incident (class and severity; plans the reporting deadlines), or find it unfounded."""
    casualties = _casualties(deaths, serious, injuries, missing, loss)
    if unfounded and (category or severity or casualties is not None):
        raise typer.BadParameter(t("error.unfounded_args"), param_hint="--unfounded")
    if unfounded and not reason.strip():
        raise typer.BadParameter(t("error.verify_args"), param_hint="--reason")
    if not unfounded and not (category and severity):
        raise typer.BadParameter(t("error.verify_args"), param_hint="--category / --severity")
    key = new_key(idempotency_key)
    request = incident_pb2.VerifyRequest(
        idempotency_key=key,
        incident_id=incident,
        confirmed=not unfounded,
        category=_value(incident_pb2.IncidentCategory, category),
        severity=_value(common_pb2.Severity, severity),
        sub_type=sub_type,
        casualties=casualties,
        reason=reason,
    )

    verified, zone = call(ctx, lambda ix: _changed(ix, ix.stub.Verify(request, timeout=STEP_TIMEOUT)), key=key)
    out = session(ctx).out
    if unfounded:
        _done(out, verified, t("verify.unfounded"))
        return
    _done(out, verified, t("verify.done", stage=views.stage(verified.stage), policy=_policy(verified)))
    if views.category_name(verified.category) == "accident":
        out.print(f"{t('col.severity')}: {escape(views.severity_text(verified))}", soft_wrap=True)
    out.print(views.deadlines(verified, zone, _now()))


@incident_app.command()
def reclassify(
    ctx: typer.Context,
    incident: IncidentArg,
    severity: Annotated[str, SEVERITIES.option("--severity", help="新等级 new severity")],
    reason: Annotated[str, typer.Option("--reason", help="调整理由 why the class changes")],
    category: CategoryOpt = None,
    sub_type: SubTypeOpt = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """等级调整 Reclassify a verified incident; the deadlines are re-planned (none is waived)."""
    key = new_key(idempotency_key)
    request = incident_pb2.ReclassifyRequest(
        idempotency_key=key,
        incident_id=incident,
        severity=_value(common_pb2.Severity, severity),
        category=_value(incident_pb2.IncidentCategory, category),
        sub_type=sub_type,
        reason=reason,
    )

    changed, zone = call(ctx, lambda ix: _changed(ix, ix.stub.Reclassify(request, timeout=STEP_TIMEOUT)), key=key)
    out = session(ctx).out
    _done(out, changed, t("reclassify.done", severity=views.severity(changed.severity), policy=_policy(changed)))
    out.print(views.deadlines(changed, zone, _now()))


@incident_app.command()
def report(
    ctx: typer.Context,
    incident: IncidentArg,
    kind: Annotated[str, KINDS.option("--kind", help="报告类型 kind of report")],
    to: Annotated[str, typer.Option("--to", metavar="RECIPIENT", help="报送对象 to whom it was reported")],
    content: Annotated[str, typer.Option("--content", help="报告内容 the report; - reads standard input")] = "",
    unit: Annotated[str, typer.Option("--unit", help="事故发生单位概况 the unit (accidents)")] = "",
    scene: Annotated[str, typer.Option("--scene", help="时间、地点以及现场情况 time, place and scene")] = "",
    what: Annotated[str, typer.Option("--what", help="简要经过 what happened")] = "",
    measures: Annotated[str, typer.Option("--measures", help="已经采取的措施 measures taken")] = "",
    other: Annotated[str, typer.Option("--other", help="其他应当报告的情况 anything else to report")] = "",
    deaths: DeathsOpt = None,
    serious: SeriousOpt = None,
    injuries: InjuriesOpt = None,
    missing: MissingOpt = None,
    loss: LossOpt = None,
    idempotency_key: KeyOpt = None,
) -> None:
    """报告 Record a report made: to the duty leader, initial (phone, written), follow-up (续报) or final (终报).

    A written report of a production-safety accident carries the six items (事故报告六要素): --unit --scene
    --what, the casualties and loss, --measures, --other."""
    text = read_text(content)
    casualties = _casualties(deaths, serious, injuries, missing, loss)
    key = new_key(idempotency_key)
    report_kind = enum_value(incident_pb2.ReportKind, kind)
    request = incident_pb2.SubmitReportRequest(
        idempotency_key=key, incident_id=incident, kind=report_kind, recipient=to, content=text
    )
    if any((unit, scene, what, measures, other)):
        request.accident.CopyFrom(
            incident_pb2.AccidentReportContent(
                unit=unit, time_place_scene=scene, what_happened=what, measures=measures, other=other
            )
        )
        if casualties is not None:  # without them the server names what is missing
            request.accident.casualties.CopyFrom(casualties)
    elif casualties is not None:
        request.casualties.CopyFrom(casualties)
    elif not text.strip():
        raise typer.BadParameter(t("error.need_content"), param_hint="--content")

    made, found, zone = call(
        ctx, lambda ix: _recorded(ix, ix.stub.SubmitReport(request, timeout=STEP_TIMEOUT), incident), key=key
    )
    out = session(ctx).out
    line = t(
        "reported.done",
        kind=views.report_kind(made.kind, made.number),
        recipient=made.recipient,
        at=when(made, "submitted_at", zone, f"%H:%M:%S ({zone.key})"),
        timing=views.timing(made).plain,
    )
    _done(out, found, line, "red" if made.late_seconds > 0 else "green")
    if found.stage != incident_pb2.STAGE_CLOSED:
        out.print(views.deadlines(found, zone, _now()))


@incident_app.command()
def progress(
    ctx: typer.Context,
    incident: IncidentArg,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="进展 what was done or changed; - reads standard input")],
    idempotency_key: KeyOpt = None,
) -> None:
    """进展 Record progress on an incident (跟踪)."""
    key = new_key(idempotency_key)
    request = incident_pb2.AddProgressRequest(idempotency_key=key, incident_id=incident, text=read_text(text))

    entry, found, zone = call(
        ctx, lambda ix: _recorded(ix, ix.stub.AddProgress(request, timeout=STEP_TIMEOUT), incident), key=key
    )
    _done(session(ctx).out, found, t("progress.done", at=when(entry, "at", zone, "%H:%M:%S")))


@incident_app.command()
def feedback(
    ctx: typer.Context,
    incident: IncidentArg,
    method: Annotated[str, typer.Option("--method", help="方式 how the caller was told: phone, SMS, visit…")],
    message: Annotated[str, typer.Option("--message", help="反馈内容 what the caller was told")],
    call_id: Annotated[str, typer.Option("--call", metavar="CALL_ID", help="来电编号 the call answered")] = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """反馈 Record the feedback given to the caller (required before closing)."""
    key = new_key(idempotency_key)
    request = incident_pb2.RecordFeedbackRequest(
        idempotency_key=key, incident_id=incident, call_id=call_id, method=method, message=message
    )

    entry, found, zone = call(
        ctx, lambda ix: _recorded(ix, ix.stub.RecordFeedback(request, timeout=STEP_TIMEOUT), incident), key=key
    )
    at = when(entry, "at", zone, "%H:%M:%S")
    _done(session(ctx).out, found, t("feedback.done", at=at, stage=views.stage(found.stage)))


@incident_app.command()
def close(
    ctx: typer.Context,
    incident: IncidentArg,
    summary: Annotated[str, typer.Option("--summary", help="结案摘要 closing summary")],
    override: Annotated[
        str,
        typer.Option("--override", metavar="REASON", help="管理员强制结案理由 admin: close despite what is missing"),
    ] = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """结案 Close an incident: refused while feedback or a due report (the final report 终报) is missing."""
    key = new_key(idempotency_key)
    request = incident_pb2.CloseRequest(
        idempotency_key=key, incident_id=incident, summary=summary, override_reason=override
    )

    closed, zone = call(ctx, lambda ix: _changed(ix, ix.stub.Close(request, timeout=STEP_TIMEOUT)), key=key)
    out = session(ctx).out
    _done(out, closed, t("close.done", id=closed.id, at=when(closed, "closed_at", zone, f"%H:%M:%S ({zone.key})")))
    if override:
        _done(out, closed, t("close.override", reason=override.strip()), "yellow")


@incident_app.command()
def merge(
    ctx: typer.Context,
    duplicate: Annotated[str, typer.Argument(metavar="DUPLICATE", help="重复的事件 the duplicate incident")],
    into: Annotated[str, typer.Option("--into", metavar="PRIMARY", help="并入的事件 the incident it merges into")],
    reason: Annotated[str, typer.Option("--reason", help="理由 why")] = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """并案 Merge a duplicate into another incident of the same site: its calls and reports move there."""
    key = new_key(idempotency_key)
    request = incident_pb2.MergeRequest(idempotency_key=key, duplicate_id=duplicate, primary_id=into, reason=reason)

    async def work(ix: Incidents) -> tuple[incident_pb2.Incident, ZoneInfo, str]:
        primary = await ix.stub.Merge(request, timeout=2 * STEP_TIMEOUT)
        return primary, await ix.zone(primary.site_id), await ix.site_label(primary.site_id)

    primary, zone, name = call(ctx, work, key=key)
    out = session(ctx).out
    _done(out, primary, t("merge.done", duplicate=duplicate, primary=primary.id))
    out.print(views.details(primary, zone, name, {}))


@incident_app.command()
def merges(
    ctx: typer.Context,
    site: Annotated[str | None, typer.Option("--site", help="站点 site id (default: every site you may see)")] = None,
    drills: DrillsOpt = False,
) -> None:
    """疑似重复事件 Incidents intake found to be one event, for the duty leader to merge or dismiss."""
    request = incident_pb2.ListMergeSuggestionsRequest(site_id=site or "", open_only=True, include_drills=drills)
    reply = call(ctx, lambda ix: ix.stub.ListMergeSuggestions(request, timeout=STEP_TIMEOUT))
    out = session(ctx).out
    if not reply.suggestions:
        out.print(t("merges.none"))
        return
    out.print(f"[bold]{escape(t('merges.title'))}[/]")
    for s in reply.suggestions:
        out.print(
            f"{s.id}  {s.primary_id} {escape(s.primary_title)} ← {s.duplicate_id} {escape(s.duplicate_title)}"
            f"  {s.score:.2f}  {escape('; '.join(s.evidence[:3]))}",
            soft_wrap=True,
        )


@incident_app.command(name="merge-decide")
def merge_decide(
    ctx: typer.Context,
    suggestion: Annotated[str, typer.Argument(metavar="SUGGESTION", help="疑似重复事件编号 the proposal (mrg-…)")],
    dismiss: Annotated[bool, typer.Option("--dismiss", help="不是同一事件 they are different events")] = False,
    reason: Annotated[str, typer.Option("--reason", help="理由 why")] = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """合并或驳回 The duty leader's one action on a proposal: merge (default) or --dismiss."""
    key = new_key(idempotency_key)
    request = incident_pb2.DecideMergeSuggestionRequest(
        idempotency_key=key, suggestion_id=suggestion, merge=not dismiss, reason=reason
    )
    decided = call(ctx, lambda ix: ix.stub.DecideMergeSuggestion(request, timeout=2 * STEP_TIMEOUT), key=key)
    line = t(
        "merges.merged" if decided.status == "merged" else "merges.dismissed",
        duplicate=decided.duplicate_id,
        primary=decided.primary_id,
    )
    session(ctx).out.print(f"[green]{escape(line)}[/]", soft_wrap=True)


# -- the live duty board ----------------------------------------------------------------------------


@incident_app.command()
def watch(
    ctx: typer.Context,
    site: Annotated[
        str | None,
        typer.Option("--site", help="站点 site id (default: the token's site; with --once every site you may see)"),
    ] = None,
    drills: DrillsOpt = False,
    once: Annotated[
        bool, typer.Option("--once", help="逐行打印变化后退出 print changes for --seconds, then exit")
    ] = False,
    seconds: Annotated[
        float, typer.Option("--seconds", min=0.1, help="--once 时持续秒数 how long --once listens")
    ] = 10,
) -> None:
    """值班看板 A live board of the open incidents: stage and time left to the next deadline (Ctrl-C ends it)."""
    s = session(ctx)
    target = s.target()
    request = incident_pb2.WatchIncidentsRequest(site_id=site or "", include_drills=drills)
    if once:
        call(ctx, lambda ix: print_changes(ix, s.out, request, seconds), target=target)
        return
    # Without --site, the board of the token's site (listed first, then kept up to date).
    board_site = site or connect.default_site(target.token)
    request.site_id = board_site or ""
    try:
        call(ctx, lambda ix: live_board(ix, s.out, request, board_site), target=target)
    except KeyboardInterrupt:
        s.out.print(t("watch.stopped"))


@incident_app.command()
def correct(
    ctx: typer.Context,
    report_id: Annotated[str, typer.Argument(metavar="REPORT", help="报告编号 report id (incident show lists them)")],
    reason: Annotated[str, typer.Option("--reason", help="更正原因 why it is corrected")],
    content: Annotated[
        str, typer.Option("--content", help="更正后的内容 the corrected text; - reads standard input")
    ] = "",
    unit: Annotated[str, typer.Option("--unit", help="事故发生单位概况 the unit (accidents)")] = "",
    scene: Annotated[str, typer.Option("--scene", help="时间、地点以及现场情况 time, place and scene")] = "",
    what: Annotated[str, typer.Option("--what", help="简要经过 what happened")] = "",
    measures: Annotated[str, typer.Option("--measures", help="已经采取的措施 measures taken")] = "",
    other: Annotated[str, typer.Option("--other", help="其他应当报告的情况 anything else to report")] = "",
    deaths: DeathsOpt = None,
    serious: SeriousOpt = None,
    injuries: InjuriesOpt = None,
    missing: MissingOpt = None,
    loss: LossOpt = None,
    severity: SeverityOpt = None,
    cause: Annotated[str, typer.Option("--cause", help="事故原因 the cause")] = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """更正 Correct a report: a new version with the reason; what is left out stays as it was.

    A casualty figure left out stays as the report says it. Correcting casualties, loss, severity or
    cause later than the reporting policy allows (30 days, 7 for road traffic and fire) is 错报."""
    text = read_text(content) if content else ""
    given = {"deaths": deaths, "serious_injuries": serious, "injuries": injuries, "missing": missing, "loss_yuan": loss}
    accident = any((unit, scene, what, measures, other))
    figures = any(v is not None for v in given.values())
    if not (accident or figures or text.strip() or severity or cause.strip()):
        raise typer.BadParameter(t("correct.need_something"), param_hint="--content")
    key = new_key(idempotency_key)
    request = incident_pb2.CorrectReportRequest(
        idempotency_key=key,
        report_id=report_id,
        reason=reason,
        content=text,
        severity=_value(common_pb2.Severity, severity),
        cause=cause,
    )
    if accident:
        request.accident.CopyFrom(
            incident_pb2.AccidentReportContent(
                unit=unit, time_place_scene=scene, what_happened=what, measures=measures, other=other
            )
        )

    async def corrected(ix: Incidents) -> tuple[incident_pb2.Incident, list[incident_pb2.ReportVersion]]:
        if figures or accident:
            # The figures left out as the report says them now (an accident report carries all of them).
            now = await ix.stub.ListReportVersions(
                incident_pb2.ListReportVersionsRequest(report_id=report_id), timeout=TIMEOUT
            )
            merged = incident_pb2.Casualties(
                **{f: getattr(now.report.casualties, f) if v is None else v for f, v in given.items()}
            )
            (request.accident.casualties if accident else request.casualties).CopyFrom(merged)
        made = await ix.stub.CorrectReport(request, timeout=STEP_TIMEOUT)
        found = await ix.get(made.incident_id)
        listed = await ix.stub.ListReportVersions(
            incident_pb2.ListReportVersionsRequest(report_id=made.id), timeout=TIMEOUT
        )
        return found, list(listed.versions)

    found, listed = call(ctx, corrected, key=key)
    out = session(ctx).out
    latest = listed[-1]
    _done(out, found, t("correct.done", id=report_id, version=latest.version))
    for change in latest.changes:
        out.print(escape(report_versions.change_text(change)), soft_wrap=True)
    if latest.late and len(listed) > 1:
        # Charged to whoever wrote the version corrected.
        _done(out, found, t("correct.wrong_report", person=listed[-2].author_id), "red")


@incident_app.command()
def versions(
    ctx: typer.Context,
    report_id: Annotated[str, typer.Argument(metavar="REPORT", help="报告编号 report id")],
) -> None:
    """报告版本 Every version of a report, oldest first, with what changed and why (更正记录)."""

    async def work(ix: Incidents) -> tuple[incident_pb2.ListReportVersionsResponse, ZoneInfo]:
        listed = await ix.stub.ListReportVersions(
            incident_pb2.ListReportVersionsRequest(report_id=report_id), timeout=TIMEOUT
        )
        found = await ix.get(listed.report.incident_id)
        return listed, await ix.zone(found.site_id)

    listed, zone = call(ctx, work)
    session(ctx).out.print(report_versions.versions_table(report_id, listed.versions, zone))
