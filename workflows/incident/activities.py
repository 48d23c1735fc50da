"""Activities of the incident workflow. They run at least once, so each is idempotent (keyed by
incident id + step)."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import structlog
from temporalio import activity

from dutyline.notifier import Notifier
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from services.incident import store
from workflows.incident.types import LeaderNotice, LeaderNotified


class IncidentActivities:
    def __init__(self, *, pool: asyncpg.Pool, roster: roster_pb2_grpc.RosterServiceStub, notifier: Notifier) -> None:
        self._pool = pool
        self._roster = roster
        self._notifier = notifier

    @activity.defn(name="notify_duty_leader")
    async def notify_duty_leader(self, notice: LeaderNotice) -> LeaderNotified:
        """Tell the duty leader on duty now (报告带班领导) and record it on the timeline."""
        structlog.contextvars.bind_contextvars(
            incident_id=notice.incident_id, workflow_id=activity.info().workflow_id, site_id=notice.site_id
        )
        on_duty = await self._roster.GetOnDuty(roster_pb2.GetOnDutyRequest(site_id=notice.site_id), timeout=5.0)
        leaders = list(on_duty.leaders)
        label = "【演练 DRILL】" if notice.drill else ""
        for leader in leaders:
            await self._notifier.send(
                person_id=leader.person_id,
                subject=f"{label}新突发事件 New incident: {notice.title}",
                body=f"{label}事件 {notice.incident_id} 已登记，请立即处置。Incident registered; act now.",
                dedupe_key=f"{notice.incident_id}:leader_notice:{leader.person_id}",
            )
        names = "、".join(f"{p.display_name}" for p in leaders) or "无 none"
        text = f"已通知带班领导 Duty leader notified: {names}"
        if not leaders:
            text = "当前无带班领导在岗 No duty leader on the roster now"
        async with self._pool.acquire() as conn:
            await store.append_timeline(
                conn,
                incident_id=notice.incident_id,
                at=datetime.now(UTC),
                actor_id="system:incident-workflow",
                actor_name="IncidentWorkflow",
                actor_kind="system",
                kind="leader_notified",
                text=text,
                dedupe_key=f"{notice.incident_id}:leader_notified",
            )
        return LeaderNotified(leader_ids=[p.person_id for p in leaders], channel=self._notifier.channel)
