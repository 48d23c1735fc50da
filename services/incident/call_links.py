"""Which calls are about which incident (来电关联), from intake's call events, in batches.

Intake decides where an emergency call belongs and says so on the stream: a ``call.registered``
linked at registration, a ``call.linked`` when a call is linked later or moved by an officer. This
consumer applies a batch of them in one transaction: each call belongs to one incident, and a link
from an older version of a call never overrides a newer one, so redelivery and reordering are
harmless. Each incident touched gets one timeline entry and one ``incident.calls_changed`` event
per batch — not one per call — and its workflow hears only when the number of calls crosses a step
of the surge (100, 1000 calls), so that the duty leader is told of a growing event without
being paged per call. A link to an incident not registered yet (intake opens it right after)
waits for it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import structlog
from temporalio.client import Client

from dutyline.common.v1 import common_pb2
from dutyline.consumer import Applied
from dutyline.db.pool import Connection
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.temporal_start import signal_best_effort
from services.incident import store
from workflows.incident.types import CALLS_LINKED_SIGNAL

log = structlog.get_logger(__name__)

SUBJECTS = ("dutyline.*.call.registered", "dutyline.*.call.linked")
# The workflow hears when an incident's calls reach these numbers (来电激增): a mass event, not a
# busy one (any incident of note draws a dozen calls).
SURGE_STEPS = (100, 1000)
IDS_IN_EVENT = 100
IDS_IN_TIMELINE = 5
INTAKE = common_pb2.Actor(person_id="system:intake", display_name="intake", kind="system")


@dataclass(frozen=True)
class Link:
    call_id: str
    incident_id: str
    version: int
    event_id: str
    actor: common_pb2.Actor
    # Incidents the call left, as the events say (it may never have been recorded there when its
    # link and its move came in one batch).
    left: frozenset[str] = frozenset()


def _linked_at_registration(event: event_pb2.Event) -> str:
    """The incident a ``call.registered`` links its call to at registration ("" for none)."""
    registered = event_pb2.CallRegistered()
    event.payload.Unpack(registered)
    # An opening call reaches its incident with OpenIncident; a plain call belongs to none.
    return registered.incident_id if registered.escalation == "linked" else ""


def wants(event: event_pb2.Event) -> bool:
    """Only the events that link a call: most calls registered belong to no incident."""
    return event.type != "call.registered" or bool(_linked_at_registration(event))


def links_of(events: Sequence[event_pb2.Event]) -> list[Link]:
    """The links the events state: the newest version of each call, with every incident it left."""
    newest: dict[str, Link] = {}
    left: dict[str, set[str]] = {}
    for event in events:
        if event.type == "call.registered":
            incident_id = _linked_at_registration(event)
            if not incident_id:
                continue
            previous = ""
        elif event.type == "call.linked":
            linked = event_pb2.CallLinked()
            event.payload.Unpack(linked)
            incident_id, previous = linked.incident_id, linked.previous_incident_id
        else:
            continue
        link = Link(event.aggregate_id, incident_id, event.aggregate_version, event.id, event.actor)
        left.setdefault(link.call_id, set()).update(i for i in (previous, incident_id) if i)
        if link.call_id not in newest or newest[link.call_id].version < link.version:
            newest[link.call_id] = link
    return [replace(link, left=frozenset(left[link.call_id] - {link.incident_id})) for link in newest.values()]


def steps_crossed(before: int, after: int) -> list[int]:
    return [step for step in SURGE_STEPS if before < step <= after]


class CallLinks:
    def __init__(self, client: Client) -> None:
        self._client = client

    async def handle(self, conn: Connection, events: Sequence[event_pb2.Event]) -> Applied:
        links = links_of(events)
        if not links:
            return Applied()
        targets = sorted({link.incident_id for link in links})
        # Every incident touched is locked, in id order (no deadlock with another batch).
        known = {
            r["id"]
            for r in await conn.fetch(
                "SELECT id FROM incidents WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE", targets
            )
        }
        waiting = [link for link in links if link.incident_id not in known]
        ready = [link for link in links if link.incident_id in known]
        applied = Applied(deferred={link.event_id for link in waiting})
        if not ready:
            return applied
        rows = await conn.fetch(
            """WITH given AS (
                   SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) AS g(call_id, incident_id, version)),
               old AS (
                   SELECT c.call_id, c.incident_id FROM incident_calls c JOIN given USING (call_id)),
               moved AS (
                   INSERT INTO incident_calls (call_id, incident_id, call_version, linked_at)
                   SELECT call_id, incident_id, version, now() FROM given
                   ON CONFLICT (call_id) DO UPDATE
                      SET incident_id = EXCLUDED.incident_id, call_version = EXCLUDED.call_version,
                          linked_at = EXCLUDED.linked_at
                    WHERE incident_calls.call_version < EXCLUDED.call_version
                      AND incident_calls.incident_id <> EXCLUDED.incident_id
                   RETURNING call_id, incident_id)
               SELECT moved.call_id, moved.incident_id, old.incident_id AS previous
                 FROM moved LEFT JOIN old USING (call_id)""",
            [link.call_id for link in ready],
            [link.incident_id for link in ready],
            [link.version for link in ready],
        )
        # A newer version of a call that stays where it was still counts as applied.
        await conn.execute(
            """UPDATE incident_calls c SET call_version = g.version
                 FROM unnest($1::text[], $2::bigint[]) AS g(call_id, version)
                WHERE c.call_id = g.call_id AND c.call_version < g.version""",
            [link.call_id for link in ready],
            [link.version for link in ready],
        )
        actor_of_call = {link.call_id: link.actor for link in ready}
        linked: dict[str, list[str]] = defaultdict(list)
        unlinked: dict[str, list[str]] = defaultdict(list)
        previous_of: dict[str, str] = {r["call_id"]: r["previous"] for r in rows if r["previous"]}
        for r in rows:
            linked[r["incident_id"]].append(r["call_id"])
        # Every incident a call left says so: the one it was recorded in, and the ones the events name
        # (a link and its move in one batch, or a move to an incident that already had the call).
        for link in ready:
            for previous in ({previous_of.get(link.call_id, "")} | link.left) - {link.incident_id, ""}:
                unlinked[previous].append(link.call_id)
        if unlinked:
            await conn.execute(
                "SELECT 1 FROM incidents WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE", sorted(unlinked)
            )
        for incident_id in sorted(set(linked) | set(unlinked)):
            ids_in, ids_out = linked.get(incident_id, []), unlinked.get(incident_id, [])
            actors = {actor_of_call[c].person_id: actor_of_call[c] for c in ids_in + ids_out}
            actor = next(iter(actors.values())) if len(actors) == 1 else INTAKE
            total = await self._record(conn, incident_id, ids_in, ids_out, actor)
            before = total - len(ids_in) + len(ids_out)
            for step in steps_crossed(before, total):
                applied.after_commit.append(self._signal(incident_id, step))
        return applied

    def _signal(self, incident_id: str, step: int) -> Callable[[], Awaitable[object]]:
        async def send() -> None:
            await signal_best_effort(self._client, incident_id, CALLS_LINKED_SIGNAL, step)

        return send

    async def _record(
        self, conn: Connection, incident_id: str, ids_in: list[str], ids_out: list[str], actor: common_pb2.Actor
    ) -> int:
        """The incident's new version, its timeline entry and event; returns its number of calls."""
        row = await conn.fetchrow(
            "UPDATE incidents SET version = version + 1 WHERE id = $1 "
            "RETURNING site_id, version, drill, (SELECT count(*) FROM incident_calls WHERE incident_id = $1) AS total",
            incident_id,
        )
        if row is None:  # a call moved out of an incident this schema never had
            return 0
        parts = []
        if ids_in:
            parts.append(f"来电关联 {len(ids_in)} calls linked: {_some(ids_in)}")
        if ids_out:
            parts.append(f"来电移出 {len(ids_out)} calls moved to another incident: {_some(ids_out)}")
        await store.append_timeline(
            conn,
            incident_id=incident_id,
            at=datetime.now(UTC),
            actor_id=actor.person_id,
            actor_name=actor.display_name,
            actor_kind=actor.kind or "system",
            kind="calls_changed",
            text="; ".join(parts) + f" (共 {row['total']} total)",
        )
        await emit(
            conn,
            event_type="incident.calls_changed",
            site_id=row["site_id"],
            aggregate_id=incident_id,
            aggregate_version=row["version"],
            actor=actor,
            payload=event_pb2.IncidentCallsChanged(
                incident_id=incident_id,
                linked_call_ids=ids_in[:IDS_IN_EVENT],
                linked=len(ids_in),
                unlinked_call_ids=ids_out[:IDS_IN_EVENT],
                unlinked=len(ids_out),
                total=row["total"],
            ),
            drill=row["drill"],
        )
        return int(row["total"])


def _some(ids: list[str]) -> str:
    shown = ", ".join(ids[:IDS_IN_TIMELINE])
    return shown + (f" … (+{len(ids) - IDS_IN_TIMELINE})" if len(ids) > IDS_IN_TIMELINE else "")
