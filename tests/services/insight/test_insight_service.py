"""InsightService on the real stack, for what needs no projection: the scoring rules as versioned data
(validated by the pure module, each problem at its field, a retry answered once), leaders' annotations
recorded with who decided and refused across sites, and the projections' status read from
projection_state and JetStream."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import from_ts, ts
from dutyline.grpckit.errors import field_violations
from dutyline.insight.v1 import insight_pb2, insight_pb2_grpc
from dutyline.intake.v1 import intake_pb2_grpc
from dutyline.natsconn import connect_url
from tests.e2e.test_emergency_call_slice import emergency_call
from tests.support import published_within, token_for

pytestmark = pytest.mark.stack

ADMIN = token_for("p-admin", ["admin"], ["*"])
HZ_ADMIN = token_for("p-hz-admin", ["admin"], ["hz-01"])
HZ_LEADER = token_for("p-hz-leader-1", ["leader"], ["hz-01"])
HZ_OFFICER = token_for("p-hz-officer-1", ["officer"], ["hz-01"])
SUPERVISOR = token_for("p-east-supervisor", ["supervisor"], ["east"])


@pytest.fixture
async def as_admin(platform: Any) -> AsyncIterator[insight_pb2_grpc.InsightServiceStub]:
    async with channel(platform.address("insight"), ADMIN) as ch:
        yield insight_pb2_grpc.InsightServiceStub(ch)


async def code_of(call: Any) -> grpc.StatusCode:
    try:
        await call
    except grpc.aio.AioRpcError as exc:
        return exc.code()
    return grpc.StatusCode.OK


async def refusal(call: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await call
    return refused.value


async def listed(stub: insight_pb2_grpc.InsightServiceStub) -> insight_pb2.ListScoringRulesResponse:
    answer: insight_pb2.ListScoringRulesResponse = await stub.ListScoringRules(insight_pb2.ListScoringRulesRequest())
    return answer


async def next_rules(stub: insight_pb2_grpc.InsightServiceStub, **changes: int) -> insight_pb2.ScoringRules:
    """A complete new version after every stored one (other tests add versions too): the shipped points,
    with ``changes``, taking effect an hour after the latest version does (or now)."""
    versions = (await listed(stub)).versions
    shipped = versions[0]
    latest = max(from_ts(v.effective_from) for v in versions)
    start = max(latest, datetime.now(UTC)) + timedelta(hours=1)
    penalties, bonuses = dict(shipped.penalties), dict(shipped.bonuses)
    for kind, points in changes.items():
        (bonuses if kind in bonuses else penalties)[kind] = points
    return insight_pb2.ScoringRules(
        version=max(v.version for v in versions) + 1,
        effective_from=ts(start.replace(microsecond=0)),
        penalties=penalties,
        bonuses=bonuses,
    )


def upsert(rules: insight_pb2.ScoringRules, key: str | None = None) -> insight_pb2.UpsertScoringRulesRequest:
    return insight_pb2.UpsertScoringRulesRequest(idempotency_key=key or str(uuid.uuid4()), rules=rules)


async def test_the_shipped_rules_are_version_1_in_force_with_every_kind_priced(
    as_admin: insight_pb2_grpc.InsightServiceStub,
) -> None:
    answer = await listed(as_admin)
    shipped = answer.versions[0]
    assert shipped.version == 1 and from_ts(shipped.effective_from) == datetime(2000, 1, 1, tzinfo=UTC)
    assert shipped.penalties["late_report"] == -2 and shipped.penalties["missed_report"] == -5
    assert shipped.penalties["absence"] == -3 and shipped.penalties["late_check_in"] == -1
    assert shipped.bonuses["month_without_violation"] == 2
    assert not shipped.HasField("changed_by"), "nobody changed the shipped rules"
    # Every other version shown was stored by someone.
    assert all(v.changed_by.person_id for v in answer.versions[1:])
    assert answer.in_force_version in {v.version for v in answer.versions}


async def test_a_version_is_stored_listed_and_replaced_while_not_in_force(
    as_admin: insight_pb2_grpc.InsightServiceStub, db: Any
) -> None:
    rules = await next_rules(as_admin, late_report=-3)
    in_force_before = (await listed(as_admin)).in_force_version
    saved = await as_admin.UpsertScoringRules(upsert(rules))
    assert not saved.replayed
    assert saved.rules.version == rules.version and saved.rules.penalties["late_report"] == -3
    assert saved.rules.changed_by.person_id == "p-admin" and saved.rules.HasField("changed_at")

    after = await listed(as_admin)
    assert after.in_force_version == in_force_before, "a version from the future is not in force yet"
    (shown,) = [v for v in after.versions if v.version == rules.version]
    assert shown.penalties == rules.penalties and shown.effective_from == rules.effective_from

    # Not in force yet: the same version again replaces it (one row, the new points and time).
    replacement = insight_pb2.ScoringRules()
    replacement.CopyFrom(rules)
    replacement.penalties["late_report"] = -4
    replacement.effective_from.seconds += 3600
    await as_admin.UpsertScoringRules(upsert(replacement))
    again = [v for v in (await listed(as_admin)).versions if v.version == rules.version]
    assert [(v.penalties["late_report"], v.effective_from) for v in again] == [(-4, replacement.effective_from)]
    stored = await db.fetchval(
        "SELECT penalties->>'late_report' FROM insight.scoring_rules WHERE version = $1", rules.version
    )
    assert stored == "-4"


async def test_bad_rules_are_refused_at_their_fields_and_nothing_is_stored(
    as_admin: insight_pb2_grpc.InsightServiceStub,
) -> None:
    before = await listed(as_admin)
    good = await next_rules(as_admin)

    def variant(**fields: Any) -> insight_pb2.ScoringRules:
        rules = insight_pb2.ScoringRules()
        rules.CopyFrom(good)
        for name, value in fields.items():
            if name == "effective_from":
                rules.effective_from.CopyFrom(value)
            else:
                setattr(rules, name, value)
        return rules

    without_absence = variant()
    del without_absence.penalties["absence"]
    unknown_kind = variant()
    unknown_kind.penalties["napping"] = -1
    cases = {
        # The pure module's checks, each at its field.
        "rules.penalties[absence]": without_absence,
        "rules.penalties[napping]": unknown_kind,
        "rules.effective_from": variant(effective_from=ts(datetime.now(UTC) - timedelta(hours=1))),
        "rules.version": variant(version=1),  # the shipped version is in force: never changed
    }
    for field, rules in cases.items():
        error = await refusal(as_admin.UpsertScoringRules(upsert(rules)))
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, field
        assert field in {v.field for v in field_violations(error)}, (field, field_violations(error))
    # The boundary's limits come first: a penalty above 0.
    positive = variant()
    positive.penalties["late_report"] = 5
    error = await refusal(as_admin.UpsertScoringRules(upsert(positive)))
    assert [v.field for v in field_violations(error)] == ["rules.penalties[late_report]"]
    assert (await listed(as_admin)).versions == before.versions


async def test_a_retry_with_the_same_key_gets_the_first_answer_and_stores_nothing_twice(
    as_admin: insight_pb2_grpc.InsightServiceStub, db: Any
) -> None:
    rules = await next_rules(as_admin, absence=-4)
    key = str(uuid.uuid4())
    first = await as_admin.UpsertScoringRules(upsert(rules, key))
    retry = await as_admin.UpsertScoringRules(upsert(rules, key))
    assert not first.replayed and retry.replayed
    assert retry.rules == first.rules
    assert await db.fetchval("SELECT count(*) FROM insight.scoring_rules WHERE version = $1", rules.version) == 1
    # The same key with another request is refused, not taken for a retry.
    other = insight_pb2.ScoringRules()
    other.CopyFrom(rules)
    other.penalties["absence"] = -5
    error = await refusal(as_admin.UpsertScoringRules(upsert(other, key)))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations(error)] == ["idempotency_key"]


async def test_only_an_admin_for_every_site_changes_the_rules(platform: Any) -> None:
    async with channel(platform.address("insight"), ADMIN) as ch:
        rules = await next_rules(insight_pb2_grpc.InsightServiceStub(ch))
    for token in (HZ_ADMIN, HZ_LEADER, SUPERVISOR):
        async with channel(platform.address("insight"), token) as ch:
            stub = insight_pb2_grpc.InsightServiceStub(ch)
            assert await code_of(stub.UpsertScoringRules(upsert(rules))) == grpc.StatusCode.PERMISSION_DENIED
            # Everyone on the staff reads them.
            assert (await listed(stub)).versions[0].version == 1


def annotation(site_id: str, *records: tuple[str, str]) -> insight_pb2.AnnotateFactRequest:
    return insight_pb2.AnnotateFactRequest(
        idempotency_key=str(uuid.uuid4()),
        site_id=site_id,
        waives=[insight_pb2.SourceRef(record_type=t, record_id=i) for t, i in records],
        reason="暴雨致线路中断，经带班领导核实 the line was down in the storm",
    )


async def test_an_annotation_is_recorded_with_who_decided_and_only_for_the_leaders_sites(
    platform: Any, db: Any
) -> None:
    record = f"vio-{uuid.uuid4().hex[:12]}"
    request = annotation("hz-01", ("violation", record), ("violation", record), ("call", f"call-{record}"))
    async with channel(platform.address("insight"), HZ_LEADER) as ch:
        stub = insight_pb2_grpc.InsightServiceStub(ch)
        first = await stub.AnnotateFact(request)
        retry = await stub.AnnotateFact(request)
        foreign = await code_of(stub.AnnotateFact(annotation("nb-01", ("violation", record))))
        unknown = await refusal(stub.AnnotateFact(annotation("zz-99", ("violation", record))))
    saved = first.annotation
    assert saved.id.startswith("ann-") and saved.site_id == "hz-01"
    assert saved.decided_by.person_id == "p-hz-leader-1" and saved.HasField("decided_at")
    assert [(w.record_type, w.record_id) for w in saved.waives] == [("violation", record), ("call", f"call-{record}")]
    assert retry.replayed and retry.annotation == saved and not first.replayed
    assert foreign == grpc.StatusCode.PERMISSION_DENIED
    assert unknown.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations(unknown)] == ["site_id"]

    rows = await db.fetch(
        """SELECT a.site_id, a.decided_by, a.reason, w.record_type, w.record_id
           FROM insight.annotations a JOIN insight.annotation_waivers w ON w.annotation_id = a.id
           WHERE w.record_id IN ($1, $2) ORDER BY w.record_type""",
        record,
        f"call-{record}",
    )
    assert [(r["site_id"], r["decided_by"], r["record_type"]) for r in rows] == [
        ("hz-01", "p-hz-leader-1", "call"),
        ("hz-01", "p-hz-leader-1", "violation"),
    ]
    assert rows[0]["reason"] == request.reason
    # A decision is a record: the database keeps it from being changed or taken back.
    with pytest.raises(Exception, match="never changed or deleted"):
        await db.execute("DELETE FROM insight.annotations WHERE id = $1", saved.id)
    # An officer does not decide; a region's supervisor reads but does not annotate.
    for token in (HZ_OFFICER, SUPERVISOR):
        async with channel(platform.address("insight"), token) as ch:
            stub = insight_pb2_grpc.InsightServiceStub(ch)
            assert await code_of(stub.AnnotateFact(annotation("hz-01", ("violation", record)))) == (
                grpc.StatusCode.PERMISSION_DENIED
            )


async def test_projection_status_shows_each_projections_place_and_its_lag(platform: Any, db: Any) -> None:
    """A projection whose durable consumer has read nothing yet: its lag is every event of its types on
    the stream, counted independently here; one without a consumer has an unknown lag."""
    async with channel(platform.address("intake"), HZ_OFFICER) as ch:
        registered = await intake_pb2_grpc.IntakeServiceStub(ch).RegisterCall(emergency_call(), timeout=20)
    # On the stream before the count below, so that the count and the lag see the same events.
    await published_within(platform, registered.call.id, seconds=10, event_type="call.registered")
    name, orphan = f"status-{uuid.uuid4().hex[:8]}", f"orphan-{uuid.uuid4().hex[:8]}"
    subject = "dutyline.*.call.registered"
    nc = await connect_url(platform.nats.url, platform.nats_creds)
    js = nc.jetstream()
    try:
        config = ConsumerConfig(
            durable_name=name, deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.EXPLICIT, filter_subject=subject
        )
        await js.add_consumer("DUTYLINE", config)
        at = datetime.now(UTC) - timedelta(minutes=5)
        await db.execute(
            "INSERT INTO insight.projection_state (projection, stream_sequence, last_event_id, last_event_at) "
            "VALUES ($1, 0, '', NULL), ($2, 7, 'evt-x', $3)",
            name,
            orphan,
            at,
        )
        state = (await js.stream_info("DUTYLINE", subjects_filter=subject)).state
        expected = sum((state.subjects or {}).values())
        async with channel(platform.address("insight"), SUPERVISOR) as ch:
            answer = await insight_pb2_grpc.InsightServiceStub(ch).GetProjectionStatus(
                insight_pb2.GetProjectionStatusRequest()
            )
        async with channel(platform.address("insight"), HZ_OFFICER) as ch:
            refused = await code_of(
                insight_pb2_grpc.InsightServiceStub(ch).GetProjectionStatus(insight_pb2.GetProjectionStatusRequest())
            )
    finally:
        await js.delete_consumer("DUTYLINE", name)
        await nc.close()
        await db.execute("DELETE FROM insight.projection_state WHERE projection = ANY($1::text[])", [name, orphan])
    shown = {p.name: p for p in answer.projections}
    fresh, lost = shown[name], shown[orphan]
    assert expected >= 1
    assert fresh.lag_known and fresh.lag_events == expected and fresh.stream_sequence == 0
    assert fresh.lag_seconds > 0, "the oldest call.registered has waited since it was stored"
    assert not lost.lag_known and lost.stream_sequence == 7 and lost.last_event_id == "evt-x"
    assert from_ts(lost.last_event_at) == at
    assert answer.stream_last_sequence >= expected and answer.HasField("stream_last_at")
    assert refused == grpc.StatusCode.PERMISSION_DENIED
