"""The adapter's settings (DUTYLINE_SWITCH_*), besides the shared ones (where intake is, the
service credential's key, TLS, logging)."""

from __future__ import annotations

from pydantic import Field

from dutyline.config import Settings


class SwitchSettings(Settings):
    # The switch as dutyline knows it: each line is configured with it (UpsertLine's switch_id).
    switch_id: str = "dev-switch"
    # Where Kamailio posts its reports (ADAPTER_URL of deploy/switch/kamailio.cfg): loopback, or the
    # pod's own network — the reports carry no credential, so nothing else may reach it.
    switch_listen: str = "127.0.0.1:50070"
    # The duty lines' numbers at the switch and their dutyline line ids, as JSON:
    # {"12345": "line-hz-main"}.
    switch_lines: dict[str, str] = Field(default_factory=dict)
    # The local queue (a SQLite file): on a volume that outlives the process.
    switch_queue_file: str = "state/switch/queue.sqlite3"
    # Longest pause between two attempts to deliver a report intake could not take.
    switch_retry_max_seconds: float = 30.0
