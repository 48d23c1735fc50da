"""Plain data of the report receipt process (JSON-able: times ISO 8601 strings, durations seconds)."""

from __future__ import annotations

from dataclasses import dataclass

# Signal: the item was signed for or returned (its new status); the RPC recorded it first.
SETTLED_SIGNAL = "report_settled"
# Activity (services/incident/inbox_activities.py): (str item id) -> str, the item's status after it.
ESCALATE_UNRECEIVED = "escalate_unreceived_report"


@dataclass
class ReceiptInput:
    """One report delivered to a superior office's inbox (报告收件箱), to be signed for (签收) in time."""

    item_id: str
    recipient_site_id: str
    delivered_at: str  # ISO 8601, UTC
    window_seconds: int


def workflow_id(item_id: str) -> str:
    return f"receipt-{item_id}"
