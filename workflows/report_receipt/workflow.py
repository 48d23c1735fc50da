"""Waiting for a delivered report to be signed for (签收) at the superior duty office.

Started once per inbox item. If the item is signed for or returned within its window (the RPC records it
and signals), the process ends; otherwise the escalation activity marks it escalated — only if it is
still unsigned in the store, so a lost signal never escalates a report already signed for — and
escalates through notify at the receiving office.

Deterministic: no I/O, time from workflow.now(); the activity is called by name.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.common import call_activity, parse_utc, wait_until
    from workflows.report_receipt.types import ESCALATE_UNRECEIVED, SETTLED_SIGNAL, ReceiptInput


@workflow.defn(name="ReportReceiptWorkflow")
class ReportReceiptWorkflow:
    def __init__(self) -> None:
        self._settled = ""

    @workflow.signal(name=SETTLED_SIGNAL)
    def settled(self, status: str) -> None:
        self._settled = status

    @workflow.run
    async def run(self, receipt: ReceiptInput) -> str:
        """The item's status at the end: "received" / "returned" in time, else what escalation left."""
        delivered = parse_utc(receipt.delivered_at) or workflow.now()
        due = delivered + timedelta(seconds=receipt.window_seconds)
        if await wait_until(lambda: bool(self._settled), due, "report signed for (签收)"):
            return self._settled
        status: str = await call_activity(ESCALATE_UNRECEIVED, receipt.item_id, result_type=str)
        return status
