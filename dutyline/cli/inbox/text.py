"""The words of `dutyline inbox …` and of a report's delivery upward in zh-CN and English, added to the
CLI's catalogue (dutyline.cli.common.i18n) when loaded; and the delivery as a line of a report."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from dutyline.cli.common.i18n import MESSAGES, t
from dutyline.cli.common.times import when
from dutyline.incident.v1 import incident_pb2

FMT = "%m-%d %H:%M"

INBOX_MESSAGES = {
    "inbox_status.delivered": ("待签收", "awaiting receipt"),
    "inbox_status.escalated": ("逾时未签收（已升级）", "unreceived (escalated)"),
    "inbox_status.received": ("已签收", "received"),
    "inbox_status.returned": ("已退回", "returned"),
    "delivery.delivered": ("已送达 {site}，待签收", "delivered to {site}, awaiting receipt"),
    "delivery.escalated": ("{site} 逾时未签收，已升级", "not received by {site} in time; escalated there"),
    "delivery.received": ("{site} 已签收：{name}，{at}", "received by {name} at {at} ({site})"),
    "delivery.returned": ("{site} 已退回：{reason}", "returned by {site}: {reason}"),
    "inbox.title": ("{site} 报告收件箱（{count}）", "Report inbox of {site} ({count})"),
    "inbox.none": ("收件箱中没有符合条件的报告。", "No reports in the inbox match."),
    "inbox.more": ("还有更多：--page-token {token}", "More: --page-token {token}"),
    "inbox.received": (
        "已签收 {id}（{site} 的报告），{at}；本级事件 {incident}",
        "Signed for {id} (the report of {site}) at {at}; this office's incident {incident}",
    ),
    "inbox.returned": ("已退回 {id}：{reason}", "Returned {id}: {reason}"),
    "inbox.returned_wrong": ("已作为错报退回 {id}：{reason}", "Returned {id} as wrong (错报): {reason}"),
    "inbox.col.id": ("编号", "Item"),
    "inbox.col.from": ("报送单位", "From"),
    "inbox.col.report": ("报告", "Report"),
    "inbox.col.incident": ("事件", "Incident"),
    "inbox.col.delivered": ("送达", "Delivered"),
    "inbox.col.status": ("状态", "Status"),
    "inbox.col.content": ("内容", "Content"),
}

MESSAGES.update(INBOX_MESSAGES)

_STATUS: dict[int, str] = {
    incident_pb2.DELIVERY_STATUS_DELIVERED: "delivered",
    incident_pb2.DELIVERY_STATUS_ESCALATED: "escalated",
    incident_pb2.DELIVERY_STATUS_RECEIVED: "received",
    incident_pb2.DELIVERY_STATUS_RETURNED: "returned",
}


def status_name(status: int) -> str:
    return _STATUS.get(status, "")


def delivery(report: incident_pb2.Report, zone: ZoneInfo) -> str:
    """What became of a report upward, e.g. "received by 王五 at 12-05 14:20 (east)"; "" if not delivered."""
    name = status_name(report.delivery_status)
    if not name:
        return ""
    return t(
        f"delivery.{name}",
        site=report.recipient_site_id,
        name=report.received_by.display_name or report.received_by.person_id,
        at=when(report, "received_at", zone, FMT),
        reason=report.return_reason,
    )
