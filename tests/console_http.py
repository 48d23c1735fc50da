"""A person's browser for the console's HTTP tests: its own cookies, the CSRF token of the last page;
and the words a row uses for the deadline it counts down to."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, NamedTuple

import aiohttp

from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Browser:
    """One person's browser: its own cookies, no redirects followed (the tests look at them)."""

    def __init__(self, base: str, http: aiohttp.ClientSession) -> None:
        self.base = base
        self.http = http
        self.csrf = ""

    async def get(self, path: str, **kwargs: Any) -> tuple[aiohttp.ClientResponse, str]:
        async with self.http.get(self.base + path, allow_redirects=False, **kwargs) as reply:
            text = await reply.text()
            found = CSRF.search(text)
            if found:
                self.csrf = found.group(1)
            return reply, text

    async def post(self, path: str, data: dict[str, str], **kwargs: Any) -> tuple[aiohttp.ClientResponse, str]:
        async with self.http.post(self.base + path, data=data, allow_redirects=False, **kwargs) as reply:
            return reply, await reply.text()

    async def sign_in(self, person_id: str) -> None:
        reply, page = await self.get("/signin")
        assert reply.status == 200 and f'data-person="{person_id}"' in page
        reply, _ = await self.post("/signin/dev", {"csrf": self.csrf, "person_id": person_id})
        assert reply.status == 303 and reply.headers["Location"] == "/board"
        reply, _ = await self.get("/board")
        assert reply.status == 200


# What the console calls each report, in zh-CN and English (services/console/i18n.py).
REPORT_WORDS = {
    incident_pb2.REPORT_KIND_LEADER_NOTICE: ("报告带班领导", "Tell the duty leader"),
    incident_pb2.REPORT_KIND_INITIAL_PHONE: ("初报（电话）", "Initial report (phone)"),
    incident_pb2.REPORT_KIND_INITIAL_WRITTEN: ("初报（书面）", "Initial report (written)"),
    incident_pb2.REPORT_KIND_FOLLOW_UP: ("续报{number}", "Follow-up {number}"),
    incident_pb2.REPORT_KIND_FINAL: ("终报", "Final report"),
}


class Nearest(NamedTuple):
    zh: str
    en: str
    due_at: datetime


async def nearest_report(incidents: incident_pb2_grpc.IncidentServiceStub, incident_id: str) -> Nearest:
    """The incident's nearest pending deadline, the one a row counts down to: its words (zh-CN, English)
    and when it is due. Which report that is depends on the time of day: a 重大 incident has its first
    续报 at 08:00 or 17:00 local, and within minutes of those it falls due before the phone report."""
    found = await incidents.GetIncident(incident_pb2.GetIncidentRequest(incident_id=incident_id))
    pending = [d for d in found.pending_deadlines if not d.met and d.HasField("due_at")]
    assert pending, found
    nearest = min(pending, key=lambda d: d.due_at.ToDatetime())
    zh, en = REPORT_WORDS[nearest.kind]
    return Nearest(
        zh.format(number=nearest.number), en.format(number=nearest.number), nearest.due_at.ToDatetime(tzinfo=UTC)
    )
