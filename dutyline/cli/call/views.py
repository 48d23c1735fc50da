"""How `dutyline call …` shows calls: names of API values, the record of a call (the caller always
masked), its classification history and transfers, what registering did (answer delay, duty
assignment, the incident opened or linked and the suggestions), lists of calls, messages and
callbacks. Times are in the site's zone; a drill is labelled 【演练 DRILL】."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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
from dutyline.cli.incident.views import LONG, SHORT, person, span
from dutyline.common.v1 import common_pb2
from dutyline.intake.v1 import intake_pb2

# The elements of a notice from a superior (上级通知六要素) and the options that give them.
NOTICE_OPTIONS = {
    "meeting_time": "--meeting-time",
    "place": "--notice-place",
    "content": "--notice-content",
    "participants": "--participants",
    "issuing_unit": "--issuing-unit",
    "issuing_person": "--issuing-person",
}


@dataclass(frozen=True)
class Seen:
    """What the views show beside a call: its site's zone, name and answer limit (None when the site
    could not be read), and people's names."""

    zone: ZoneInfo
    site: str
    limit: int | None
    names: dict[str, str]


# -- names of API values ----------------------------------------------------------------------------


def channel(value: int) -> str:
    return label("channel", enum_name(intake_pb2.Channel, value))


def category(value: int) -> str:
    return label("call_category", enum_name(intake_pb2.CallCategory, value))


def status(value: str) -> str:
    return label("call_status", value)


def drill(call: intake_pb2.Call) -> str:
    return t("incident.drill") if call.drill else ""


def titled(text: str, call: intake_pb2.Call) -> str:
    """A line about a call, marked when the call is a drill."""
    return " ".join(part for part in (drill(call), text) if part)


def caller(c: intake_pb2.Caller) -> str:
    """Name, phone, unit and address as the reader may see them (name and phone masked)."""
    return " · ".join(part for part in (c.name, c.phone, c.unit, c.address) if part)


def place(p: common_pb2.Place) -> str:
    if p.HasField("latitude") and p.HasField("longitude"):
        coordinates = f"{p.latitude:.5f}, {p.longitude:.5f}"
        return f"{p.text} ({coordinates})" if p.text else coordinates
    return p.text


def seconds(value: float) -> str:
    """ "4 s" under a minute, else like "2 min 05 s"."""
    return t("call.seconds", s=round(value)) if value < 59.5 else span(value)


def _limit(limit: int | None) -> str:
    return t("call.limit", limit=limit) if limit else ""


def delay(call: intake_pb2.Call, limit: int | None) -> str:
    key = "call.delay_late" if call.answered_late else "call.delay"
    return t(key, delay=seconds(call.answer_delay_seconds), limit=_limit(limit))


def duty(call: intake_pb2.Call, names: dict[str, str]) -> str:
    if call.assignment_id:
        return call.assignment_id
    if call.duty_gap:
        return t("call.duty_gap")
    return t("call.no_assignment", officer=person(call.officer_id, names))


def missing(call: intake_pb2.Call) -> str:
    """The missing elements of a notice, each with the option that gives it."""
    return ", ".join(f"{label('notice', m)} {NOTICE_OPTIONS.get(m, '')}".strip() for m in call.notice_missing)


def notice_rows(notice: intake_pb2.NoticeElements, zone: ZoneInfo) -> list[tuple[str, str]]:
    return [
        (t("notice.meeting_time"), when(notice, "meeting_time", zone, LONG)),
        (t("notice.place"), notice.place),
        (t("notice.content"), notice.content),
        (t("notice.participants"), notice.participants),
        (t("notice.issuing_unit"), notice.issuing_unit),
        (t("notice.issuing_person"), notice.issuing_person),
    ]


# -- one call ---------------------------------------------------------------------------------------


def record(call: intake_pb2.Call, seen: Seen) -> Table:
    """The record of a call: how it came, who called (masked), what about, when it was answered and by
    whom, its duty assignment, status and incident, and a notice's elements."""
    zone, names = seen.zone, seen.names
    rows = [
        (t("col.site"), seen.site),
        (t("col.channel"), channel(call.channel)),
        (t("col.category"), category(call.category)),
        (t("col.caller"), caller(call.caller)),
        (t("col.place"), place(call.place)),
        (t("col.summary"), call.summary),
        (t("col.request"), call.request),
        (t("col.actions"), call.actions_taken),
        (t("col.rang"), when(call, "ring_started_at", zone, LONG)),
        (t("col.answered"), when(call, "answered_at", zone, LONG)),
        (t("col.delay"), delay(call, seen.limit)),
        (t("col.officer"), person(call.officer_id, names)),
        (t("col.duty"), duty(call, names)),
        (t("col.status"), status(call.status)),
        (t("col.incident"), call.incident_id),
    ]
    if call.HasField("notice"):
        rows += notice_rows(call.notice, zone)
    rows.append((t("col.missing"), missing(call)))
    rows += record_rows(call.record, zone, names)
    return record_table(titled(t("call.title", id=call.id), call), rows)


# The options of `call complete` that fill a required field of a call's record.
RECORD_OPTIONS = {
    "caller.name": "--caller-name",
    "caller.phone": "--caller-phone / --declined-number",
    "place": "--place",
    "request": "--request",
    "handling": "--handling",
}


def record_missing(record: intake_pb2.CallRecord) -> str:
    """The required fields still missing, each with the option of `call complete` that gives it."""
    return ", ".join(RECORD_OPTIONS.get(m, NOTICE_OPTIONS.get(m.removeprefix("notice."), m)) for m in record.missing)


def record_rows(record: intake_pb2.CallRecord, zone: ZoneInfo, names: dict[str, str]) -> list[tuple[str, str]]:
    """What the record holds beyond the registration: caller details, handling, result, notes, what is missing."""
    details = " / ".join(
        v
        for v in (label("gender", record.caller_gender) if record.caller_gender else "", str(record.caller_age or ""))
        if v
    )
    rows = [
        (t("record.caller_details"), details + (f" ({t('record.declined')})" if record.caller_declined_number else "")),
        (t("record.handling"), record.handling),
        (t("record.result"), record.result),
    ]
    if record.HasField("completed_at"):
        at = when(record, "completed_at", zone, LONG)
        rows.append((t("record.completed"), t("record.completed_by", at=at, by=person(record.completed_by, names))))
    notes = [f"{when(n, 'at', zone, SHORT)} {person(n.by, names)}: {n.text}" for n in record.notes]
    rows.append((t("record.notes"), "\n".join(notes)))
    rows.append((t("record.missing"), record_missing(record)))
    return rows


def history(call: intake_pb2.Call, zone: ZoneInfo) -> RenderableType:
    if not call.classifications:
        return Text(t("call.history_none"))
    table = list_table(
        t("call.history", zone=zone.key), "#", t("col.at"), t("col.category"), t("col.reason"), Ids(t("col.actor"))
    )
    for n, c in enumerate(call.classifications, start=1):
        table.add_row(str(n), when(c, "at", zone, LONG), escape(category(c.category)), escape(c.reason), escape(c.by))
    return table


def transfers(call: intake_pb2.Call, zone: ZoneInfo) -> Table:
    table = list_table(
        t("call.transfers", zone=zone.key),
        t("col.at"),
        Ids(t("col.target")),
        t("col.outcome"),
        t("col.agreed"),
        t("col.briefing"),
        Ids(t("col.actor")),
        Ids(t("col.callback")),
    )
    for x in call.transfers:
        table.add_row(
            when(x, "at", zone, LONG),
            escape(x.target_id),
            escape(label("transfer", x.outcome)),
            t("call.yes") if x.caller_agreed else t("call.no"),
            escape(x.briefing),
            escape(x.by),
            escape(x.callback_id),
        )
    return table


def full(call: intake_pb2.Call, seen: Seen) -> Group:
    """All of `show`: the record, the classification history and the transfers."""
    parts: list[RenderableType] = [record(call, seen), Text(""), history(call, seen.zone)]
    if call.transfers:
        parts += [Text(""), transfers(call, seen.zone)]
    return Group(*parts)


def answered_line(call: intake_pb2.Call, limit: int | None) -> str:
    """How long it rang: red when later than the site's limit (三声响铃)."""
    if call.answered_late:
        text = t("call.answered_late", delay=seconds(call.answer_delay_seconds), limit=_limit(limit))
        return f"[bold red]{escape(text)}[/]"
    return f"[green]{escape(t('call.answered', delay=seconds(call.answer_delay_seconds), limit=_limit(limit)))}[/]"


def duty_line(call: intake_pb2.Call, names: dict[str, str]) -> str:
    """The duty assignment in force, or the noted duty gap."""
    if call.assignment_id:
        line = t("call.assignment_line", assignment=call.assignment_id, officer=person(call.officer_id, names))
        return f"[green]{escape(line)}[/]"
    text = t("call.duty_gap_line") if call.duty_gap else t("call.no_assignment", officer=person(call.officer_id, names))
    return f"[yellow]{escape(text)}[/]"


def escalation_line(how: str, incident_id: str, title: str) -> str:
    """What an emergency call did: opened an incident, was linked to one, or is pending."""
    if how == "opened":
        return f"[bold green]{escape(t('call.opened', id=incident_id, title=title))}[/]"
    if how == "linked":
        return f"[bold green]{escape(t('call.linked', id=incident_id, title=title))}[/]"
    return f"[yellow]{escape(t('call.pending'))}[/]"


def notice_line(call: intake_pb2.Call) -> str:
    if call.notice_missing:
        return f"[yellow]{escape(t('call.notice_missing', missing=missing(call)))}[/]"
    return f"[green]{escape(t('call.notice_complete'))}[/]"


def suggestions(items: Iterable[intake_pb2.IncidentSuggestion], titles: dict[str, str]) -> RenderableType:
    items = list(items)
    if not items:
        return Text(t("call.no_suggestions"))
    table = list_table(t("call.suggestions"), Ids(t("col.incident")), t("col.title"), t("col.score"), t("col.reasons"))
    for s in items:
        title = s.title or titles.get(s.incident_id, "")
        table.add_row(escape(s.incident_id), escape(title), f"{s.score:.2f}", escape("; ".join(s.reasons)))
    return table


# -- lists ------------------------------------------------------------------------------------------


def calls(items: Iterable[intake_pb2.Call], title: str, zone: ZoneInfo) -> Table:
    """One row per call: when it was answered (and how late), what kind, who (masked), what about (and
    what a notice lacks), the status and the incident."""
    table = list_table(
        title,
        Ids(t("col.id")),
        t("col.answered"),
        f"{t('col.category')} / {t('col.channel')}",
        t("col.caller"),
        t("col.summary"),
        Ids(f"{t('col.status')} / {t('col.incident')}"),
    )
    table.columns[1].no_wrap = True
    for c in items:
        late = f"\n[red]{escape(seconds(c.answer_delay_seconds))}[/]" if c.answered_late else ""
        lacks = f"\n[yellow]{escape(t('col.missing'))}: {escape(missing(c))}[/]" if c.notice_missing else ""
        table.add_row(
            escape(titled(c.id, c)),
            when(c, "answered_at", zone, SHORT) + late,
            f"{escape(category(c.category))}\n[dim]{escape(channel(c.channel))}[/]",
            escape(caller(c.caller)),
            escape(c.summary) + lacks,
            "\n".join(escape(part) for part in (status(c.status), c.incident_id) if part),
            end_section=True,
        )
    return table


def callback_status(cb: intake_pb2.Callback) -> str:
    return "overdue" if cb.status == "open" and cb.overdue else cb.status


def due(cb: intake_pb2.Callback, zone: ZoneInfo, now: datetime) -> Text:
    """When it is due and the time left (red when overdue); when it was completed."""
    if cb.status == "completed":
        return Text(when(cb, "completed_at", zone, SHORT), style="dim")
    text = Text(when(cb, "due_at", zone, SHORT) + "\n")
    left = (cb.due_at.ToDatetime(tzinfo=UTC) - now).total_seconds()
    if cb.overdue or left < 0:
        return text.append(t("left.overdue", span=span(left)), style="bold red")
    return text.append(t("left.in", span=span(left)), style="yellow" if left < 600 else "green")


def callback_record(cb: intake_pb2.Callback, zone: ZoneInfo, now: datetime) -> Table:
    rows = [
        (t("col.status"), label("callback_status", callback_status(cb))),
        (t("col.call"), cb.call_id),
        (t("col.receiver"), cb.recipient_id),
        (t("col.content"), cb.content),
        (t("col.urgent"), t("call.yes") if cb.urgent else ""),
        (t("col.due"), due(cb, zone, now).plain.replace("\n", " · ") if cb.status != "completed" else ""),
        (t("col.completed"), when(cb, "completed_at", zone, LONG)),
        (t("col.outcome"), cb.outcome),
    ]
    return record_table(t("callback.title", kind=label("callback_kind", cb.kind), id=cb.id), rows)


def callbacks(items: Iterable[intake_pb2.Callback], title: str, zone: ZoneInfo, now: datetime) -> Table:
    """One row per message or callback: for whom, what (and what came of it), when due and the time left."""
    table = list_table(
        title,
        Ids(t("col.id")),
        Ids(f"{t('col.kind')} / {t('col.call')}"),
        Ids(t("col.receiver")),
        f"{t('col.content')} / {t('col.outcome')}",
        t("col.due"),
        t("col.status"),
    )
    table.columns[4].no_wrap = True
    for cb in items:
        state = callback_status(cb)
        shown = escape(label("callback_status", state))
        kind = escape(label("callback_kind", cb.kind)) + (f" · [bold]{escape(t('col.urgent'))}[/]" if cb.urgent else "")
        outcome = f"\n[dim]→ {escape(cb.outcome)}[/]" if cb.outcome else ""
        table.add_row(
            escape(cb.id),
            f"{kind}\n{escape(cb.call_id)}",
            escape(cb.recipient_id),
            escape(cb.content) + outcome,
            due(cb, zone, now),
            f"[bold red]{shown}[/]" if state == "overdue" else shown,
            end_section=True,
        )
    return table


def revealed(c: intake_pb2.Caller, audit_id: str) -> Table:
    rows = [
        (t("col.name"), c.name),
        (t("col.phone"), c.phone),
        (t("col.unit"), c.unit),
        (t("col.address"), c.address),
        (t("col.audit"), audit_id),
    ]
    return record_table(t("call.revealed"), rows)
