"""5,000 open incidents with pending deadlines on one dev server (DESIGN §8): each opened by an emergency
call and verified under a reporting policy whose first report is due two hours later; then, with all of
them open, BREACHES more are verified BREACH_RATE a second under a policy due BASE_S later, and for each
of those the time from its due time to `incident.deadline_missed` on JetStream is measured — none missing,
none twice, no pending one breached — with the memory of the Temporal server and the workers before and
after, and how long after its registration each incident's workflow started. (All 5,000 falling due within
seconds is no duty room's day: each breach tells the duty leader, and on this machine the platform acts on
about 17 a second; see docs/operations.md.)"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import asyncpg
import grpc
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy

from bench.dutyline_paths import RPC_TIMEOUT, SITE, admin_token, register_request
from bench.load import LoadResult, percentile
from dutyline.common.v1 import common_pb2
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.client import channel
from dutyline.incident.v1 import incident_pb2 as K
from dutyline.incident.v1 import incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc
from dutyline.natsconn import connect_url
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc

if TYPE_CHECKING:
    from bench.__main__ import Bench

INCIDENTS = 5_000
OPENERS = 32
# An RPC the busy platform did not answer in time is sent again (the same request: nothing twice).
RETRYABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
RETRIES = 10
# A verification waits for the incident's process to apply it (its policy loaded, the change stored).
VERIFY_TIMEOUT = 30.0
# Waiting for the incident to reach stage verify: the first look soon, then less and less often.
POLL_FIRST_S = 0.05
POLL_MAX_S = 1.0
BREACH_P99_S = 2.0
# The breaches measured: the last BREACHES incidents, verified BREACH_RATE a second under a policy whose
# first report is due BASE_S after verification; the others' is due PENDING_S after, pending throughout.
BREACHES = 500
BREACH_RATE = 10.0
BASE_S = 60  # after the last of the sample is verified: the breaches fall in a CPU phase of their own
PENDING_S = 7_200
# Each incident's event is waited for this long after the last due time; then a moment for duplicates.
SETTLE_S = 60.0
LINGER_S = 3.0
# The duty leader's time to acknowledge in the phase's escalation chain: longer than the phase.
PARKED_S = 3_600
# What the phase adds to bench's backstop: opening them (~3 min here), verifying them (~6 min), the breaches.
TIMEOUT_S = 1_200.0
SUBJECT = "dutyline.*.incident.deadline_missed"
OPENING = f"open incidents: open and verify {INCIDENTS:,}"
BREACHING = f"open incidents: {BREACHES} reports fall due, {BREACH_RATE:g} a second"


def peak_per_second(due_times: list[float]) -> int:
    """The most due times in one wall-clock second."""
    return max(Counter(int(t) for t in due_times).values(), default=0)


@dataclass
class OpenIncidents:
    """Seconds from each incident's due time to its `incident.deadline_missed` on JetStream."""

    verified: set[str] = field(default_factory=set)
    sampled: set[str] = field(default_factory=set)  # of them, those whose report falls due in the phase
    failed: int = 0  # could not be opened or verified
    unexpected: int = 0  # incidents whose pending report was reported missed
    first_error: str = ""
    latencies: list[float] = field(default_factory=list)
    missing: int = 0
    duplicated: int = 0
    peak_due_per_s: int = 0
    due_span_s: float = 0.0
    open_seconds: float = 0.0
    # Seconds from each incident's registration to its workflow's start (its turn among the incident
    # service's starts, services/incident/starter.py).
    started_after: list[float] = field(default_factory=list)
    open_cpu_ms: float | None = None  # of the platform per incident opened and verified
    breach_cpu_ms: float | None = None  # of the platform per breach while the sample's reports fell due
    last_due: float = 0.0  # wall clock, as the verifications planned it
    memory_before: dict[str, float] = field(default_factory=dict)
    memory_after: dict[str, float] = field(default_factory=dict)

    @property
    def incidents(self) -> int:
        return len(self.verified)

    def within(self, seconds: float) -> float:
        return sum(v <= seconds for v in self.latencies) / len(self.latencies) if self.latencies else 0.0

    def summary(self) -> dict[str, Any]:
        values, started = self.latencies, self.started_after
        return {
            "incidents": self.incidents,
            "breaches": len(self.sampled),
            "breach_rate_per_s": BREACH_RATE,
            "failed": self.failed,
            "unexpected": self.unexpected,
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
            "workflow_started_p50_s": round(percentile(started, 50), 2) if started else None,
            "workflow_started_p99_s": round(percentile(started, 99), 2) if started else None,
            "workflow_started_max_s": round(max(started), 2) if started else None,
            "open_cpu_ms": round(self.open_cpu_ms, 2) if self.open_cpu_ms is not None else None,
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
    """Sub-type bench_due: the first report due BASE_S after verification; bench_pending: PENDING_S after."""
    for name, due_after in (("due", BASE_S), ("pending", PENDING_S)):
        await incidents.UpsertReportingPolicy(
            K.UpsertReportingPolicyRequest(
                idempotency_key=str(uuid.uuid4()),
                policy=K.ReportingPolicy(
                    id=f"bench-{name}",
                    name=f"压测时限 bench {name}",
                    jurisdiction="33",
                    sub_types=[f"bench_{name}"],
                    requirements=[
                        K.ReportRequirement(
                            kind=K.REPORT_KIND_INITIAL_PHONE,
                            recipient="华东片区",
                            due_after_seconds=due_after,
                            anchor="verified",
                        )
                    ],
                ),
            ),
            timeout=RPC_TIMEOUT,
        )
    return 2


async def park_escalations(notify: notify_pb2_grpc.NotifyServiceStub) -> int:
    """The site's chain with its duty leader given an hour to acknowledge: each incident's escalation stays
    open at the leader's step for the whole phase. Opened in minutes, 5,000 escalations would otherwise climb
    to the unit head together 300 s later, which incidents opened over days never do; the phase measures
    deadlines with 5,000 open incidents and their 5,000 open escalations, not that wave."""
    steps = [(common_pb2.ROLE_OFFICER, 180), (common_pb2.ROLE_LEADER, PARKED_S), (common_pb2.ROLE_UNIT_HEAD, 600)]
    chain = notify_pb2.EscalationChain(
        site_id=SITE,
        steps=[
            notify_pb2.EscalationStep(
                recipient=notify_pb2.Recipient(role=notify_pb2.RoleAtSite(site_id=SITE, role=role)), wait_seconds=wait
            )
            for role, wait in steps
        ],
        repeat=1,
    )
    request = notify_pb2.UpsertEscalationChainRequest(idempotency_key=str(uuid.uuid4()), chain=chain)
    await notify.UpsertEscalationChain(request, timeout=RPC_TIMEOUT)
    return len(steps)


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
    pause = POLL_FIRST_S
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
        # Backing off: 32 openers polling at a fixed 50 ms took the CPU the workflows needed to reach the
        # stage, and the slower they got the harder everyone polled.
        await asyncio.sleep(pause)
        pause = min(pause * 2, POLL_MAX_S)
    raise RuntimeError(f"{incident_id} never reached stage verify")


async def open_and_verify(
    intake: intake_pb2_grpc.IntakeServiceStub, incidents: incident_pb2_grpc.IncidentServiceStub, measured: OpenIncidents
) -> OpenIncidents:
    """INCIDENTS emergencies opened; all but BREACHES verified with their report pending, as fast as the
    platform takes them (the first opened first: each within its time to verify); then the last BREACHES
    verified BREACH_RATE a second, so that their reports fall due at that pace BASE_S later."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    errors = LoadResult()
    opened: list[str] = []
    issued = 0

    async def opener() -> None:
        nonlocal issued
        while issued < INCIDENTS:
            issued += 1
            try:
                opened.append(await emergency(intake))
            except Exception as exc:
                errors.record_error(exc)

    async def verified(incident_id: str, sub_type: str) -> None:
        try:
            await verify(incidents, incident_id, sub_type)
        except Exception as exc:
            errors.record_error(exc)
            return
        measured.verified.add(incident_id)
        if sub_type == "bench_due":
            measured.sampled.add(incident_id)
            measured.last_due = max(measured.last_due, time.time() + BASE_S)

    await asyncio.gather(*(opener() for _ in range(OPENERS)))
    pending, sample = deque(opened[:-BREACHES]), opened[-BREACHES:]

    async def verifier() -> None:
        while pending:
            await verified(pending.popleft(), "bench_pending")

    await asyncio.gather(*(verifier() for _ in range(OPENERS)))
    paced = []
    for incident_id in sample:
        paced.append(asyncio.create_task(verified(incident_id, "bench_due")))
        await asyncio.sleep(1 / BREACH_RATE)
    await asyncio.gather(*paced)
    measured.failed, measured.first_error = errors.errors, errors.first_error
    measured.open_seconds = loop.time() - began
    return measured


async def breaches(watcher: BreachWatcher, measured: OpenIncidents) -> None:
    """Until every sampled incident's event has arrived, or SETTLE_S after the last due time."""
    while True:
        if measured.sampled <= watcher.due.keys() or time.time() > measured.last_due + SETTLE_S:
            break
        await asyncio.sleep(0.5)
    await asyncio.sleep(LINGER_S)
    # Only this phase's incidents: those of other phases may fall due meanwhile.
    due = {i: at for i, at in watcher.due.items() if i in measured.sampled}
    measured.unexpected = sum(i in measured.verified and i not in measured.sampled for i in watcher.due)
    measured.latencies = [watcher.arrivals[i][0] - at for i, at in due.items()]
    measured.missing = len(measured.sampled) - len(due)
    measured.duplicated = sum(len(watcher.arrivals[i]) - 1 for i in due)
    measured.peak_due_per_s = peak_per_second(list(due.values()))
    measured.due_span_s = max(due.values()) - min(due.values()) if due else 0.0


async def started_after(dsn: str, incident_ids: list[str]) -> list[float]:
    """Seconds from registration to the workflow's start, of each incident that has one."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT extract(epoch FROM workflow_started_at - registered_at)::float8 AS s FROM incident.incidents "
            "WHERE id = ANY($1::text[]) AND workflow_started_at IS NOT NULL",
            incident_ids,
        )
    finally:
        await conn.close()
    return [r["s"] for r in rows]


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
            channel(p.address("notify"), admin_token()) as notify,
        ):
            calls, incidents = intake_pb2_grpc.IntakeServiceStub(intake), incident_pb2_grpc.IncidentServiceStub(ch)
            policies = await bench.phase("open incidents: policies", upsert_policies(incidents))
            parked = await bench.phase(
                "open incidents: escalation chain", park_escalations(notify_pb2_grpc.NotifyServiceStub(notify))
            )
            if policies is None or parked is None:
                return None, None
            opened = await bench.phase(OPENING, open_and_verify(calls, incidents, measured))
        if opened is None:
            return None, None
        measured.started_after = await started_after(p.postgres.dsn, sorted(measured.verified))
        await bench.phase(BREACHING, breaches(watcher, measured))
    finally:
        await watcher.stop()
        await nc.close()
    measured.memory_after = memory_of(p)
    # The figure's operation is the breach: the platform's CPU while they fell due, per breach (all the
    # others open); opening and verifying are per incident in the detail.
    measured.open_cpu_ms = bench.cpu.cpu_ms_per_op(OPENING, measured.incidents)
    measured.breach_cpu_ms = bench.cpu.cpu_ms_per_op(BREACHING, len(measured.sampled))
    return measured, measured.breach_cpu_ms
