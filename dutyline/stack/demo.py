"""`dutyline demo`: one emergency call through the running platform, shown step by step."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import nats
import typer
from nats.js.api import ConsumerConfig, DeliverPolicy
from rich.console import Console
from rich.markup import escape
from temporalio.client import Client

from dutyline.cli.common.state import PlatformInfo
from dutyline.cli.common.tables import summary_table
from dutyline.common.v1 import common_pb2
from dutyline.events.v1 import event_pb2
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.intake.v1 import intake_pb2, intake_pb2_grpc
from dutyline.natsconn import connect_url

SITE = "hz-01"

console = Console()


async def run_demo(state_dir: Path) -> None:
    info = PlatformInfo.read(state_dir)
    if info is None:
        console.print(
            f"[red]找不到运行中的平台 No running platform found in {state_dir}[/]: start `dutyline up` first."
        )
        raise typer.Exit(2)
    nc = await connect_url(info.nats_url, info.nats_creds, name="dutyline-demo")
    js = nc.jetstream()
    sub = await js.subscribe(
        f"dutyline.{SITE}.>",
        ordered_consumer=True,
        config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW),
    )
    now = datetime.now(UTC)
    request = intake_pb2.RegisterCallRequest(
        idempotency_key=str(uuid.uuid4()),
        site_id=SITE,
        channel=intake_pb2.CHANNEL_PHONE,
        category=intake_pb2.CALL_CATEGORY_EMERGENCY,
        ring_started_at=ts(now - timedelta(seconds=9)),
        answered_at=ts(now - timedelta(seconds=2)),
        caller=intake_pb2.Caller(name="李明", unit="西湖区某小区物业", phone="13912345678"),
        place=common_pb2.Place(text="西湖区文三路 Wensan Road, Xihu District", latitude=30.2799, longitude=120.1302),
        summary="居民楼燃气泄漏，有明显气味 Gas leak in a residential building",
        request="请求派员处置 Asks for responders",
        actions_taken="已告知疏散并联系燃气公司 Told to evacuate; gas company called",
        drill=True,
    )
    async with (
        channel(info.addresses["intake"], info.token) as intake_ch,
        channel(info.addresses["incident"], info.token) as incident_ch,
    ):
        try:
            reply = await intake_pb2_grpc.IntakeServiceStub(intake_ch).RegisterCall(request, timeout=15)
        except grpc.aio.AioRpcError as exc:
            console.print(f"[red]登记失败 RegisterCall failed: {exc.code().name}: {exc.details()}[/]")
            raise typer.Exit(1) from exc
        call = reply.call
        console.print(
            summary_table(
                "1. 来电已登记 Call registered (演练 drill)",
                [
                    ("call id", call.id),
                    ("来电人 caller", f"{call.caller.name} {call.caller.phone} (masked)"),
                    (
                        "接听用时 answer delay",
                        f"{call.answer_delay_seconds:.0f} s" + (" 超时 LATE" if call.answered_late else ""),
                    ),
                    ("值班安排 assignment", call.assignment_id or "(roster had none)"),
                    ("incident", reply.incident_id or "(pending)"),
                ],
            )
        )
        events: list[event_pb2.Event] = []
        deadline = asyncio.get_running_loop().time() + 10
        while len(events) < 4 and asyncio.get_running_loop().time() < deadline:
            try:
                msg = await sub.next_msg(timeout=1.0)
            except nats.errors.TimeoutError:
                continue
            event = event_pb2.Event()
            event.ParseFromString(msg.data)
            if event.aggregate_id in (call.id, reply.incident_id):
                events.append(event)
                console.print(f"  事件 event on JetStream: [bold]{msg.subject}[/]  id={event.id}")
        await nc.close()
        incident = await incident_pb2_grpc.IncidentServiceStub(incident_ch).GetIncident(
            incident_pb2.GetIncidentRequest(incident_id=reply.incident_id), timeout=10
        )
        temporal = await Client.connect(info.temporal_address)
        handle = temporal.get_workflow_handle(incident.workflow_id)
        stage = ""
        for _ in range(50):
            stage = await handle.query("stage")
            if stage != "register":
                break
            await asyncio.sleep(0.1)
        timeline = await incident_pb2_grpc.IncidentServiceStub(incident_ch).GetTimeline(
            incident_pb2.GetTimelineRequest(incident_id=incident.id), timeout=10
        )
    ui = f"{info.temporal_ui_url}/namespaces/default/workflows/{incident.workflow_id}" if info.temporal_ui_url else "-"
    console.print(
        summary_table(
            "2. 事件已登记 Incident registered",
            [
                ("incident id", incident.id),
                ("第一责任人 first responder", incident.first_responder_id),
                ("IncidentWorkflow stage 阶段", stage),
            ],
        )
    )
    console.print(f"Temporal UI 工作流: {ui}", soft_wrap=True)
    if info.console_url:
        # The incident's own screen in the duty console.
        console.print(f"值班台 console: {info.console_url}/incidents/{incident.id}", soft_wrap=True)
    for entry in timeline.entries:
        console.print(escape(f"  {entry.at.ToDatetime():%H:%M:%S} [{entry.kind}] {entry.text}"))
