"""Who is on duty, kept in memory between shift changes (every call registration asks it).

An answer holds from the instant it was computed until the next shift change; writes in this
process that move people (publishing, approved leave or swaps) drop the site's answer at once.
Other replicas' writes show after at most TTL_SECONDS.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from dutyline.roster.v1 import roster_pb2

TTL_SECONDS = 5.0


@dataclass(frozen=True)
class _Entry:
    valid_from: datetime
    valid_until: datetime
    expires: float
    answer: roster_pb2.OnDuty


class OnDutyCache:
    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def get(self, site_id: str, at: datetime) -> roster_pb2.OnDuty | None:
        entry = self._entries.get(site_id)
        if entry is None or not (entry.valid_from <= at < entry.valid_until) or time.monotonic() >= entry.expires:
            return None
        return entry.answer

    def put(self, site_id: str, at: datetime, valid_until: datetime | None, answer: roster_pb2.OnDuty) -> None:
        if valid_until is not None:
            self._entries[site_id] = _Entry(at, valid_until, time.monotonic() + TTL_SECONDS, answer)

    def forget(self, site_id: str) -> None:
        self._entries.pop(site_id, None)
