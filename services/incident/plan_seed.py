"""The demo's emergency plans (demo_plans.yaml), installed into the incident schema by the demo seed:
each plan id that has no version yet, so a second seeding, or a plan an admin changed since, is left
alone."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from dutyline.db.pool import Connection
from dutyline.grpckit.files import messages_from_yaml
from dutyline.incident.v1 import plans_pb2
from services.incident import plan_store
from services.incident.plan_convert import plan_from_message

DEMO_PLANS = Path(__file__).with_name("demo_plans.yaml")


def demo_plans() -> list[plans_pb2.Plan]:
    return messages_from_yaml(DEMO_PLANS.read_text(encoding="utf-8"), plans_pb2.Plan, key="plans")


async def seed_demo_plans(conn: Connection, *, at: datetime) -> int:
    """How many of the demo's plans were installed."""
    plans = [plan_from_message(message) for message in demo_plans()]
    return await plan_store.ensure_plans(conn, plans=plans, created_by="system:seed", at=at)
