"""`dutyline log show|sign`: a shift's duty log (值班日志) — its figures, check-ins, handover, the
things that happened line by line, and who signed — and the outgoing officer's or duty leader's
signature on it. ``show`` without ``--shift`` or ``--at`` shows the site's current shift, open while it
runs. Times are shown in the site's time zone; ``--at`` is read in ``--zone``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from google.protobuf.message import Message
from rich.markup import escape

from dutyline.cli.common.i18n import MESSAGES, label, language, t
from dutyline.cli.common.session import (
    KeyOpt,
    LangOpt,
    SiteOpt,
    StateDirOpt,
    TokenOpt,
    new_key,
    read_text,
    session,
    site_or_default,
    start_session,
)
from dutyline.cli.common.state import DEFAULT_STATE_DIR
from dutyline.cli.common.tables import Ids, list_table, record_table
from dutyline.cli.common.times import at_local, local_time, parse_moment, zone_named
from dutyline.cli.insight.client import TIMEOUT, run
from dutyline.common.v1 import common_pb2
from dutyline.grpckit.convert import ts
from dutyline.insight.v1 import insight_pb2, insight_pb2_grpc
from dutyline.labels import log_line, people, person

LOG_MESSAGES = {
    "log.title": (
        "值班日志 {site} {shift}（{start} — {end}，{zone}）第 {version} 版 · {state}",
        "Duty log {site} {shift} ({start} — {end}, {zone}), version {version} · {state}",
    ),
    "log.id": ("日志编号", "Log id"),
    "log.officers": ("值班员", "Officers"),
    "log.leaders": ("带班领导", "Duty leaders"),
    "log.correction": ("更正第 {version} 版：{reason}（{who}）", "Corrects version {version}: {reason} ({who})"),
    "log.remarks": ("更正说明", "Remarks"),
    "log.figures": ("本班数据", "Figures"),
    "log.fig.calls": ("来电", "Calls"),
    "log.fig.by_category": ("按类别", "By category"),
    "log.fig.by_channel": ("按渠道", "By channel"),
    "log.fig.answered": ("已接听 / 超三声", "Answered / after three rings"),
    "log.fig.answer_seconds": ("接听用时 平均 / 最长（秒）", "Answer time mean / max (s)"),
    "log.fig.missed": ("未接 / 放弃", "Missed / abandoned"),
    "log.fig.callbacks": ("回电 应办 / 按时 / 超时 / 未办", "Callbacks due / on time / late / open"),
    "log.fig.incidents": ("事件", "Incidents"),
    "log.fig.reports": ("报告 按时 / 迟报 / 漏报", "Reports on time / late / missed"),
    "log.fig.cases": ("工单 新建 / 答复", "Cases opened / answered"),
    "log.fig.notices": ("通知 / 要素不全", "Notices / incomplete"),
    "log.fig.escalations": ("升级 / 已确认", "Escalations / acknowledged"),
    "log.fig.violations": ("违规", "Violations"),
    "log.check_ins": ("签到", "Check-ins"),
    "log.handover": ("交接班", "Handover"),
    "log.handover_line": (
        "{status}：{outgoing} → {incoming}，提交 {submitted}，接收 {accepted}，遗留事项 {items} 项",
        "{status}: {outgoing} → {incoming}, submitted {submitted}, accepted {accepted}, {items} open items",
    ),
    "log.entries": ("值班记事", "What happened"),
    "log.entries_omitted": (
        "另有 {count} 条未列出（导出文件中有全部）",
        "{count} more not listed (the export has all)",
    ),
    "log.signatures": ("签字", "Signatures"),
    "log.unsigned": ("尚无签字", "Not signed yet"),
    "log.role.outgoing_officer": ("交班值班员", "outgoing officer"),
    "log.role.leader": ("带班领导", "duty leader"),
    "log.signed": ("已以{role}身份签署第 {version} 版（{state}）", "Signed version {version} as {role} ({state})"),
    "log.shift_or_at": ("--shift 与 --at 只能选一个", "give --shift or --at, not both"),
    "log.col.time": ("时间", "Time"),
    "log.col.kind": ("类型", "Kind"),
    "log.col.ref": ("记录", "Record"),
    "log.col.person": ("人员", "Person"),
    "log.col.summary": ("摘要", "Summary"),
    "log.col.role": ("角色", "Role"),
    "log.col.status": ("状态", "Status"),
    "log.col.signed_by": ("签字人", "Signed by"),
    "log.col.comment": ("意见", "Comment"),
}
MESSAGES.update(LOG_MESSAGES)

ROLES = {"officer": insight_pb2.SIGNER_ROLE_OUTGOING_OFFICER, "leader": insight_pb2.SIGNER_ROLE_LEADER}
ROLE_KEYS = {
    value: f"log.role.{name}" for name, value in (("outgoing_officer", ROLES["officer"]), ("leader", ROLES["leader"]))
}
FMT = "%Y-%m-%d %H:%M"

log_app = typer.Typer(help="值班日志 Duty logs: show a shift's log, sign it.", no_args_is_help=True)
ShiftOpt = Annotated[str | None, typer.Option("--shift", help="日志编号 the log (shift) id, dlog-…")]


@log_app.callback()
def log_main(
    ctx: typer.Context, lang: LangOpt = None, token: TokenOpt = None, state_dir: StateDirOpt = DEFAULT_STATE_DIR
) -> None:
    """值班日志 Duty logs of shifts."""
    start_session(ctx, "insight", lang, token, state_dir)


def _request(
    ctx: typer.Context, site: str | None, shift: str | None, at: str | None, zone: str, version: int
) -> insight_pb2.GetDutyLogRequest:
    if shift and at:
        raise typer.BadParameter(t("log.shift_or_at"), param_hint="--at")
    if shift:
        return insight_pb2.GetDutyLogRequest(log_id=shift, version=version)
    moment = parse_moment(at, "--at")
    instant = at_local(moment, zone_named(zone)) if moment is not None else datetime.now(UTC)
    site_id = site_or_default(site, session(ctx).target())
    return insight_pb2.GetDutyLogRequest(site_id=site_id, at=ts(instant), version=version)


def _when(message: Message, field: str, zone_name: str) -> str:
    at = local_time(message, field, zone_named(zone_name, "Asia/Shanghai"))
    return at.strftime(FMT) if at else "-"


def _counts(counts: list[insight_pb2.Count], kind: str) -> str:
    return ", ".join(f"{label(kind, c.key)} {c.count}" for c in counts) or "-"


def show_log(ctx: typer.Context, log: insight_pb2.DutyLog) -> None:
    out, zone = session(ctx).out, log.time_zone
    names = {p.person_id: p.display_name for p in log.people}
    title = t(
        "log.title",
        site=log.site_id,
        shift=log.shift_name,
        start=_when(log, "shift_start", zone),
        end=_when(log, "shift_end", zone),
        zone=zone,
        version=log.version,
        state=label("log_state", log.state),
    )
    rows = [
        (t("log.id"), log.id),
        (t("log.officers"), ", ".join(person(p, names) for p in log.officer_ids)),
        (t("log.leaders"), ", ".join(person(p, names) for p in log.leader_ids)),
    ]
    if log.corrects_version:
        who = _signer(log.corrected_by, names)
        rows.append(("", t("log.correction", version=log.corrects_version, reason=log.correction_reason, who=who)))
        rows.append((t("log.remarks"), log.correction_remarks))
    out.print(record_table(title, rows))
    f = log.figures
    out.print(
        record_table(
            t("log.figures"),
            [
                (t("log.fig.calls"), str(f.calls)),
                (t("log.fig.by_category"), _counts(list(f.calls_by_category), "call_category")),
                (t("log.fig.by_channel"), _counts(list(f.calls_by_channel), "channel")),
                (t("log.fig.answered"), f"{f.answered} / {f.answered_late}"),
                (t("log.fig.answer_seconds"), f"{f.answer_seconds_mean:.1f} / {f.answer_seconds_max:.1f}"),
                (t("log.fig.missed"), f"{f.missed} / {f.abandoned}"),
                (
                    t("log.fig.callbacks"),
                    f"{f.callbacks_due} / {f.callbacks_on_time} / {f.callbacks_late} / {f.callbacks_open}",
                ),
                (
                    t("log.fig.incidents"),
                    f"{f.incidents}  {_counts(list(f.incidents_by_category), 'incident_category')}",
                ),
                (t("log.fig.reports"), f"{f.reports_on_time} / {f.reports_late} / {f.reports_missed}"),
                (t("log.fig.cases"), f"{f.cases_opened} / {f.cases_answered}"),
                (t("log.fig.notices"), f"{f.notices} / {f.notices_incomplete}"),
                (t("log.fig.escalations"), f"{f.escalations} / {f.escalations_acknowledged}"),
                (t("log.fig.violations"), _counts(list(f.violations_by_kind), "score_kind")),
            ],
        )
    )
    if log.check_ins:
        table = list_table(
            t("log.check_ins"), Ids(t("log.col.person")), t("log.col.role"), t("log.col.status"), t("log.col.time")
        )
        for c in log.check_ins:
            table.add_row(
                person(c.person_id, names),
                label("role", c.role),
                label("status", c.status),
                _when(c, "checked_in_at", zone),
            )
        out.print(table)
    h = log.handover
    line = t(
        "log.handover_line",
        status=label("status", h.status or "not_submitted"),
        outgoing=person(h.outgoing_person_id, names) or "-",
        incoming=person(h.incoming_person_id, names) or "-",
        submitted=_when(h, "submitted_at", zone),
        accepted=_when(h, "accepted_at", zone),
        items=h.open_items,
    )
    out.print(f"[bold]{escape(t('log.handover'))}[/] {escape(line)}")
    if log.entries:
        table = list_table(
            t("log.entries"),
            t("log.col.time"),
            t("log.col.kind"),
            Ids(t("log.col.ref")),
            Ids(t("log.col.person")),
            t("log.col.summary"),
        )
        lang = language().value
        for e in log.entries:
            table.add_row(
                _when(e, "at", zone),
                label("log_entry", e.kind),
                e.ref_id,
                escape(people(e.person_id, names)),
                escape(log_line(e, "zh" if lang == "zh" else "en")),
            )
        out.print(table)
    if log.entries_omitted:
        out.print(t("log.entries_omitted", count=log.entries_omitted))
    if not log.signatures:
        out.print(t("log.unsigned"))
        return
    table = list_table(
        t("log.signatures"), t("log.col.role"), Ids(t("log.col.signed_by")), t("log.col.time"), t("log.col.comment")
    )
    for s in log.signatures:
        table.add_row(
            t(ROLE_KEYS[s.role]), escape(_signer(s.signed_by, names)), _when(s, "signed_at", zone), escape(s.comment)
        )
    out.print(table)


def _signer(actor: common_pb2.Actor, names: dict[str, str]) -> str:
    """A signer by roster's name, else the name they signed with, else their id."""
    if actor.person_id in names:
        return person(actor.person_id, names)
    return actor.display_name or actor.person_id


@log_app.command("show")
def show(
    ctx: typer.Context,
    site: SiteOpt = None,
    shift: ShiftOpt = None,
    at: Annotated[
        str | None, typer.Option("--at", metavar="YYYY-MM-DDTHH:MM", help="该时刻的班次 the shift then")
    ] = None,
    version: Annotated[int, typer.Option("--version", min=0, help="版本 a version (0: the latest)")] = 0,
    zone: Annotated[str, typer.Option("--zone", help="时区 the zone --at is read in")] = "Asia/Shanghai",
) -> None:
    """查看值班日志 A shift's duty log: --shift ID, or the shift of --site at --at (default: now)."""
    request = _request(ctx, site, shift, at, zone, version)

    async def work(stub: insight_pb2_grpc.InsightServiceStub) -> insight_pb2.DutyLog:
        answer: insight_pb2.DutyLog = await stub.GetDutyLog(request, timeout=TIMEOUT)
        return answer

    show_log(ctx, run(ctx, work))


@log_app.command("sign")
def sign(
    ctx: typer.Context,
    as_: Annotated[
        str,
        typer.Option("--as", metavar="officer|leader", help="签字身份 sign as the outgoing officer or the duty leader"),
    ],
    site: SiteOpt = None,
    shift: ShiftOpt = None,
    at: Annotated[
        str | None, typer.Option("--at", metavar="YYYY-MM-DDTHH:MM", help="该时刻的班次 the shift then")
    ] = None,
    version: Annotated[int, typer.Option("--version", min=0, help="所签版本 the version read (0: the latest)")] = 0,
    comment: Annotated[str | None, typer.Option("--comment", help="意见 a comment ('-': read from stdin)")] = None,
    zone: Annotated[str, typer.Option("--zone", help="时区 the zone --at is read in")] = "Asia/Shanghai",
    idempotency_key: KeyOpt = None,
) -> None:
    """签署值班日志 Sign a shift's log (after the shift ended) as its outgoing officer or duty leader."""
    if as_ not in ROLES:
        raise typer.BadParameter("officer | leader", param_hint="--as")
    request = _request(ctx, site, shift, at, zone, version)
    text = read_text(comment) if comment else ""
    key = new_key(idempotency_key)

    async def work(stub: insight_pb2_grpc.InsightServiceStub) -> insight_pb2.DutyLog:
        read = await stub.GetDutyLog(request, timeout=TIMEOUT)
        signed: insight_pb2.DutyLog = await stub.SignDutyLog(
            insight_pb2.SignDutyLogRequest(
                idempotency_key=key, log_id=read.id, version=read.version, role=ROLES[as_], comment=text
            ),
            timeout=TIMEOUT,
        )
        return signed

    signed = run(ctx, work, key=key)
    line = t(
        "log.signed", role=t(ROLE_KEYS[ROLES[as_]]), version=signed.version, state=label("log_state", signed.state)
    )
    session(ctx).out.print(f"[green]{escape(line)}[/]")
