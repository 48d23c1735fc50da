"""5,000 open incidents with pending deadlines on one dev server (DESIGN §8): each opened by an emergency
call and verified under a short reporting policy, so that its first report falls due a few minutes later;
the due times are packed into a few seconds (several hundred a second), and for each incident the time
from its due time to `incident.deadline_missed` on JetStream is measured — none missing, none twice —
with the memory of the Temporal server and the workers before and after."""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import grpc
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy

from bench.dutyline_paths import RPC_TIMEOUT, admin_token, register_request
from bench.load import LoadResult, percentile
from dutyline.common.v1 import common_pb2
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.client import channel
from dutyline.incident.v1 import incident_pb2 as K
from dutyline.incident.v1 import incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc
from dutyline.natsconn import connect_url

if TYPE_CHECKING:
    from bench.__main__ import Bench

INCIDENTS = 5_000
OPENERS = 32
# An RPC the busy platform did not answer in time is sent again (the same request: nothing twice).
RETRYABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
RETRIES = 10
# A verification waits for the incident's process to apply it (its policy loaded, the change stored).
VERIFY_TIMEOUT = 30.0
BREACH_P99_S = 2.0
# Policies "bench-due-<k>": the first report due BASE + STEP·k seconds after verification. Each incident
# gets the k that brings its due time into [target, target + STEP): STEP seconds hold them all.
BASE_S = 30
STEP_S = 10
POLICIES = 48  # due up to 500 s after verification: longer than opening them all may take
# The opening rate of the first incidents sets the target: when the last one is expected verified
# (with this margin, verifying costs too), plus BASE_S.
CALIBRATE = 100
MARGIN = 1.3
# Each incident's event is waited for this long after the last due time; then a moment for duplicates.
SETTLE_S = 60.0
LINGER_S = 3.0
# What the phase adds to bench's backstop: opening them (~4 min here), the wait for the due times, settling.
TIMEOUT_S = 720.0
SUBJECT = "dutyline.*.incident.deadline_missed"
OPENING = f"open incidents: open and verify {INCIDENTS:,}"
BREACHING = f"open incidents: {INCIDENTS:,} reports fall due"


def policy_index(seconds_to_target: float) -> int:
    """The policy whose due time (BASE_S + STEP_S·k after now) is the first at or after the target."""
    return min(POLICIES - 1, max(0, math.ceil((seconds_to_target - BASE_S) / STEP_S)))


def peak_per_second(due_times: list[float]) -> int:
    """The most due times in one wall-clock second."""
    return max(Counter(int(t) for t in due_times).values(), default=0)


@dataclass
class OpenIncidents:
    """Seconds from each incident's due time to its `incident.deadline_missed` on JetStream."""

    verified: set[str] = field(default_factory=set)
    failed: int = 0  # could not be opened or verified
    first_error: str = ""
    latencies: list[float] = field(default_factory=list)
    missing: int = 0
    duplicated: int = 0
    peak_due_per_s: int = 0
    due_span_s: float = 0.0
    open_seconds: float = 0.0
    breach_cpu_ms: float | None = None  # of the platform per incident while the reports fell due
    last_due: float = 0.0  # wall clock, as the verifications planned it
    memory_before: dict[str, float] = field(default_factory=dict)
    memory_after: dict[str, float] = field(default_factory=dict)

    @property
    def incidents(self) -> int:
        return len(self.verified)

    def within(self, seconds: float) -> float:
        return sum(v <= seconds for v in self.latencies) / len(self.latencies) if self.latencies else 0.0

    def summary(self) -> dict[str, Any]:
        values = self.latencies
        return {
            "incidents": self.incidents,
            "failed": self.failed,
            "first_error": self.first_error[:200],
            "events": len(values),
            "missing": self.missing,
            "duplicated": self.duplicated,
            "p50_s": round(percentile(values, 50), 3) if values else None,
            "p99_s": round(percentile(values, 99), 3) if values else None,
            "max_s": round(max(values), 3) if values else None,
            "within_2_s": round(self.within(BREACH_P99_S), 4),
            "peak_due_per_s": self.peak_due_per_s,
            "due_span_s": round(self.due_span_s, 1),
            "open_seconds": round(self.open_seconds, 1),
            "breach_cpu_ms": round(self.breach_cpu_ms, 2) if self.breach_cpu_ms is not None else None,
            "memory_mib_before": {k: round(v) for k, v in self.memory_before.items()},
            "memory_mib_after": {k: round(v) for k, v in self.memory_after.items()},
        }


class BreachWatcher:
    """Every `incident.deadline_missed` from now on: per incident, when each copy arrived (wall clock)
    and the due time it names."""

    def __init__(self) -> None:
        self.arrivals: dict[str, list[float]] = {}
        self.due: dict[str, float] = {}
        self._sub: Any = None

    async def start(self, js: JetStreamContext) -> None:
        self._sub = await js.subscribe(
            SUBJECT, ordered_consumer=True, config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW), cb=self._on
        )

    async def stop(self) -> None:
        if self._sub is not None:
            await self._sub.unsubscribe()

    async def _on(self, msg: Any) -> None:
        now = time.time()
        event = event_pb2.Event()
        event.ParseFromString(msg.data)
        payload = event_pb2.IncidentChanged()
        if not event.payload.Unpack(payload) or not payload.violations:
            return
        self.arrivals.setdefault(event.aggregate_id, []).append(now)
        due = min(v.due_at.ToDatetime().timestamp() for v in payload.violations if v.HasField("due_at"))
        self.due.setdefault(event.aggregate_id, due)


async def upsert_policies(incidents: incident_pb2_grpc.IncidentServiceStub) -> int:
    for k in range(POLICIES):
        await incidents.UpsertReportingPolicy(
            K.UpsertReportingPolicyRequest(
                idempotency_key=str(uuid.uuid4()),
                policy=K.ReportingPolicy(
                    id=f"bench-due-{k}",
                    name=f"压测时限 {k} bench deadline {k}",
                    jurisdiction="33",
                    sub_types=[f"bench_due_{k}"],
                    requirements=[
                        K.ReportRequirement(
                            kind=K.REPORT_KIND_INITIAL_PHONE,
                            recipient="华东片区",
                            due_after_seconds=BASE_S + STEP_S * k,
                            anchor="verified",
                        )
                    ],
                ),
            ),
            timeout=RPC_TIMEOUT,
        )
    return POLICIES


async def emergency(intake: intake_pb2_grpc.IntakeServiceStub) -> str:
    """An emergency call's incident (the same request again while the platform is too busy to answer)."""
    request = register_request(intake_pb2.CALL_CATEGORY_EMERGENCY)
    for attempt in range(RETRIES):
        try:
            reply = await intake.RegisterCall(request, timeout=RPC_TIMEOUT)
        except grpc.aio.AioRpcError as exc:
            if exc.code() not in RETRYABLE or attempt == RETRIES - 1:
                raise
            continue
        if not reply.incident_id:
            raise RuntimeError(f"call {reply.call.id} not escalated (status {reply.call.status})")
        return reply.incident_id
    raise AssertionError("unreachable")


async def verify(incidents: incident_pb2_grpc.IncidentServiceStub, incident_id: str, sub_type: str) -> None:
    """Verified as ``sub_type`` once its process is in stage verify (the same key on every retry)."""
    request = K.VerifyRequest(
        idempotency_key=str(uuid.uuid4()),
        incident_id=incident_id,
        confirmed=True,
        category=K.INCIDENT_CATEGORY_ACCIDENT,
        sub_type=sub_type,
        severity=common_pb2.SEVERITY_IV,
    )
    sent = False
    for attempt in range(600):
        try:
            if not sent:
                got = await incidents.GetIncident(K.GetIncidentRequest(incident_id=incident_id), timeout=RPC_TIMEOUT)
                sent = got.stage == K.STAGE_VERIFY
            if sent:  # once sent, sent again as it is: it may have been applied before its answer timed out
                await incidents.Verify(request, timeout=VERIFY_TIMEOUT)
                return
        except grpc.aio.AioRpcError as exc:
            if exc.code() not in RETRYABLE or attempt > RETRIES:
                raise
        await asyncio.sleep(0.05)
    raise RuntimeError(f"{incident_id} never reached stage verify")


async def open_and_verify(
    intake: intake_pb2_grpc.IntakeServiceStub, incidents: incident_pb2_grpc.IncidentServiceStub, measured: OpenIncidents
) -> OpenIncidents:
    """INCIDENTS emergencies, each verified so that its report falls due in the same STEP_S seconds:
    the first CALIBRATE are verified once their opening rate has set that target."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    target = 0.0
    issued = opened = 0
    deferred: list[str] = []
    errors = LoadResult()

    async def caller() -> None:
        nonlocal target, issued, opened
        while True:
            if not target and issued >= INCIDENTS:
                target = loop.time()  # too few opened to calibrate: verify what there is
            if target and deferred:
                incident_id = deferred.pop()
            elif issued < INCIDENTS:
                issued += 1
                try:
                    incident_id = await emergency(intake)
                except Exception as exc:
                    errors.record_error(exc)
                    continue
                opened += 1
                if opened == CALIBRATE:
                    target = began + INCIDENTS / (CALIBRATE / (loop.time() - began)) * MARGIN + BASE_S
                if not target:
                    deferred.append(incident_id)
                    continue
            else:
                return
            k = policy_index(target - loop.time())
            try:
                await verify(incidents, incident_id, f"bench_due_{k}")
            except Exception as exc:
                errors.record_error(exc)
                continue
            measured.verified.add(incident_id)
            measured.last_due = max(measured.last_due, time.time() + BASE_S + STEP_S * k)

    await asyncio.gather(*(caller() for _ in range(OPENERS)))
    measured.failed, measured.first_error = errors.errors, errors.first_error
    measured.open_seconds = loop.time() - began
    return measured


async def breaches(watcher: BreachWatcher, measured: OpenIncidents) -> None:
    """Until every verified incident's event has arrived, or SETTLE_S after the last due time."""
    while True:
        if measured.verified <= watcher.due.keys() or time.time() > measured.last_due + SETTLE_S:
            break
        await asyncio.sleep(0.5)
    await asyncio.sleep(LINGER_S)
    # Only this phase's incidents: those of other phases may fall due meanwhile.
    due = {i: at for i, at in watcher.due.items() if i in measured.verified}
    measured.latencies = [watcher.arrivals[i][0] - at for i, at in due.items()]
    measured.missing = measured.incidents - len(due)
    measured.duplicated = sum(len(watcher.arrivals[i]) - 1 for i in due)
    measured.peak_due_per_s = peak_per_second(list(due.values()))
    measured.due_span_s = max(due.values()) - min(due.values()) if due else 0.0


def memory_of(platform: Any) -> dict[str, float]:
    """MiB (PSS) of the Temporal server and each worker process."""
    memory = platform.memory_mb()
    return {k: v for k, v in memory.items() if k == "temporal" or k in platform.worker_groups}


async def measure(bench: Bench) -> tuple[OpenIncidents | None, float | None]:
    """The phase, and the platform's CPU per incident (opening and verifying it, its report falling due);
    its two parts are CPU phases of their own."""
    p = bench.platform
    measured = OpenIncidents(memory_before=memory_of(p))
    watcher = BreachWatcher()
    nc = await connect_url(p.nats.url, p.nats_creds, name="dutyline-bench-breaches")
    try:
        await watcher.start(nc.jetstream(timeout=5.0))
        async with (
            channel(p.address("intake"), admin_token()) as intake,
            channel(p.address("incident"), admin_token()) as ch,
        ):
            calls, incidents = intake_pb2_grpc.IntakeServiceStub(intake), incident_pb2_grpc.IncidentServiceStub(ch)
            policies = await bench.phase("open incidents: policies", upsert_policies(incidents))
            if policies is None:
                return None, None
            opened = await bench.phase(OPENING, open_and_verify(calls, incidents, measured))
        if opened is None:
            return None, None
        await bench.phase(BREACHING, breaches(watcher, measured))
    finally:
        await watcher.stop()
        await nc.close()
    measured.memory_after = memory_of(p)
    costs = [bench.cpu.cpu_ms_per_op(name, measured.incidents) for name in (OPENING, BREACHING)]
    measured.breach_cpu_ms = costs[1]
    return measured, sum(c for c in costs if c is not None) if None not in costs else None
