"""Activities of the incident workflow. They run at least once, so each is idempotent: a change is
keyed by its update id or deadline key, and a repeated one writes nothing."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any

import asyncpg
import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from dutyline.activity_errors import classified
from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.ids import new_id
from dutyline.notifier import NotifyClient, notify_key
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from services.incident import (
    convert,
    grants,
    inbox_routing,
    inbox_store,
    policy_store,
    report_versions,
    rules,
    store,
)
from services.incident.leader import escalate_to_leader
from workflows.incident.convert import deadline_from_data, parse, policy_to_data
from workflows.incident.types import (
    APPLY_CHANGE,
    LOAD_POLICY,
    LOAD_VERIFY_WITHIN,
    NOTIFY_DUTY_LEADER,
    NOTIFY_RESPONSIBLE,
    RECORD_FAILURE,
    SYSTEM,
    ChangeSet,
    IncidentFacts,
    LeaderNotice,
    LeaderNotified,
    PolicyData,
    PolicyQuery,
    ResponsibleNotice,
    StepFailure,
)

SYSTEM_ACTOR = common_pb2.Actor(person_id=SYSTEM.person_id, display_name=SYSTEM.name, kind=SYSTEM.kind)
MAX_REASON = 500
_NOT_PRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


def _printable(text: str) -> str:
    """A reason as the timeline can keep it (an error message may quote what could not be stored)."""
    return _NOT_PRINTABLE.sub("?", text)


async def _system_entry(
    conn: Connection, incident_id: str, *, kind: str, text: str, dedupe_key: str, event_type: str
) -> bool:
    """A timeline entry by the platform and its event (the incident as it is now, ``text`` as detail);
    False when an earlier attempt recorded it already (its event is out then)."""
    added = await store.append_timeline(
        conn,
        incident_id=incident_id,
        at=datetime.now(UTC),
        actor_id=SYSTEM_ACTOR.person_id,
        actor_name=SYSTEM_ACTOR.display_name,
        actor_kind=SYSTEM_ACTOR.kind,
        kind=kind,
        text=text,
        dedupe_key=dedupe_key,
    )
    incident = await store.get_incident(conn, incident_id=incident_id) if added else None
    if incident is not None:
        await emit(
            conn,
            event_type=event_type,
            site_id=incident.site_id,
            aggregate_id=incident.id,
            aggregate_version=incident.version,
            payload=event_pb2.IncidentChanged(incident=convert.incident_message(incident), detail=text),
            drill=incident.drill,
            actor=SYSTEM_ACTOR,
        )
    return added


def _columns(facts: IncidentFacts) -> dict[str, Any]:
    """The incidents columns a step sets, by name (store.PROCESS_FIELDS)."""
    columns = {k: v for k, v in asdict(facts).items() if v is not None and not k.startswith(("policy_", "set_"))}
    if facts.set_policy:
        columns.update(policy_id=facts.policy_id, policy_version=facts.policy_version)
    for name in ("verified_at", "closed_at"):
        if isinstance(columns.get(name), str):
            columns[name] = parse(columns[name])
    return columns


class IncidentActivities:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        roster: roster_pb2_grpc.RosterServiceStub,
        notifier: NotifyClient,
        grant_keys: list[str],
    ) -> None:
        self._pool = pool
        self._roster = roster
        self._notifier = notifier
        self._grant_keys = grant_keys

    @activity.defn(name=NOTIFY_DUTY_LEADER)
    @classified
    async def notify_duty_leader(self, notice: LeaderNotice) -> LeaderNotified:
        """Tell the duty leader on duty now (报告带班领导) and record it on the timeline."""
        structlog.contextvars.bind_contextvars(
            incident_id=notice.incident_id, workflow_id=activity.info().workflow_id, site_id=notice.site_id
        )
        on_duty = await self._roster.GetOnDuty(roster_pb2.GetOnDutyRequest(site_id=notice.site_id), timeout=5.0)
        leaders = list(on_duty.leaders)
        async with self._pool.acquire() as conn:
            current = await store.get_incident(conn, incident_id=notice.incident_id)
        registered = notice.step == "registered"
        # Through an EscalationWorkflow from the duty leader up the site's chain, until acknowledged
        # (for a new incident, OpenIncident has asked already: the same key gets the same escalation).
        escalation_id = await escalate_to_leader(self._notifier, notice, current)
        names = "、".join(p.display_name for p in leaders)
        text = (
            f"已通知带班领导 Duty leader notified: {names} (escalation {escalation_id})"
            if leaders
            else f"当前无带班领导在岗，逐级上报 No duty leader on duty now; escalating (escalation {escalation_id})"
        )
        # The registration's notice keeps its original key, so incidents started before keep replaying.
        key = "leader_notified" if registered else f"leader_notified:{notice.step}"
        async with self._pool.acquire() as conn, conn.transaction():
            if registered:
                await store.await_verification(conn, incident_id=notice.incident_id)
            await _system_entry(
                conn,
                notice.incident_id,
                kind="leader_notified",
                text=text,
                dedupe_key=f"{notice.incident_id}:{key}",
                event_type="incident.escalated",
            )
        return LeaderNotified(leader_ids=[p.person_id for p in leaders], channel=f"escalation:{escalation_id}")

    @activity.defn(name=RECORD_FAILURE)
    @classified
    async def record_failure(self, failure: StepFailure) -> None:
        """A step that failed for good, on the timeline and the stream (incident.step_failed); with
        tell_leader, the duty leaders on duty are also sent a plain notice (Send, not the escalation
        that may be what failed). Best effort beyond the record: a notice that cannot go is logged."""
        info = activity.info()
        reason = _printable(failure.reason)[:MAX_REASON]
        text = f"处理失败 Step failed ({failure.step}): {reason}"
        async with self._pool.acquire() as conn, conn.transaction():
            added = await _system_entry(
                conn,
                failure.incident_id,
                kind="step_failed",
                text=text,
                dedupe_key=f"{failure.incident_id}:failed:{info.workflow_run_id}:{info.activity_id}",
                event_type="incident.step_failed",
            )
        if not (failure.tell_leader and added):
            return
        log = structlog.get_logger(__name__).bind(incident_id=failure.incident_id, step=failure.step)
        try:
            on_duty = await self._roster.GetOnDuty(roster_pb2.GetOnDutyRequest(site_id=failure.site_id), timeout=5.0)
            for leader in on_duty.leaders:
                await self._notifier.send(
                    site_id=failure.site_id,
                    person_id=leader.person_id,
                    template="incident_escalated",
                    data={
                        "incident_id": failure.incident_id,
                        "title": failure.incident_id,
                        "step": failure.step[:100],
                        "detail": text,
                        "place": "",
                        "category": "",
                        "severity": "",
                        "registered_at": "",
                    },
                    key=notify_key(failure.incident_id, "failed", info.workflow_run_id or "", info.activity_id),
                    ref_kind="incident",
                    ref_id=failure.incident_id,
                    drill=failure.drill,
                )
        except Exception as exc:  # recorded above; the plain notice is a second chance, not a promise
            log.warning("the duty leader could not be told of a failed step", error=repr(exc))

    @activity.defn(name=LOAD_POLICY)
    @classified
    async def load_policy(self, query: PolicyQuery) -> PolicyData | None:
        """The reporting policy in force at ``query.at`` for the incident's jurisdiction and class,
        with the incident's time zone."""
        at = parse(query.at)
        jurisdiction, time_zone = query.jurisdiction, ""
        if query.incident_id:
            jurisdiction, time_zone = await self._site_facts(query.incident_id, fallback=jurisdiction)
        async with self._pool.acquire() as conn:
            policies = await policy_store.latest(conn, jurisdiction=jurisdiction, at=at)
        chosen = rules.select_policy(
            policies,
            jurisdiction=jurisdiction,
            category=query.category,
            sub_type=query.sub_type,
            severity=query.severity,
            at=at,
        )
        return replace(policy_to_data(chosen), time_zone=time_zone) if chosen is not None else None

    @activity.defn(name=LOAD_VERIFY_WITHIN)
    @classified
    async def load_verify_within(self, query: PolicyQuery) -> int:
        """The time to verify (核实时限) in seconds for the incident's jurisdiction before its class is
        known (rules.verify_within: the strictest policy in force there)."""
        at = parse(query.at)
        jurisdiction = query.jurisdiction
        if query.incident_id:
            jurisdiction, _ = await self._site_facts(query.incident_id, fallback=jurisdiction)
        async with self._pool.acquire() as conn:
            policies = await policy_store.latest(conn, jurisdiction=jurisdiction, at=at)
        return int(rules.verify_within(policies, jurisdiction=jurisdiction, at=at).total_seconds())

    @activity.defn(name=NOTIFY_RESPONSIBLE)
    @classified
    async def notify_responsible(self, notice: ResponsibleNotice) -> str:
        """Alert the incident's responsible person (责任人) through notify; the person's id ("" when the
        incident is gone). The workflow records the step on the timeline."""
        async with self._pool.acquire() as conn:
            current = await store.get_incident(conn, incident_id=notice.incident_id)
        if current is None:
            return ""
        person_id = current.responsible_person_id
        await self._notifier.send(
            site_id=notice.site_id,
            person_id=person_id,
            template="incident_escalated",
            data={
                "incident_id": notice.incident_id,
                "title": notice.title,
                "step": notice.step[:100],
                "detail": notice.detail,
                "place": current.place_text,
                "category": current.category,
                "severity": current.severity,
                "registered_at": current.registered_at.isoformat(),
            },
            key=notify_key(notice.incident_id, notice.step),
            ref_kind="incident",
            ref_id=notice.incident_id,
            drill=notice.drill,
        )
        return person_id

    def _require_grant(self, change: ChangeSet, at: datetime) -> None:
        refused = grants.problem(
            self._grant_keys,
            change.actor.grant,
            incident_id=change.incident_id,
            change_id=change.change_id,
            authorised=change.authorised,
            at=at,
        )
        if not refused:
            granted = json.loads(change.authorised)["args"]["actor"]
            recorded = {**asdict(change.actor), "grant": ""}
            if granted != recorded:
                refused = "the step is recorded under another actor than the update's grant names"
        if refused:
            structlog.get_logger(__name__).error(
                "an update of the incident workflow was refused", incident_id=change.incident_id, reason=refused
            )
            raise ApplicationError(f"PERMISSION_DENIED: {refused}", type="Unauthorised", non_retryable=True)

    async def _site_facts(self, incident_id: str, *, fallback: str) -> tuple[str, str]:
        """The incident's jurisdiction and time zone. Opened while roster was away, they are asked of
        roster now and stored; while roster is still away this raises, and the activity is retried:
        a policy chosen on a guessed jurisdiction would be the wrong one for good."""
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(
                "SELECT site_id, jurisdiction, time_zone, site_confirmed FROM incidents WHERE id = $1", incident_id
            )
        if row is None:  # never committed here (the service commits before it starts the workflow)
            return fallback, ""
        if row["site_confirmed"]:
            return row["jurisdiction"], row["time_zone"]
        site = await self._roster.GetSite(roster_pb2.GetSiteRequest(site_id=row["site_id"]), timeout=5.0)
        async with self._pool.acquire() as conn:
            await conn.execute(
                "UPDATE incidents SET jurisdiction = $2, time_zone = $3, site_confirmed = true WHERE id = $1",
                incident_id,
                site.jurisdiction,
                site.time_zone or row["time_zone"],
            )
        structlog.get_logger(__name__).info(
            "incident's site facts filled in from roster", incident_id=incident_id, jurisdiction=site.jurisdiction
        )
        return site.jurisdiction, site.time_zone or row["time_zone"]

    @activity.defn(name=APPLY_CHANGE)
    @classified
    async def apply_change(self, change: ChangeSet) -> None:
        """One step of the process in one transaction: the incident's facts, the deadlines, a report,
        feedback or violations, the timeline entry and the event. A step of an update only as the
        incident service authorised it (grants.py), by the actor it authorised."""
        at = parse(change.at)
        if change.change_id.startswith("update:"):
            self._require_grant(change, parse(change.authorised_at or change.at))
        # Where a report goes upward, learned before the transaction (it may ask roster).
        goes_up = change.report is not None or change.correction is not None
        route = await inbox_routing.route(self._pool, self._roster, change.incident_id) if goes_up else None
        async with self._pool.acquire() as conn, conn.transaction():
            key = f"{change.incident_id}:{change.change_id}"
            if await store.timeline_entry(conn, dedupe_key=key) is not None:
                return  # applied by an earlier attempt
            current = await store.get_incident(conn, incident_id=change.incident_id)
            if current is None:
                raise ValueError(f"incident {change.incident_id} does not exist")
            fields = _columns(change.fields)
            if change.deadlines is None:  # left as they are
                deadlines, next_due_at = list(current.deadlines), current.next_due_at
            else:
                deadlines = [asdict(d) for d in change.deadlines]
                next_due_at = rules.next_due([deadline_from_data(d) for d in change.deadlines])
            incident = await store.apply_fields(
                conn,
                incident_id=change.incident_id,
                fields=fields,
                deadlines=deadlines,
                next_due_at=next_due_at,
            )
            await store.append_timeline(
                conn,
                incident_id=change.incident_id,
                at=at,
                actor_id=change.actor.person_id,
                actor_name=change.actor.name,
                actor_kind=change.actor.kind,
                kind=change.timeline_kind,
                text=change.timeline_text,
                dedupe_key=key,
            )
            payload = event_pb2.IncidentChanged(detail=change.timeline_text)
            # Reports (and report versions) to deliver upward, after the step's own event.
            upward: list[tuple[store.ReportRow, int]] = []
            if (r := change.report) is not None:
                report = store.ReportRow(
                    id=r.id,
                    incident_id=change.incident_id,
                    kind=r.kind,
                    number=r.number,
                    recipient=r.recipient,
                    content=r.content,
                    accident=asdict(r.accident) if r.accident is not None else None,
                    author_id=r.author_id,
                    submitted_at=parse(r.submitted_at),
                    late_seconds=r.late_seconds,
                    # What it states of the incident's figures (version 1; a correction adds the next).
                    casualties=dict(incident.casualties),
                    severity=incident.severity,
                )
                await store.insert_report(conn, report=report)
                payload.report.CopyFrom(convert.report_message(report))
                upward.append((report, 1))
            if (c := change.correction) is not None:
                # The new version, kept beside the earlier ones, and delivered upward again (a report
                # returned for correction is answered by it).
                corrected = await report_versions.add_version(conn, correction=c)
                payload.report.CopyFrom(convert.report_message(corrected))
                payload.correction.CopyFrom(report_versions.correction_message(c))
                upward.append((corrected, c.version))
            if (f := change.feedback) is not None:
                await store.insert_feedback(
                    conn,
                    feedback_id=f.id,
                    incident_id=change.incident_id,
                    call_id=f.call_id,
                    method=f.method,
                    message=f.message,
                    author_id=f.author_id,
                    recorded_at=parse(f.recorded_at),
                )
            for v in change.violations:
                if v.ref:
                    # A charge other than a deadline's (未及时核实, 错报, 瞒报): once per ref, to the person
                    # named or else the one responsible for the incident.
                    charged = await store.record_charge(
                        conn,
                        violation_id=new_id("vio"),
                        incident=incident,
                        person_id=v.person_id or incident.responsible_person_id,
                        kind=v.kind,
                        ref=v.ref,
                        report_kind=v.report_kind,
                        number=v.number,
                        recorded_at=at,
                        report_id=v.report_id or None,
                        due_at=parse(v.due_at) if v.due_at else None,
                    )
                    if charged is not None:
                        payload.violations.append(convert.violation_message(charged))
                    continue
                violation = await store.record_violation(
                    conn,
                    violation_id=new_id("vio"),
                    incident=incident,
                    kind=v.kind,
                    report_kind=v.report_kind,
                    number=v.number,
                    due_at=parse(v.due_at) if v.due_at else None,
                    recorded_at=at,
                    late_seconds=v.late_seconds,
                )
                payload.violations.append(convert.violation_message(violation))
            if payload.violations:
                payload.violation.CopyFrom(payload.violations[-1])
            if change.merged_into:
                await store.move_into(conn, duplicate_id=change.incident_id, primary_id=change.merged_into, at=at)
                refreshed = await store.get_incident(conn, incident_id=change.incident_id)
                assert refreshed is not None
                incident = refreshed
            entry = await store.timeline_entry(conn, dedupe_key=key)
            assert entry is not None
            payload.entry.CopyFrom(convert.timeline_message(entry))
            payload.incident.CopyFrom(convert.incident_message(incident, now=at))
            await emit(
                conn,
                event_type=change.event_type,
                site_id=incident.site_id,
                aggregate_id=incident.id,
                aggregate_version=incident.version,
                payload=payload,
                drill=incident.drill,
                actor=common_pb2.Actor(
                    person_id=change.actor.person_id, display_name=change.actor.name, kind=change.actor.kind
                ),
                occurred_at=at,
            )
            for report_row, version in upward:
                assert route is not None
                await inbox_store.deliver(
                    conn,
                    incident=incident,
                    report=report_row,
                    at=at,
                    recipient_site_id=route.recipient_site_id,
                    window_seconds=route.window_seconds,
                    report_version=version,
                )
