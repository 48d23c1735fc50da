"""Stopping a process on SIGTERM/SIGINT: one helper for every server, worker and dev-stack command."""

from __future__ import annotations

import asyncio
import signal


def stop_on_signals(stop: asyncio.Event, loop: asyncio.AbstractEventLoop | None = None) -> None:
    """Set ``stop`` when the process is asked to end (Kubernetes sends SIGTERM, a terminal SIGINT)."""
    loop = loop or asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
