"""A real SIP world for the switch tests: Kamailio with deploy/switch/kamailio.cfg, and baresip user
agents (callers and officers' phones) driven through their ctrl_tcp interface, all on loopback at
ports chosen free at run time."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
from asyncio.subprocess import Process
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
KAMAILIO_CFG = ROOT / "deploy" / "switch" / "kamailio.cfg"
DOMAIN = "dutyline.local"
BARESIP_MODULES = Path("/usr/lib/baresip/modules")


def require_sip_tools() -> None:
    """Skips the test when Kamailio or baresip is not installed (`make sip-tools` installs them)."""
    missing = [tool for tool in ("kamailio", "baresip") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed: `make sip-tools` installs Debian's packages")


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _started(args: list[str], log: Path, ready: str, *, timeout: float = 20) -> Process:
    """``args`` run with their output in ``log``, once ``ready`` is written there."""
    with log.open("wb") as out:
        # A session of its own: Kamailio forks workers, and ending the group leaves none behind.
        process = await asyncio.create_subprocess_exec(
            *args, stdout=out, stderr=asyncio.subprocess.STDOUT, start_new_session=True
        )
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while ready not in (written := await asyncio.to_thread(log.read_text, errors="replace")):
        if process.returncode is not None or loop.time() > deadline:
            await _end(process)
            raise AssertionError(f"{args[0]}: no {ready!r} within {timeout} s:\n{written}")
        await asyncio.sleep(0.05)
    return process


class Switch:
    """Kamailio on a free UDP port of loopback, reporting to ``adapter_url``."""

    def __init__(self, directory: Path, *, adapter_url: str, lines: Mapping[str, list[str]], **defines: int) -> None:
        self.directory = directory
        self.port = free_port(socket.SOCK_DGRAM)
        spec = ";".join(f"{number}={'|'.join(extensions)}" for number, extensions in lines.items())
        self.args = [
            "kamailio", "-DD", "-E", "-m", "32", "-M", "4",
            "-f", str(KAMAILIO_CFG), "-l", f"udp:127.0.0.1:{self.port}", "-Y", str(directory),
            "-A", f'ADAPTER_URL="{adapter_url}"', "-A", f'LINES="{spec}"',
            *(arg for name, value in defines.items() for arg in ("-A", f"{name}={value}")),
        ]  # fmt: skip
        self.log = directory / "kamailio.log"
        self.process: Process | None = None

    async def start(self) -> None:
        self.process = await _started(self.args, self.log, "SO_RCVBUF is finally")

    async def stop(self) -> None:
        await _end(self.process)


class Phone:
    """A baresip user agent with one account, ``user``@dutyline.local, registered or not."""

    def __init__(self, directory: Path, user: str, switch: Switch, *, register: bool) -> None:
        self.user = user
        self.home = directory / f"ua-{user}"
        self.home.mkdir()
        self.ctrl_port = 0
        regint = 60 if register else 0
        (self.home / "accounts").write_text(
            f'<sip:{user}@{DOMAIN}>;outbound="sip:127.0.0.1:{switch.port}";regint={regint}\n'
        )
        self.log = self.home / "baresip.log"
        self.register = register
        self.switch = switch
        self.process: Process | None = None
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._responses: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._pump: asyncio.Task[None] | None = None

    def _configure(self) -> None:
        """baresip's config, with a control port chosen free now."""
        self.ctrl_port = free_port()
        (self.home / "config").write_text(
            "\n".join(
                [
                    "poll_method epoll",
                    "sip_listen 127.0.0.1:0",
                    f"module_path {BARESIP_MODULES}",
                    # Opus at 48 kHz: the sine source only speaks that rate; the media is never listened to.
                    "module opus.so",
                    "module ausine.so",
                    "module aufile.so",
                    "module account.so",
                    "module menu.so",
                    "module ctrl_tcp.so",
                    f"ctrl_tcp_listen 127.0.0.1:{self.ctrl_port}",
                    "audio_source ausine,440",
                    "audio_player aufile,/dev/null",
                    "audio_alert aufile,/dev/null",
                    "rtp_ports 30000-39999",
                    "",
                ]
            )
        )

    async def start(self) -> None:
        # A phone that registers is ready once the switch took its registration.
        ready = "200 OK" if self.register else "baresip is ready"
        for _ in range(3):
            self._configure()
            self.process = await _started(["baresip", "-f", str(self.home)], self.log, ready)
            log = await asyncio.to_thread(self.log.read_text, errors="replace")
            if "ctrl_tcp: failed" not in log:
                break
            # Another process took the port meanwhile (baresip goes on without its control): again.
            await _end(self.process)
        else:
            raise AssertionError(f"{self.user}: no free control port:\n{log}")
        self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self.ctrl_port)
        self._pump = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._reader is not None
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                length = int((await self._reader.readuntil(b":"))[:-1])
                message = json.loads(await self._reader.readexactly(length))
                await self._reader.readexactly(1)
                await (self._events if message.get("event") else self._responses).put(message)

    async def command(self, command: str, params: str = "") -> str:
        assert self._writer is not None
        body = json.dumps({"command": command, "params": params, "token": command}).encode()
        self._writer.write(str(len(body)).encode() + b":" + body + b",")
        await self._writer.drain()
        answer = await asyncio.wait_for(self._responses.get(), 10)
        assert answer["ok"], f"{self.user}: {command} {params}: {answer}"
        return str(answer.get("data", ""))

    async def event(self, kind: str, timeout: float = 30) -> dict[str, Any]:
        """The next event of ``kind`` (CALL_INCOMING, CALL_ESTABLISHED, CALL_CLOSED, ...)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            try:
                message = await asyncio.wait_for(self._events.get(), max(0.01, deadline - loop.time()))
            except TimeoutError:
                phone = await asyncio.to_thread(self.log.read_text, errors="replace")
                switch = await asyncio.to_thread(self.switch.log.read_text, errors="replace")
                raise AssertionError(
                    f"{self.user}: no {kind} within {timeout} s\n"
                    f"--- phone\n{phone[-3000:]}\n--- switch\n{switch[-3000:]}"
                ) from None
            if message.get("type") == kind:
                return message

    async def dial(self, number: str) -> None:
        await self.command("dial", f"sip:{number}@127.0.0.1:{self.switch.port}")

    async def stop(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
        if self._writer is not None:
            self._writer.close()
        await _end(self.process)


async def _end(process: Process | None) -> None:
    """The process and everything it forked (its process group)."""
    if process is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(process.wait(), 5)
    # Workers that outlive their main process (or a main process slow to stop) go too.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    await process.wait()


# What the callers and officers do, each call on its own line.


async def answered_after(caller: Phone, officer: Phone, line: str, seconds: float, *, hang_up: Phone) -> None:
    await caller.dial(line)
    await officer.event("CALL_INCOMING")
    await asyncio.sleep(seconds)
    await officer.command("accept")
    await caller.event("CALL_ESTABLISHED")
    await asyncio.sleep(0.5)
    await hang_up.command("hangup")
    await caller.event("CALL_CLOSED")


async def abandoned(caller: Phone, officer: Phone, line: str) -> None:
    await caller.dial(line)
    await officer.event("CALL_INCOMING")
    await asyncio.sleep(2)
    await caller.command("hangup")
    await officer.event("CALL_CLOSED")


async def refused(caller: Phone, officer: Phone, line: str) -> None:
    await caller.dial(line)
    await officer.event("CALL_INCOMING")
    await asyncio.sleep(1)
    await officer.command("hangup")  # busy: 486
    await caller.event("CALL_CLOSED")


async def unreachable(caller: Phone, line: str) -> None:
    await caller.dial(line)
    await caller.event("CALL_CLOSED")


async def transferred(caller: Phone, officer: Phone, target: Phone, line: str) -> None:
    await caller.dial(line)
    await officer.event("CALL_INCOMING")
    await asyncio.sleep(1)
    await officer.command("accept")
    await caller.event("CALL_ESTABLISHED")
    await officer.command("transfer", f"sip:{target.user}@dutyline.local")
    # The caller's phone follows the REFER and calls the target, which answers; the officer is done.
    await target.event("CALL_INCOMING")
    await target.command("accept")
    await officer.event("CALL_CLOSED")
    await asyncio.sleep(0.5)
    await caller.command("hangup")
    await target.event("CALL_CLOSED")


@contextlib.asynccontextmanager
async def sip_world(
    directory: Path, *, adapter_url: str, lines: Mapping[str, list[str]], callers: list[str], officers: list[str]
) -> AsyncIterator[tuple[Switch, dict[str, Phone]]]:
    """Kamailio and a phone per caller (not registered) and per officer extension (registered)."""
    switch = Switch(directory, adapter_url=adapter_url, lines=lines, HEARTBEAT_S=1, RING_TIMEOUT_MS=40000)
    phones = {u: Phone(directory, u, switch, register=False) for u in callers} | {
        u: Phone(directory, u, switch, register=True) for u in officers
    }
    try:
        await switch.start()
        await asyncio.gather(*(p.start() for p in phones.values()))
        yield switch, phones
    finally:
        await asyncio.gather(*(p.stop() for p in phones.values()))
        await switch.stop()
