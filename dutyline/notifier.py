"""How workflows reach people until NotifyService exists.

PLACEHOLDER: ``LoggingNotifier`` is the only implementation; it writes the message to the log and
delivers nothing. The notify issue replaces it with a NotifyService client (tracked delivery,
acknowledgement, escalation).
"""

from __future__ import annotations

from typing import Protocol

import structlog

log = structlog.get_logger(__name__)


class Notifier(Protocol):
    channel: str

    async def send(self, *, person_id: str, subject: str, body: str, dedupe_key: str) -> None: ...


class LoggingNotifier:
    """Logs the notification; NOT a delivery. See the module docstring."""

    channel = "log-only"

    async def send(self, *, person_id: str, subject: str, body: str, dedupe_key: str) -> None:
        log.warning(
            "notification NOT delivered (log-only notifier until NotifyService lands)",
            person_id=person_id,
            subject=subject,
            body=body,
            dedupe_key=dedupe_key,
        )
