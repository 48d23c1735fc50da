"""`make bench`: start the platform on free ports in a temporary state dir, measure the raw
ceilings and dutyline's figures in the same run, print the report, write bench/results/latest.json
(``--replicas 2``: replicas-2.json; ``--only``: only-<measurement>.json) and stop everything."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
import time
from collections.abc import Awaitable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from rich.console import Console

from bench import budgets, incidents, logscan, open_incidents, raw
from bench.cpu import CLIENT, CpuMonitor
from bench.dutyline_paths import (
    DutylinePaths,
    admin_token,
    drain_consumers,
    drain_outboxes,
    drain_workflow_tasks,
    on_duty_latency,
)
from bench.report import RESULTS_DIR, Ceiling, Figure, Report
from bench.surge import surge_phase
from dutyline.config import WORKER_SERVICES
from dutyline.stack.platform import Platform, Ports

T = TypeVar("T")

# Everything after startup; every phase is bounded on its own, this is the backstop.
MEASURE_TIMEOUT = 320.0
CALL_RATE = 200.0
INCIDENT_RATE = 20.0
CALL_CALLERS = 64
INCIDENT_CALLERS = 32
IDLE_PHASE = "dutyline: idle"
IDLE_SECONDS = 4.0


class Bench:
    def __init__(self, platform: Platform, report: Report, console: Console) -> None:
        self.platform = platform
        self.report = report
        self.console = console
        pids = {
            # Every server: with replicas, the three NATS nodes too.
            **{name: server.pid for name, server in platform.servers().items()},
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
        """Between phases: every staged event published, every workflow task taken by a worker and every
        consumer caught up."""
        began = time.perf_counter()
        left = await drain_outboxes(self.platform.postgres.dsn)
        if left:
            self.report.problems.append(f"outbox events still unpublished after 30 s: {left}")
        queued = await drain_workflow_tasks(self.platform.temporal.address, WORKER_SERVICES)
        if queued:
            self.report.problems.append(f"workflow tasks still queued after 60 s: {queued}")
        behind = await drain_consumers(self.platform.nats.url, self.platform.nats_creds)
        if behind:
            self.report.problems.append(f"consumers still behind after 60 s: {behind}")
        waited = time.perf_counter() - began
        if waited > 1.0:
            self.console.print(f"[dim]  (the platform caught up in {waited:.1f} s)[/dim]")

    async def _call_ceilings(self, prefix: str) -> list[Ceiling]:
        """PostgreSQL's commits and gRPC's echo: what the call registration figures are judged by."""
        commits = await self.phase(
            f"{prefix}: PostgreSQL commits", raw.postgres_two_insert_commits(self.platform.postgres.dsn)
        )
        echo = await self.phase(f"{prefix}: gRPC echo", raw.grpc_echo())
        return [
            budgets.ceiling(
                "postgres_two_insert_commits",
                "PostgreSQL durable commits, 2 inserts (16 conns)",
                commits,
                "commits/s",
                budgets.DESIGN_POSTGRES_COMMITS,
            ),
            budgets.ceiling(
                "grpc_echo",
                "grpc.aio unary echo (32 callers, server in own process)",
                echo,
                "calls/s",
                budgets.DESIGN_GRPC_ECHO,
            ),
        ]

    async def raw_ceilings(self, *, calls_only: bool = False) -> None:
        """The raw ceilings; ``calls_only``: those the call registration figures are judged by."""
        p = self.platform
        ceilings = await self._call_ceilings("raw")
        if not calls_only:
            published = await self.phase(
                "raw: JetStream publishes", raw.jetstream_publishes(p.nats.url, creds=p.nats_creds)
            )
            starts = await self.phase("raw: Temporal starts", raw.temporal_starts(p.temporal.address))
            single, window = published if published is not None else (None, None)
            ceilings += [
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
                    "temporal_starts",
                    "Temporal workflow starts (32 starters)",
                    starts,
                    "starts/s",
                    budgets.DESIGN_TEMPORAL_STARTS,
                ),
            ]
        for c in ceilings:
            self.report.ceilings[c.key] = c

    async def ceilings_again(self) -> None:
        """The call ceilings measured again after the figures: this host's speed moves by tens of per cent
        within minutes, and a ratio means little if its ceiling no longer held when the figure was taken."""
        await self.drain()  # measured as the first were: with the platform at rest
        for again in await self._call_ceilings("raw again"):
            first = self.report.ceilings.get(again.key)
            if first is not None:
                self.report.ceilings[again.key] = replace(first, rate_at_end=again.rate)

    def costed(self, figure: Figure, phase: str, ops: int | None) -> Figure:
        """The figure with the CPU each operation of its phase cost the platform, above its idle floor."""
        figure.cpu_ms = self.cpu.cpu_ms_per_op(phase, ops, idle=IDLE_PHASE) if ops else None
        return figure

    async def dutyline_figures(self, *, only: str = "") -> None:
        p = self.platform
        async with DutylinePaths.connect(
            p.address("intake"), p.nats.url, admin_token(), nats_creds=p.nats_creds
        ) as paths:
            await self.phase("dutyline: warm-up", paths.warm_up())
            await self.drain()
            # What the platform spends doing nothing (timers, polls, Temporal's own), not charged to operations.
            await self.phase(IDLE_PHASE, asyncio.sleep(IDLE_SECONDS))
            if only in ("", "calls"):
                self.report.figures += await self.calls(paths)
            if only in ("", "on_duty"):
                self.report.figures.append(await self.on_duty())
            if not only:
                # Before the emergency phases: their hundreds of incidents keep Temporal busy for minutes.
                self.report.figures.append(await self.surge())
                self.report.figures += await self.emergencies(paths)

    async def calls(self, paths: DutylinePaths) -> list[Figure]:
        ceilings = self.report.ceilings
        at_rate, callers = (
            f"dutyline: RegisterCall at {CALL_RATE:.0f}/s",
            f"dutyline: RegisterCall, {CALL_CALLERS} callers",
        )
        latency = await self.phase(at_rate, paths.registration_latency(rate=CALL_RATE))
        await self.drain()
        throughput = await self.phase(callers, paths.registration_throughput(concurrency=CALL_CALLERS))
        await self.drain()
        call_latency, delivery = latency if latency is not None else (None, None)
        ok = call_latency.ok if call_latency is not None else None
        return [
            budgets.within_cpu(
                self.costed(
                    budgets.registration_throughput(
                        throughput,
                        ceilings["postgres_two_insert_commits"],
                        ceilings["grpc_echo"],
                        concurrency=CALL_CALLERS,
                    ),
                    callers,
                    throughput.ok if throughput is not None else None,
                ),
                budgets.CALL_CPU_MS,
            ),
            self.costed(budgets.registration_latency(call_latency, rate=CALL_RATE), at_rate, ok),
            # The same calls: each one's event is part of what the phase cost.
            self.costed(budgets.delivery_latency(delivery), at_rate, ok),
        ]

    async def on_duty(self) -> Figure:
        name = f"dutyline: GetOnDuty at {CALL_RATE:.0f}/s"
        on_duty = await self.phase(
            name, on_duty_latency(self.platform.address("roster"), admin_token(), rate=CALL_RATE)
        )
        return self.costed(budgets.on_duty_latency(on_duty, rate=CALL_RATE), name, on_duty.ok if on_duty else None)

    async def emergencies(self, paths: DutylinePaths) -> list[Figure]:
        at_rate = f"dutyline: emergency at {INCIDENT_RATE:.0f}/s"
        callers = f"dutyline: emergency, {INCIDENT_CALLERS} callers"
        incident_latency = await self.phase(at_rate, paths.emergency_latency(rate=INCIDENT_RATE))
        await self.drain()
        incident_throughput = await self.phase(callers, paths.emergency_throughput(concurrency=INCIDENT_CALLERS))
        await self.drain()
        return [
            budgets.within_cpu(
                self.costed(
                    budgets.emergency_throughput(
                        incident_throughput,
                        # Judged against the same-shape skeleton of this run (bench/skeleton.py) when measured.
                        self.report.ceilings.get("temporal_skeleton") or self.report.ceilings["temporal_starts"],
                        concurrency=INCIDENT_CALLERS,
                    ),
                    callers,
                    incident_throughput[0].ok if incident_throughput is not None else None,
                ),
                budgets.INCIDENT_CPU_MS,
            ),
            self.costed(
                budgets.emergency_latency(incident_latency, rate=INCIDENT_RATE),
                at_rate,
                incident_latency[0].ok if incident_latency is not None else None,
            ),
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
        return budgets.surge(measured, cpu_cores=sum(v for k, v in cores.items() if k != CLIENT) or None)


async def run(console: Console, *, only: str = "", replicas: int = 1) -> Report:
    report = Report(replicas=replicas)
    began = time.perf_counter()
    # Outside the source tree and readable by the embedded_postgres user when run as root.
    state = Path(tempfile.mkdtemp(prefix="dutyline-bench-"))
    os.chmod(state, 0o755)
    platform = Platform(state, Ports.free(), ui=False, replicas=replicas)
    bench: Bench | None = None
    try:
        console.print(f"starting the platform in {state} …")
        report.startup_seconds = await platform.start()
        report.memory_mb["after start"] = platform.memory_mb()
        console.print(report.startup_line())
        bench = Bench(platform, report, console)
        try:
            selected = set(only.split(",")) if only else set()
            extra = open_incidents.TIMEOUT_S if "open_incidents" in selected else 0.0
            async with asyncio.timeout(MEASURE_TIMEOUT + extra):
                if only == "surge":
                    report.figures.append(await bench.surge())
                elif only and selected <= set(incidents.PHASES):
                    await incidents.run_selected(bench, selected)
                else:
                    await bench.raw_ceilings(calls_only=bool(only))
                    if not only:
                        await incidents.skeleton(bench)
                    await bench.dutyline_figures(only=only)
                    if not only:
                        # The 5,000 open incidents run on a platform of their own (--only open_incidents):
                        # after the phases above, thousands of unacknowledged escalations still climb
                        # their chains and would be measured with them.
                        await incidents.run_selected(bench, {"leader"})
                    await bench.ceilings_again()
        except TimeoutError:
            report.problems.append(f"the measurements did not finish within {MEASURE_TIMEOUT + extra:.0f} s")
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


def results_path(only: str, replicas: int) -> Path:
    """Where a run's JSON goes: the full run's figures in ``latest.json`` (what docs/operations.md shows),
    the replicas profile's and a partial run's apart, so that neither overwrites them."""
    name = "latest" if not only else "only-" + only.replace(",", "+")
    if replicas > 1:
        name = f"replicas-{replicas}" if not only else f"{name}-replicas-{replicas}"
    return RESULTS_DIR / f"{name}.json"


def main() -> None:
    parser = argparse.ArgumentParser(description="dutyline's benchmarks against the raw components")
    parser.add_argument(
        "--only",
        choices=["surge", "calls", "on_duty", *incidents.selections()],
        default="",
        metavar="MEASUREMENT",
        help="run one measurement: surge (no raw ceilings), calls or on_duty (PostgreSQL's and gRPC's only), "
        f"or incident phases joined by commas in this order: {','.join(incidents.PHASES)}",
    )
    parser.add_argument(
        "--replicas", type=int, default=1, help="processes of each service and worker (≥ 2: a 3-node NATS cluster)"
    )
    args = parser.parse_args()
    console = Console()
    if not console.is_terminal or console.width < 150:
        console = Console(width=150)
    report = asyncio.run(run(console, only=args.only, replicas=args.replicas))
    report.print(console)
    path = report.write_json(results_path(args.only, args.replicas))
    console.print(f"total {report.total_seconds:.0f} s; results written to {path}")
    if not report.figures:
        raise SystemExit(1)  # the platform or the raw measurements failed: nothing to judge


if __name__ == "__main__":
    main()
