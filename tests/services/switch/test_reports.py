"""The adapter's pure parts: Kamailio's reports read and turned into LineEvents, the local queue that
keeps them across a restart, and the pauses between attempts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dutyline.grpckit.validation import violations
from dutyline.intake.v1 import telephony_pb2 as K
from services.switch.delivery import pause_after
from services.switch.queue import ReportQueue
from services.switch.reports import BadReport, Report, caller_number, line_event, parse_report

AT = "1796448797.672443"
WHEN = datetime(2026, 12, 5, 5, 33, 17, 672443, tzinfo=UTC)


def answered(**fields: str) -> dict[str, str]:
    return {
        "kind": "answered",
        "call_id": "a84b4c76e66710@pc33.example",
        "at": AT,
        "line": "12345",
        "caller": "13812345678",
        "extension": "1001",
        "target": "",
    } | fields


def test_a_report_is_read_with_the_switchs_time() -> None:
    report = parse_report(answered())
    assert report == Report(
        kind="answered",
        at=WHEN,
        call_id="a84b4c76e66710@pc33.example",
        line="12345",
        caller="13812345678",
        extension="1001",
    )
    assert Report.from_json(report.to_json()) == report
    assert parse_report({"kind": "heartbeat", "at": AT}) == Report(kind="heartbeat", at=WHEN)


@pytest.mark.parametrize(
    "form",
    [
        answered(kind="picked_up"),
        answered(at="yesterday"),
        answered(at=""),
        answered(call_id=""),
        answered(line=""),
        {"kind": "heartbeat"},
    ],
)
def test_what_is_not_a_report_is_refused(form: dict[str, str]) -> None:
    with pytest.raises(BadReport):
        parse_report(form)


@pytest.mark.parametrize(
    ("user", "number"),
    [("13812345678", "13812345678"), ("+8657187654321", "+8657187654321"), ("Anonymous", "anonymous"), ("alice", "")],
)
def test_the_caller_number_is_what_the_contract_takes(user: str, number: str) -> None:
    assert caller_number(user) == number


def test_a_report_becomes_a_line_event_intake_takes() -> None:
    event = line_event(parse_report(answered()), "line-hz-main")
    assert (event.kind, event.extension, event.caller_number, event.switch_call_id) == (
        K.LINE_EVENT_KIND_ANSWERED,
        "1001",
        "13812345678",
        "a84b4c76e66710@pc33.example",
    )
    assert event.at.ToDatetime(UTC) == WHEN
    moved = line_event(parse_report(answered(kind="transferred", target="1005")), "line-hz-main")
    assert (moved.transfer_target, moved.extension) == ("1005", "")
    request = K.ReportLineEventRequest(switch_id="kamailio-1", event=moved)
    request.event.at.FromDatetime(datetime.now(UTC))  # within intake's window
    assert violations(request) == []


def test_the_queue_keeps_reports_in_order_once_and_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    queue = ReportQueue(path)
    ringing = parse_report(answered(kind="ringing", extension=""))
    assert queue.put(ringing)
    assert queue.put(parse_report(answered()))
    assert not queue.put(ringing)  # the switch said it twice
    queue.close()

    queue = ReportQueue(path)  # the adapter's next process
    first = queue.first()
    assert first is not None and first.report == ringing and queue.depth() == 2
    queue.failed_attempt(first)
    queue.delivered(first)
    second = queue.first()
    assert second is not None and second.report.kind == "answered" and second.attempts == 0
    queue.set_aside(second, "INVALID_ARGUMENT: unknown line")
    assert queue.first() is None and queue.depth() == 0
    [(body, reason)] = queue.dead_letters()
    assert Report.from_json(json.loads(body)) == second.report and reason.startswith("INVALID")
    queue.close()


def test_the_pause_between_attempts_doubles_up_to_the_longest() -> None:
    assert [pause_after(n, longest=4) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
