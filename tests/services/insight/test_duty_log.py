"""Duty logs (值班日志): the pure rules (shifts, state, who signs, the figures), and on the real stack a
shift published as events — calls, one answered late, a missed call called back, an incident with a
report on time and one late, a case, check-ins and a handover — whose log has the figures this test
counts, is open while the shift runs, refuses the wrong signer, cannot change once both signed, and is
corrected by a new version with its reason while the signed one stays readable."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import grpc
import pytest

from dutyline.common.v1 import common_pb2
from dutyline.envelope import subject_for, timestamp
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import from_ts, ts
from dutyline.insight.v1 import insight_pb2, insight_pb2_grpc
from dutyline.intake.v1 import case_pb2
from dutyline.labels import Language, log_line
from dutyline.natsconn import connect_url
from dutyline.roster.v1 import roster_pb2
from services.insight import dutylog
from services.insight.rpc_dutylog import entry_message
from tests.services.insight import events as ev
from tests.support import token_for

# Not the demo's people: roster's own events name those, and the latest event's name stands.
OFFICER, LEADER, OTHER = "p-dl-officer-1", "p-dl-leader-1", "p-dl-officer-2"
# The names this file's roster events give them.
NAMES = {OFFICER: "赵磊 Zhao Lei", LEADER: "钱敏 Qian Min", OTHER: "孙丽 Sun Li"}
OFFICER_TOKEN = token_for(OFFICER, ["officer"], ["hz-01"])
LEADER_TOKEN = token_for(LEADER, ["leader"], ["hz-01"])
OTHER_TOKEN = token_for(OTHER, ["officer"], ["hz-01"])
T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)


def duty(assignment: str, person: str, role: str, start: datetime, hours: int, name: str = "day") -> dict[str, Any]:
    return {
        "assignment_id": assignment,
        "site_id": "hz-01",
        "person_id": person,
        "role": role,
        "shift_name": name,
        "starts_at": start,
        "ends_at": start + timedelta(hours=hours),
    }


# -- the pure rules ---------------------------------------------------------------------------------


def test_a_shift_is_its_officers_with_the_leaders_on_duty_during_it() -> None:
    shifts = dutylog.shifts_of(
        [
            duty("a1", "p-1", "officer", T0, 8),
            duty("a2", "p-2", "officer", T0, 8),
            duty("a3", "p-3", "officer", T0 + timedelta(hours=8), 8, "夜班"),
            duty("l1", "p-lead", "leader", T0, 24, "leader"),
            duty("l2", "p-lead-2", "leader", T0 + timedelta(hours=24), 24, "leader"),
        ]
    )
    assert [(s.shift_name, s.officer_ids, s.leader_ids) for s in shifts] == [
        ("day", ("p-1", "p-2"), ("p-lead",)),
        ("夜班", ("p-3",), ("p-lead",)),
    ]
    assert dutylog.shift_at(shifts, T0 + timedelta(hours=9)) == shifts[1]
    assert dutylog.shift_at(shifts, T0 + timedelta(hours=16)) is None
    assert dutylog.parse_log_id(shifts[1].log_id) == ("hz-01", T0 + timedelta(hours=8))
    assert dutylog.parse_log_id("inc-1") is None
    assert dutylog.parse_log_id("dlog-hz-01-99999999999999999999-abc") is None


def test_a_log_is_open_while_the_shift_runs_built_after_and_signed_by_both() -> None:
    (shift,) = dutylog.shifts_of([duty("a1", "p-1", "officer", T0, 8), duty("l1", "p-lead", "leader", T0, 8)])
    end = T0 + timedelta(hours=8)
    assert dutylog.state_of(shift, end - timedelta(seconds=1), []) == "open"
    assert dutylog.state_of(shift, end, []) == "built"
    assert dutylog.state_of(shift, end, [dutylog.OFFICER]) == "built"
    assert dutylog.state_of(shift, end, [dutylog.OFFICER, dutylog.LEADER]) == "signed"
    assert dutylog.sign_refusal(shift, now=end - timedelta(minutes=1), role=dutylog.OFFICER, signed_roles=[])
    assert dutylog.sign_refusal(shift, now=end, role=dutylog.OFFICER, signed_roles=[]) is None
    assert dutylog.sign_refusal(shift, now=end, role=dutylog.OFFICER, signed_roles=[dutylog.OFFICER])
    assert dutylog.sign_refusal(shift, now=end, role=dutylog.LEADER, signed_roles=dutylog.SIGNER_ROLES)
    assert dutylog.signer_mismatch(shift, role=dutylog.OFFICER, person_id="p-1") is None
    assert dutylog.signer_mismatch(shift, role=dutylog.LEADER, person_id="p-1")
    assert dutylog.signer_mismatch(shift, role=dutylog.OFFICER, person_id="p-lead")


def test_the_figures_are_the_counts_of_the_records() -> None:
    rng = random.Random(17)
    calls: list[dict[str, Any]] = [
        {
            "call_id": f"c{n}",
            "category": rng.choice(["consultation", "emergency", "notice"]),
            "channel": rng.choice(["phone", "sms"]),
            "answered_at": T0 if n % 5 else None,
            "answered_late": n % 3 == 0,
            "answer_delay_seconds": float(n),
            "registered_at": T0,
            "officer_id": "p-1",
        }
        for n in range(40)
    ]
    states = [rng.choice(["not_answered", "abandoned", "ended"]) for _ in range(12)]
    line_calls = [
        {"line_call_id": f"l{n}", "state": s, "ring_started_at": T0, "ended_at": T0, "officer_id": None}
        for n, s in enumerate(states)
    ]
    due = T0 + timedelta(hours=1)
    callbacks = [
        {"callback_id": "b1", "kind": "callback", "due_at": due, "completed_at": due - timedelta(minutes=1)},
        {"callback_id": "b2", "kind": "callback", "due_at": due, "completed_at": due + timedelta(minutes=1)},
        {"callback_id": "b3", "kind": "callback", "due_at": due, "completed_at": None},
    ]
    reports = [
        {
            "report_id": f"r{n}",
            "incident_id": "i1",
            "kind": None,
            "number": n,
            "author_id": None,
            "submitted_at": T0,
            "late_seconds": 60.0 * (n % 2),
        }
        for n in range(5)
    ]
    events = [
        {"event_id": f"e{n}", "kind": kind, "at": T0, "ref_id": ref, "person_id": "", "summary": ""}
        for n, (kind, ref) in enumerate(
            [
                ("case_opened", "k1"),
                ("case_answered", "k1"),
                ("notice_incomplete", "c1"),
                ("notice_incomplete", "c1"),
                ("escalation", "x1"),
                ("acknowledgement", "x1"),
                ("escalation", "x2"),
            ]
        )
    ]
    records = dutylog.ShiftRecords(
        calls=calls, line_calls=line_calls, callbacks=callbacks, reports=reports, events=events
    )
    f = dutylog.figures(records)
    answered = [c for c in calls if c["answered_at"]]
    assert f.calls == 40 and f.calls_by_category == Counter(c["category"] for c in calls)
    assert f.answered == len(answered) and f.answered_late == sum(c["answered_late"] for c in answered)
    assert f.answer_seconds_max == max(c["answer_delay_seconds"] for c in answered)
    assert (f.missed, f.abandoned) == (states.count("not_answered"), states.count("abandoned"))
    assert (f.callbacks_due, f.callbacks_on_time, f.callbacks_late, f.callbacks_open) == (3, 1, 1, 1)
    assert (f.reports_on_time, f.reports_late) == (3, 2)
    assert (f.cases_opened, f.cases_answered, f.notices_incomplete) == (1, 1, 1)
    assert (f.escalations, f.escalations_acknowledged) == (2, 1)
    assert f.notices == sum(c["category"] == "notice" for c in calls)
    lines = dutylog.entries(records)
    assert [e.at for e in lines] == sorted(e.at for e in lines)
    assert sum(e.kind == "missed_call" for e in lines) == f.missed + f.abandoned


def test_a_lines_facts_are_its_records_not_words() -> None:
    """A line carries facts for the reader to word in its language (dutyline.labels.log_line)."""
    records = dutylog.ShiftRecords(
        calls=[
            {
                "call_id": "c1",
                "channel": "phone",
                "category": "consultation",
                "answered_at": T0,
                "answered_late": True,
                "answer_delay_seconds": 20.4,
                "registered_at": T0,
                "officer_id": "p-1",
                "summary": "询问封路",
            }
        ],
        reports=[
            {
                "report_id": "r1",
                "incident_id": "i1",
                "kind": "initial_phone",
                "number": 1,
                "author_id": "p-1",
                "submitted_at": T0 + timedelta(minutes=1),
                "late_seconds": 600.0,
            }
        ],
        violations=[
            {
                "record_id": "v1",
                "kind": "late_report",
                "person_id": "p-1",
                "occurred_at": T0 + timedelta(minutes=2),
                "detail": "initial_phone report #1 of i1, 10 min late",
                "late_seconds": 600.0,
                "event_id": "e9",
            }
        ],
        events=[
            {
                "event_id": "e1",
                "kind": "case_opened",
                "at": T0 + timedelta(minutes=3),
                "ref_id": "k1",
                "person_id": "p-1",
                "summary": "噪音投诉",
            }
        ],
    )
    call, report, violation, case = dutylog.entries(records)
    assert (call.kind, call.channel, call.category, call.late, call.answer_delay_seconds, call.text) == (
        "call",
        "phone",
        "consultation",
        True,
        20.4,
        "询问封路",
    )
    assert (report.report_kind, report.report_number, report.incident_id, report.late, report.late_seconds) == (
        "initial_phone",
        1,
        "i1",
        True,
        600.0,
    )
    assert (violation.violation_kind, violation.late_seconds, violation.event_id) == ("late_report", 600.0, "e9")
    assert (case.kind, case.state, case.text) == ("case", "case_opened", "噪音投诉")
    assert label_line(call, "zh") == "电话咨询，超三声接听（20 秒）：询问封路"
    assert label_line(report, "zh") == "i1 第 1 次报送：电话初报，迟报 10 分钟"
    assert label_line(case, "zh") == "受理工单：噪音投诉"
    assert label_line(report, "en") == "initial report by phone #1 of i1, 10 min late"
    escalation = dutylog.Entry(T0, "escalation", "x1", "p-1,p-2", state="escalation", text="incident i1")
    assert label_line(escalation, "zh") == "启动升级通知：事件 i1"
    assert label_line(escalation, "en") == "Escalation started: incident i1"


def label_line(entry: dutylog.Entry, lang: Language) -> str:
    return log_line(entry_message(entry), lang)


# -- on the real stack ------------------------------------------------------------------------------


def roster_event(assignment: str, person: str, role: common_pb2.Role, start: datetime, end: datetime, name: str) -> Any:
    payload = event_pb2.AssignmentChanged(
        assignment=roster_pb2.Assignment(
            id=assignment,
            site_id="hz-01",
            person_id=person,
            role=role,
            shift_name=name,
            start=ts(start),
            end=ts(end),
            local_date=start.date().isoformat(),
            display_name=NAMES[person],
        ),
        previous_person_id="p-before",
        cause="swap",
        cause_id=f"swap-{assignment}",
    )
    return ev.event("assignment.changed", payload, aggregate_id=assignment, version=2, at=start - timedelta(days=1))


def handover_event(kind: str, handover: str, out: str, inc: str, submitted: datetime, accepted: datetime | None) -> Any:
    payload = roster_pb2.Handover(
        id=handover,
        site_id="hz-01",
        outgoing_assignment_id=out,
        incoming_assignment_id=inc,
        outgoing_person_id=OFFICER,
        incoming_person_id=OTHER,
        submitted_at=timestamp(submitted),
        accepted_at=timestamp(accepted) if accepted else None,
        status=kind,
        open_items=[roster_pb2.OpenItem(kind="callback", ref_id="cb", text="回电 call back")],
    )
    version = 2 if accepted else 1
    return ev.event(f"handover.{kind}", payload, aggregate_id=handover, version=version, at=accepted or submitted)


def case_event(kind: str, case_id: str, at: datetime, version: int) -> Any:
    payload = event_pb2.CaseChanged(
        case=case_pb2.Case(id=case_id, site_id="hz-01", owner_id=OFFICER, subject="噪音投诉 noise"), detail=kind
    )
    return ev.event(f"case.{kind}", payload, aggregate_id=case_id, version=version, at=at)


def shift_story(start: datetime, end: datetime, name: str) -> tuple[list[Any], dict[str, Any]]:
    """The events of one shift at hz-01, and what its log must show (counted here)."""
    u = uuid.uuid4().hex[:8]
    out, nxt, lead = f"asg-o-{u}", f"asg-n-{u}", f"asg-l-{u}"
    at = lambda minutes: start + timedelta(minutes=minutes)  # noqa: E731
    events = [
        roster_event(out, OFFICER, common_pb2.ROLE_OFFICER, start, end, name),
        roster_event(lead, LEADER, common_pb2.ROLE_LEADER, start, end, f"{name}-leader"),
        roster_event(nxt, OTHER, common_pb2.ROLE_OFFICER, end, end + timedelta(hours=8), f"{name}-next"),
        ev.check_in(out, OFFICER, at(-10)),
        ev.check_in(lead, LEADER, at(5), late_seconds=900.0),
    ]
    calls = [
        (f"call-{u}-{n}", category, late)
        for n, (category, late) in enumerate(
            [("consultation", False), ("consultation", True), ("emergency", False), ("complaint", False)]
        )
    ]
    for n, (call_id, category, late) in enumerate(calls):
        events.append(
            ev.call_registered(
                call_id,
                at(10 + n),
                officer=OFFICER,
                category=category,
                late=late,
                delay=25.0 if late else 4.0,
                assignment_id=out,
                summary=f"来电 {n}",
            )
        )
    missed_line, missed_call, callback = f"lc-{u}", f"call-{u}-m", f"cb-{u}"
    events.append(
        ev.line_call(
            "not_answered",
            missed_line,
            version=2,
            at=at(30),
            state="not_answered",
            officer=OFFICER,
            call_id=missed_call,
        )
    )
    record = ev.call_record(missed_call, at=at(31), status="missed", officer=OFFICER, line_call_id=missed_line)
    due = at(61)
    events.append(ev.callback_event("callback.promised", record, callback, due=due, at=at(31)))
    events.append(
        ev.callback_event("callback.completed", record, callback, due=due, at=at(45), completed=at(45), version=2)
    )
    incident_id = f"inc-{u}"
    on_time, late_report = (
        ev.report(f"rep-{u}-1", incident_id, at(50)),
        ev.report(f"rep-{u}-2", incident_id, at(120), late=600.0),
    )
    events.append(ev.incident_registered(incident_id, at(12)))
    current = ev.incident(incident_id, registered=at(12), reports=(on_time,))
    events.append(ev.incident_changed("incident.report_submitted", current, version=2, at=at(50), report=on_time))
    current = ev.incident(incident_id, registered=at(12), reports=(on_time, late_report))
    events.append(ev.incident_changed("incident.report_submitted", current, version=3, at=at(120), report=late_report))
    case_id = f"case-{u}"
    events += [case_event("opened", case_id, at(60), 1), case_event("answered", case_id, at(90), 3)]
    handover = f"ho-{u}"
    events += [
        handover_event("submitted", handover, out, nxt, end - timedelta(minutes=20), None),
        handover_event("accepted", handover, out, nxt, end - timedelta(minutes=20), end - timedelta(minutes=5)),
    ]
    expected = {
        "calls": 4,
        "answered": 4,
        "answered_late": 1,
        "missed": 1,
        "callbacks_due": 1,
        "callbacks_on_time": 1,
        "incidents": 1,
        "reports_on_time": 1,
        "reports_late": 1,
        "cases_opened": 1,
        "cases_answered": 1,
        "by_category": {"consultation": 2, "emergency": 1, "complaint": 1},
        "handover": handover,
    }
    return events, expected


async def publish(platform: Any, events: list[Any]) -> None:
    nc = await connect_url(platform.nats.url, platform.nats_creds)
    try:
        js = nc.jetstream()
        for event in events:
            await js.publish(
                subject_for(event.site_id, event.type), event.SerializeToString(), headers={"Nats-Msg-Id": event.id}
            )
    finally:
        await nc.close()


async def log_when(stub: Any, request: Any, ready: Any, seconds: float = 60.0) -> Any:
    """The log once ``ready(log)`` (the projections run behind the stream)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        try:
            log = await stub.GetDutyLog(request)
            if ready(log):
                return log
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.NOT_FOUND:
                raise
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"the duty log never got ready: {request}")
        await asyncio.sleep(0.5)


async def refused(call: Any) -> grpc.StatusCode:
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await call
    return error.value.code()


def sign(log: Any, role: insight_pb2.SignerRole, key: str | None = None) -> insight_pb2.SignDutyLogRequest:
    return insight_pb2.SignDutyLogRequest(
        idempotency_key=key or str(uuid.uuid4()), log_id=log.id, version=log.version, role=role, comment="无异常 ok"
    )


@pytest.mark.stack
async def test_a_shifts_log_counts_signs_and_corrects(platform: Any, tmp_path: Path) -> None:
    # A past shift at a minute no other test uses (other tests' calls happen now).
    start = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=random.randrange(0, 300 * 24 * 60))
    start = start.replace(second=0, microsecond=0)
    end = start + timedelta(hours=8)
    events, expected = shift_story(start, end, f"day-{uuid.uuid4().hex[:6]}")
    await publish(platform, events)
    async with (
        channel(platform.address("insight"), OFFICER_TOKEN) as officer_ch,
        channel(platform.address("insight"), LEADER_TOKEN) as leader_ch,
        channel(platform.address("insight"), OTHER_TOKEN) as other_ch,
    ):
        officer = insight_pb2_grpc.InsightServiceStub(officer_ch)
        leader = insight_pb2_grpc.InsightServiceStub(leader_ch)
        other = insight_pb2_grpc.InsightServiceStub(other_ch)
        at_noon = insight_pb2.GetDutyLogRequest(site_id="hz-01", at=ts(start + timedelta(hours=1)))
        log = await log_when(
            officer,
            at_noon,
            lambda lg: (
                lg.figures.cases_answered == 1
                and lg.handover.status == "accepted"
                and lg.figures.reports_late == 1
                and lg.figures.callbacks_on_time == 1
                and lg.figures.calls == 4
                and lg.figures.missed == 1
                and len(lg.check_ins) == 2
                and lg.figures.incidents == 1
                # The leader's assignment arrives by its own event: the log may be built before it.
                and len(lg.leader_ids) == 1
            ),
        )
        f = log.figures
        assert (log.state, log.version, list(log.officer_ids), list(log.leader_ids)) == (
            "built",
            1,
            [OFFICER],
            [LEADER],
        )
        assert from_ts(log.shift_start) == start and from_ts(log.shift_end) == end
        for name in (
            "calls",
            "answered",
            "answered_late",
            "missed",
            "callbacks_due",
            "callbacks_on_time",
            "incidents",
            "reports_on_time",
            "reports_late",
            "cases_opened",
            "cases_answered",
        ):
            assert getattr(f, name) == expected[name], name
        assert {c.key: c.count for c in f.calls_by_category} == expected["by_category"]
        assert {(c.person_id, c.role, c.status) for c in log.check_ins} == {
            (OFFICER, "officer", "on_time"),
            (LEADER, "leader", "late"),
        }
        assert (log.handover.handover_id, log.handover.incoming_person_id, log.handover.open_items) == (
            expected["handover"],
            OTHER,
            1,
        )
        kinds = Counter(e.kind for e in log.entries)
        assert (kinds["call"], kinds["missed_call"], kinds["report"], kinds["case"]) == (4, 1, 2, 2)
        # Facts, not words: the call's summary and time to answer, the report's lateness; people by name.
        calls = [e for e in log.entries if e.kind == "call"]
        assert [(e.category, e.late, e.text) for e in calls] == [
            ("consultation", False, "来电 0"),
            ("consultation", True, "来电 1"),
            ("emergency", False, "来电 2"),
            ("complaint", False, "来电 3"),
        ]
        assert calls[1].answer_delay_seconds == 25.0 and not any(e.summary for e in log.entries)
        assert sorted(e.late_seconds for e in log.entries if e.kind == "report") == [0.0, 600.0]
        assert {p.person_id: p.display_name for p in log.people} == NAMES
        assert log.local_date == from_ts(log.shift_start).astimezone(ZoneInfo(log.time_zone)).date().isoformat()

        # Signing: the wrong person is refused; a retry answers once; both signatures make it immutable.
        officer_role, leader_role = insight_pb2.SIGNER_ROLE_OUTGOING_OFFICER, insight_pb2.SIGNER_ROLE_LEADER
        assert await refused(other.SignDutyLog(sign(log, officer_role))) == grpc.StatusCode.PERMISSION_DENIED
        assert await refused(officer.SignDutyLog(sign(log, leader_role))) == grpc.StatusCode.PERMISSION_DENIED
        stale = insight_pb2.DutyLog(id=log.id, version=2)
        assert await refused(officer.SignDutyLog(sign(stale, officer_role))) == grpc.StatusCode.FAILED_PRECONDITION
        key = str(uuid.uuid4())
        first = await officer.SignDutyLog(sign(log, officer_role, key))
        again = await officer.SignDutyLog(sign(log, officer_role, key))
        assert first == again and first.state == "built" and len(first.signatures) == 1
        assert await refused(officer.SignDutyLog(sign(log, officer_role))) == grpc.StatusCode.FAILED_PRECONDITION
        signed = await leader.SignDutyLog(sign(log, leader_role))
        assert signed.state == "signed" and {s.signed_by.person_id for s in signed.signatures} == {OFFICER, LEADER}
        assert signed.figures == log.figures and signed.entries == log.entries and signed.people == log.people
        assert await refused(leader.SignDutyLog(sign(log, leader_role))) == grpc.StatusCode.FAILED_PRECONDITION

        # The signed version as a Chinese PDF: its lines in Chinese, its people and signers by name.
        export = insight_pb2.ExportReportRequest(
            format=insight_pb2.DOCUMENT_FORMAT_PDF,
            language="zh",
            duty_log=insight_pb2.GetDutyLogRequest(log_id=log.id, version=1),
        )
        pdf = tmp_path / "log.pdf"
        pdf.write_bytes(b"".join([c.data async for c in officer.ExportReport(export, timeout=60)]))
        pdftotext = await asyncio.create_subprocess_exec("pdftotext", str(pdf), "-", stdout=asyncio.subprocess.PIPE)
        text = (await pdftotext.communicate())[0].decode()
        flat = "".join(text.split())
        for words in (
            "电话咨询：来电0",
            "超三声接听（25秒）",
            "电话初报，按时",
            "受理工单",
            "赵磊ZhaoLei(p-dl-officer-1)",
        ):
            assert words in flat, words
        assert "钱敏QianMin(p-dl-leader-1)" in flat and "answered after" not in text and "on time" not in text

        # A correction: a new version with its reason; the signed version stays as it was.
        correct = insight_pb2.CorrectDutyLogRequest(
            idempotency_key=str(uuid.uuid4()),
            log_id=log.id,
            version=1,
            reason="漏记一次来电 a call missing",
            remarks="补记 added",
        )
        assert await refused(officer.CorrectDutyLog(correct)) == grpc.StatusCode.PERMISSION_DENIED
        corrected = await leader.CorrectDutyLog(correct)
        assert (corrected.version, corrected.corrects_version, corrected.state) == (2, 1, "built")
        assert corrected.correction_reason == "漏记一次来电 a call missing"
        assert corrected.corrected_by.person_id == LEADER and not corrected.signatures
        old = await officer.GetDutyLog(insight_pb2.GetDutyLogRequest(log_id=log.id, version=1))
        assert old.state == "signed" and old.figures == log.figures and len(old.signatures) == 2
        latest = await officer.GetDutyLog(insight_pb2.GetDutyLogRequest(log_id=log.id))
        assert latest.version == 2
        stale_correction = insight_pb2.CorrectDutyLogRequest(
            idempotency_key=str(uuid.uuid4()), log_id=log.id, version=2, reason="again", remarks="again"
        )
        assert await refused(leader.CorrectDutyLog(stale_correction)) == grpc.StatusCode.FAILED_PRECONDITION

        listed = await officer.ListDutyLogs(
            insight_pb2.ListDutyLogsRequest(
                site_id="hz-01",
                period=common_pb2.TimeRange(start=ts(start - timedelta(minutes=1)), end=ts(end + timedelta(hours=1))),
                page=common_pb2.PageRequest(page_size=1),
            )
        )
        assert [lg.id for lg in listed.logs] == [
            dutylog.log_id("hz-01", f"{log.shift_name}-next", end, end + timedelta(hours=8))
        ]
        assert listed.page.next_page_token and not listed.logs[0].entries


@pytest.mark.stack
async def test_the_running_shifts_log_is_open_and_cannot_be_signed(platform: Any) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    u = uuid.uuid4().hex[:8]
    start, end = now - timedelta(seconds=30), now + timedelta(hours=2)
    assignment = f"asg-run-{u}"
    await publish(
        platform,
        [
            roster_event(assignment, OFFICER, common_pb2.ROLE_OFFICER, start, end, f"run-{u}"),
            ev.call_registered(f"call-run-{u}", now, officer=OFFICER, category="emergency", assignment_id=assignment),
        ],
    )
    async with channel(platform.address("insight"), OFFICER_TOKEN) as ch:
        stub = insight_pb2_grpc.InsightServiceStub(ch)
        request = insight_pb2.GetDutyLogRequest(site_id="hz-01", at=ts(now))
        log = await log_when(stub, request, lambda lg: lg.shift_name == f"run-{u}" and lg.figures.calls >= 1)
        assert log.state == "open" and log.officer_ids == [OFFICER]
        code = await refused(stub.SignDutyLog(sign(log, insight_pb2.SIGNER_ROLE_OUTGOING_OFFICER)))
        assert code == grpc.StatusCode.FAILED_PRECONDITION
