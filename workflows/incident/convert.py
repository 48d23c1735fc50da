"""Between the workflow's JSON-able data and the pure rules' types (deterministic; no I/O)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.incident import rules
from workflows.incident.types import CasualtiesData, DeadlineData, FigureChangeData, PolicyData, RequirementData


def authorised(update: str, args: Any) -> str:
    """An update and its argument as one canonical text (the grant itself left out): what the
    incident service signs and the persisting activity checks the grant against."""
    payload = asdict(args)
    payload["actor"]["grant"] = ""
    return json.dumps({"update": update, "args": payload}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def policy_from_data(data: PolicyData) -> rules.Policy:
    return rules.Policy(
        id=data.id,
        version=data.version,
        name=data.name,
        jurisdiction=data.jurisdiction,
        category=data.category,
        severity=data.severity,
        sub_types=tuple(data.sub_types),
        requirements=tuple(
            rules.Requirement(
                kind=r.kind,
                recipient=r.recipient,
                due_after=timedelta(seconds=r.due_after_seconds) if r.due_after_seconds is not None else None,
                anchor=r.anchor,
                fixed_local_times=tuple(time.fromisoformat(t) for t in r.fixed_local_times),
                required_content=tuple(r.required_content),
            )
            for r in data.requirements
        ),
        effective_from=parse(data.effective_from),
        verify_within=timedelta(seconds=data.verify_within_seconds),
        progress_every=timedelta(seconds=data.progress_every_seconds),
        correction_within=(
            timedelta(seconds=data.correction_within_seconds) if data.correction_within_seconds is not None else None
        ),
    )


def policy_to_data(policy: rules.Policy) -> PolicyData:
    return PolicyData(
        id=policy.id,
        version=policy.version,
        name=policy.name,
        jurisdiction=policy.jurisdiction,
        category=policy.category,
        severity=policy.severity,
        sub_types=list(policy.sub_types),
        requirements=[
            RequirementData(
                kind=r.kind,
                recipient=r.recipient,
                due_after_seconds=int(r.due_after.total_seconds()) if r.due_after is not None else None,
                anchor=r.anchor,
                fixed_local_times=[t.strftime("%H:%M") for t in r.fixed_local_times],
                required_content=list(r.required_content),
            )
            for r in policy.requirements
        ],
        effective_from=policy.effective_from.isoformat(),
        verify_within_seconds=int(policy.verify_within.total_seconds()),
        progress_every_seconds=int(policy.progress_every.total_seconds()),
        correction_within_seconds=(
            int(policy.correction_within.total_seconds()) if policy.correction_within is not None else None
        ),
    )


def deadline_to_data(d: rules.Deadline) -> DeadlineData:
    return DeadlineData(
        kind=d.kind, number=d.number, recipient=d.recipient, due_at=iso(d.due_at), met_at=iso(d.met_at), missed=d.missed
    )


def deadline_from_data(d: DeadlineData) -> rules.Deadline:
    return rules.Deadline(
        kind=d.kind,
        number=d.number,
        recipient=d.recipient,
        due_at=parse(d.due_at) if d.due_at else None,
        met_at=parse(d.met_at) if d.met_at else None,
        missed=d.missed,
    )


def casualties(data: CasualtiesData | None) -> rules.Casualties | None:
    if data is None:
        return None
    return rules.Casualties(
        deaths=data.deaths,
        serious_injuries=data.serious_injuries,
        injuries=data.injuries,
        missing=data.missing,
        loss_yuan=data.loss_yuan,
    )


def figure_change_data(c: rules.FigureChange) -> FigureChangeData:
    return FigureChangeData(figure=c.figure, before=c.before, after=c.after, material=c.material)


def zone(name: str) -> ZoneInfo:
    """A time zone for workflow code (the worker's sandbox lets ZoneInfo through: dutyline/temporal_sandbox.py)."""
    return ZoneInfo(name)
