"""Telling the duty leader of an incident (报告带班领导) through notify's escalation.

The IncidentWorkflow's ``notify_duty_leader`` activity is the durable path. For a new incident the
incident service also asks at once, right after ``OpenIncident`` commits (``LeaderAtOnce``), so the
leader's first attempt does not wait for Temporal and a busy worker. Both send the same request under
the same key (its words, the incident as each saw it, may differ: notify compares the rest), so notify
holds one escalation: the activity, whenever it runs, gets it back; a request at once that was lost
(notify away, process killed) only leaves the work to the activity.
"""

from __future__ import annotations

import structlog

from dutyline.background import Background
from dutyline.notifier import NotifyClient, notify_key
from services.incident import store
from workflows.incident.types import LeaderNotice

log = structlog.get_logger(__name__)

# Requests at once in flight, at most: beyond, notify is slower than incidents come and the
# workflow's activity tells those leaders.
MAX_IN_FLIGHT = 200


async def escalate_to_leader(notifier: NotifyClient, notice: LeaderNotice, current: store.IncidentRow | None) -> str:
    """The escalation's id. ``current``: the incident as stored now (None if it is not)."""
    registered = notice.step == "registered"
    return await notifier.escalate(
        site_id=notice.site_id,
        template="incident_registered" if registered else "incident_escalated",
        data={
            "incident_id": notice.incident_id,
            "title": notice.title,
            "place": current.place_text if current else "",
            "category": current.category if current else "",
            "severity": current.severity if current else "",
            "registered_at": current.registered_at.isoformat() if current else "",
            "detail": "" if registered else notice.title,
        },
        key=notify_key(notice.incident_id, notice.step),
        ref_kind="incident",
        ref_id=notice.incident_id,
        drill=notice.drill,
    )


class LeaderAtOnce:
    """The registration's escalation, asked of notify in the background of ``OpenIncident``."""

    def __init__(self, *, notifier: NotifyClient) -> None:
        self._notifier = notifier
        self._telling = Background(limit=MAX_IN_FLIGHT)

    def tell(self, incident: store.IncidentRow) -> None:
        """``incident``: as just committed."""
        self._telling.spawn(self._tell(incident))

    async def _tell(self, incident: store.IncidentRow) -> None:
        notice = LeaderNotice(
            incident_id=incident.id, site_id=incident.site_id, title=incident.title, drill=incident.drill
        )
        try:
            escalation_id = await escalate_to_leader(self._notifier, notice, incident)
        except Exception as exc:  # best effort: the workflow's activity is the durable path
            log.info("leader not told at once; the workflow will", incident_id=incident.id, error=repr(exc))
            return
        log.debug("leader told at once", incident_id=incident.id, escalation_id=escalation_id)

    async def close(self) -> None:
        await self._telling.close()
        await self._notifier.close()
