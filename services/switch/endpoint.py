"""The HTTP endpoint Kamailio posts its reports to (deploy/switch/kamailio.cfg, route[REPORT]).

"200" means the report is stored and will be delivered; "400" that it could not be read (kept as a
dead letter, and Kamailio logs it). A heartbeat is passed on at once and never stored."""

from __future__ import annotations

from urllib.parse import urlencode

import structlog
from aiohttp import web

from dutyline.background import Background
from services.switch.delivery import Deliverer
from services.switch.queue import ReportQueue
from services.switch.reports import HEARTBEAT, BadReport, parse_report

log = structlog.get_logger(__name__)


def application(queue: ReportQueue, deliverer: Deliverer) -> web.Application:
    beats = Background()

    async def take(request: web.Request) -> web.Response:
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        try:
            report = parse_report(form)
        except BadReport as exc:
            log.error("switch report unreadable", reason=str(exc), form=form)
            queue.dead_letter(urlencode(form), f"unreadable: {exc}")
            return web.Response(status=400, text=str(exc))
        if report.kind == HEARTBEAT:
            # Kamailio waits for the answer: the heartbeats go out after it.
            beats.spawn(deliverer.beat(report.at))
        elif queue.put(report):
            deliverer.wake()
        return web.Response(text="taken")

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"queued": queue.depth(), "dead_letters": queue.dead_count()})

    app = web.Application()
    app.router.add_post("/events", take)
    app.router.add_get("/healthz", health)
    return app
