"""Keeps the platform of `dutyline up` up: restarts a component (a server or a dutyline process) that
exited on its own, with a back-off, and restarts one on request (`dutyline up restart <component>`).

Requests reach the running `up` as files in its state directory (``control/<id>.json``, answered by
``<id>.done``): no socket path to keep under 108 bytes, nothing to clean up after a crash but files.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import psutil
import structlog

from dutyline.ids import ulid

if TYPE_CHECKING:
    from dutyline.stack.platform import Platform

log = structlog.get_logger(__name__)

FIRST_DELAY = 1.0
MAX_DELAY = 30.0
# A component that ran this long before it exited starts over at FIRST_DELAY.
STABLE_AFTER = 60.0
CONTROL_DIR = "control"
PID_FILE = "up.pid"


def restart_delay(previous: float | None, started: float, exited: float) -> float:
    """Seconds to wait before restarting a component that ran from ``started`` to ``exited``, when
    ``previous`` was the wait before that run (None: it never crashed): 1, 2, 4 … 30 s while it keeps
    crashing soon after a start, 1 s again once it had run a while."""
    if previous is None or exited - started >= STABLE_AFTER:
        return FIRST_DELAY
    return min(previous * 2, MAX_DELAY)


class Supervisor:
    """Watches every component of ``platform`` every ``interval`` seconds and serves restart requests."""

    def __init__(
        self,
        platform: Platform,
        *,
        say: Callable[[str], None] = print,
        interval: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._platform = platform
        self._say = say
        self._interval = interval
        self._clock = clock
        self._control = platform.state_dir / CONTROL_DIR
        self._started: dict[str, float] = {}
        self._delays: dict[str, float] = {}
        self._attempts: dict[str, int] = {}
        self._reviving: dict[str, asyncio.Task[None]] = {}

    async def run(self) -> None:
        self._control.mkdir(parents=True, exist_ok=True)
        since = self._clock()
        self._started = dict.fromkeys(self._platform.components(), since)
        try:
            while True:
                # One bad round (a request file that cannot be read, a process table in flux) must not
                # end the watch: nobody would restart anything after it, and nobody would know.
                try:
                    self._watch_once()
                    await self._serve_requests()
                except Exception as exc:
                    log.exception("supervisor round failed; watching on", error=repr(exc))
                await asyncio.sleep(self._interval)
        finally:
            for task in self._reviving.values():
                task.cancel()

    def _watch_once(self) -> None:
        for name in self._platform.components():
            if name in self._reviving or self._platform.restarting(name):
                continue
            process = self._platform.process_of(name)
            if process is not None and process.returncode is not None:
                self._reviving[name] = asyncio.create_task(self._revive(name, process.returncode))

    async def _revive(self, name: str, code: int) -> None:
        try:
            while True:
                exited = self._clock()
                delay = restart_delay(self._delays.get(name), self._started.get(name, exited), exited)
                self._attempts[name] = 1 if delay == FIRST_DELAY else self._attempts.get(name, 0) + 1
                self._delays[name] = delay
                attempt = self._attempts[name]
                log.warning("component exited; restarting", component=name, exit_code=code, delay_s=delay)
                await asyncio.sleep(delay)
                process = self._platform.process_of(name)
                if self._platform.restarting(name) or (process is not None and process.running):
                    return  # restarted meanwhile, on request or by a test's own restart()
                self._started[name] = self._clock()
                try:
                    await self._platform.restart(name)
                except Exception as exc:
                    log.error("restart failed", component=name, attempt=attempt, error=str(exc)[-500:])
                    self._say(f"重启 {name} 失败，稍后再试 restarting {name} failed (attempt {attempt}): {exc!s:.200}")
                    continue
                log.warning("component restarted", component=name, exit_code=code, attempt=attempt)
                self._say(f"已重启 restarted {name} (退出码 exit code {code}, 第 {attempt} 次 attempt {attempt})")
                return
        finally:
            self._reviving.pop(name, None)

    async def _serve_requests(self) -> None:
        for request in sorted(self._control.glob("*.json")):
            try:
                component = str(json.loads(request.read_text(encoding="utf-8"))["restart"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                _answer(request, ok=False, message=f"bad request: {exc}")
                continue
            if component not in self._platform.components():
                known = ", ".join(self._platform.components())
                _answer(request, ok=False, message=f"没有组件 no component {component!r}; one of: {known}")
                continue
            try:
                await self._platform.restart(component)
            except Exception as exc:
                _answer(request, ok=False, message=f"重启失败 restart of {component} failed: {exc!s:.500}")
                continue
            self._started[component] = self._clock()
            log.warning("component restarted on request", component=component)
            self._say(f"已按请求重启 restarted {component} on request")
            _answer(request, ok=True, message=f"已重启 restarted {component}")


def _answer(request: Path, *, ok: bool, message: str) -> None:
    done = request.with_suffix(".done")
    scratch = done.with_suffix(".tmp")
    scratch.write_text(json.dumps({"ok": ok, "message": message}), encoding="utf-8")
    scratch.rename(done)
    request.unlink(missing_ok=True)


def write_pid(state_dir: Path) -> None:
    """Mark ``state_dir`` as served by this `dutyline up` (requests are answered while it runs)."""
    (state_dir / PID_FILE).write_text(f"{os.getpid()}\n", encoding="utf-8")


def up_running(state_dir: Path) -> bool:
    try:
        pid = int((state_dir / PID_FILE).read_text().strip())
    except (OSError, ValueError):
        return False
    return psutil.pid_exists(pid)


async def request_restart(state_dir: Path, component: str, *, timeout: float = 180.0) -> tuple[bool, str]:
    """Ask the `dutyline up` serving ``state_dir`` to restart ``component``; its answer (ok, message)."""
    if not up_running(state_dir):
        return False, f"dutyline up 未在运行 is not running on {state_dir}"
    control = state_dir / CONTROL_DIR
    control.mkdir(parents=True, exist_ok=True)
    request_id = ulid()
    scratch = control / f"{request_id}.tmp"
    scratch.write_text(json.dumps({"restart": component}), encoding="utf-8")
    # Renamed into place, so `up` never reads a half-written request.
    scratch.rename(control / f"{request_id}.json")
    done = control / f"{request_id}.done"
    deadline = time.monotonic() + timeout
    while not done.exists():
        if time.monotonic() > deadline or not up_running(state_dir):
            (control / f"{request_id}.json").unlink(missing_ok=True)
            return False, f"dutyline up 未答复 did not answer within {timeout:.0f} s"
        await asyncio.sleep(0.2)
    answer = json.loads(done.read_text(encoding="utf-8"))
    done.unlink(missing_ok=True)
    return bool(answer["ok"]), str(answer["message"])
