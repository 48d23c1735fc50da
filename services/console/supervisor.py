"""Supervisor (总值班室): every site the person may see on one screen — who is on duty now and whether
they checked in (roster GetOnDuty, ListAssignments), the open incidents with the worst severity, the
deadlines at risk (the board's rows and countdown: amber within AMBER_SECONDS, red once passed), the
coverage gaps of the coming week (roster FindCoverageGaps) — and a map of the open incidents drawn
from their coordinates as inline SVG, so it needs no online tile service (the duty room may be
offline). Live: the body is fetched again when the board's event stream reports a change."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiohttp import web

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.auth import ALL_SITES
from dutyline.grpckit.convert import ts
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from services.console.board import TABLE_HELPERS, Filters, Row, board_rows
from services.console.clock import local_time
from services.console.duty import role_name
from services.console.sessions import Session
from services.console.web import Console, console_of, render, require_signed_in

GAP_DAYS = 7
# From the most to the least severe; unrated (not verified yet) after IV.
SEVERITY_ORDER = ("i", "ii", "iii", "iv", "unrated")
RANK = {s: i for i, s in enumerate(SEVERITY_ORDER)}
# Inside each marker, so severity is not told by colour alone.
SEVERITY_GLYPH = {"i": "Ⅰ", "ii": "Ⅱ", "iii": "Ⅲ", "iv": "Ⅳ", "unrated": "?"}
# The map's SVG user space (it scales with the page) and the margin kept free around the markers.
MAP_WIDTH = 720.0
MAP_HEIGHT = 440.0
MAP_MARGIN = 30.0
# The smallest span fitted, in degrees (≈ 11 km), so that one incident alone, or several at one place,
# still show their surroundings' scale.
MIN_SPAN_DEGREES = 0.1
# Along a meridian, on the mean Earth radius (6371.0088 km).
KM_PER_DEGREE = 6371.0088 * math.pi / 180
# Room kept for a gridline's label, in SVG units.
LABEL_ROOM = 18.0
# The scale bar is at most this share of the map's width.
SCALE_BAR_SHARE = 0.25


@dataclass(frozen=True)
class SiteStatus:
    site: roster_pb2.Site
    on_duty: roster_pb2.OnDuty
    # assignment id → "pending", "on_time", "late" or "absent".
    check_in: dict[str, str]
    rows: list[Row]
    gaps: list[roster_pb2.CoverageGap]

    @property
    def worst(self) -> str:
        return min((r.severity for r in self.rows), key=lambda s: RANK.get(s, len(RANK)), default="")

    @property
    def at_risk(self) -> list[Row]:
        """Open incidents whose next deadline is near or passed (the board's amber and red)."""
        return [r for r in self.rows if r.urgency]


@dataclass(frozen=True)
class Projection:
    """Equirectangular: x grows with longitude scaled by the cosine of the centre's latitude (so that
    distances east-west and north-south keep their ratio there), y falls with latitude; fitted so that
    every point lies inside the margin and the map is centred on the points' bounding box."""

    lat0: float
    lon0: float
    # SVG units per degree of latitude.
    scale: float

    @classmethod
    def fit(cls, points: Sequence[tuple[float, float]]) -> Projection:
        lats = [p[0] for p in points]
        lons = [p[1] for p in points]
        lat0 = (min(lats) + max(lats)) / 2
        lon0 = (min(lons) + max(lons)) / 2
        span_x = max((max(lons) - min(lons)) * math.cos(math.radians(lat0)), MIN_SPAN_DEGREES)
        span_y = max(max(lats) - min(lats), MIN_SPAN_DEGREES)
        scale = min((MAP_WIDTH - 2 * MAP_MARGIN) / span_x, (MAP_HEIGHT - 2 * MAP_MARGIN) / span_y)
        return cls(lat0=lat0, lon0=lon0, scale=scale)

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        x = MAP_WIDTH / 2 + (lon - self.lon0) * math.cos(math.radians(self.lat0)) * self.scale
        y = MAP_HEIGHT / 2 - (lat - self.lat0) * self.scale
        return x, y

    def bounds(self) -> tuple[float, float, float, float]:
        """South, north, west, east: what the whole viewport shows."""
        half_lat = MAP_HEIGHT / 2 / self.scale
        half_lon = MAP_WIDTH / 2 / (self.scale * math.cos(math.radians(self.lat0)))
        return self.lat0 - half_lat, self.lat0 + half_lat, self.lon0 - half_lon, self.lon0 + half_lon


def nice_step(limit: float) -> float:
    """The largest 1, 2 or 5 × 10ⁿ not above ``limit`` (> 0)."""
    power = 10 ** math.floor(math.log10(limit))
    return next(m * power for m in (5, 2, 1) if m * power <= limit)


@dataclass(frozen=True)
class Marker:
    row: Row
    x: float
    y: float


@dataclass(frozen=True)
class Gridline:
    position: float
    label: str


@dataclass(frozen=True)
class MapView:
    markers: list[Marker]
    # Open incidents without coordinates, listed beside the map.
    unplaced: list[Row]
    # The scale bar: its length in SVG units and the distance it stands for.
    scale_length: float
    scale_km: float
    # Parallels (y, label) and meridians (x, label) inside the viewport.
    parallels: list[Gridline]
    meridians: list[Gridline]
    width: float = MAP_WIDTH
    height: float = MAP_HEIGHT


def map_of(rows: Sequence[Row]) -> MapView:
    placed = [r for r in rows if r.incident.place.HasField("latitude") and r.incident.place.HasField("longitude")]
    unplaced = [r for r in rows if r not in placed]
    if not placed:
        return MapView([], unplaced, 0.0, 0.0, [], [])
    projection = Projection.fit([(r.incident.place.latitude, r.incident.place.longitude) for r in placed])
    markers = [Marker(r, *projection.xy(r.incident.place.latitude, r.incident.place.longitude)) for r in placed]
    # Severe incidents drawn last, on top of the others where they overlap.
    markers.sort(key=lambda m: -RANK.get(m.row.severity, len(RANK)))
    units_per_km = projection.scale / KM_PER_DEGREE
    scale_km = nice_step(MAP_WIDTH * SCALE_BAR_SHARE / units_per_km)
    return MapView(
        markers=markers,
        unplaced=unplaced,
        scale_length=scale_km * units_per_km,
        scale_km=scale_km,
        parallels=_graticule(projection, along="lat"),
        meridians=_graticule(projection, along="lon"),
    )


def _graticule(projection: Projection, *, along: str) -> list[Gridline]:
    """A few round parallels or meridians with their degrees, for orientation without a base map."""
    south, north, west, east = projection.bounds()
    low, high = (south, north) if along == "lat" else (west, east)
    step = nice_step((high - low) / 3)
    decimals = max(0, -math.floor(math.log10(step)))
    lines = []
    value = math.ceil(low / step) * step
    while value < high:
        if along == "lat":
            hemisphere = "N" if value >= 0 else "S"
            position = projection.xy(value, projection.lon0)[1]
            # A label is drawn above its parallel, right of its meridian: none where it would be cut
            # off or run into the meridians' labels along the bottom.
            shown = LABEL_ROOM <= position <= MAP_HEIGHT - LABEL_ROOM
        else:
            hemisphere = "E" if value >= 0 else "W"
            position = projection.xy(projection.lat0, value)[0]
            shown = position <= MAP_WIDTH - 4 * LABEL_ROOM
        if shown:
            lines.append(Gridline(position, f"{abs(value):.{decimals}f}°{hemisphere}"))
        value += step
    return lines


async def _site_status(
    roster: roster_pb2_grpc.RosterServiceStub, site: roster_pb2.Site, rows: list[Row], now: datetime
) -> SiteStatus:
    on_duty, current, gaps = await asyncio.gather(
        roster.GetOnDuty(roster_pb2.GetOnDutyRequest(site_id=site.id), timeout=10),
        # The assignments under way now carry their check-in status (one call instead of one per person).
        roster.ListAssignments(
            roster_pb2.ListAssignmentsRequest(
                site_id=site.id,
                period=common_pb2.TimeRange(start=ts(now), end=ts(now + timedelta(seconds=1))),
            ),
            timeout=10,
        ),
        roster.FindCoverageGaps(
            roster_pb2.FindCoverageGapsRequest(
                site_id=site.id,
                period=common_pb2.TimeRange(start=ts(now), end=ts(now + timedelta(days=GAP_DAYS))),
            ),
            timeout=10,
        ),
    )
    return SiteStatus(
        site=site,
        on_duty=on_duty,
        check_in={a.id: a.check_in_status for a in current.assignments},
        rows=rows,
        gaps=list(gaps.gaps),
    )


async def overview(console: Console, session: Session) -> tuple[list[SiteStatus], MapView]:
    # The board's rows: the same open incidents, next deadlines and urgency as the board shows.
    sites, rows = await board_rows(console, session, Filters(site="", stage="", severity=""))
    now = datetime.now(UTC)
    async with console.channel("roster", session) as ch:
        roster = roster_pb2_grpc.RosterServiceStub(ch)
        statuses = await asyncio.gather(
            *(_site_status(roster, s, [r for r in rows if r.incident.site_id == s.id], now) for s in sites)
        )
    return list(statuses), map_of(rows)


def _context(statuses: list[SiteStatus], view: MapView) -> dict[str, object]:
    return {
        "statuses": statuses,
        "geo": view,
        "severities": SEVERITY_ORDER,
        "gap_days": GAP_DAYS,
        "glyph": SEVERITY_GLYPH,
        "role_name": role_name,
        "local": local_time,
        **TABLE_HELPERS,
    }


async def supervisor(request: web.Request) -> web.StreamResponse:
    session = require_signed_in(request)
    statuses, view = await overview(console_of(request), session)
    # The statistics of the region the person supervises (their token's first site or region).
    assert session.principal is not None
    region = next((s for s in session.principal.sites if s != ALL_SITES), "")
    context = {**_context(statuses, view), "wall": request.query.get("wall") == "1", "region": region}
    return render(request, "supervisor.html", context=context)


async def supervisor_body(request: web.Request) -> web.StreamResponse:
    """The screen without its frame: what htmx fetches again when the event stream reports a change."""
    session = require_signed_in(request)
    statuses, view = await overview(console_of(request), session)
    return render(request, "supervisor_body.html", context=_context(statuses, view))
