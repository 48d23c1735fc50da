"""考核 on the real stack: realistic events published on the platform's stream (a roster, a swap, a late
and a missed report, an absence, a late check-in, an unanswered call, a call answered late, a drill
and an absence a leader annotates) → the service's projections → GetScorecards: the points of each rule
with their sources and rule version, the drill on no card, the annotated fact at 0 with who decided,
the month-without-violation bonus for the people on duty without violations (the person swapped in,
not the one swapped out), a quarter the sum of its months; an officer sees only their own card, a
leader of another site is refused; `dutyline score` shows it in both languages."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from typer.testing import CliRunner

from dutyline.cli.main import app
from dutyline.common.v1 import common_pb2
from dutyline.envelope import subject_for, timestamp
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.client import channel
from dutyline.insight.v1 import insight_pb2, insight_pb2_grpc
from dutyline.natsconn import connect_url
from dutyline.roster.v1 import roster_pb2
from tests.services.insight import events as ev
from tests.support import token_for

pytestmark = pytest.mark.stack

HZ_LEADER = token_for("p-hz-leader-1", ["leader"], ["hz-01"])
NB_LEADER = token_for("p-nb-leader-1", ["leader"], ["nb-01"])
SUPERVISOR = token_for("p-east-supervisor", ["supervisor"], ["east"])
# Asia/Shanghai (hz-01's zone) is UTC+8: local noon is 04:00 UTC.
JAN = datetime(2025, 1, 10, 4, tzinfo=UTC)
FEB = datetime(2025, 2, 5, 4, tzinfo=UTC)
BOX = str.maketrans("│╭╮╰╯─┃━┏┓┗┛", " " * 12)


def assignment(assignment_id: str, person: str, start: datetime) -> roster_pb2.Assignment:
    return roster_pb2.Assignment(
        id=assignment_id,
        site_id="hz-01",
        person_id=person,
        role=common_pb2.ROLE_OFFICER,
        shift_name="day",
        start=timestamp(start),
        end=timestamp(start + timedelta(hours=12)),
        local_date=start.date().isoformat(),
    )


def roster_published(publication_id: str, start: datetime, end: datetime, *shifts: roster_pb2.Assignment) -> Any:
    payload = event_pb2.RosterPublished(
        publication_id=publication_id,
        site_id="hz-01",
        period=common_pb2.TimeRange(start=timestamp(start), end=timestamp(end)),
        assignments=len(shifts),
        roster=list(shifts),
    )
    return ev.event("roster.published", payload, aggregate_id=publication_id, version=1, at=start - timedelta(days=7))


def swapped(shift: roster_pb2.Assignment, to: str, swap_id: str) -> Any:
    changed = roster_pb2.Assignment()
    changed.CopyFrom(shift)
    changed.person_id = to
    payload = event_pb2.AssignmentChanged(
        assignment=changed, previous_person_id=shift.person_id, cause="swap", cause_id=swap_id
    )
    return ev.event("assignment.changed", payload, aggregate_id=shift.id, version=2, at=FEB - timedelta(days=2))


class Story:
    """A's January: every rule once, a drill, an annotated absence. B on duty in January and February
    without a violation; D's February shift swapped to C."""

    def __init__(self) -> None:
        tag = uuid.uuid4().hex[:8]
        self.a, self.b, self.c, self.d = (f"p-sc-{who}-{tag}" for who in "abcd")
        self.ids = {name: f"{name}-{tag}" for name in ("vio-late", "vio-missed", "vio-drill", "inc", "inc-drill")}
        self.asg = {name: f"asg-{name}-{tag}" for name in ("a1", "a2", "a3", "a4", "b1", "b2", "d1")}
        self.call_missed, self.call_late = f"call-m-{tag}", f"call-l-{tag}"
        shifts = {
            "a1": assignment(self.asg["a1"], self.a, JAN),
            "a2": assignment(self.asg["a2"], self.a, JAN + timedelta(days=10)),
            "a3": assignment(self.asg["a3"], self.a, JAN + timedelta(days=12)),
            "a4": assignment(self.asg["a4"], self.a, JAN + timedelta(days=15)),
            "b1": assignment(self.asg["b1"], self.b, JAN + timedelta(hours=12)),
            "b2": assignment(self.asg["b2"], self.b, FEB),
            "d1": assignment(self.asg["d1"], self.d, FEB + timedelta(hours=12)),
        }
        month_start = datetime(2024, 12, 31, 16, tzinfo=UTC)
        inc, inc_drill = self.ids["inc"], self.ids["inc-drill"]
        current = ev.incident(inc, registered=JAN + timedelta(days=1))
        drill = ev.incident(inc_drill, registered=JAN + timedelta(days=2), drill=True)
        missed = ev.call_record(self.call_missed, at=JAN + timedelta(days=3), status="missed", officer=self.a)
        published = roster_published(f"pub-{tag}", month_start, month_start + timedelta(days=59), *shifts.values())
        # The swap after the publication: a later event id (ids order by the millisecond only).
        time.sleep(0.002)
        self.events = [
            published,
            swapped(shifts["d1"], self.c, f"swap-{tag}"),
            # 迟报 and 漏报 of one incident: two report violations charged to A.
            ev.incident_registered(inc, JAN + timedelta(days=1)),
            ev.incident_changed(
                "incident.deadline_missed",
                current,
                version=2,
                at=JAN + timedelta(days=1, hours=1),
                violations=[
                    ev.violation(self.ids["vio-late"], inc, "late", JAN + timedelta(days=1, hours=1), person=self.a)
                ],
            ),
            ev.incident_changed(
                "incident.closed",
                current,
                version=3,
                at=JAN + timedelta(days=2),
                violations=[
                    ev.violation(self.ids["vio-missed"], inc, "missed", JAN + timedelta(days=2), person=self.a)
                ],
            ),
            # An exercise's late report: on no card.
            ev.incident_registered(inc_drill, JAN + timedelta(days=2), drill=True),
            ev.incident_changed(
                "incident.deadline_missed",
                drill,
                version=2,
                at=JAN + timedelta(days=2, hours=1),
                violations=[
                    ev.violation(
                        self.ids["vio-drill"],
                        inc_drill,
                        "late",
                        JAN + timedelta(days=2, hours=1),
                        person=self.a,
                        drill=True,
                    )
                ],
            ),
            ev.call_changed("call.missed", missed, version=2, at=JAN + timedelta(days=3)),
            ev.call_registered(self.call_late, JAN + timedelta(days=4), delay=25.0, late=True, officer=self.a),
            ev.absence(self.asg["a2"], self.a, JAN + timedelta(days=10)),
            ev.check_in(self.asg["a3"], self.a, JAN + timedelta(days=12, minutes=9), late_seconds=540.0),
            # The absence the leader annotates (a storm closed the roads).
            ev.absence(self.asg["a4"], self.a, JAN + timedelta(days=15)),
            ev.check_in(self.asg["b1"], self.b, JAN + timedelta(hours=11, minutes=50)),
        ]


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


@pytest.fixture
async def as_leader(platform: Any) -> AsyncIterator[insight_pb2_grpc.InsightServiceStub]:
    async with channel(platform.address("insight"), HZ_LEADER) as ch:
        yield insight_pb2_grpc.InsightServiceStub(ch)


def cards(answer: insight_pb2.GetScorecardsResponse) -> dict[str, insight_pb2.Scorecard]:
    return {c.person_id: c for c in answer.scorecards}


async def projected(stub: insight_pb2_grpc.InsightServiceStub, story: Story) -> dict[str, insight_pb2.Scorecard]:
    """January's cards once the projections have applied the story (its last facts and duties, and the
    swap of February's shift to C: each projection reads the stream at its own pace)."""
    deadline = time.monotonic() + 60
    while True:
        found = cards(await stub.GetScorecards(insight_pb2.GetScorecardsRequest(site_id="hz-01", period="2025-01")))
        february = cards(await stub.GetScorecards(insight_pb2.GetScorecardsRequest(site_id="hz-01", period="2025-02")))
        if len(found.get(story.a, insight_pb2.Scorecard()).lines) == 7 and story.b in found and story.c in february:
            return found
        assert time.monotonic() < deadline, f"not projected: {found.get(story.a)}, February {list(february)}"
        await asyncio.sleep(0.5)


def points(card: insight_pb2.Scorecard) -> dict[tuple[str, str, str], tuple[int, int]]:
    return {
        (line.kind, line.source.record_type, line.source.record_id): (line.points, line.rules_version)
        for line in card.lines
    }


async def test_scorecards_price_each_rule_skip_drills_keep_annotations_and_add_up(
    platform: Any, as_leader: insight_pb2_grpc.InsightServiceStub
) -> None:
    story = Story()
    await publish(platform, story.events)
    annotated = await as_leader.AnnotateFact(
        insight_pb2.AnnotateFactRequest(
            idempotency_key=str(uuid.uuid4()),
            site_id="hz-01",
            waives=[insight_pb2.SourceRef(record_type="assignment", record_id=story.asg["a4"])],
            reason="台风封路 a typhoon closed the roads",
        )
    )
    january = await projected(as_leader, story)

    a = january[story.a]
    assert points(a) == {
        ("late_report", "violation", story.ids["vio-late"]): (-2, 1),
        ("missed_report", "violation", story.ids["vio-missed"]): (-5, 1),
        ("unanswered_call", "call", story.call_missed): (-1, 1),
        ("late_answer", "call", story.call_late): (-1, 1),
        ("absence", "assignment", story.asg["a2"]): (-3, 1),
        ("late_check_in", "assignment", story.asg["a3"]): (-1, 1),
        ("absence", "assignment", story.asg["a4"]): (0, 1),
    }
    assert (a.base, a.total, a.score) == (100, -13, 87)
    assert all(story.ids["vio-drill"] != line.source.record_id for c in january.values() for line in c.lines)
    waived = next(line for line in a.lines if line.source.record_id == story.asg["a4"])
    assert waived.rule_points == -3 and waived.annotation.id == annotated.annotation.id
    assert waived.annotation.decided_by.person_id == "p-hz-leader-1"
    assert waived.annotation.reason == "台风封路 a typhoon closed the roads"

    # On duty without a violation: the bonus, traced to the month; the swapped-out D holds no duty.
    assert [(line.kind, line.source.record_id, line.points) for line in january[story.b].lines] == [
        ("month_without_violation", "2025-01", 2)
    ]
    assert january[story.b].score == 102
    site = january[""]
    assert site.subject == insight_pb2.SCORE_SUBJECT_SITE
    assert set(points(a)) <= set(points(site)) and all(line.kind != "month_without_violation" for line in site.lines)

    answer = await as_leader.GetScorecards(insight_pb2.GetScorecardsRequest(site_id="hz-01", period="2025-02"))
    february = cards(answer)
    assert [line.points for line in february[story.b].lines] == [2]
    assert [line.points for line in february[story.c].lines] == [2]
    assert story.d not in february and story.a not in february

    answer = await as_leader.GetScorecards(insight_pb2.GetScorecardsRequest(site_id="hz-01", period="2025-Q1"))
    quarter = cards(answer)
    assert all(c.period == "2025-Q1" for c in quarter.values())
    assert quarter[story.a].total == a.total + 0 + 0
    assert quarter[story.b].total == 2 + 2 and quarter[story.b].score == 104
    assert quarter[story.c].total == 2

    # A supervisor reads the region's cards; one person's cards only when asked.
    async with channel(platform.address("insight"), SUPERVISOR) as ch:
        region = insight_pb2_grpc.InsightServiceStub(ch)
        answer = await region.GetScorecards(
            insight_pb2.GetScorecardsRequest(site_id="east", period="2025-01", person_id=story.a)
        )
    assert [(c.site_id, c.person_id, c.total) for c in answer.scorecards] == [("hz-01", story.a, -13)]

    # An officer asking for the site sees only their own card; another site's leader is refused.
    async with channel(platform.address("insight"), token_for(story.b, ["officer"], ["hz-01"])) as ch:
        officer = insight_pb2_grpc.InsightServiceStub(ch)
        answer = await officer.GetScorecards(insight_pb2.GetScorecardsRequest(site_id="hz-01", period="2025-01"))
        assert [(c.person_id, c.total) for c in answer.scorecards] == [(story.b, 2)]
        answer = await officer.GetScorecards(
            insight_pb2.GetScorecardsRequest(site_id="hz-01", period="2025-01", person_id=story.a)
        )
        assert [c.person_id for c in answer.scorecards] == [story.b]
    async with channel(platform.address("insight"), NB_LEADER) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await insight_pb2_grpc.InsightServiceStub(ch).GetScorecards(
                insight_pb2.GetScorecardsRequest(site_id="hz-01", period="2025-01")
            )
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED

    # `dutyline score`: the total, the score and each line's source, in both languages.
    env = {"COLUMNS": "250", "DUTYLINE_INSIGHT_ADDRESS": platform.address("insight"), "DUTYLINE_TOKEN": None}
    for lang, says in (
        ("en", ("total -13, score 87", "waived: 台风封路")),
        ("zh", ("合计 -13，得分 87", "不计分：台风封路")),
    ):
        argv = ["score", "--token", HZ_LEADER, "--lang", lang, "--site", "hz-01", "--person", story.a, "--period"]
        result = await asyncio.to_thread(CliRunner().invoke, app, [*argv, "2025-01"], env=env)
        assert result.exit_code == 0, result.output
        shown = " ".join(result.output.translate(BOX).split())
        assert all(s in shown for s in says), shown
        assert f"violation:{story.ids['vio-late']}" in shown and f"assignment:{story.asg['a4']}" in shown


Shown = list[tuple[str, str, int, list[tuple[str, str, int]]]]


def shown(answer: insight_pb2.GetScorecardsResponse) -> Shown:
    return [
        (c.site_id, c.person_id, c.total, [(line.kind, line.source.record_id, line.points) for line in c.lines])
        for c in answer.scorecards
    ]


async def every_page(stub: insight_pb2_grpc.InsightServiceStub, site_id: str, period: str, size: int) -> Shown:
    """Every card, read ``size`` a page (a page holds no more, and at least one)."""
    cards: Shown = []
    asked = insight_pb2.GetScorecardsRequest(site_id=site_id, period=period)
    asked.page.page_size = size
    while True:
        answer = await stub.GetScorecards(asked)
        assert 1 <= len(answer.scorecards) <= size
        cards += shown(answer)
        if not answer.page.next_page_token:
            return cards
        asked.page.page_token = answer.page.next_page_token


async def test_scorecards_read_a_page_at_a_time_are_the_cards_read_at_once(platform: Any) -> None:
    """Each page is computed from its own cards' facts only: read one card a page, the region's cards are
    those of one read (the sites' cards, then their people's), each with every line."""
    story = Story()
    await publish(platform, story.events)
    async with channel(platform.address("insight"), SUPERVISOR) as ch:
        region = insight_pb2_grpc.InsightServiceStub(ch)
        # The whole story first: cards that stay the same over three reads may still miss a fact that a
        # projection has yet to apply (each reads the stream at its own pace).
        await projected(region, story)
        deadline = time.monotonic() + 60
        while True:
            before = await every_page(region, "east", "2025-01", 500)
            paged = await every_page(region, "east", "2025-01", 1)
            # The same cards unless the projections changed them meanwhile (then read again).
            if before == await every_page(region, "east", "2025-01", 500) and any(c[1] == story.a for c in before):
                break
            assert time.monotonic() < deadline, "the cards kept changing"
            await asyncio.sleep(0.5)
    assert paged == before
    sites = [c for c in before if not c[1]]
    assert sites == sorted(sites) and before[: len(sites)] == sites and len(sites) >= 2
    a = next(c for c in before if c[1] == story.a)
    assert a[2] == -16 and len(a[3]) == 7  # nothing annotated here: both absences cost 3
    hz = next(c for c in sites if c[0] == "hz-01")
    assert {line[1] for line in a[3]} <= {line[1] for line in hz[3]}
