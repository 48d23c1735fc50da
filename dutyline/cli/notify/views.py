"""How `dutyline notify …` shows notifications (通知), their delivery attempts, acknowledgements (确认),
escalations (升级通知) and escalation chains (升级链). Times are in the site's zone (UTC when the site
cannot be read); a drill is labelled 【演练 DRILL】."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from dutyline.cli.common.i18n import label, t
from dutyline.cli.common.tables import Ids, list_table, record_table
from dutyline.cli.common.times import when
from dutyline.cli.notify.chain import recipient_label, step_text
from dutyline.notify.v1 import notify_pb2

ROW = "%m-%d %H:%M:%S"
LONG = "%Y-%m-%d %H:%M:%S"
STATUS_STYLES = {"acknowledged": "green", "delivered": "green", "failed": "red", "exhausted": "red"}

# -- names of API values ----------------------------------------------------------------------------


def status(value: str) -> Text:
    """A notification's (or an attempt's) status, coloured."""
    return Text(label("notify_status", value), style=STATUS_STYLES.get(value, ""))


def channel(value: str) -> str:
    return label("notify_channel", value) if value else ""


def escalation_status(value: str) -> Text:
    return Text(label("escalation_status", value), style=STATUS_STYLES.get(value, "yellow"))


def drill(message: notify_pb2.Notification | notify_pb2.Escalation) -> str:
    return t("incident.drill") if message.drill else ""


def person(person_id: str, names: dict[str, str], name: str = "") -> str:
    """ "王芳 Wang Fang (p-hz-officer-1)", or the id alone when the name is not known."""
    shown = name or names.get(person_id, "")
    return f"{shown} ({person_id})" if shown and person_id else person_id


def subject(n: notify_pb2.Notification) -> str:
    """The subject (the template's name when there is none), marked once when it is a drill: the
    templates mark a drill's subject themselves."""
    text = n.subject or n.template
    mark = drill(n) if "演练" not in text else ""
    return " ".join(part for part in (mark, text) if part)


def reference(kind: str, ref_id: str) -> str:
    return f"{kind} {ref_id}".strip() if ref_id else ""


def acknowledged(n: notify_pb2.Notification, zone: ZoneInfo, names: dict[str, str], fmt: str = ROW) -> str:
    """Who acknowledged when ("" while nobody has)."""
    if not n.HasField("acknowledged_at"):
        return ""
    by = n.acknowledged_by or n.person_id
    name = n.person_name if by == n.person_id else ""
    return f"{person(by, names, name)} · {when(n, 'acknowledged_at', zone, fmt)}"


def zone_caption(zones: Iterable[ZoneInfo]) -> str:
    keys = sorted({z.key for z in zones})
    return ", ".join(keys)


# -- notifications ----------------------------------------------------------------------------------


def notifications(
    items: Sequence[notify_pb2.Notification], zone_of: Callable[[str], ZoneInfo], names: dict[str, str], title: str
) -> Table:
    """One row per notification, newest first: time, person, subject, status, the channel of the last
    attempt and who acknowledged when."""
    table = list_table(
        title,
        Ids(t("col.id")),
        t("col.time"),
        t("col.receiver"),
        t("col.subject"),
        t("col.status"),
        t("col.notify_channel"),
        t("col.acknowledged"),
        caption=t("notify.zones", zones=zone_caption(zone_of(n.site_id) for n in items)),
    )
    for n in items:
        zone = zone_of(n.site_id)
        table.add_row(
            n.id,
            when(n, "created_at", zone, ROW),
            escape(person(n.person_id, names, n.person_name)),
            escape(subject(n)),
            status(n.status),
            channel(n.channel),
            escape(acknowledged(n, zone, names)),
        )
    return table


def attempts(n: notify_pb2.Notification, zone: ZoneInfo) -> RenderableType:
    """Every delivery attempt, in order: channel, address, when, status and the provider's answer."""
    if not n.attempts:
        return Text(t("notify.no_attempts"))
    table = list_table(
        t("notify.attempts", zone=zone.key),
        "#",
        t("col.notify_channel"),
        t("col.address_to"),
        t("col.at"),
        t("col.status"),
        t("col.provider_answer"),
    )
    for number, a in enumerate(n.attempts, start=1):
        table.add_row(
            str(a.attempt or number),
            channel(a.channel),
            escape(a.address),
            when(a, "at", zone, ROW),
            status(a.status),
            escape(a.provider_answer),
        )
    return table


def notification_view(n: notify_pb2.Notification, zone: ZoneInfo, site: str, names: dict[str, str]) -> RenderableType:
    """One notification: the record, its subject and body, and every delivery attempt."""
    title = " ".join(part for part in (drill(n), t("notify.title", id=n.id)) if part)
    record = record_table(
        title,
        [
            (t("col.site"), site),
            (t("col.receiver"), person(n.person_id, names, n.person_name)),
            (t("col.template"), n.template),
            (t("col.status"), label("notify_status", n.status)),
            (t("col.notify_channel"), channel(n.channel)),
            (t("col.ref"), reference(n.ref_kind, n.ref_id)),
            (t("col.escalation"), n.escalation_id),
            (t("col.created"), when(n, "created_at", zone, f"{LONG} ({zone.key})")),
            (t("col.acknowledged"), acknowledged(n, zone, names, f"{LONG} ({zone.key})")),
            (t("col.subject"), n.subject),
        ],
    )
    body = Text(n.body) if n.body else Text(t("notify.no_body"), style="dim")
    return Group(record, Text(""), body, Text(""), attempts(n, zone))


def acknowledged_line(n: notify_pb2.Notification, zone: ZoneInfo, names: dict[str, str]) -> str:
    """What acknowledging did, on one line."""
    text = t(
        "notify.acked",
        id=n.id,
        by=person(n.acknowledged_by or n.person_id, names, n.person_name if n.acknowledged_by == n.person_id else ""),
        at=when(n, "acknowledged_at", zone, f"{LONG} ({zone.key})"),
    )
    return " ".join(part for part in (drill(n), text) if part)


# -- escalation chains ------------------------------------------------------------------------------


def steps(items: Sequence[notify_pb2.EscalationStep], site_id: str, title: str, first_step: int = -1) -> Table:
    table = list_table(title, "#", t("col.step_recipient"), t("col.notify_channel"), t("col.wait"), t("col.as_step"))
    for number, step in enumerate(items, start=1):
        marker = " ◀" if number - 1 == first_step else ""
        table.add_row(
            f"{number}{marker}",
            escape(recipient_label(step.recipient, site_id)),
            channel(step.channel) or t("chain.preferred"),
            t("chain.seconds", s=step.wait_seconds),
            escape(step_text(step, site_id)),
        )
    return table


def chain_view(chain: notify_pb2.EscalationChain, zone: ZoneInfo) -> RenderableType:
    title = t("chain.title", site=chain.site_id)
    if chain.is_default:
        title += " " + t("chain.default")
    lines = [t("chain.repeat", repeat=chain.repeat)]
    if chain.HasField("updated_at"):
        lines.append(t("chain.updated", at=when(chain, "updated_at", zone, f"{LONG} ({zone.key})")))
    return Group(steps(chain.steps, chain.site_id, title), Text(" · ".join(lines)))


# -- escalations ------------------------------------------------------------------------------------


@dataclass
class Placed:
    """The notifications of one step of an escalation, in one loop (both from 1; 0 for the notices
    telling the others who acknowledged)."""

    loop: int
    step: int
    items: list[notify_pb2.Notification] = field(default_factory=list)


def placed(escalation: notify_pb2.Escalation) -> list[Placed]:
    """The escalation's notifications by the loop and step that sent them, in order."""
    groups: dict[tuple[int, int], Placed] = {}
    ordered = sorted(escalation.notifications, key=lambda n: (n.created_at.ToNanoseconds(), n.id))
    for n in ordered:
        key = (n.escalation_loop, n.escalation_step)
        groups.setdefault(key, Placed(*key)).items.append(n)
    return list(groups.values())


def escalation_view(e: notify_pb2.Escalation, zone: ZoneInfo, site: str, names: dict[str, str]) -> RenderableType:
    """An escalation: its status and who acknowledged, the chain it walks and who was notified in
    which loop and step."""
    title = " ".join(part for part in (drill(e), t("escalation.title", id=e.id)) if part)
    acked = ""
    if e.HasField("acknowledged_at"):
        acked = f"{person(e.acknowledged_by, names)} · {when(e, 'acknowledged_at', zone, f'{LONG} ({zone.key})')}"
    record = record_table(
        title,
        [
            (t("col.site"), site),
            (t("col.status"), label("escalation_status", e.status)),
            (t("col.template"), e.template),
            (t("col.ref"), reference(e.ref_kind, e.ref_id)),
            (t("col.created"), when(e, "created_at", zone, f"{LONG} ({zone.key})")),
            (t("col.acknowledged"), acked),
            (t("col.loops"), t("escalation.loops", repeat=e.repeat, first=e.first_step + 1)),
            (t("col.workflow"), e.workflow_id),
        ],
    )
    chain = steps(e.steps, e.site_id, t("escalation.steps"), e.first_step)
    return Group(record, Text(""), chain, Text(""), notified(e, zone, names))


def notified(e: notify_pb2.Escalation, zone: ZoneInfo, names: dict[str, str]) -> RenderableType:
    if not e.notifications:
        return Text(t("escalation.nobody_yet"))
    table = list_table(
        t("escalation.notified", zone=zone.key),
        t("col.loop_step"),
        Ids(t("col.id")),
        t("col.time"),
        t("col.receiver"),
        t("col.status"),
        t("col.notify_channel"),
        t("col.acknowledged"),
        caption=t("escalation.placed"),
    )
    for group in placed(e):
        where = t("escalation.at", loop=group.loop, step=group.step) if group.step else "—"
        for n in group.items:
            table.add_row(
                where,
                n.id,
                when(n, "created_at", zone, ROW),
                escape(person(n.person_id, names, n.person_name)),
                status(n.status),
                channel(n.channel),
                escape(acknowledged(n, zone, names)),
            )
    return table
