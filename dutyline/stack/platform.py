"""The whole platform on one machine: embedded PostgreSQL, NATS JetStream and the Temporal dev
server, then the five services and the worker as separate processes. Used by `dutyline up` and
by the integration tests (on free ports in a temporary state directory)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import os
import secrets
import sys
import time
from collections.abc import Awaitable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from dutyline import launch
from dutyline.config import DEV_SERVICE_TOKEN_SECRET, DEV_TOKEN_SECRET, SERVICES, WORKER_SERVICES, dsn_as, role_of
from dutyline.grpckit import health
from dutyline.natsauth import OperatorSetup, write_secret
from dutyline.stack.gateway import MESSAGES_FILE
from dutyline.stack.nats import EmbeddedNats, NatsCluster
from dutyline.stack.postgres import EmbeddedPostgres
from dutyline.stack.process import (
    EmbeddedServer,
    ManagedProcess,
    ServerStartError,
    free_port,
    wait_for_http_async,
    wait_for_port_async,
)
from dutyline.stack.supervisor import Supervisor
from dutyline.stack.temporal import EmbeddedTemporal
from dutyline.temporal_worker import task_queue_of
from services.intake.settings import DEV_CALLER_KEY
from services.notify.settings import DEV_ACK_TOKEN_SECRET, DEV_IM_SECRET

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
# The start of the application_name of a process's PostgreSQL connections (then the process's name).
APPLICATION_PREFIX = "dutyline-"
# The local gateway answers 503 for this number, so a failing SMS gateway can be shown and tested.
FAILING_ADDRESS = "+86-139-0000-0503"


def dev_role_passwords(path: Path) -> dict[str, str]:
    """Development passwords of the services' database roles: made once per state directory and kept
    there (0600), like the NATS credentials; migrations set them, each process gets its own."""
    if path.exists():
        known: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        if set(known) >= set(SERVICES):
            return known
    passwords = {service: secrets.token_urlsafe(24) for service in SERVICES}
    write_secret(path, json.dumps(passwords, indent=2) + "\n")
    return passwords


@dataclass(frozen=True)
class Ports:
    postgres: int = 55432
    nats: int = 4222
    nats_monitor: int = 8222
    temporal: int = 7233
    temporal_ui: int = 8233
    intake: int = 50051
    roster: int = 50052
    incident: int = 50053
    notify: int = 50054
    insight: int = 50055
    gateway_smtp: int = 2525
    gateway_http: int = 8025
    console: int = 8080

    @classmethod
    def free(cls) -> Ports:
        return cls(**{name: free_port() for name in asdict(cls())})


class Platform:
    def __init__(
        self,
        state_dir: Path,
        ports: Ports | None = None,
        *,
        ui: bool = True,
        token_secret: str = DEV_TOKEN_SECRET,
        seed: bool = True,
        settings: dict[str, str] | None = None,
        workers: Sequence[str] = ("all",),
        replicas: int = 1,
        supervise: bool = False,
    ) -> None:
        self.state_dir = state_dir.absolute()
        # With supervise, a component that exits on its own is restarted (dutyline.stack.supervisor).
        self.supervise = supervise
        self._supervisor: asyncio.Task[None] | None = None
        # Components being stopped or restarted on purpose: their exit is no crash.
        self._restarting: set[str] = set()
        self.ports = ports or Ports()
        if replicas < 1:
            raise ValueError(f"replicas must be at least 1, not {replicas}")
        # Processes of every service and of every worker group: replica 1 keeps the plain name
        # (``intake``), the others are ``intake-2``, …, each service replica on a port of its own.
        self.replicas = replicas
        self._replicas: dict[str, list[str]] = {}
        self._base: dict[str, str] = {}
        self.listen_ports: dict[str, int] = {}
        # Each service and worker process serves /metrics on a port of its own (metrics_address).
        self.metrics_ports: dict[str, int] = {}
        for service in SERVICES:
            for index, name in enumerate(self._replica_names(service)):
                self.listen_ports[name] = getattr(self.ports, service) if index == 0 else free_port()
        self.token_secret = token_secret
        self.seed = seed
        # DUTYLINE_* settings for every process on top of the platform's own (e.g. shorter retries).
        self.settings = dict(settings or {})
        logs = self.state_dir / "logs"
        self.postgres = EmbeddedPostgres(self.state_dir / "postgres", self.ports.postgres, logs / "postgres.log")
        # Each service connects as its own role (dutyline_<service>), with its own password.
        self.pg_passwords = dev_role_passwords(self.state_dir / "postgres-roles.json")
        # NATS runs in operator (JWT) mode, as a production cluster would: the services connect with
        # their user's creds file and notify signs agencies' users with the account seed. Kept in
        # the state directory, so credentials issued before a restart stay valid.
        self.nats_operator = OperatorSetup.load_or_create(self.state_dir / "nats-auth")
        self.nats_creds = self.nats_operator.write_service_creds(self.state_dir / "nats-auth" / "services.creds")
        self.nats_system_creds = self.nats_operator.write_system_creds(self.state_dir / "nats-auth" / "system.creds")
        self.nats_nodes = self._nats_nodes(logs)
        self.nats = self.nats_nodes[0]
        self.temporal = EmbeddedTemporal(
            self.state_dir / "temporal.db",
            self.ports.temporal,
            self.ports.temporal_ui if ui else None,
            logs / "temporal.log",
            launch.search_attributes(),
        )
        self.gateway_dir = self.state_dir / "gateway"
        self.processes: dict[str, ManagedProcess] = {
            # The local SMS/voice/IM gateway and SMTP server notify delivers to (a real one, not a fake).
            "gateway": ManagedProcess(
                [
                    sys.executable,
                    "-m",
                    "dutyline.stack.gateway",
                    "--dir",
                    str(self.gateway_dir),
                    "--smtp-port",
                    str(self.ports.gateway_smtp),
                    "--http-port",
                    str(self.ports.gateway_http),
                    "--secret",
                    DEV_IM_SECRET,
                    "--fail",
                    FAILING_ADDRESS,
                    "--log-format",
                    "json",
                ],
                logs / "gateway.log",
                name="gateway",
                env=self.env(),
                cwd=ROOT,
            )
        }
        for service in SERVICES:
            for name in self._replica_names(service):
                self.processes[name] = ManagedProcess(
                    [sys.executable, "-m", f"services.{service}"],
                    logs / f"{name}.log",
                    name=name,
                    env=self.env(name),
                    cwd=ROOT,
                )
        # The duty console: the browser's way in, a client of the services like the CLI.
        self.processes["console"] = ManagedProcess(
            [sys.executable, "-m", "services.console"],
            logs / "console.log",
            name="console",
            env=self.console_env(),
            cwd=ROOT,
        )
        # The services' Temporal workers: by default one process hosts them all (memory), and with
        # every service in it, it also drains the task queue of before issue 13; ``workers`` may
        # split them (``("incident", "notify", "intake,roster")``), as production runs them.
        self.worker_groups: dict[str, str] = {}
        for group in workers:
            self.add_worker(group)

    def add_worker(self, group: str) -> str:
        """The worker processes (not started) for ``group`` ("all", or services such as "incident,notify"),
        one per replica; returns the first one's name in ``processes``."""
        first = "worker" if group == "all" else "worker-" + group.replace(",", "-")
        command = [sys.executable, "-m", "dutyline.launch", "worker", group]
        if group == "all":
            command.append("--drain-legacy-queue")
        for name in self._replica_names(first):
            log = self.state_dir / "logs" / f"{name}.log"
            self.worker_groups[name] = group
            self.processes[name] = ManagedProcess(command, log, name=name, env=self.env(name), cwd=ROOT)
        return first

    def remove_worker(self, first: str) -> None:
        """Stop and forget the worker processes ``add_worker`` returned ``first`` for: nothing of them is
        left for the supervisor, the scrape configuration or the metrics ports to find."""
        for name in self._replica_names(first):
            self.processes.pop(name).stop()
            self.worker_groups.pop(name, None)
            self.metrics_ports.pop(name, None)

    def _replica_names(self, first: str) -> list[str]:
        if first not in self._replicas:
            names = [first, *(f"{first}-{i}" for i in range(2, self.replicas + 1))]
            self._replicas[first] = names
            self._base.update(dict.fromkeys(names, first))
        return self._replicas[first]

    def replicas_of(self, name: str) -> list[str]:
        """The process names of ``name``'s replicas (a service, or a worker's first name): ``intake``,
        ``intake-2``, …"""
        return list(self._replicas[name])

    def _nats_nodes(self, logs: Path) -> list[EmbeddedNats]:
        """One NATS server, or with replicas a three-node JetStream cluster (streams at replication 3)."""
        if self.replicas == 1:
            node = EmbeddedNats(
                self.state_dir / "nats",
                self.ports.nats,
                logs / "nats.log",
                monitor_port=self.ports.nats_monitor,
                operator=self.nats_operator,
            )
            return [node]
        # A store of their own: a single server's streams (replication 1) are not a cluster's.
        names = ["nats", "nats-2", "nats-3"]
        clients = [self.ports.nats, free_port(), free_port()]
        monitors = [self.ports.nats_monitor, free_port(), free_port()]
        routes = [free_port() for _ in names]
        return [
            EmbeddedNats(
                self.state_dir / "nats-cluster" / name,
                clients[i],
                logs / f"{name}.log",
                monitor_port=monitors[i],
                operator=self.nats_operator,
                cluster=NatsCluster(name, routes[i], tuple(p for p in routes if p != routes[i])),
            )
            for i, name in enumerate(names)
        ]

    def servers(self) -> dict[str, EmbeddedServer]:
        """The embedded servers by component name: ``postgres``, ``nats`` (``nats-2``, ``nats-3``), ``temporal``."""
        nodes = {node.cluster.node if node.cluster else "nats": node for node in self.nats_nodes}
        return {"postgres": self.postgres, **nodes, "temporal": self.temporal}

    def components(self) -> list[str]:
        """What ``kill`` and ``restart`` take: the servers and every process (``intake-2``, ``worker``, …)."""
        return [*self.servers(), *self.processes]

    def process_of(self, component: str) -> ManagedProcess | None:
        """The component's process (None for a server not started yet)."""
        server = self.servers().get(component)
        return server.process if server is not None else self.processes[component]

    def restarting(self, component: str) -> bool:
        return component in self._restarting

    def kill(self, component: str) -> None:
        """SIGKILL the component (a fault): with ``supervise`` it is restarted, else ``restart`` it."""
        process = self.process_of(component)
        if process is not None:
            process.kill()

    async def restart(self, component: str) -> None:
        """Stop ``component`` gracefully (if it still runs), start it, and wait until it serves."""
        self._restarting.add(component)
        try:
            server = self.servers().get(component)
            if server is not None:
                await server.stop_async()
                await server.start_async()
                return
            process = self.processes[component]
            await asyncio.to_thread(process.stop, 15.0)
            process.start()
            await self._wait_process(component)
        finally:
            self._restarting.discard(component)

    async def _wait_process(self, name: str) -> None:
        if name in self.listen_ports:
            await self.wait_serving(name)
        elif name in self.worker_groups:
            await self.wait_worker(name)
        elif name == "console":
            await self.wait_console()
        else:
            process = self.processes[name]
            await wait_for_port_async(HOST, self.ports.gateway_http, deadline=time.monotonic() + 30.0, process=process)

    @property
    def nats_url(self) -> str:
        """Where clients reach NATS: every node's URL, comma separated."""
        return ",".join(node.url for node in self.nats_nodes)

    @property
    def revoked_tokens_file(self) -> Path:
        return self.state_dir / "revoked-tokens"

    @property
    def gateway_url(self) -> str:
        return f"http://{HOST}:{self.ports.gateway_http}"

    def gateway_messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """What the local gateway received so far (e-mail, SMS, voice, IM, webhooks, agencies)."""
        path = self.gateway_dir / MESSAGES_FILE
        if not path.exists():
            return []
        lines = path.read_text(encoding="utf-8").splitlines()
        messages = [json.loads(line) for line in lines if line.strip()]
        return [m for m in messages if channel is None or m.get("channel") == channel]

    def address(self, service: str) -> str:
        """Where clients reach ``service``: ``host:port``, or its replicas' comma separated."""
        return ",".join(self.addresses(service))

    def addresses(self, service: str) -> list[str]:
        return [self.process_address(name) for name in self._replicas[service]]

    def process_address(self, process: str) -> str:
        """Where the service process ``process`` (``intake``, ``intake-2``, …) listens."""
        return f"{HOST}:{self.listen_ports[process]}"

    def metrics_address(self, process: str) -> str:
        """Where the service or worker process ``process`` serves /metrics, /healthz and /readyz."""
        return f"{HOST}:{self.metrics_ports[process]}"

    def console_env(self) -> dict[str, str]:
        """The console's configuration: it reaches neither the database nor NATS, so it is given
        neither's address or credentials."""
        return {k: v for k, v in self.env("console").items() if not k.startswith(("DUTYLINE_PG", "DUTYLINE_NATS"))}

    @property
    def console_url(self) -> str:
        return f"http://{HOST}:{self.ports.console}"

    async def wait_console(self, timeout: float = 30.0) -> None:
        """Wait until the console answers its health check."""
        await wait_for_http_async(f"{self.console_url}/healthz", self.processes["console"], timeout=timeout)

    @property
    def temporal_ui_url(self) -> str:
        return self.temporal.ui_url or ""

    def service_dsn(self, service: str) -> str:
        """Where ``service`` connects: the platform's database, as the service's role."""
        return dsn_as(self.postgres.dsn, role_of(service), self.pg_passwords[service])

    def pg_dsn_of(self, process: str) -> str:
        """The database as ``process`` is given it: its connections carry its name (pg_stat_activity's
        application_name), which tells them apart over the unix socket (no client port there)."""
        if not process:
            return self.postgres.dsn
        return f"{self.postgres.dsn}&application_name={quote(APPLICATION_PREFIX + process, safe='')}"

    def hosted(self, process: str) -> tuple[str, ...]:
        """The services whose code the process ``process`` runs (a service, or a worker of several)."""
        base = self._base.get(process, process)
        if base in SERVICES:
            return (base,)
        group = getattr(self, "worker_groups", {}).get(process)
        if group is None:
            return ()
        return WORKER_SERVICES if group == "all" else tuple(group.split(","))

    def env(self, process: str = "") -> dict[str, str]:
        """The configuration a dutyline process of this platform runs with: the shared settings, and
        each service it runs its own (its database role's password; the NATS account's seed, which
        signs agencies' users, only for notify's server)."""
        hosted = self.hosted(process)
        env = {k: v for k, v in os.environ.items() if not k.startswith("DUTYLINE_")}
        env.update(
            {
                "DUTYLINE_PG_DSN": self.pg_dsn_of(process),
                "DUTYLINE_NATS_URL": self.nats_url,
                "DUTYLINE_STREAM_REPLICAS": str(len(self.nats_nodes)),
                "DUTYLINE_NATS_CREDS": str(self.nats_creds),
                "DUTYLINE_TEMPORAL_ADDRESS": self.temporal.address,
                # The dev stack is development: its fixed keys are allowed here and nowhere else.
                "DUTYLINE_ENV": "development",
                "DUTYLINE_TOKEN_SECRET": self.token_secret,
                "DUTYLINE_SERVICE_TOKEN_SECRET": DEV_SERVICE_TOKEN_SECRET,
                "DUTYLINE_ACK_TOKEN_SECRET": DEV_ACK_TOKEN_SECRET,
                # Revoked token ids (jti), one a line: every process refuses them within seconds.
                "DUTYLINE_REVOKED_TOKENS_FILE": str(self.revoked_tokens_file),
                "DUTYLINE_CALLER_KEYS": os.environ.get("DUTYLINE_CALLER_KEYS", DEV_CALLER_KEY),
                "DUTYLINE_LOG_FORMAT": "json",
                "DUTYLINE_LOG_LEVEL": os.environ.get("DUTYLINE_LOG_LEVEL", "info"),
                # When insight sends the daily reports (a time of each site's day): to try it out.
                "DUTYLINE_INSIGHT_DAILY_REPORT_AT": os.environ.get("DUTYLINE_INSIGHT_DAILY_REPORT_AT", "08:00"),
                "PYTHONUNBUFFERED": "1",
                # notify's channels, pointed at the local gateway; production points them at real ones.
                "DUTYLINE_SMS_GATEWAY_URL": f"{self.gateway_url}/sms",
                "DUTYLINE_VOICE_GATEWAY_URL": f"{self.gateway_url}/voice",
                # People's and agencies' URLs must be public https ones; here the local gateway's too.
                "DUTYLINE_OUTBOUND_ALLOW": self.gateway_url,
                "DUTYLINE_SMTP_HOST": HOST,
                "DUTYLINE_SMTP_PORT": str(self.ports.gateway_smtp),
                "DUTYLINE_SMTP_SENDER": "duty-office@demo.dutyline.local",
                "DUTYLINE_IM_SIGNING_SECRET": DEV_IM_SECRET,
            }
        )
        if self._base.get(process) == "notify":
            env["DUTYLINE_NATS_ACCOUNT_SEED"] = self.nats_operator.account_seed
            # To revoke agencies' users: re-sign the account and push it with the system user.
            env["DUTYLINE_NATS_SIGNING_SEED"] = self.nats_operator.signing_seed
            env["DUTYLINE_NATS_SYSTEM_CREDS"] = str(self.nats_system_creds)
        env.update({f"DUTYLINE_{s.upper()}_PG_PASSWORD": self.pg_passwords[s] for s in hosted})
        env.update({f"DUTYLINE_{s.upper()}_ADDRESS": self.address(s) for s in SERVICES})
        env["DUTYLINE_CONSOLE_ADDRESS"] = f"{HOST}:{self.ports.console}"
        if process in self.listen_ports:
            env["DUTYLINE_LISTEN_PORT"] = str(self.listen_ports[process])
        if hosted:
            if process not in self.metrics_ports:
                self.metrics_ports[process] = free_port()
            env["DUTYLINE_METRICS_PORT"] = str(self.metrics_ports[process])
        env.update(self.settings)
        return env

    async def start(self) -> dict[str, float]:
        """Start everything and wait until it serves; returns seconds per step."""
        timings: dict[str, float] = {}
        self.state_dir.mkdir(parents=True, exist_ok=True)
        began = time.perf_counter()
        try:
            await asyncio.gather(
                self._timed(timings, "postgres", self.postgres.start_async()),
                self._timed(timings, "nats", asyncio.gather(*(node.start_async() for node in self.nats_nodes))),
                self._timed(timings, "temporal", self.temporal.start_async()),
            )
            await self._timed(timings, "migrate+seed", self._prepare_database())
            for process in self.processes.values():
                process.start()
            await self._timed(
                timings,
                "services",
                asyncio.gather(
                    *(self.wait_serving(name) for name in self.listen_ports),
                    *(self.wait_worker(name) for name in self.worker_groups),
                    self.wait_console(),
                    wait_for_port_async(
                        HOST,
                        self.ports.gateway_http,
                        deadline=time.monotonic() + 30.0,
                        process=self.processes["gateway"],
                    ),
                ),
            )
        except BaseException:
            await self.stop()
            raise
        timings["total"] = time.perf_counter() - began
        if self.supervise:
            self._supervisor = asyncio.create_task(Supervisor(self).run(), name="supervisor")
        return timings

    @staticmethod
    async def _timed(timings: dict[str, float], name: str, work: Awaitable[object]) -> None:
        began = time.perf_counter()
        await work
        timings[name] = time.perf_counter() - began

    async def _prepare_database(self) -> None:
        await launch.migrate_all(self.postgres.dsn, passwords=self.pg_passwords)
        if self.seed:
            await launch.seed_demo(self.postgres.dsn, im_base_url=self.gateway_url)

    async def wait_serving(self, service: str, timeout: float = 60.0) -> None:
        """Wait until the service process ``service`` (``intake``, ``intake-2``, …) answers SERVING."""
        process = self.processes[service]
        deadline = time.monotonic() + timeout
        async with health.probe_channel(self.process_address(service)) as channel:
            while True:
                if not process.running:
                    raise ServerStartError(process.describe_failure(f"{service} exited before serving"))
                if await health.status(channel, timeout=1.0) == "SERVING":
                    return
                if time.monotonic() > deadline:
                    raise ServerStartError(process.describe_failure(f"{service} not serving after {timeout}s"))
                await asyncio.sleep(0.1)

    async def wait_worker(self, name: str, timeout: float = 60.0) -> None:
        """Wait until the worker process ``name`` polls the task queue of each of its services (its
        own pollers: Temporal lists a stopped worker's for a minute; the SDK's identity is pid@host)."""
        process = self.processes[name]
        group = self.worker_groups[name]
        services = WORKER_SERVICES if group == "all" else tuple(group.split(","))
        client = await Client.connect(self.temporal.address)
        deadline = time.monotonic() + timeout
        requests = [
            DescribeTaskQueueRequest(
                namespace="default",
                task_queue=TaskQueue(name=task_queue_of(service)),
                task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
            )
            for service in services
        ]
        while True:
            if not process.running:
                raise ServerStartError(process.describe_failure(f"{name} exited before polling"))
            replies = [await client.workflow_service.describe_task_queue(r) for r in requests]
            mine = f"{process.pid}@"
            if all(any(p.identity.startswith(mine) for p in reply.pollers) for reply in replies):
                return
            if time.monotonic() > deadline:
                raise ServerStartError(process.describe_failure(f"worker not polling after {timeout}s"))
            await asyncio.sleep(0.2)

    async def stop(self) -> None:
        """Stop the worker and services first (graceful), then the servers."""
        if self._supervisor is not None:
            # A stop (Ctrl-C) is no crash: nothing may be restarted while everything stops.
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
            self._supervisor = None
        self._restarting.update(self.components())
        # A thread each: the default executor's few threads (cores + 4) would stop them a few at a time.
        loop = asyncio.get_running_loop()
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(self.processes) or 1) as pool:
            # Every process is waited for, and the servers stopped, even if a stop failed: raised at once,
            # the first failure left Temporal, NATS and PostgreSQL running after the platform was gone.
            stopped = await asyncio.gather(
                *(loop.run_in_executor(pool, p.stop, 15.0) for p in self.processes.values()), return_exceptions=True
            )
        servers = await asyncio.gather(
            self.temporal.stop_async(), *(node.stop_async() for node in self.nats_nodes), return_exceptions=True
        )
        await self.postgres.stop_async()
        self._restarting.clear()
        for result in (*stopped, *servers):
            if isinstance(result, BaseException):
                raise result

    def memory_mb(self) -> dict[str, float]:
        """Memory of every process of the platform (with children), in MiB: PSS, so memory that
        processes share (PostgreSQL's shared buffers) is counted once, not once per backend."""
        import psutil

        pids = {
            "postgres": self.postgres.pid,
            **{node.cluster.node if node.cluster else "nats": node.pid for node in self.nats_nodes},
            "temporal": self.temporal.pid,
            **{name: p.pid for name, p in self.processes.items()},
        }
        out: dict[str, float] = {}
        for name, pid in pids.items():
            if pid is None:
                continue
            try:
                proc = psutil.Process(pid)
                procs = [proc, *proc.children(recursive=True)]
                out[name] = sum(p.memory_full_info().pss for p in procs) / 2**20
            except psutil.Error:
                continue
        return out
