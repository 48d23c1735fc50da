"""The activity of the report receipt process (workflows/report_receipt): a report not signed for (未签收)
within its window is marked escalated — the sender sees it — and escalated at the receiving office."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import structlog
from temporalio import activity

from dutyline.activity_errors import classified
from dutyline.notifier import NotifyClient, notify_key
from services.incident import inbox_store, store
from workflows.report_receipt.types import ESCALATE_UNRECEIVED


class ReceiptActivities:
    def __init__(self, *, pool: asyncpg.Pool, notifier: NotifyClient) -> None:
        self._pool = pool
        self._notifier = notifier

    @activity.defn(name=ESCALATE_UNRECEIVED)
    @classified
    async def escalate_unreceived(self, item_id: str) -> str:
        """Escalate ``item_id`` at its receiving office unless it was signed for or returned meanwhile;
        the item's status after. A retry escalates under the same key, so nobody is paged twice."""
        now = datetime.now(UTC)
        async with self._pool.acquire() as conn, conn.transaction():
            escalated = await inbox_store.escalate(conn, item_id=item_id, at=now)
            item = escalated or await inbox_store.get_item(conn, item_id=item_id)
            if item is None:
                raise ValueError(f"report inbox item {item_id} does not exist")
            incident = await store.get_incident(conn, incident_id=item.incident_id)
            assert incident is not None
            report = await inbox_store.report_of(conn, item=item)
            minutes = item.window_seconds // 60
            detail = (
                f"{item.sender_site_id} 的报告 {minutes} 分钟内未签收，已在 {item.recipient_site_id} 升级 "
                f"Report from {item.sender_site_id} not signed for within {minutes} min; escalated at "
                f"{item.recipient_site_id}"
            )
            if escalated is not None:
                await inbox_store.record_change(
                    conn,
                    item=item,
                    incident=incident,
                    report=report,
                    at=now,
                    actor=inbox_store.SYSTEM_ACTOR,
                    event_type="incident.report_unreceived",
                    kind="report_unreceived",
                    text=f"未签收 {detail}",
                )
        if item.status != "escalated":
            return item.status
        escalation_id = await self._notifier.escalate(
            site_id=item.recipient_site_id,
            template="incident_escalated",
            data={
                "incident_id": incident.id,
                "title": f"[{item.sender_site_id}] {incident.title}",
                "step": "report_unreceived",
                "detail": detail,
                "place": incident.place_text,
                "category": incident.category,
                "severity": incident.severity,
                "registered_at": incident.registered_at.isoformat(),
            },
            key=notify_key(item.id, "unreceived"),
            ref_kind="incident",
            ref_id=incident.id,
            drill=item.drill,
        )
        structlog.get_logger(__name__).info(
            "unreceived report escalated", item_id=item.id, site_id=item.recipient_site_id, escalation=escalation_id
        )
        return item.status
