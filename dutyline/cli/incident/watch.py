"""The live feed of `dutyline incident watch`: a duty board kept up to date by WatchIncidents and redrawn
every second (rich Live) so that the time left counts down, or one printed line per change."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import grpc
from rich.console import Console, RenderableType
from rich.live import Live

from dutyline.cli.common.i18n import t
from dutyline.cli.common.lookups import DEFAULT_ZONE
from dutyline.cli.incident import views
from dutyline.cli.incident.client import MAX_PAGE, TIMEOUT, Incidents
from dutyline.common.v1 import common_pb2
from dutyline.incident.v1 import incident_pb2

# The server went away (restart) or ended a reader too far behind: both resume from the last cursor.
RESUMABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.ABORTED)
RESUME_DELAY_SECONDS = 1.0


async def resuming(
    ix: Incidents, request: incident_pb2.WatchIncidentsRequest, stream: grpc.aio.UnaryStreamCall
) -> AsyncGenerator[incident_pb2.IncidentChange, None]:
    """The changes of ``stream``, and of a new watch from the last cursor whenever the server ends it."""
    cursor = request.resume_after
    while True:
        try:
            async for change in stream:
                cursor = change.cursor
                yield change
            return
        except grpc.aio.AioRpcError as exc:
            if exc.code() not in RESUMABLE:
                raise
        finally:
            stream.cancel()
        await asyncio.sleep(RESUME_DELAY_SECONDS)
        resumed = incident_pb2.WatchIncidentsRequest()
        resumed.CopyFrom(request)
        resumed.resume_after = cursor
        stream = ix.stub.WatchIncidents(resumed)


async def print_changes(
    ix: Incidents, out: Console, request: incident_pb2.WatchIncidentsRequest, seconds: float
) -> None:
    """One line per change, for ``seconds``."""
    stream = ix.stub.WatchIncidents(request)
    changes = resuming(ix, request, stream)
    try:
        async with asyncio.timeout(seconds):
            async for change in changes:
                zone = await ix.zone(change.incident.site_id)
                out.print(
                    views.change_line(change, zone, datetime.now(UTC)), markup=False, highlight=False, soft_wrap=True
                )
    except TimeoutError:
        pass
    finally:
        await changes.aclose()


async def live_board(
    ix: Incidents, out: Console, request: incident_pb2.WatchIncidentsRequest, board_site: str | None
) -> None:
    """The open incidents (listed first when the board is of one site), kept up to date by the feed and
    redrawn every second so that the time left counts down."""
    stream = ix.stub.WatchIncidents(request)  # subscribed before listing: no change falls in between
    board: dict[str, incident_pb2.Incident] = {}
    if board_site:
        listed = await ix.stub.ListIncidents(
            incident_pb2.ListIncidentsRequest(
                site_id=board_site,
                open_only=True,
                include_drills=request.include_drills,
                page=common_pb2.PageRequest(page_size=MAX_PAGE),
            ),
            timeout=TIMEOUT,
        )
        board.update((i.id, i) for i in listed.incidents)
    zone = await ix.zone(board_site) if board_site else ZoneInfo(DEFAULT_ZONE)
    name = await ix.site_label(board_site) if board_site else t("watch.all_sites")
    for site_id in {i.site_id for i in board.values()}:
        await ix.zone(site_id)
    caption = t("watch.caption") + ("" if board_site else " " + t("watch.since_start"))

    def render() -> RenderableType:
        title = t("watch.title", site=name, at=views.now_in(zone))
        return views.board(board.values(), ix.known_zone, title=title, caption=caption, now=datetime.now(UTC))

    try:
        with Live(render(), console=out, auto_refresh=False) as live:

            async def tick() -> None:
                while True:
                    await asyncio.sleep(1)
                    live.update(render(), refresh=True)

            ticker = asyncio.create_task(tick())
            changes = resuming(ix, request, stream)
            try:
                async for change in changes:
                    incident = change.incident
                    await ix.zone(incident.site_id)
                    if incident.stage == incident_pb2.STAGE_CLOSED:
                        board.pop(incident.id, None)
                    else:
                        board[incident.id] = incident
                    live.update(render(), refresh=True)
            finally:
                ticker.cancel()
                await changes.aclose()
    finally:
        if not out.is_terminal:
            out.line()  # a terminal gets its line from Live; a pipe does not
