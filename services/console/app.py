"""The console's application: routes, and running it until SIGTERM/SIGINT (graceful: open event
streams are ended, requests in flight get the shutdown grace)."""

from __future__ import annotations

import asyncio

import structlog
from aiohttp import web

from dutyline.config import InsecureSecrets
from dutyline.logging import configure_logging
from dutyline.signals import stop_on_signals
from dutyline.tracing import configure_tracing
from services.console import board, calls, duty, incident, leader, roster_view, signin, stats, supervisor
from services.console.oidc import OidcClient
from services.console.settings import ConsoleSettings
from services.console.web import CONSOLE, HERE, Console, middleware, session_of

log = structlog.get_logger(__name__)


async def health(request: web.Request) -> web.StreamResponse:
    return web.json_response({"status": "SERVING"})


async def home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPSeeOther("/board" if session_of(request).signed_in else "/signin")


async def _end_streams(app: web.Application) -> None:
    # Event streams never end on their own: end them so the shutdown does not wait for the grace.
    streams: set[asyncio.Task[object]] = app[board.STREAMS]
    for task in list(streams):
        task.cancel()


def build_app(settings: ConsoleSettings) -> web.Application:
    app = web.Application(middlewares=[middleware])
    app[CONSOLE] = Console(settings)
    app[signin.OIDC] = OidcClient(settings)
    app[board.STREAMS] = set()
    app.on_shutdown.append(_end_streams)
    app.add_routes(
        [
            web.get("/healthz", health),
            web.get("/", home),
            web.get("/signin", signin.sign_in_page),
            web.post("/signin/dev", signin.dev_sign_in),
            web.get("/signin/oidc", signin.oidc_start),
            web.get("/signin/oidc/callback", signin.oidc_callback),
            web.post("/signout", signin.sign_out),
            web.post("/lang", signin.switch_language),
            web.get("/board", board.board),
            web.get("/board/due", board.board_due),
            web.get("/board/rows", board.rows),
            web.get("/board/events", board.events),
            web.get("/supervisor", supervisor.supervisor),
            web.get("/supervisor/body", supervisor.supervisor_body),
            web.get("/duty", duty.duty),
            web.post("/duty/check-in", duty.check_in),
            web.post("/duty/handover/submit", duty.submit_handover),
            web.post("/duty/handover/accept", duty.accept_handover),
            web.get("/incidents/{incident_id}", incident.incident),
            web.get("/incidents/{incident_id}/live", incident.live),
            web.post("/incidents/{incident_id}/{action}", incident.step),
            web.get("/calls/new", calls.new_call),
            web.post("/calls", calls.register),
            web.get("/calls/{call_id}", calls.saved_call),
            web.post("/calls/{call_id}/link", calls.link),
            web.get("/leader", leader.leader),
            web.get("/leader/escalations", leader.escalations),
            web.get("/leader/events", leader.events),
            web.post("/leader/ack", leader.acknowledge),
            web.post("/leader/leave/{request_id}", leader.decide_leave),
            web.post("/leader/swap/{request_id}", leader.decide_swap),
            web.get("/roster", roster_view.roster_week),
            web.post("/roster/leave", roster_view.request_leave),
            web.post("/roster/leave/{request_id}", roster_view.decide_leave),
            web.post("/roster/swap/{request_id}", roster_view.decide_swap),
            web.get("/stats", stats.stats),
            web.get("/stats/charts/{kind}", stats.chart),
            web.get("/stats/export/{document}/{format}", stats.export),
            web.static("/static", HERE / "static", append_version=False),
        ]
    )
    return app


async def serve(settings: ConsoleSettings) -> None:
    host, port = settings.console_address.rsplit(":", 1)
    # handler_cancellation: a closed page's event stream ends at once, and with it the person's
    # WatchIncidents slot (a few per person); otherwise it lingers until a heartbeat write fails.
    runner = web.AppRunner(
        build_app(settings),
        shutdown_timeout=settings.shutdown_grace_seconds,
        access_log=None,
        handler_cancellation=True,
    )
    await runner.setup()
    await web.TCPSite(runner, host.strip("[]"), int(port)).start()
    log.info("console serving", url=settings.public_url, address=settings.console_address)
    stop = asyncio.Event()
    stop_on_signals(stop)
    await stop.wait()
    log.info("console stopping")
    await runner.cleanup()


def run(settings: ConsoleSettings | None = None) -> None:
    settings = settings or ConsoleSettings()
    configure_logging("console", fmt=settings.log_format, level=settings.log_level)
    configure_tracing("console")
    try:
        settings.refuse_insecure_secrets()
    except InsecureSecrets as exc:
        log.error("refusing to start", reason=str(exc))
        raise SystemExit(2) from exc
    asyncio.run(serve(settings))
