"""How `dutyline roster …` shows things: roles, sites, the person of an assignment, gaps, rule
violations, leave and swap requests, and handovers, in the site's time zone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dutyline.cli.common.enums import enum_name
from dutyline.cli.common.i18n import label, t
from dutyline.cli.common.tables import Ids, list_table, record_table
from dutyline.cli.common.times import when, zone_named
from dutyline.common.v1 import common_pb2
from dutyline.roster.v1 import roster_pb2


def zone_of(site: roster_pb2.Site) -> ZoneInfo:
    return zone_named(site.time_zone)


def role_name(role: common_pb2.Role) -> str:
    """ "officer", "leader", … for a Role value (its number for one this CLI does not know yet)."""
    try:
        return enum_name(common_pb2.Role, role)
    except ValueError:
        return str(role)


def role_label(role: common_pb2.Role) -> str:
    return label("role", role_name(role))


def site_name(site: roster_pb2.Site) -> str:
    return f"{site.name} ({site.id})" if site.name else site.id


def violations_table(violations: list[roster_pb2.RuleViolation]) -> Table:
    table = list_table(t("violations.title"), t("col.rule"), Ids(t("col.person")), t("col.detail"))
    for v in violations:
        table.add_row(escape(label("rule", v.rule)), escape(v.person_id), escape(v.detail))
    return table


def gaps_table(title: str, gaps: list[roster_pb2.CoverageGap], zone: ZoneInfo) -> Table:
    table = list_table(title, t("col.role"), t("col.from"), t("col.to"), t("col.present"))
    for gap in gaps:
        table.add_row(
            role_label(gap.role),
            when(gap.period, "start", zone, "%Y-%m-%d %H:%M"),
            when(gap.period, "end", zone, "%Y-%m-%d %H:%M"),
            f"{gap.present}/{gap.required}",
        )
    return table


def person_text(a: roster_pb2.Assignment, now_utc: datetime) -> str:
    """The person of an assignment with their check-in status once the shift began, and whom they replace."""
    parts = [escape(a.display_name or a.person_id)]
    started = a.start.ToDatetime(tzinfo=UTC) <= now_utc
    if a.check_in_status and (a.check_in_status != "pending" or started):
        style = {"on_time": "green", "late": "yellow"}.get(a.check_in_status, "red")
        parts.append(f"[{style}]{escape(label('status', a.check_in_status))}[/]")
    if a.rostered_person_id and a.rostered_person_id != a.person_id:
        parts.append(escape(t("substitute_for", person=a.rostered_person_id)))
    return " · ".join(parts)


def decided(message: roster_pb2.LeaveRequest | roster_pb2.SwapRequest, zone: ZoneInfo) -> str:
    if not message.decided_by:
        return ""
    return f"{message.decided_by} · {when(message, 'decided_at', zone)}"


def leave_details(leave: roster_pb2.LeaveRequest, zone: ZoneInfo) -> Table:
    return record_table(
        t("leave.title"),
        [
            (t("col.id"), leave.id),
            (t("col.status"), label("status", leave.status)),
            (t("col.assignment"), leave.assignment_id),
            (t("col.person"), leave.person_id),
            (t("col.substitute"), leave.substitute_id),
            (t("col.reason"), leave.reason),
            (t("col.requested_at"), when(leave, "requested_at", zone)),
            (t("col.decided"), decided(leave, zone)),
            (t("col.remark"), leave.remark),
        ],
    )


def swap_details(swap: roster_pb2.SwapRequest, zone: ZoneInfo) -> Table:
    return record_table(
        t("swap.title"),
        [
            (t("col.id"), swap.id),
            (t("col.status"), label("status", swap.status)),
            (t("col.assignment"), swap.assignment_id),
            (t("col.other"), swap.other_assignment_id),
            (t("col.requested_by"), swap.requested_by),
            (t("col.reason"), swap.reason),
            (t("col.requested_at"), when(swap, "requested_at", zone)),
            (t("col.decided"), decided(swap, zone)),
            (t("col.remark"), swap.remark),
        ],
    )


def _countersigned(handover: roster_pb2.Handover, zone: ZoneInfo) -> str:
    """带班领导签字: who, when and what they wrote; "" until the leader countersigns."""
    if not handover.countersigned_by_id:
        return ""
    remarks = f" · {handover.countersign_remarks}" if handover.countersign_remarks else ""
    return f"{handover.countersigned_by_id} · {when(handover, 'countersigned_at', zone)}{remarks}"


def print_register(
    out: Console, handovers: Sequence[roster_pb2.Handover], site: roster_pb2.Site, *, next_page_token: str
) -> None:
    """交接班登记: one line per handover, newest first, with both signatures and the countersignature."""
    zone = zone_of(site)
    if not handovers:
        out.print(t("handover.register_empty"))
        return
    table = list_table(
        t("handover.register", site=site_name(site)),
        Ids(t("col.id")),
        t("col.submitted_at"),
        t("col.outgoing"),
        t("col.incoming"),
        t("col.accepted_at"),
        t("col.status"),
        t("handover.countersigned"),
        t("handover.open_items"),
    )
    for h in handovers:
        status = label("status", h.status)
        if h.overdue and h.status != "overdue":
            status += f" ({label('status', 'overdue')})"
        table.add_row(
            escape(h.id),
            when(h, "submitted_at", zone),
            escape(h.outgoing_person_id),
            escape(h.incoming_person_id),
            when(h, "accepted_at", zone),
            escape(status),
            escape(_countersigned(h, zone)),
            str(len(h.open_items)),
        )
    out.print(table)
    if next_page_token:
        out.print(t("handover.more", token=next_page_token))


def print_handover(out: Console, handover: roster_pb2.Handover, site: roster_pb2.Site, *, full: bool) -> None:
    zone = zone_of(site)
    status = label("status", handover.status)
    if handover.overdue and handover.status != "overdue":
        status += f" ({label('status', 'overdue')})"
    accept_by = ""
    if not handover.HasField("accepted_at") and handover.HasField("submitted_at"):
        submitted = handover.submitted_at.ToDatetime(tzinfo=UTC).astimezone(zone)
        accept_by = (submitted + timedelta(minutes=site.handover_accept_minutes)).strftime("%m-%d %H:%M")
    rows = [
        (t("col.status"), status),
        (t("col.outgoing"), f"{handover.outgoing_person_id} · {handover.outgoing_assignment_id}"),
        (t("col.incoming"), f"{handover.incoming_person_id} · {handover.incoming_assignment_id}"),
        (t("col.submitted_at"), when(handover, "submitted_at", zone)),
        (t("col.accept_by"), accept_by),
        (t("col.accepted_at"), when(handover, "accepted_at", zone)),
        (t("col.notes"), handover.notes),
        (t("col.remark"), handover.remarks),
        (t("handover.countersigned"), _countersigned(handover, zone)),
    ]
    if full:
        rows.insert(6, (t("col.shift_log"), handover.shift_log))
    out.print(record_table(t("handover.title", id=handover.id), rows))
    if handover.open_items:
        table = list_table(t("handover.open_items"), t("col.kind"), Ids(t("col.ref")), t("col.detail"), t("col.due"))
        for item in handover.open_items:
            table.add_row(
                escape(label("open_item", item.kind)),
                escape(item.ref_id),
                escape(item.text),
                when(item, "due_at", zone),
            )
        out.print(table)
    else:
        out.print(t("handover.no_items"))
    if handover.gathering_notes:
        out.print(f"[yellow]{escape(t('handover.gathering'))}[/]")
        for note in handover.gathering_notes:
            out.print(f"[yellow]  - {escape(note)}[/]", soft_wrap=True)
