"""The 瞒报 signal rules (services/incident/oversight_rules.py), pure: which changes raise a signal, with
what evidence and whom, and which do not."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from services.incident import oversight_rules as R

AT = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
INCIDENT = R.IncidentFacts(
    id="inc-1",
    site_id="hz-01",
    title="燃气泄漏 Gas leak",
    severity="III",
    responsible_id="p-officer",
    registered_at=AT - timedelta(minutes=25),
    call_count=4,
    casualties_reported=1,
    drill=False,
    verified=True,
)


def reclassified(before: str, after: str) -> R.Signal | None:
    return R.call_reclassified(
        call_id="call-1",
        site_id="hz-01",
        incident_id="inc-1",
        before=before,
        after=after,
        detail=f"{before} → {after}",
        officer_id="p-officer",
        by="p-leader",
        at=AT,
        event_id="evt-1",
        drill=False,
    )


def test_an_emergency_call_reclassified_away_names_its_officer_and_who_changed_it() -> None:
    signal = reclassified("emergency", "consultation")
    assert signal is not None and signal.kind == "call_reclassified"
    assert [(p.person_id, p.role) for p in signal.people] == [
        ("p-officer", "call_officer"),
        ("p-leader", "reclassified_by"),
    ]
    values = {e.label: e.value for e in signal.evidence}
    assert values["原类别 category before"] == "紧急 emergency"
    assert values["现类别 category after"] == "咨询 consultation"
    assert signal.dedupe_key == "call_reclassified:evt-1" and signal.occurred_at == AT


def test_other_reclassifications_raise_nothing() -> None:
    assert reclassified("consultation", "emergency") is None
    assert reclassified("complaint", "consultation") is None
    assert reclassified("", "consultation") is None  # a call oversight never saw as an emergency


def test_the_platform_itself_is_nobody_involved() -> None:
    assert R.people(("system:workflow", "decided_by"), ("", "responsible"), ("p-1", "responsible")) == (
        R.Involved("p-1", "responsible"),
    )


def test_far_above_at_its_edges() -> None:
    assert R.far_above(3, 0) and R.far_above(4, 1) and R.far_above(20, 10)
    assert not R.far_above(2, 0) and not R.far_above(3, 1) and not R.far_above(19, 10)


def test_casualties_far_above_the_report_once_per_figure_reported() -> None:
    signal = R.casualties_above_reported(INCIDENT, told=6, call_id="call-9", at=AT, event_id="evt-2")
    assert signal is not None and signal.dedupe_key == "casualties_above_reported:inc-1:1"
    assert R.Evidence("来电所述伤亡 casualties told by a call", "6", link="call:call-9") in signal.evidence
    assert [p.person_id for p in signal.people] == ["p-officer"]
    assert R.casualties_above_reported(INCIDENT, told=3, call_id="call-9", at=AT, event_id="evt-2") is None


def test_casualties_are_not_compared_before_verification() -> None:
    unverified = replace(INCIDENT, verified=False, casualties_reported=0)
    assert R.casualties_above_reported(unverified, told=50, call_id="c", at=AT, event_id="e") is None


def test_severity_lowered_but_not_raised_nor_from_unrated() -> None:
    lowered = R.severity_lowered(INCIDENT, before="II", reason="r", by="p-leader", at=AT, event_id="evt-3")
    assert lowered is not None and "II" in lowered.summary and "III" in lowered.summary
    assert [(p.person_id, p.role) for p in lowered.people] == [("p-leader", "decided_by"), ("p-officer", "responsible")]
    assert R.severity_lowered(INCIDENT, before="IV", reason="r", by="p", at=AT, event_id="e") is None
    assert R.severity_lowered(INCIDENT, before="III", reason="r", by="p", at=AT, event_id="e") is None
    assert not R.lowered("unrated", "IV") and R.lowered("I", "IV")


def test_unfounded_and_unverified_overdue_carry_their_evidence() -> None:
    unfounded = R.unfounded(INCIDENT, reason="误报 false alarm", by="p-officer", at=AT, event_id="evt-4")
    assert unfounded.kind == "unfounded" and R.Evidence("不实理由 reason", "误报 false alarm", AT, "event:evt-4") in (
        unfounded.evidence
    )
    # The officer who decided is also the one responsible: one person, two roles, charged once later.
    assert {p.role for p in unfounded.people} == {"decided_by", "responsible"}
    due = AT - timedelta(minutes=15)
    overdue = R.unverified_overdue(INCIDENT, due_at=due, at=AT, event_id="evt-5")
    values = {e.label: e.value for e in overdue.evidence}
    assert values["登记至今 since registration"] == "25 min" and values["核实时限 verification due"] == due.isoformat()


def test_only_a_close_with_an_override_reason_is_signalled() -> None:
    assert R.closed_by_override(INCIDENT, by="p-admin", missed=[], at=AT, event_id="e") is None
    forced = replace(INCIDENT, close_reason="上级同意 agreed above")
    signal = R.closed_by_override(forced, by="p-admin", missed=["initial_written#0"], at=AT, event_id="evt-6")
    assert signal is not None
    assert R.Evidence("漏报 reports missing", "initial_written#0") in signal.evidence
    assert [(p.person_id, p.role) for p in signal.people] == [("p-admin", "closed_by"), ("p-officer", "responsible")]
