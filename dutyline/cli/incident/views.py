"""How `dutyline incident …` shows incidents: names of API values, time left to a deadline, and the
tables of an incident, its deadlines, reports, timeline and violations, and the duty board of
`watch`. Times are shown in the site's zone; a drill is labelled 【演练 DRILL】 wherever it appears."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from dutyline.cli.common.enums import enum_name
from dutyline.cli.common.i18n import label, t
from dutyline.cli.common.tables import Ids, list_table, record_table
from dutyline.cli.common.times import when
from dutyline.cli.inbox.text import delivery
from dutyline.common.v1 import common_pb2
from dutyline.incident.v1 import incident_pb2

# Times of a row and of a record.
SHORT = "%m-%d %H:%M"
LONG = "%Y-%m-%d %H:%M:%S"

# -- names of API values ----------------------------------------------------------------------------


def stage_name(value: int) -> str:
    return enum_name(incident_pb2.Stage, value)


def category_name(value: int) -> str:
    return enum_name(incident_pb2.IncidentCategory, value)


def kind_name(value: int) -> str:
    return enum_name(incident_pb2.ReportKind, value)


def severity_name(value: int) -> str:
    """ "I" … "IV", "unrated", or "" when unspecified."""
    name = enum_name(common_pb2.Severity, value)
    return name if name in ("", "unrated") else name.upper()


def stage(value: int) -> str:
    return label("stage", stage_name(value))


def severity(value: int) -> str:
    return label("severity", severity_name(value))


def report_kind(kind: int, number: int = 0) -> str:
    return label("report", kind_name(kind)) + (f" #{number}" if number else "")


def drill(message: incident_pb2.Incident | incident_pb2.Violation) -> str:
    return t("incident.drill") if message.drill else ""


def titled(incident: incident_pb2.Incident) -> str:
    """The title, marked when the incident is a drill."""
    return " ".join(part for part in (drill(incident), incident.title) if part)


def classed(incident: incident_pb2.Incident) -> str:
    category = category_name(incident.category)
    if not category:
        return ""
    return label("incident_category", category) + (f" / {incident.sub_type}" if incident.sub_type else "")


def severity_text(incident: incident_pb2.Incident) -> str:
    """The severity, and for accidents the one the casualties and loss suggest (生产安全事故分级)."""
    text = severity(incident.severity)
    suggested = severity_name(incident.suggested_severity)
    if category_name(incident.category) != "accident" or suggested in ("", "unrated"):
        return text
    if suggested == severity_name(incident.severity):
        note = t("incident.suggested_same")
    else:
        note = t("incident.suggested", severity=severity(incident.suggested_severity))
    return f"{text} · {note}" if text else note


# -- time left --------------------------------------------------------------------------------------


def span(seconds: float) -> str:
    """A duration like "14 min 05 s", "2 h 05 min" or "3 d 4 h" (zh: 14分05秒 …)."""
    total = int(abs(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return t("span.days", d=days, h=hours)
    if hours:
        return t("span.hours", h=hours, m=minutes)
    return t("span.minutes", m=minutes, s=secs)


def time_left(deadline: incident_pb2.Deadline, now: datetime) -> Text:
    """How long until the deadline, or by how much it is overdue (red)."""
    if not deadline.HasField("due_at"):
        return Text(t("left.undated"), style="dim")
    left = (deadline.due_at.ToDatetime(tzinfo=UTC) - now).total_seconds()
    if deadline.missed:
        return Text(t("left.missed", span=span(left)), style="bold red")
    if left < 0:
        return Text(t("left.overdue", span=span(left)), style="bold red")
    return Text(t("left.in", span=span(left)), style="yellow" if left < 600 else "green")


def next_deadline(incident: incident_pb2.Incident) -> incident_pb2.Deadline | None:
    """The pending deadline due first: a missed one (still owed) before any other, the undated last."""
    pending = list(incident.pending_deadlines)
    if not pending:
        return None
    return min(pending, key=lambda d: (not d.missed, not d.HasField("due_at"), d.due_at.seconds))


def _next_text(incident: incident_pb2.Incident, zone: ZoneInfo, now: datetime) -> Text:
    deadline = next_deadline(incident)
    if deadline is None:
        return Text("")
    text = Text(report_kind(deadline.kind, deadline.number))
    if deadline.HasField("due_at"):
        text.append(f" {when(deadline, 'due_at', zone, '%H:%M')}")
    text.append("\n")
    return text.append_text(time_left(deadline, now))


# -- one incident -----------------------------------------------------------------------------------


def person(person_id: str, names: dict[str, str]) -> str:
    """ "name (id)" when the name is known, else the id."""
    name = names.get(person_id, "")
    return f"{name} ({person_id})" if name and name != person_id else person_id


def _casualties(c: incident_pb2.Casualties) -> str:
    if not any((c.deaths, c.serious_injuries, c.injuries, c.missing, c.loss_yuan)):
        return ""
    return t(
        "incident.casualties",
        deaths=c.deaths,
        serious=c.serious_injuries,
        injuries=c.injuries,
        missing=c.missing,
        loss=f"{c.loss_yuan:,}",
    )


def details(incident: incident_pb2.Incident, zone: ZoneInfo, site: str, names: dict[str, str]) -> Table:
    """The record of an incident: its class, stage, severity, who answers for it, when and where."""
    responsible = incident.responsible_person_id
    policy = f"{incident.policy_id} v{incident.policy_version}" if incident.policy_id else ""
    rows = [
        (t("col.title"), titled(incident)),
        (t("col.site"), site),
        (t("col.stage"), stage(incident.stage) + (f" · {t('incident.overdue')}" if incident.overdue else "")),
        (t("col.class"), classed(incident)),
        (t("col.severity"), severity_text(incident)),
        (t("col.responsible"), person(responsible, names)),
        (
            t("col.first_responder"),
            person(incident.first_responder_id, names) if incident.first_responder_id != responsible else "",
        ),
        (t("col.assignee"), person(incident.assignee_id, names) if incident.assignee_id != responsible else ""),
        (t("col.registered"), when(incident, "registered_at", zone, LONG)),
        (t("col.verified"), when(incident, "verified_at", zone, LONG)),
        (t("col.place"), incident.place.text),
        (t("col.summary"), incident.summary),
        (t("col.casualties"), _casualties(incident.casualties)),
        (t("col.policy"), policy),
        (t("col.feedback"), t("incident.feedback_yes") if incident.feedback_recorded else ""),
        (t("col.calls"), ", ".join(incident.call_ids)),
        (t("col.closed"), when(incident, "closed_at", zone, LONG)),
        (t("col.close_summary"), incident.summary_at_close),
        (t("col.close_reason"), incident.close_reason),
        (t("col.merged_into"), incident.merged_into),
    ]
    return record_table(f"{t('incident.title', id=incident.id)} {drill(incident)}".strip(), rows)


def deadlines(incident: incident_pb2.Incident, zone: ZoneInfo, now: datetime) -> RenderableType:
    if not incident.pending_deadlines:
        return Text(t("deadlines.none"))
    table = list_table(
        t("deadlines.title", zone=zone.key), t("col.report"), t("col.recipient"), t("col.due"), t("col.left")
    )
    ordered = sorted(incident.pending_deadlines, key=lambda d: (not d.HasField("due_at"), d.due_at.seconds))
    for d in ordered:
        table.add_row(
            escape(report_kind(d.kind, d.number)), escape(d.recipient), when(d, "due_at", zone), time_left(d, now)
        )
    return table


def timing(report: incident_pb2.Report) -> Text:
    if report.late_seconds > 0:
        return Text(t("reported.late", span=span(report.late_seconds)), style="red")
    return Text(t("reported.on_time"), style="green")


def reports(items: Iterable[incident_pb2.Report], zone: ZoneInfo) -> RenderableType:
    items = list(items)
    if not items:
        return Text(t("reports.none"))
    table = list_table(
        t("reports.title", count=len(items)),
        t("col.report"),
        t("col.recipient"),
        t("col.submitted"),
        t("col.timing"),
        Ids(t("col.author")),
        t("col.content"),
    )
    for r in items:
        content = r.content
        if r.HasField("accident"):
            a = r.accident
            items_text = [a.unit, a.time_place_scene, a.what_happened, _casualties(a.casualties), a.measures, a.other]
            content = "\n".join(part for part in [content, *items_text] if part)
        table.add_row(
            # The id to correct it by (dutyline incident correct), and its version once corrected.
            escape(f"{report_kind(r.kind, r.number)}\n{r.id}" + (f" v{r.version}" if r.version > 1 else "")),
            # To whom, and what became of it upward (签收 received by … at …, 退回 …).
            escape("\n".join(part for part in (r.recipient, delivery(r, zone)) if part)),
            when(r, "submitted_at", zone),
            timing(r),
            escape(r.author_id),
            escape(content),
        )
    return table


def incident_view(
    incident: incident_pb2.Incident, zone: ZoneInfo, site: str, names: dict[str, str], now: datetime
) -> Group:
    """All of `show`: the record, the pending deadlines with the time left, the reports."""
    parts: list[RenderableType] = [details(incident, zone, site, names), Text("")]
    if incident.stage != incident_pb2.STAGE_CLOSED or incident.pending_deadlines:
        parts += [deadlines(incident, zone, now), Text("")]
    parts.append(reports(incident.reports, zone))
    return Group(*parts)


# -- lists ------------------------------------------------------------------------------------------


def incidents(items: Iterable[incident_pb2.Incident], title: str, zone: ZoneInfo, now: datetime) -> Table:
    table = list_table(
        title,
        Ids(t("col.id")),
        t("col.title"),
        t("col.stage"),
        t("col.class"),
        t("col.severity"),
        t("col.registered"),
        t("col.next"),
    )
    for i in items:
        table.add_row(
            escape(i.id),
            escape(titled(i)),
            escape(stage(i.stage)),
            escape(classed(i)),
            escape(severity(i.severity)),
            when(i, "registered_at", zone),
            _next_text(i, zone, now),
            end_section=True,
        )
    return table


def timeline(entries: Iterable[incident_pb2.TimelineEntry], title: str, zone: ZoneInfo) -> Table:
    table = list_table(title, "#", t("col.at"), t("col.what"), t("col.actor"), t("col.detail"))
    # Numbered in order (the entries' seq numbers are unique, not consecutive).
    for n, e in enumerate(entries, start=1):
        name = escape(e.actor.display_name or e.actor.person_id)
        actor = f"[dim]{name}[/]" if e.actor.kind == "system" else name
        table.add_row(str(n), when(e, "at", zone, LONG), escape(label("entry", e.kind)), actor, escape(e.text))
    return table


def violations(items: list[incident_pb2.Violation], zones: dict[str, ZoneInfo]) -> Table:
    shown = sorted({zones[v.site_id].key for v in items}) if items else []
    table = list_table(
        t("violations.reporting", zone=", ".join(shown)),
        Ids(t("col.incident")),
        t("col.site"),
        Ids(t("col.person")),
        t("col.kind"),
        t("col.report"),
        t("col.due"),
        t("col.recorded"),
        t("col.late_by"),
    )
    for v in items:
        zone = zones[v.site_id]
        table.add_row(
            escape(" ".join(part for part in (v.incident_id, drill(v)) if part)),
            escape(v.site_id),
            escape(v.person_id),
            escape(label("violation", v.kind)),
            escape(report_kind(v.report_kind, v.number)),
            when(v, "due_at", zone),
            when(v, "recorded_at", zone),
            span(v.late_seconds) if v.late_seconds > 0 else "",
        )
    return table


def policies(items: Iterable[incident_pb2.ReportingPolicy]) -> Table:
    """The reporting policies in force: what they apply to, the time to verify (核实时限), how often
    the scene reports progress (现场联系) and the reports they require."""
    table = list_table(
        t("policies.title"),
        Ids(t("col.id")),
        t("col.name"),
        t("col.jurisdiction"),
        t("col.category"),
        t("col.severity"),
        t("col.verify_within"),
        t("col.progress_every"),
        t("col.reports"),
    )
    for p in items:
        category = category_name(p.category)
        table.add_row(
            escape(f"{p.id} v{p.version}"),
            escape(p.name),
            escape(p.jurisdiction or t("policies.national")),
            escape(label("incident_category", category) if category else t("policies.any")),
            escape(severity(p.severity) if p.severity else t("policies.any")),
            span(p.verify_within_seconds),
            span(p.progress_every_seconds) if p.progress_every_seconds else t("policies.not_required"),
            escape("、".join(report_kind(r.kind) for r in p.requirements)),
        )
    return table


# -- the duty board (watch) -------------------------------------------------------------------------


def board(
    open_incidents: Iterable[incident_pb2.Incident],
    zone_of: Callable[[str], ZoneInfo],
    *,
    title: str,
    caption: str,
    now: datetime,
) -> RenderableType:
    """Each open incident's stage and the time left to its next deadline, the most urgent first."""
    items = list(open_incidents)

    def urgency(i: incident_pb2.Incident) -> tuple[bool, float]:
        d = next_deadline(i)
        due = d.due_at.seconds if d is not None and d.HasField("due_at") else float("inf")
        return (not (i.overdue or (d is not None and d.missed)), due)

    table = list_table(
        title,
        Ids(t("col.id")),
        t("col.title"),
        t("col.stage"),
        t("col.severity"),
        t("col.next"),
        caption=caption,
    )
    for i in sorted(items, key=urgency):
        table.add_row(
            f"{escape(i.id)}\n[dim]{escape(i.site_id)}[/]",
            escape(titled(i)),
            escape(stage(i.stage)),
            escape(severity(i.severity)),
            _next_text(i, zone_of(i.site_id), now),
            end_section=True,
        )
    if not items:
        return Group(table, Text(t("watch.empty")))
    return table


def change_line(change: incident_pb2.IncidentChange, zone: ZoneInfo, now: datetime) -> str:
    """One line per change for `watch --once`: when, what, which incident, its stage and next deadline."""
    i = change.incident
    parts = [
        now.astimezone(zone).strftime("%H:%M:%S"),
        label("event", change.event_type),
        i.id,
        titled(i),
        f"{t('col.stage')} {stage(i.stage)}",
    ]
    deadline = next_deadline(i)
    if deadline is not None:
        parts.append(f"{report_kind(deadline.kind, deadline.number)}: {time_left(deadline, now).plain}")
    return " · ".join(part for part in parts if part)


def now_in(zone: ZoneInfo) -> str:
    return datetime.now(zone).strftime(f"%Y-%m-%d %H:%M:%S ({zone.key})")
