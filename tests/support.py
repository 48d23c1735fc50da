"""Helpers shared by the tests."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import grpc
import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from dutyline.config import DEV_SERVICE_TOKEN_SECRET, DEV_TOKEN_SECRET
from dutyline.grpckit.auth import issue_token, system_token
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc


def token_for(person_id: str, roles: list[str], sites: list[str]) -> str:
    return issue_token(DEV_TOKEN_SECRET, person_id=person_id, name=person_id, roles=roles, sites=sites)


def service_token_for(service: str) -> str:
    """The credential of the component ``service`` (the role system comes only with one of these)."""
    return system_token(DEV_SERVICE_TOKEN_SECRET, service)


async def officer_on_duty(platform: Any, at: datetime | None = None) -> str:
    """The officer the demo roster has on duty at hz-01 at ``at`` (now by default)."""
    request = roster_pb2.GetOnDutyRequest(site_id="hz-01", at=ts(at))
    async with channel(platform.address("roster"), token_for("p-admin", ["admin"], ["*"])) as ch:
        on_duty = await roster_pb2_grpc.RosterServiceStub(ch).GetOnDuty(request)
    return str(on_duty.officers[0].person_id)


async def notifications_about(platform: Any, ref_id: str, *, at_least: int = 1, timeout: float = 20.0) -> list[Any]:
    """NotifyService's notifications about ``ref_id`` once there are ``at_least`` of them
    (escalations notify from their workflow, a moment after the request)."""
    from dutyline.grpckit.client import channel
    from dutyline.notify.v1 import notify_pb2, notify_pb2_grpc

    deadline = asyncio.get_running_loop().time() + timeout
    async with channel(platform.address("notify"), token_for("p-admin", ["admin"], ["*"])) as ch:
        stub = notify_pb2_grpc.NotifyServiceStub(ch)
        while True:
            found = await stub.ListNotifications(notify_pb2.ListNotificationsRequest(ref_id=ref_id))
            if len(found.notifications) >= at_least or asyncio.get_running_loop().time() > deadline:
                return list(found.notifications)
            await asyncio.sleep(0.1)


async def published_within(platform: Any, aggregate_id: str, *, seconds: float, event_type: str = "") -> None:
    """Fails unless an event about ``aggregate_id`` (of ``event_type`` if given) is on the stream within
    ``seconds`` of this call: what a relay loop or a jammed outbox would stop."""
    from datetime import UTC, datetime, timedelta

    import nats.errors
    from nats.js.api import ConsumerConfig, DeliverPolicy

    from dutyline.events.v1 import event_pb2
    from dutyline.natsconn import connect_url

    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    nc = await connect_url(platform.nats.url, platform.nats_creds)
    try:
        # Events of the last half minute: the one sought may have been published before this call.
        config = ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_TIME, opt_start_time=datetime.now(UTC) - timedelta(seconds=30)
        )
        sub = await nc.jetstream().subscribe("dutyline.>", ordered_consumer=True, config=config)
        while (left := deadline - loop.time()) > 0:
            try:
                msg = await sub.next_msg(timeout=left)
            except nats.errors.TimeoutError:
                break
            event = event_pb2.Event()
            event.ParseFromString(msg.data)
            if event.aggregate_id == aggregate_id and event_type in ("", event.type):
                return
        raise AssertionError(f"no {event_type or 'event'} about {aggregate_id} on the stream within {seconds} s")
    finally:
        await nc.close()


async def staffed_site(
    admin: Any,
    site_id: str,
    *,
    name: str = "",
    officers: int = 2,
    leaders: int = 1,
    officers_per_shift: int = 1,
    leader_needed: bool = True,
    start_date: str = "2026-01-01",
    contact: str = "phone",
) -> list[str]:
    """A fresh site under the east region (``admin``: a roster stub with an admin token): its officers
    ``<site>-o1…`` and leaders ``<site>-l1…`` (returned in that order), a day/night pattern needing
    ``officers_per_shift`` officers (and a leader when ``leader_needed``), the officers' rotation."""
    from dutyline.common.v1 import common_pb2
    from dutyline.roster.v1 import roster_pb2

    officer, leader = common_pb2.ROLE_OFFICER, common_pb2.ROLE_LEADER
    await admin.UpsertSite(
        roster_pb2.UpsertSiteRequest(
            idempotency_key=str(uuid.uuid4()),
            site=roster_pb2.Site(
                id=site_id,
                name=name or f"Test {site_id}",
                kind=roster_pb2.SITE_KIND_SITE,
                parent_id="east",
                time_zone="Asia/Shanghai",
                jurisdiction="330100",
            ),
        )
    )
    people = [(f"{site_id}-o{i}", officer) for i in range(1, officers + 1)]
    people += [(f"{site_id}-l{i}", leader) for i in range(1, leaders + 1)]
    for person_id, role in people:
        await admin.UpsertPerson(
            roster_pb2.UpsertPersonRequest(
                idempotency_key=str(uuid.uuid4()),
                person=roster_pb2.Person(
                    id=person_id,
                    display_name=person_id,
                    site_id=site_id,
                    roles=[role],
                    contacts=[roster_pb2.ContactMethod(channel=contact, address="13900000000")],
                ),
            )
        )
    staffing = [roster_pb2.StaffingRequirement(role=officer, minimum=officers_per_shift)]
    if leader_needed:
        staffing.append(roster_pb2.StaffingRequirement(role=leader, minimum=1))
    await admin.UpsertShiftPattern(
        roster_pb2.UpsertShiftPatternRequest(
            idempotency_key=str(uuid.uuid4()),
            pattern=roster_pb2.ShiftPattern(
                id=f"{site_id}-dn",
                site_id=site_id,
                name="day/night",
                shifts=[
                    roster_pb2.ShiftDefinition(
                        name="day", local_start="08:00", duration_minutes=720, staffing=staffing
                    ),
                    roster_pb2.ShiftDefinition(
                        name="night", local_start="20:00", duration_minutes=720, staffing=staffing
                    ),
                ],
            ),
        )
    )
    await admin.UpsertRotation(
        roster_pb2.UpsertRotationRequest(
            idempotency_key=str(uuid.uuid4()),
            rotation=roster_pb2.Rotation(
                id=f"{site_id}-officers",
                site_id=site_id,
                pattern_id=f"{site_id}-dn",
                role=officer,
                person_ids=[p for p, role in people if role == officer],
                period_days=1,
                start_date=start_date,
                slots=officers_per_shift,
            ),
        )
    )
    return [p for p, _ in people]


@contextlib.asynccontextmanager
async def kit_schema(dsn: str, prefix: str, *extra_sql: str) -> AsyncIterator[str]:
    """A schema of its own with the kit's tables (outbox, dead letters, consumed events…) and whatever
    ``extra_sql`` creates in it (``{schema}`` is its name); dropped afterwards."""
    from importlib import resources

    import asyncpg

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f"CREATE SCHEMA {name}")
        for migration in sorted(resources.files("dutyline.db.kit_migrations").iterdir(), key=lambda p: p.name):
            if migration.name.endswith(".sql"):
                await conn.execute(f"SET search_path = {name}; {migration.read_text(encoding='utf-8')}")
        for sql in extra_sql:
            await conn.execute(sql.format(schema=name))
        yield name
    finally:
        await conn.execute(f"DROP SCHEMA {name} CASCADE")
        await conn.close()


T = TypeVar("T")


async def until(read: Callable[[], Awaitable[object]], expected: object, *, seconds: float = 30.0) -> None:
    """Wait until ``read()`` gives ``expected`` (what the platform does asynchronously)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while (value := await read()) != expected:
        assert asyncio.get_running_loop().time() < deadline, f"still {value!r}, expected {expected!r}"
        await asyncio.sleep(0.1)


WAIT_FOR_KEEPS_IT = "this Python's asyncio.wait_for keeps a cancellation that lands with the reply (3.12+)"


async def cancelled_as_its_reply_came(work: Callable[[], Awaitable[object]], *, seconds: float) -> bool:
    """Run ``work`` in a task cancelled as a reply it awaits arrives: Python 3.11's asyncio.wait_for, with
    which nats-py awaits its requests and fetches, then drops the cancellation (CPython gh-86296), and
    ``work`` starts with the request lost. It must still end cancelled within ``seconds``. Whether the
    cancellation was dropped: if not (3.12+), the test proves nothing and skips (``WAIT_FOR_KEEPS_IT``)."""
    reply: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    swallowed = False

    async def awaiting_its_reply() -> None:
        nonlocal swallowed
        await asyncio.wait_for(reply, 5)
        swallowed = True
        await work()

    task = asyncio.create_task(awaiting_its_reply())
    await asyncio.sleep(0)  # waiting for its reply
    reply.set_result(None)
    task.cancel()  # the stop comes with the reply
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(seconds):  # nothing else would end it
            await task
    return swallowed


async def start_on_free_ports(make: Callable[[], T], start: Callable[[T], Awaitable[Any]], attempts: int = 3) -> T:
    """Make and start a server on ports that free_port() picked. Another process may take such a port
    before the server binds it (a race free_port cannot close; the Temporal dev server also binds
    ports of its own), so a start that fails on a taken port is tried again on new ports."""
    from dutyline.stack.process import ServerStartError

    for attempt in range(1, attempts + 1):
        server = make()
        try:
            await start(server)
            return server
        except ServerStartError as exc:
            if attempt == attempts or "in use" not in str(exc):
                raise
    raise AssertionError("unreachable")


@contextlib.asynccontextmanager
async def running_platform(prefix: str, **options: Any) -> AsyncIterator[Any]:
    """A started ``Platform`` (dutyline.stack) on free ports, its state in a fresh directory outside the source
    tree; stopped and removed afterwards (``DUTYLINE_KEEP_TEST_STATE=1`` keeps a failed run's logs and data).
    ``options``: the Platform's (settings, replicas, supervise…)."""
    from dutyline.stack.platform import Platform, Ports

    state = Path(tempfile.mkdtemp(prefix=f"dutyline-{prefix}-"))
    # Readable by the embedded_postgres user when run as root.
    os.chmod(state, 0o755)
    began = asyncio.get_running_loop().time()
    stack = await start_on_free_ports(
        lambda: Platform(state, Ports.free(), ui=False, token_secret=DEV_TOKEN_SECRET, **options),
        lambda platform: platform.start(),
    )
    print(f"{prefix} platform started in {asyncio.get_running_loop().time() - began:.1f} s")
    try:
        yield stack
    finally:
        await stack.stop()
        if not os.environ.get("DUTYLINE_KEEP_TEST_STATE"):
            shutil.rmtree(state, ignore_errors=True)


@dataclass(frozen=True)
class Span:
    trace_id: str
    span_id: str
    name: str
    service: str


class SpanReceiver(trace_service_pb2_grpc.TraceServiceServicer):
    """An OTLP/gRPC trace receiver: keeps every span exported to it."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self.endpoint = ""  # where to export to, once serving

    async def Export(
        self, request: trace_service_pb2.ExportTraceServiceRequest, context: grpc.aio.ServicerContext
    ) -> trace_service_pb2.ExportTraceServiceResponse:
        for resource_spans in request.resource_spans:
            attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                self.spans.extend(
                    Span(s.trace_id.hex(), s.span_id.hex(), s.name, attributes.get("service.name", ""))
                    for s in scope_spans.spans
                )
        return trace_service_pb2.ExportTraceServiceResponse()

    @classmethod
    @contextlib.asynccontextmanager
    async def serving(cls) -> AsyncIterator[SpanReceiver]:
        """A receiver listening on loopback."""
        from dutyline.stack.process import free_port

        receiver = cls()
        server = grpc.aio.server()
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(receiver, server)
        port = server.add_insecure_port(f"127.0.0.1:{free_port()}")
        await server.start()
        receiver.endpoint = f"http://127.0.0.1:{port}"
        try:
            yield receiver
        finally:
            await server.stop(None)


async def events_about(platform: Any, aggregate_id: str, *, quiet: float = 2.0) -> list[Any]:
    """The events about ``aggregate_id`` on the stream in the last minutes (until none came for ``quiet`` s)."""
    from datetime import UTC, datetime, timedelta

    import nats.errors
    from nats.js.api import ConsumerConfig, DeliverPolicy

    from dutyline.events.v1 import event_pb2
    from dutyline.natsconn import connect_url

    nc = await connect_url(platform.nats.url, platform.nats_creds)
    found = []
    try:
        config = ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_TIME, opt_start_time=datetime.now(UTC) - timedelta(minutes=2)
        )
        sub = await nc.jetstream().subscribe("dutyline.>", ordered_consumer=True, config=config)
        while True:
            try:
                msg = await sub.next_msg(timeout=quiet)
            except nats.errors.TimeoutError:
                return found
            event = event_pb2.Event()
            event.ParseFromString(msg.data)
            if event.aggregate_id == aggregate_id:
                found.append(event)
    finally:
        await nc.close()
