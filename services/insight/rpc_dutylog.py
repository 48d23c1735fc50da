"""Duty logs (值班日志) over gRPC: a shift's log read live from the read model while no one has signed
it; frozen as the first signer read it; signed by the outgoing officer and the duty leader; corrected
by a new version with its reason (services/insight/dutylog.py holds the rules)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import grpc

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.grpckit import idempotency
from dutyline.grpckit.actors import actor_of
from dutyline.grpckit.auth import current_principal
from dutyline.grpckit.convert import from_ts, ts
from dutyline.grpckit.errors import FailedPrecondition, NotFound, PermissionDenied
from dutyline.insight.v1 import insight_pb2
from services.insight import dutylog
from services.insight.base import InsightBase

PAGE_SIZE = 100
MAX_ENTRIES = 2000
# The longest shift looked for around an instant (a 24-hour shift and its leaders).
LONGEST_SHIFT = timedelta(days=2)
ROLE_NAMES = {insight_pb2.SIGNER_ROLE_OUTGOING_OFFICER: dutylog.OFFICER, insight_pb2.SIGNER_ROLE_LEADER: dutylog.LEADER}
ROLE_VALUES = {name: value for value, name in ROLE_NAMES.items()}

_DUTIES = """
SELECT assignment_id, site_id, person_id, role, shift_name, starts_at, ends_at FROM duties
WHERE site_id = ANY($1::text[]) AND starts_at < $3 AND ends_at > $2 AND NOT drill
"""
# The read model's rows of a site in [start, end), drills left out.
_RECORDS = {
    "calls": "SELECT * FROM calls WHERE site_id = $1 AND registered_at >= $2 AND registered_at < $3 "
    "AND record_version > 0 AND NOT drill",
    "line_calls": "SELECT * FROM line_calls WHERE site_id = $1 AND ring_started_at >= $2 AND ring_started_at < $3 "
    "AND NOT drill",
    "callbacks": "SELECT * FROM callbacks WHERE site_id = $1 AND promised_at >= $2 AND promised_at < $3 AND NOT drill",
    "incidents": "SELECT * FROM incidents WHERE site_id = $1 AND registered_at >= $2 AND registered_at < $3 "
    "AND NOT drill AND coalesce(outcome, '') <> 'merged'",
    "reports": "SELECT * FROM reports WHERE site_id = $1 AND submitted_at >= $2 AND submitted_at < $3 AND NOT drill",
    "violations": "SELECT * FROM violations WHERE site_id = $1 AND occurred_at >= $2 AND occurred_at < $3 "
    "AND NOT drill",
    "events": "SELECT * FROM duty_log_events WHERE site_id = $1 AND at >= $2 AND at < $3 AND NOT drill",
}


def _counts(counter: dict[str, int]) -> list[insight_pb2.Count]:
    return [insight_pb2.Count(key=k, count=n) for k, n in sorted(counter.items())]


def figures_message(f: dutylog.Figures) -> insight_pb2.DutyFigures:
    return insight_pb2.DutyFigures(
        calls=f.calls,
        calls_by_category=_counts(f.calls_by_category),
        calls_by_channel=_counts(f.calls_by_channel),
        answered=f.answered,
        answered_late=f.answered_late,
        answer_seconds_mean=f.answer_seconds_mean,
        answer_seconds_max=f.answer_seconds_max,
        missed=f.missed,
        abandoned=f.abandoned,
        callbacks_due=f.callbacks_due,
        callbacks_on_time=f.callbacks_on_time,
        callbacks_late=f.callbacks_late,
        callbacks_open=f.callbacks_open,
        incidents=f.incidents,
        incidents_by_category=_counts(f.incidents_by_category),
        reports_on_time=f.reports_on_time,
        reports_late=f.reports_late,
        reports_missed=f.reports_missed,
        cases_opened=f.cases_opened,
        cases_answered=f.cases_answered,
        notices=f.notices,
        notices_incomplete=f.notices_incomplete,
        escalations=f.escalations,
        escalations_acknowledged=f.escalations_acknowledged,
        violations_by_kind=_counts(f.violations_by_kind),
    )


# The facts of an entry the message carries as they are (all but its time).
_ENTRY_FACTS = tuple(f.name for f in fields(dutylog.Entry) if f.name != "at")


def entry_message(entry: dutylog.Entry) -> insight_pb2.DutyLogEntry:
    return insight_pb2.DutyLogEntry(at=ts(entry.at), **{name: getattr(entry, name) for name in _ENTRY_FACTS})


async def names_of(conn: Connection, person_ids: Iterable[str]) -> dict[str, str]:
    """The names roster last gave these people (read model, table people); a person never named is left
    out, and shown by id."""
    wanted = sorted({p for p in person_ids if p})
    rows = await conn.fetch("SELECT person_id, display_name FROM people WHERE person_id = ANY($1::text[])", wanted)
    return {r["person_id"]: r["display_name"] for r in rows}


def people_of(log: insight_pb2.DutyLog) -> set[str]:
    """Everyone the log names: its officers and leaders, entries (an escalation names several), check-ins,
    handover, signers and corrector."""
    ids = {*log.officer_ids, *log.leader_ids, *(c.person_id for c in log.check_ins)}
    ids |= {p for e in log.entries for p in e.person_id.split(",")}
    ids |= {log.handover.outgoing_person_id, log.handover.incoming_person_id, log.corrected_by.person_id}
    ids |= {s.signed_by.person_id for s in log.signatures}
    return ids - {""}


async def shifts_between(conn: Connection, site_ids: list[str], start: datetime, end: datetime) -> list[dutylog.Shift]:
    """The shifts of the sites overlapping [start, end)."""
    rows = await conn.fetch(_DUTIES, site_ids, start - LONGEST_SHIFT, end + LONGEST_SHIFT)
    return [s for s in dutylog.shifts_of(dict(r) for r in rows) if s.start < end and s.end > start]


async def shift_of_log(conn: Connection, log_id: str) -> dutylog.Shift:
    named = dutylog.parse_log_id(log_id)
    if named is not None:
        site_id, start = named
        for shift in await shifts_between(conn, [site_id], start, start + timedelta(seconds=1)):
            if shift.log_id == log_id:
                return shift
    raise NotFound(f"no duty log {log_id} / 无此值班日志")


async def live_log(conn: Connection, shift: dutylog.Shift, *, time_zone: str, now: datetime) -> insight_pb2.DutyLog:
    """Version 1 as the read model tells it now, without signatures or state."""
    fetched = {
        name: [dict(r) for r in await conn.fetch(sql, shift.site_id, shift.start, shift.end)]
        for name, sql in _RECORDS.items()
    }
    records = dutylog.ShiftRecords(**fetched)
    lines = dutylog.entries(records)
    log = insight_pb2.DutyLog(
        id=shift.log_id,
        site_id=shift.site_id,
        shift_name=shift.shift_name,
        shift_start=ts(shift.start),
        shift_end=ts(shift.end),
        local_date=shift.start.astimezone(ZoneInfo(time_zone)).date().isoformat(),
        time_zone=time_zone,
        version=1,
        officer_ids=shift.officer_ids,
        leader_ids=shift.leader_ids,
        figures=figures_message(dutylog.figures(records)),
        entries=[entry_message(e) for e in lines[:MAX_ENTRIES]],
        entries_omitted=max(0, len(lines) - MAX_ENTRIES),
        built_at=ts(now),
    )
    check_ins = await conn.fetch(
        """SELECT d.person_id, d.role, c.status, c.checked_in_at FROM duties d
           LEFT JOIN shift_check_ins c USING (assignment_id)
           WHERE d.site_id = $1 AND d.starts_at < $3 AND d.ends_at > $2 AND NOT d.drill
             AND (d.assignment_id = ANY($4::text[]) OR d.role = 'leader')
           ORDER BY d.role DESC, d.person_id""",
        shift.site_id,
        shift.start,
        shift.end,
        list(shift.officer_assignment_ids),
    )
    for c in check_ins:
        log.check_ins.add(
            person_id=c["person_id"],
            role=c["role"],
            status=dutylog.check_in_status(dict(c) if c["status"] else None),
            checked_in_at=ts(c["checked_in_at"]),
        )
    handover = await conn.fetchrow(
        """SELECT * FROM shift_handovers WHERE outgoing_assignment_id = ANY($1::text[]) AND NOT drill
           ORDER BY submitted_at NULLS LAST, handover_id LIMIT 1""",
        list(shift.officer_assignment_ids),
    )
    log.handover.status = dutylog.handover_status(None if handover is None else dict(handover))
    if handover is not None:
        log.handover.MergeFrom(
            insight_pb2.DutyLogHandover(
                handover_id=handover["handover_id"],
                outgoing_person_id=handover["outgoing_person_id"] or "",
                incoming_person_id=handover["incoming_person_id"] or "",
                submitted_at=ts(handover["submitted_at"]),
                accepted_at=ts(handover["accepted_at"]),
                open_items=handover["open_items"],
            )
        )
    return log


async def stored_versions(conn: Connection, log_id: str) -> dict[int, insight_pb2.DutyLog]:
    """The frozen versions with their signatures."""
    out: dict[int, insight_pb2.DutyLog] = {}
    for row in await conn.fetch("SELECT version, log FROM duty_log_versions WHERE log_id = $1", log_id):
        out[row["version"]] = insight_pb2.DutyLog.FromString(row["log"])
    for s in await conn.fetch("SELECT * FROM duty_log_signatures WHERE log_id = $1 ORDER BY signed_at", log_id):
        out[s["version"]].signatures.add(
            role=ROLE_VALUES[s["role"]],
            signed_by=common_pb2.Actor(person_id=s["person_id"], display_name=s["display_name"], kind="person"),
            signed_at=ts(s["signed_at"]),
            comment=s["comment"],
        )
    return out


async def freeze(conn: Connection, log: insight_pb2.DutyLog) -> None:
    await conn.execute(
        "INSERT INTO duty_log_versions (log_id, version, site_id, shift_start, log) VALUES ($1, $2, $3, $4, $5)",
        log.id,
        log.version,
        log.site_id,
        from_ts(log.shift_start),
        log.SerializeToString(),
    )


class DutyLogRpcs(InsightBase):
    async def _log(
        self, conn: Connection, shift: dutylog.Shift, *, version: int = 0, entries: bool = True
    ) -> insight_pb2.DutyLog:
        """The version asked for (0: the latest), its state as of now."""
        site = await self._sites.site(shift.site_id)
        now = self.now()
        stored = await stored_versions(conn, shift.log_id)
        if version and version in stored:
            log = stored[version]
        elif version > 1 or (version == 1 and stored):
            raise NotFound(f"no version {version} of duty log {shift.log_id} / 无此版本")
        elif stored and not version:
            log = stored[max(stored)]
        else:
            log = await live_log(conn, shift, time_zone=site.time_zone, now=now)
        roles = [ROLE_NAMES[s.role] for s in log.signatures]
        log.state = dutylog.state_of(shift, now, roles)
        if not entries:
            del log.entries[:]
        del log.people[:]
        for person_id, name in sorted((await names_of(conn, people_of(log))).items()):
            log.people.add(person_id=person_id, display_name=name)
        return log

    async def GetDutyLog(
        self, request: insight_pb2.GetDutyLogRequest, context: grpc.aio.ServicerContext
    ) -> insight_pb2.DutyLog:
        async with self._pool.acquire() as conn:
            if request.log_id:
                shift = await shift_of_log(conn, request.log_id)
                await self.site_of_caller(shift.site_id)
            else:
                await self.site_of_caller(request.site_id)
                instant = from_ts(request.at)
                # A window of one microsecond: a shift starting at the instant overlaps it.
                nearby = await shifts_between(conn, [request.site_id], instant, instant + timedelta(microseconds=1))
                found = dutylog.shift_at(nearby, instant)
                if found is None:
                    raise NotFound(f"no shift of {request.site_id} at {instant.isoformat()} / 该时刻无班次")
                shift = found
            return await self._log(conn, shift, version=request.version)

    async def ListDutyLogs(
        self, request: insight_pb2.ListDutyLogsRequest, context: grpc.aio.ServicerContext
    ) -> insight_pb2.ListDutyLogsResponse:
        await self.site_of_caller(request.site_id)
        site_ids = await self._sites.sites_under([request.site_id])
        start, end = from_ts(request.period.start), from_ts(request.period.end)
        size, offset = request.page.page_size or PAGE_SIZE, int(request.page.page_token or 0)
        async with self._pool.acquire() as conn:
            shifts = [s for s in await shifts_between(conn, site_ids, start, end) if start <= s.start < end]
            shifts.sort(key=lambda s: (s.start, s.site_id, s.shift_name), reverse=True)
            if request.unsigned_only:
                signed = {
                    r["log_id"]
                    for r in await conn.fetch(
                        """SELECT log_id FROM duty_log_signatures WHERE log_id = ANY($1::text[])
                           AND (log_id, version) IN (SELECT log_id, max(version) FROM duty_log_versions
                                                     GROUP BY log_id)
                           GROUP BY log_id, version HAVING count(*) = 2""",
                        [s.log_id for s in shifts],
                    )
                }
                shifts = [s for s in shifts if s.log_id not in signed]
            page = shifts[offset : offset + size]
            logs = [await self._log(conn, s, entries=False) for s in page]
        more = offset + size < len(shifts)
        return insight_pb2.ListDutyLogsResponse(
            logs=logs, page=common_pb2.PageResponse(next_page_token=str(offset + size) if more else "")
        )

    async def SignDutyLog(
        self, request: insight_pb2.SignDutyLogRequest, context: grpc.aio.ServicerContext
    ) -> insight_pb2.DutyLog:
        """The signer must be the person the shift names for the role; the first signature freezes the
        version the signer read."""
        principal = current_principal()
        role = ROLE_NAMES[request.role]
        async with self._pool.acquire() as conn:
            shift = await shift_of_log(conn, request.log_id)
        await self.site_of_caller(shift.site_id)
        if (mismatch := dutylog.signer_mismatch(shift, role=role, person_id=principal.person_id)) is not None:
            raise PermissionDenied(mismatch)

        async def work(conn: Connection) -> insight_pb2.DutyLog:
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", shift.log_id)
            now = self.now()
            stored = await stored_versions(conn, shift.log_id)
            latest = stored[max(stored)] if stored else await self._log(conn, shift)
            if request.version != latest.version:
                raise FailedPrecondition(
                    f"version {request.version} is not the latest ({latest.version}) / 所签版本不是最新版本"
                )
            signed = [ROLE_NAMES[s.role] for s in latest.signatures]
            if (refusal := dutylog.sign_refusal(shift, now=now, role=role, signed_roles=signed)) is not None:
                raise FailedPrecondition(refusal)
            if not stored:
                # What the version holds, without what reading it adds (its state, today's names).
                latest.ClearField("state")
                del latest.people[:]
                await freeze(conn, latest)
            await conn.execute(
                """INSERT INTO duty_log_signatures (log_id, version, role, person_id, display_name, signed_at, comment)
                   VALUES ($1, $2, $3, $4, $5, $6, $7)""",
                shift.log_id,
                latest.version,
                role,
                principal.person_id,
                principal.name,
                now,
                request.comment.strip(),
            )
            return await self._log(conn, shift, version=latest.version)

        answer, _ = await idempotency.run_once(
            self._pool, method="SignDutyLog", request=request, response_type=insight_pb2.DutyLog, work=work
        )
        return answer

    async def CorrectDutyLog(
        self, request: insight_pb2.CorrectDutyLogRequest, context: grpc.aio.ServicerContext
    ) -> insight_pb2.DutyLog:
        """A new version from the read model as it is now, with the reason and remarks; the corrected
        version stays readable."""
        principal = current_principal()
        async with self._pool.acquire() as conn:
            shift = await shift_of_log(conn, request.log_id)
        site = await self.site_of_caller(shift.site_id)

        async def work(conn: Connection) -> insight_pb2.DutyLog:
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", shift.log_id)
            stored = await stored_versions(conn, shift.log_id)
            latest = max(stored, default=0)
            if not latest or not stored[latest].signatures:
                raise FailedPrecondition("only a signed log is corrected; sign it first / 日志未签字，无需更正")
            if request.version != latest:
                raise FailedPrecondition(f"version {request.version} is not the latest ({latest}) / 不是最新版本")
            now = self.now()
            log = await live_log(conn, shift, time_zone=site.time_zone, now=now)
            log.version = latest + 1
            log.corrects_version = latest
            log.correction_reason = request.reason.strip()
            log.correction_remarks = request.remarks.strip()
            log.corrected_by.CopyFrom(actor_of(principal))
            await freeze(conn, log)
            return await self._log(conn, shift, version=log.version)

        answer, _ = await idempotency.run_once(
            self._pool, method="CorrectDutyLog", request=request, response_type=insight_pb2.DutyLog, work=work
        )
        return answer
