"""The duty leader told at once under load (DESIGN §8): 20 emergency + 100 other calls/s, and for each
incident the time from its registration to the first delivery attempt to the leader (the first step of
its escalation), split into the stages the time went through so that a slow one shows itself."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import asyncpg

from bench.dutyline_paths import RPC_TIMEOUT, DutylinePaths
from bench.load import LoadResult, open_loop, percentile
from dutyline.intake.v1 import intake_pb2

# Every incident's first attempt is waited for this long after the load ends.
SETTLE_SECONDS = 90.0

# Per incident registered in the phase: when its escalation was written, its EscalationWorkflow
# accepted, the leader's notification stored and first attempted (seconds after registration).
_STAGES = """
SELECT i.id,
       extract(epoch FROM e.created_at - i.registered_at) AS escalation,
       extract(epoch FROM e.workflow_started_at - i.registered_at) AS escalation_started,
       extract(epoch FROM n.created_at - i.registered_at) AS notification,
       extract(epoch FROM a.at - i.registered_at) AS attempt
  FROM incident.incidents i
  LEFT JOIN notify.escalations e ON e.ref_id = i.id
  LEFT JOIN LATERAL (
        SELECT id, created_at FROM notify.notifications
         WHERE escalation_id = e.id AND escalation_loop = 1
         ORDER BY created_at LIMIT 1) n ON true
  LEFT JOIN LATERAL (
        SELECT min(at) AS at FROM notify.delivery_attempts WHERE notification_id = n.id) a ON true
 WHERE i.id = ANY($1::text[])
"""


@dataclass
class LeaderTold:
    """Seconds from registration to each stage, per incident that reached it; `missing` never did."""

    incidents: int = 0
    missing: int = 0
    stages: dict[str, list[float]] = field(default_factory=dict)
    emergency: LoadResult | None = None
    other: LoadResult | None = None

    def summary(self) -> dict[str, float | int]:
        out: dict[str, float | int] = {"incidents": self.incidents, "missing": self.missing}
        for name, values in self.stages.items():
            for q in (50, 99):
                out[f"{name}_p{q}_s"] = round(percentile(values, q), 2)
        return out

    @property
    def attempt_p99(self) -> float | None:
        values = self.stages.get("attempt", [])
        return percentile(values, 99) if values else None


async def _stages(dsn: str, ids: list[str]) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return list(await conn.fetch(_STAGES, ids))
    finally:
        await conn.close()


async def leader_told_under_load(
    paths: DutylinePaths, dsn: str, *, emergency_rate: float = 20.0, other_rate: float = 100.0, duration: float = 15.0
) -> LeaderTold:
    incident_ids: list[str] = []

    async def emergency() -> None:
        reply = await paths.register(intake_pb2.CALL_CATEGORY_EMERGENCY)
        incident_ids.append(reply.incident_id)

    emergencies, others = await asyncio.gather(
        open_loop(emergency, rate=emergency_rate, duration=duration, timeout=RPC_TIMEOUT),
        open_loop(paths.consultation, rate=other_rate, duration=duration, timeout=RPC_TIMEOUT),
    )
    told = LeaderTold(incidents=len(incident_ids), emergency=emergencies, other=others)
    loop = asyncio.get_running_loop()
    settle_by = loop.time() + SETTLE_SECONDS
    while True:
        rows = await _stages(dsn, incident_ids)
        if all(r["attempt"] is not None for r in rows) or loop.time() > settle_by:
            break
        await asyncio.sleep(1.0)
    for name in ("escalation", "escalation_started", "notification", "attempt"):
        told.stages[name] = [float(r[name]) for r in rows if r[name] is not None]
    told.missing = sum(1 for r in rows if r["attempt"] is None) + len(incident_ids) - len(rows)
    return told
