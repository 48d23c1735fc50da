"""Two replicas of every service and worker on a three-node NATS JetStream cluster: clients balance
over the replicas, and what must happen once still happens once (events, incidents, relays,
deliveries)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import asyncpg
import nats.errors
import psutil
import pytest
from nats.js.api import ConsumerConfig, DeliverPolicy

from dutyline.common.v1 import common_pb2
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc
from dutyline.natsconn import connect_url
from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc
from tests.support import token_for

pytestmark = pytest.mark.stack

CALLS = 2000
EMERGENCIES = 8
SENDS = 30
T = TypeVar("T")
ADMIN = token_for("p-admin", ["admin"], ["*"])


async def bounded(work: list[Callable[[], Awaitable[T]]], limit: int = 48) -> list[T]:
    gate = asyncio.Semaphore(limit)

    async def one(item: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await item()

    return await asyncio.gather(*(one(w) for w in work))


def call(category: int, n: int, *, at: datetime) -> intake_pb2.RegisterCallRequest:
    return intake_pb2.RegisterCallRequest(
        idempotency_key=str(uuid.uuid4()),
        site_id="hz-01",
        channel=intake_pb2.CHANNEL_PHONE,
        category=category,
        ring_started_at=ts(at - timedelta(seconds=20)),
        answered_at=ts(at - timedelta(seconds=3)),
        caller=intake_pb2.Caller(name="李明", phone="13912345678"),
        place=common_pb2.Place(text=f"文三路{n}号 No. {n} Wensan Road", latitude=30.91, longitude=119.93),
        summary="居民楼燃气泄漏 Gas leak",
    )


def cpu_seconds(platform: Any, names: list[str]) -> dict[str, float]:
    out = {}
    for name in names:
        times = psutil.Process(platform.processes[name].pid).cpu_times()
        out[name] = times.user + times.system
    return out


async def relay_locks(db: asyncpg.Connection) -> dict[str, tuple[int, int]]:
    """Per schema with an outbox: (relays holding its advisory lock, relays waiting for it)."""
    rows = await db.fetch(
        """SELECT s.schema,
                  count(l.*) FILTER (WHERE l.granted) AS active,
                  count(l.*) FILTER (WHERE NOT l.granted) AS waiting
             FROM (SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'outbox') s
             LEFT JOIN pg_locks l ON l.locktype = 'advisory' AND l.objsubid = 1
                  AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtext('dutyline-outbox-' || s.schema)::bigint
            GROUP BY s.schema"""
    )
    return {r["schema"]: (r["active"], r["waiting"]) for r in rows}


async def registered_events(platform: Any, since: datetime, call_ids: set[str]) -> list[str]:
    """The aggregate ids of the call.registered events about ``call_ids`` on the stream since ``since``."""
    nc = await connect_url(platform.nats_url, platform.nats_creds)
    found: list[str] = []
    try:
        config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_TIME, opt_start_time=since)
        sub = await nc.jetstream().subscribe("dutyline.hz-01.call.registered", ordered_consumer=True, config=config)
        while True:
            # Once every call's event is here, a short quiet spell shows there are no duplicates behind.
            quiet = 0.5 if len(set(found)) == len(call_ids) else 3.0
            try:
                msg = await sub.next_msg(timeout=quiet)
            except nats.errors.TimeoutError:
                return found
            event = event_pb2.Event()
            event.ParseFromString(msg.data)
            if event.aggregate_id in call_ids:
                found.append(event.aggregate_id)
    finally:
        await nc.close()


async def test_two_replicas_balance_calls_and_do_each_thing_once(replicated: Any) -> None:
    platform = replicated
    assert platform.replicas_of("intake") == ["intake", "intake-2"]
    assert len(platform.addresses("intake")) == 2 and "," in platform.address("intake")
    db = await asyncpg.connect(platform.postgres.dsn)
    try:
        # The stream lives on all three nodes.
        nc = await connect_url(platform.nats_url, platform.nats_creds)
        try:
            info = await nc.jetstream().stream_info("DUTYLINE")
        finally:
            await nc.close()
        assert info.config.num_replicas == 3 and info.cluster is not None and len(info.cluster.replicas or []) == 2

        officer = token_for("p-hz-officer-1", ["officer"], ["hz-01"])
        since = datetime.now(UTC) - timedelta(seconds=1)
        now = datetime.now(UTC)
        intakes = platform.replicas_of("intake")
        before = cpu_seconds(platform, intakes)
        locks: list[dict[str, tuple[int, int]]] = []
        load_done = asyncio.Event()

        async def watch_locks() -> None:
            while not load_done.is_set():
                locks.append(await relay_locks(db))
                await asyncio.sleep(0.25)

        async with channel(platform.address("intake"), officer) as ch:
            intake = intake_pb2_grpc.IntakeServiceStub(ch)
            watcher = asyncio.create_task(watch_locks())
            try:
                consultation = intake_pb2.CALL_CATEGORY_CONSULTATION
                replies = await bounded(
                    [(lambda n=n: intake.RegisterCall(call(consultation, n, at=now), timeout=30)) for n in range(CALLS)]
                )
                # One event, reported in several calls at once through both replicas: one incident.
                emergencies = await asyncio.gather(
                    *(
                        intake.RegisterCall(call(intake_pb2.CALL_CATEGORY_EMERGENCY, 0, at=now), timeout=30)
                        for _ in range(EMERGENCIES)
                    )
                )
            finally:
                load_done.set()
                await watcher
        used = {name: cpu_seconds(platform, [name])[name] - before[name] for name in intakes}
        # Both replicas served a fair share (pick_first would send everything to one).
        assert all(seconds > 0.25 * sum(used.values()) for seconds in used.values()), used

        call_ids = {r.call.id for r in replies}
        assert len(call_ids) == CALLS
        events = await registered_events(platform, since, call_ids)
        assert len(events) == CALLS and set(events) == call_ids

        assert len({e.incident_id for e in emergencies}) == 1, [(e.incident_id, e.escalation) for e in emergencies]
        assert sorted(e.escalation for e in emergencies).count("linked") == EMERGENCIES - 1

        # Each schema's outbox had one relay publishing and the other replica's waiting, all along.
        assert locks and all(active == 1 and waiting >= 1 for sample in locks for active, waiting in sample.values()), (
            locks[-1]
        )

        # Notifications sent through both notify replicas are delivered once each.
        leader = notify_pb2.Recipient(role=notify_pb2.RoleAtSite(site_id="hz-01", role=common_pb2.ROLE_LEADER))
        data = {"incident_id": "inc-replicas", "title": "燃气泄漏 Gas leak", "place": "文三路"}
        async with channel(platform.address("notify"), ADMIN) as ch:
            notify = notify_pb2_grpc.NotifyServiceStub(ch)
            sent = await bounded(
                [
                    lambda: notify.Send(
                        notify_pb2.SendRequest(
                            idempotency_key=str(uuid.uuid4()),
                            site_id="hz-01",
                            recipients=[leader],
                            template="incident_registered",
                            data=data,
                            channel="email",
                        ),
                        timeout=30,
                    )
                    for _ in range(SENDS)
                ]
            )
        ids = {n.id for reply in sent for n in reply.notifications}
        assert len(ids) >= SENDS
        for _ in range(300):
            statuses = await db.fetch("SELECT status FROM notify.notifications WHERE id = ANY($1::text[])", list(ids))
            if all(r["status"] == "delivered" for r in statuses):
                break
            await asyncio.sleep(0.1)
        assert [r["status"] for r in statuses] == ["delivered"] * len(ids)
        mails = [json.dumps(m, ensure_ascii=False) for m in platform.gateway_messages("email")]
        assert all(sum(i in m for m in mails) == 1 for i in ids)
        attempts = {name: delivered_by(platform, name, ids) for name in platform.replicas_of("notify")}
        assert all(attempts.values()), attempts
    finally:
        await db.close()


def delivered_by(platform: Any, process: str, ids: set[str]) -> int:
    """How many of ``ids`` the process ``process``'s dispatcher attempted, from its log."""
    count = 0
    for line in platform.processes[process].log_path.read_text(encoding="utf-8").splitlines():
        if '"delivery attempt"' in line and json.loads(line).get("notification_id") in ids:
            count += 1
    return count


async def test_an_agency_registered_on_one_replica_is_fed_by_both_at_once(replicated: Any) -> None:
    """The feed's durable consumer hands events to both notify replicas: the replica that did not
    register the agency must know it at once, not after its cache's 30 s."""
    platform = replicated
    officer = token_for("p-hz-officer-1", ["officer"], ["hz-01"])
    now = datetime.now(UTC)
    consultation = intake_pb2.CALL_CATEGORY_CONSULTATION
    async with channel(platform.address("intake"), officer) as ch:
        intake = intake_pb2_grpc.IntakeServiceStub(ch)

        async def calls(count: int) -> set[str]:
            work = [(lambda n=n: intake.RegisterCall(call(consultation, n, at=now), timeout=30)) for n in range(count)]
            return {r.call.id for r in await bounded(work)}

        # Both replicas' feeds handle events, so both hold a loaded list of agencies.
        await calls(200)
        await asyncio.sleep(1.0)
        agency_id = f"fire-{uuid.uuid4().hex[:6]}"
        registration = notify_pb2.RegisterAgencyRequest(
            idempotency_key=str(uuid.uuid4()),
            agency=notify_pb2.Agency(
                id=agency_id,
                name="消防救援支队 Fire and rescue",
                site_ids=["hz-01"],
                event_types=["call.registered"],
                webhook_url=f"{platform.gateway_url}/agency/{agency_id}",
            ),
        )
        async with channel(platform.addresses("notify")[0], ADMIN) as nch:
            await notify_pb2_grpc.NotifyServiceStub(nch).RegisterAgency(registration, timeout=30)
        call_ids = await calls(40)
    db = await asyncpg.connect(platform.postgres.dsn)
    try:
        for _ in range(100):
            bodies = await db.fetch(
                "SELECT convert_from(body, 'UTF8') AS body FROM notify.agency_deliveries WHERE agency_id = $1",
                agency_id,
            )
            fed = {i for i in call_ids if any(i in r["body"] for r in bodies)}
            if fed == call_ids:
                break
            await asyncio.sleep(0.1)
        assert fed == call_ids, f"{len(call_ids - fed)} of {len(call_ids)} calls not fed to the new agency"
    finally:
        await db.close()
