"""The incident figures selectable on their own (`python -m bench --only skeleton,emergency,leader`):
the same-shape Temporal skeleton and the emergency figures judged against it in the same run, the
duty leader told under load and 5,000 open incidents whose reports fall due (bench/open_incidents.py);
each with the CPU per operation of the platform's processes."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from bench import budgets, open_incidents
from bench.dutyline_paths import DutylinePaths, admin_token
from bench.leader import LeaderTold, leader_told_under_load
from bench.report import Ceiling, Figure
from bench.skeleton import skeleton_throughput, skeleton_worker

if TYPE_CHECKING:
    from bench.__main__ import Bench

PHASES = ("skeleton", "emergency", "leader", "open_incidents")
INCIDENT_CALLERS = 32
LEADER_P99_S = 5.0
# DESIGN §8 quotes no skeleton rate; the raw starts' reference stands beside it.
SKELETON_NAME = f"Same-shape Temporal skeleton, empty bodies ({INCIDENT_CALLERS} starters, each until leader told)"


async def skeleton(bench: Bench) -> Ceiling:
    p = bench.platform
    async with skeleton_worker(p.temporal.address) as worker:
        bench.cpu.watch("skeleton worker", worker.pid)
        await bench.phase("skeleton: warm-up", skeleton_throughput(p.temporal.address, worker, duration=1.0))
        name = "skeleton: incidents"
        result = await bench.phase(name, skeleton_throughput(p.temporal.address, worker, concurrency=INCIDENT_CALLERS))
    found = budgets.ceiling("temporal_skeleton", SKELETON_NAME, result, "incidents/s", budgets.DESIGN_TEMPORAL_STARTS)
    if result is not None:
        found.detail["cpu_ms_per_op"] = bench.cpu.cpu_ms_per_op(name, result.ok)
    bench.report.ceilings[found.key] = found
    return found


def leader_figure(told: LeaderTold | None) -> Figure:
    name = "Duty leader's first attempt after registration (20 emergency + 100 other calls/s)"
    budget = f"p99 ≤ {LEADER_P99_S:.0f} s"
    if told is None:
        return Figure(name, None, "s", budget)
    p99 = told.attempt_p99
    summary = told.summary()
    stages = ", ".join(
        f"{stage} p50 {summary.get(f'{stage}_p50_s', '-')}/p99 {summary.get(f'{stage}_p99_s', '-')} s"
        for stage in ("escalation", "escalation_started", "notification", "attempt")
    )
    return Figure(
        name,
        p99,
        "s",
        budget,
        passed=p99 is not None and p99 <= LEADER_P99_S and told.missing == 0,
        note=f"{told.incidents} incidents, {told.missing} never attempted; {stages}",
        detail=summary,
    )


async def leader(bench: Bench, paths: DutylinePaths) -> Figure:
    name = "dutyline: leader told at 20 emergency + 100 other calls/s"
    told = await bench.phase(name, leader_told_under_load(paths, bench.platform.postgres.dsn))
    await bench.drain()
    return bench.costed(leader_figure(told), name, told.incidents if told else None)


async def opened(bench: Bench) -> Figure:
    try:
        measured, cpu_ms = await open_incidents.measure(bench)
    except Exception as exc:  # outside its parts (its own NATS connection): reported, the run goes on
        bench.report.problems.append(f"open incidents: {type(exc).__name__}: {exc}")
        measured, cpu_ms = None, None
    await bench.drain()
    return budgets.open_incidents(measured, cpu_ms=cpu_ms)


async def run_selected(bench: Bench, selected: set[str]) -> None:
    """The selected incident phases, in the order that keeps each one's figure clean: the skeleton
    first (the emergency ratio needs it), the leader last (its incidents keep Temporal busy) but for the
    open incidents, which keep it busiest."""
    p = bench.platform
    if "skeleton" in selected or ("emergency" in selected and "temporal_skeleton" not in bench.report.ceilings):
        await skeleton(bench)
    async with DutylinePaths.connect(p.address("intake"), p.nats.url, admin_token(), nats_creds=p.nats_creds) as paths:
        await bench.phase("dutyline: warm-up", paths.warm_up())
        await bench.drain()
        if "emergency" in selected:
            bench.report.figures += await bench.emergencies(paths)
        if "leader" in selected:
            bench.report.figures.append(await leader(bench, paths))
    if "open_incidents" in selected:
        bench.report.figures.append(await opened(bench))


def selections() -> list[str]:
    """What `--only` takes for these phases: one, or several joined by commas in their order."""
    return [",".join(c) for n in range(1, len(PHASES) + 1) for c in itertools.combinations(PHASES, n)]
