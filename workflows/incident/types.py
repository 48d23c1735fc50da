"""Plain data passed in and out of the incident workflow and its activities."""

from __future__ import annotations

from dataclasses import dataclass

TASK_QUEUE_DEFAULT = "dutyline"
SEARCH_ATTRIBUTES = {"DutylineSite": "Keyword", "DutylineSeverity": "Keyword", "DutylineStage": "Keyword"}


@dataclass
class IncidentInput:
    incident_id: str
    site_id: str
    title: str
    first_responder_id: str
    drill: bool
    registered_at: str  # ISO 8601, UTC


@dataclass
class LeaderNotice:
    incident_id: str
    site_id: str
    title: str
    drill: bool


@dataclass
class LeaderNotified:
    leader_ids: list[str]
    # Empty when the site had no duty leader on the roster at that moment.
    channel: str


@dataclass
class IncidentOutcome:
    incident_id: str
    stage: str
