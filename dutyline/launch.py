"""The operations entry point (`dutyline serve`, `dutyline worker`, `dutyline migrate`): the one
module that names the services. Everything below it — the kit — takes what it needs as arguments.

A service is found by module path, so a process imports only the services it runs.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from temporalio.client import Client
from temporalio.worker import Worker

from dutyline import metrics
from dutyline.config import SERVICES as CONFIGURED_SERVICES
from dutyline.config import WORKER_SERVICES, InsecureSecrets, ServiceSettings, Settings, role_of
from dutyline.logging import configure_logging
from dutyline.signals import stop_on_signals
from dutyline.temporal_start import connect as connect_temporal
from dutyline.temporal_worker import LEGACY_TASK_QUEUE, BuildWorker, WorkerPlan, readiness, run_workers
from dutyline.tracing import configure_tracing

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Service:
    name: str

    @property
    def package(self) -> str:
        return f"services.{self.name}"

    def worker_build(self) -> BuildWorker:
        build: BuildWorker = importlib.import_module(f"{self.package}.worker").build
        return build

    def settings_class(self) -> type[ServiceSettings]:
        """The service's settings (services/<name>/settings.py: ``<Name>Settings``)."""
        cls: type[ServiceSettings] = getattr(
            importlib.import_module(f"{self.package}.settings"), f"{self.name.capitalize()}Settings"
        )
        return cls

    def settings(self) -> ServiceSettings:
        """The service's settings, read from the environment: each service of a process its own."""
        return self.settings_class()()

    def server_build(self) -> Any:
        """The ``build`` of the service's gRPC server (dutyline.grpckit.server.Build)."""
        return importlib.import_module(f"{self.package}.server").build


SERVICES: dict[str, Service] = {name: Service(name) for name in CONFIGURED_SERVICES}
# The services with a Temporal worker (services/<name>/worker.py).
WORKERS: dict[str, Service] = {name: SERVICES[name] for name in WORKER_SERVICES}


def services_named(names: str) -> list[Service]:
    """``"incident,notify"`` (or ``"all"``) as the services whose workers to run; an unknown name, or
    a service without a worker, is an error."""
    wanted = list(WORKERS) if names.strip() in ("", "all") else [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in WORKERS]
    if unknown:
        raise ValueError(f"no Temporal worker for {', '.join(unknown)}; services with one: {', '.join(WORKERS)}")
    return [WORKERS[n] for n in dict.fromkeys(wanted)]


def legacy_plan(plans: list[WorkerPlan]) -> WorkerPlan:
    """Every workflow and activity of ``plans`` on the one task queue of before issue 13, where the
    workflows started then still run (their tasks and activities stay on the queue they started
    on). Only a process hosting every service can serve it (``worker`` checks): any of its tasks may be
    any service's."""
    return WorkerPlan(
        service="legacy",
        task_queue=LEGACY_TASK_QUEUE,
        workflows=[w for plan in plans for w in plan.workflows],
        activities=[a for plan in plans for a in plan.activities],
    )


async def _run_workers(services: list[Service], settings: Settings, *, drain_legacy: bool) -> None:
    runtime, sdk_metrics = metrics.temporal_runtime() if settings.metrics_port else (None, "")
    client = await connect_temporal(settings, runtime=runtime)
    stop = asyncio.Event()
    stop_on_signals(stop)
    async with AsyncExitStack() as resources:
        plans: list[WorkerPlan] = []
        running: list[Worker] = []

        async def ready() -> str | None:
            return await readiness(client, running, expected=len(plans)) if plans else "starting"

        server = await metrics.start_server(
            settings.metrics_port, settings.listen_host, ready=ready, append=sdk_metrics
        )
        if server is not None:
            resources.push_async_callback(server.stop)
        plans.extend([await s.worker_build()(s.settings(), resources) for s in services])
        if drain_legacy:
            plans.append(legacy_plan(plans))
        await run_workers(
            client,
            plans,
            stop,
            grace=timedelta(seconds=settings.shutdown_grace_seconds),
            running=running,
            cached_workflows=settings.worker_cached_workflows,
        )


def worker(names: str, settings: Settings, *, drain_legacy: bool = False) -> None:
    """Run the Temporal workers of the named services in this process (with ``drain_legacy``, also
    the workflows still on the task queue of before issue 13: docs/operations.md)."""
    services = services_named(names)
    if drain_legacy and len(services) != len(WORKERS):
        raise SystemExit(f"--drain-legacy-queue needs every service's worker in the process (got {names!r})")
    configure_logging("worker", fmt=settings.log_format, level=settings.log_level)
    configure_tracing("worker")
    try:
        for service in services:
            service.settings().refuse_insecure_secrets()
    except InsecureSecrets as exc:
        log.error("refusing to start", reason=str(exc))
        raise SystemExit(2) from exc
    asyncio.run(_run_workers(services, settings, drain_legacy=drain_legacy))


def serve(name: str, settings: ServiceSettings | None = None) -> None:
    """Run the gRPC server of the service ``name`` (what its container runs), with its own settings."""
    from dutyline.grpckit.server import run

    if name not in SERVICES:
        raise ValueError(f"unknown service {name!r}; known: {', '.join(SERVICES)}")
    service = SERVICES[name]
    run(name, service.server_build(), settings or service.settings())


def console() -> None:
    """Run the duty console (services/console: the web screen, a client of the four services, with no
    database and no NATS) until SIGTERM/SIGINT; what its container runs."""
    importlib.import_module("services.console.app").run()


# --- the database: schemas, roles, demo data ------------------------------------------------------


async def migrate_all(
    dsn: str, services: Sequence[Service] | None = None, *, passwords: Mapping[str, str] | None = None
) -> dict[str, list[str]]:
    """As the administrator ``dsn``: apply every service's migrations to its schema, make sure its role
    (dutyline_<service>) exists and may use its schema and nothing else; returns what each applied.

    A role's password is set when known: ``passwords[service]``, else the service's own setting
    (DUTYLINE_<SERVICE>_PG_PASSWORD) if it is set; otherwise it is left as it is (e.g. managed by the
    database's operator)."""
    import asyncpg

    from dutyline.db.migrations import migrate
    from dutyline.db.roles import ensure_role, grant_schema, restrict_public

    chosen = list(SERVICES.values()) if services is None else list(services)
    conn = await asyncpg.connect(dsn)
    try:
        await restrict_public(conn)
        applied: dict[str, list[str]] = {}
        for service in chosen:
            settings_class = service.settings_class()
            applied[service.name] = await migrate(conn, service.name, settings_class.migrations)
            if passwords is not None:
                password = passwords.get(service.name, "")
            else:
                password = settings_class().pg_password().get_secret_value()
            await ensure_role(conn, role_of(service.name), password=password)
            await grant_schema(conn, service.name, role_of(service.name))
        return applied
    finally:
        await conn.close()


async def seed_demo(dsn: str, *, im_base_url: str = "") -> bool:
    """Seed the demo organization into roster's schema (as the administrator ``dsn``) unless the roster
    has data, and the demo's emergency plans (应急预案) into incident's, each unless it is there; returns
    whether the organization was seeded (dutyline up, `dutyline migrate --demo`)."""
    import asyncpg

    from services.incident.plan_seed import seed_demo_plans
    from services.roster.seed import seed_demo as seed_roster

    conn = await asyncpg.connect(dsn, server_settings={"search_path": "incident"})
    try:
        async with conn.transaction():
            await seed_demo_plans(conn, at=datetime.now(UTC))
    finally:
        await conn.close()
    conn = await asyncpg.connect(dsn, server_settings={"search_path": "roster"})
    try:
        async with conn.transaction():
            return await seed_roster(conn, today=datetime.now(UTC).date(), im_base_url=im_base_url)
    finally:
        await conn.close()


# --- Temporal: the workflows' search attributes ---------------------------------------------------

# The contract modules of the workflows (workflows/<process>/types.py); each may declare the search
# attributes its workflows set, as SEARCH_ATTRIBUTES = {name: type}.
WORKFLOW_CONTRACTS = (
    "workflows.incident.types",
    "workflows.escalation.types",
    "workflows.shift.types",
    "workflows.callback.types",
)


def search_attributes() -> dict[str, str]:
    """The custom search attributes every workflow needs, from their contracts (name: type)."""
    wanted: dict[str, str] = {}
    for module_name in WORKFLOW_CONTRACTS:
        declared: Mapping[str, str] = getattr(importlib.import_module(module_name), "SEARCH_ATTRIBUTES", {})
        for name, kind in declared.items():
            if wanted.setdefault(name, kind) != kind:
                raise ValueError(f"search attribute {name} is {wanted[name]} and {kind} in {module_name}")
    return wanted


async def register_search_attributes(client: Client) -> list[str]:
    """Register the workflows' search attributes the namespace lacks; returns their names."""
    from dutyline.temporal_setup import register_search_attributes as register

    return await register(client, search_attributes())


def main(argv: list[str] | None = None) -> None:
    """``python -m dutyline.launch worker [SERVICES] [--drain-legacy-queue]``: what the dev stack
    runs (the `dutyline` CLI offers the same as ``dutyline worker``)."""
    import argparse

    from dutyline.config import get_settings

    parser = argparse.ArgumentParser(prog="python -m dutyline.launch")
    commands = parser.add_subparsers(dest="command", required=True)
    run_worker = commands.add_parser("worker", help="run the Temporal workers of some services")
    run_worker.add_argument("services", nargs="?", default="all", help="comma list, or all")
    run_worker.add_argument("--drain-legacy-queue", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "worker":
        worker(args.services, get_settings(), drain_legacy=args.drain_legacy_queue)


if __name__ == "__main__":
    main()
