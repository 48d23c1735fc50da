"""The assessment's cards (考核): GetScorecards reads the scored facts, the duties, the annotations and
the versions of the scoring rules, and lets the pure module (services/insight/scoring.py) make the
cards with each site's time zone. Supervisors read their region's cards, leaders and unit heads their
sites'; an officer's answer holds only their own cards (filtered, not refused)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

import grpc

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.grpckit.auth import current_principal
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import FieldViolation, InvalidArgument, Unavailable
from dutyline.insight.v1 import insight_pb2
from services.insight import scorecard_store, scoring, store
from services.insight.base import InsightBase
from services.insight.policy import READ_OTHERS
from services.insight.rpc_assessment import annotation_message

PAGE_SIZE = 100
# An answer stays under the 4 MiB a gRPC client takes by default: a page holds fewer cards than asked
# when their lines would pass PAGE_BYTES (a region's site cards hold every line of the month). Its cards
# are picked by their count of lines (a line takes some 80–130 bytes), then checked by their size.
PAGE_BYTES = 3 << 20
PAGE_LINES = PAGE_BYTES // 128
SUBJECTS = {
    scoring.Subject.PERSON: insight_pb2.SCORE_SUBJECT_PERSON,
    scoring.Subject.SITE: insight_pb2.SCORE_SUBJECT_SITE,
}


def _source(ref: scoring.SourceRef) -> insight_pb2.SourceRef:
    return insight_pb2.SourceRef(record_type=ref.record_type, record_id=ref.record_id)


def card_message(card: scoring.Scorecard, names: dict[str, str], *, with_lines: bool) -> insight_pb2.Scorecard:
    """A card as the API shows it; an annotated line carries the annotation with who decided."""
    message = insight_pb2.Scorecard(
        subject=SUBJECTS[card.subject],
        site_id=card.site_id,
        person_id=card.person_id,
        period=str(card.period),
        base=card.base,
        total=card.total,
        score=card.score,
    )
    if not with_lines:
        return message
    for line in card.lines:
        shown = message.lines.add(
            kind=line.kind,
            source=_source(line.source),
            occurred_at=ts(line.occurred_at),
            person_id=line.person_id,
            rules_version=line.rules_version,
            rule_points=line.rule_points,
            points=line.points,
            detail=line.detail,
        )
        if line.annotation is not None:
            who = line.annotation.decided_by
            decided_by = common_pb2.Actor(person_id=who, display_name=names.get(who, ""), kind="person")
            shown.annotation.CopyFrom(annotation_message(line.annotation, decided_by))
    return message


class ScorecardRpcs(InsightBase):
    async def _zones(self, site_id: str) -> dict[str, ZoneInfo]:
        """The sites the request covers (a region: the sites below it, not the regions) and their zones;
        PERMISSION_DENIED unless the caller acts for ``site_id`` or a region above it."""
        covered = await self._sites.readable_sites(current_principal(), site_id)
        assert covered is not None  # a site_id is always given
        infos = [await self._sites.site(s) for s in covered]
        if not all(info.confirmed for info in infos):
            raise Unavailable("roster cannot tell the sites' time zones now; try again / 暂时无法核实站点，请重试")
        # A region is an ancestor of another covered site: it holds no duty of its own.
        regions = {a for info in infos for a in info.ancestor_ids}
        return {info.id: ZoneInfo(info.time_zone or "Asia/Shanghai") for info in infos if info.id not in regions}

    async def GetScorecards(
        self, request: insight_pb2.GetScorecardsRequest, context: grpc.aio.ServicerContext
    ) -> insight_pb2.GetScorecardsResponse:
        return await self.scorecards(request)

    async def scorecards(
        self, request: insight_pb2.GetScorecardsRequest, *, fit: bool = True
    ) -> insight_pb2.GetScorecardsResponse:
        """The cards of the covered sites for the period: the sites' first, then their people's, each by
        site. A page computes only its own cards (a region's month holds some 150,000 scored facts): who
        has a card comes from one query, then the facts of the page's sites and people. With ``fit``, a
        page holds no more than a gRPC client takes; without (an export, in this process), every card
        asked for."""
        try:
            period = scoring.Period.parse(request.period)
        except ValueError as error:
            raise InvalidArgument([FieldViolation("period", str(error))]) from None
        principal = current_principal()
        zones = await self._zones(request.site_id)
        own_only = not principal.has_role(*READ_OTHERS)
        wanted = principal.person_id if own_only else request.person_id
        as_of = self.now()
        size, offset = request.page.page_size or PAGE_SIZE, int(request.page.page_token or 0)
        with_lines = not request.without_lines
        async with self._pool.acquire() as conn:
            keys, lines = await _card_keys(conn, period, zones, wanted)
            page = keys[offset : offset + size]
            if fit:
                page = keys_that_fit(page, lines if with_lines else None)
            cards, names = await _cards(conn, page, period, zones, as_of)
        messages = (card_message(c, names, with_lines=with_lines) for c in cards)
        shown = messages_that_fit(messages) if fit else list(messages)
        # The rest on the next page, from the key after the last card shown.
        last = (shown[-1].site_id, shown[-1].person_id) if shown else None
        after = offset + (page.index(last) + 1 if last else len(page))
        return insight_pb2.GetScorecardsResponse(
            scorecards=shown,
            as_of=ts(as_of),
            page=common_pb2.PageResponse(next_page_token=str(after) if after < len(keys) else ""),
        )


# A card's key: (site, person); "" for the site's own card.
CardKey = tuple[str, str]
T = TypeVar("T")


async def _card_keys(
    conn: Connection, period: scoring.Period, zones: dict[str, ZoneInfo], wanted: str
) -> tuple[list[CardKey], dict[CardKey, int]]:
    """Every card of the sites for the period in the answer's order — the sites' (each has one), then
    their people's by site and person; only ``wanted``'s when one person's are asked for — and about
    how many lines each has (its facts; a bonus is one more)."""
    sites_of_zone: dict[ZoneInfo, list[str]] = defaultdict(list)
    for site_id, zone in sorted(zones.items()):
        sites_of_zone[zone].append(site_id)
    lines: dict[CardKey, int] = defaultdict(int)
    for zone, site_ids in sites_of_zone.items():
        start, end = period.bounds(zone)
        for site_id, person_id, facts in await scorecard_store.card_facts(
            conn, site_ids=site_ids, start=start, end=end
        ):
            lines[(site_id, "")] += facts
            if person_id:
                lines[(site_id, person_id)] += facts
    people = sorted(key for key in lines if key[1])
    if wanted:
        return [key for key in people if key[1] == wanted], lines
    return [(site_id, "") for site_id in sorted(zones)] + people, lines


def keys_that_fit(keys: list[CardKey], lines: dict[CardKey, int] | None, room: int = PAGE_LINES) -> list[CardKey]:
    """The first of ``keys`` whose cards' ``lines`` add up to ``room`` at most (a card counts one more, for
    a bonus); all of them without lines (None)."""
    if lines is None:
        return keys
    return _first_that_fit(keys, lambda key: lines.get(key, 0) + 1, room)


def messages_that_fit(messages: Iterable[insight_pb2.Scorecard], room: int = PAGE_BYTES) -> list[insight_pb2.Scorecard]:
    """The first of ``messages`` whose sizes add up to ``room`` bytes at most; those after it are not made."""
    return _first_that_fit(messages, insight_pb2.Scorecard.ByteSize, room)


def _first_that_fit(items: Iterable[T], size: Callable[[T], int], room: int) -> list[T]:
    """The first of ``items`` whose sizes add up to ``room`` at most, the first whatever its size (so that
    paging moves on); the one that does not fit is the last taken from ``items``."""
    taken: list[T] = []
    for item in items:
        room -= size(item)
        if taken and room < 0:
            break
        taken.append(item)
    return taken


async def _cards(
    conn: Connection,
    page: list[CardKey],
    period: scoring.Period,
    zones: dict[str, ZoneInfo],
    as_of: datetime,
) -> tuple[list[scoring.Scorecard], dict[str, str]]:
    """The cards of ``page``, in its order, from what they are made of: every fact of a site whose own
    card is on it, the facts and duties of its people elsewhere; and the names of who annotated."""
    if not page:
        return [], {}
    whole = [site_id for site_id, person_id in page if not person_id]
    people = {key for key in page if key[1]}
    partly = sorted({site_id for site_id, _ in people} - set(whole))
    page_zones = {site_id: zones[site_id] for site_id in sorted({*whole, *partly})}
    bounds = [period.bounds(zone) for zone in page_zones.values()]
    start, end = min(b[0] for b in bounds), max(b[1] for b in bounds)
    facts = await scorecard_store.scored_facts(conn, site_ids=whole, start=start, end=end) if whole else []
    if partly:
        theirs = sorted({person_id for _, person_id in people})
        found = await scorecard_store.scored_facts(conn, site_ids=partly, start=start, end=end, person_ids=theirs)
        facts += [f for f in found if (f.site_id, f.person_id) in people]
    duties = await scorecard_store.held_duties(conn, site_ids=list(page_zones), start=start, end=end)
    annotations, names = await scorecard_store.site_annotations(conn, site_ids=list(page_zones))
    stored = await store.rules_versions(conn)
    made = scoring.scorecards(
        facts,
        rules_versions=[scoring.DEFAULT_RULES, *(s.rules for s in stored)],
        annotations=annotations,
        duties=[d for d in duties if (d.site_id, d.person_id) in people],
        period=period,
        zones=page_zones,
        as_of=as_of,
    )
    # The sites whose people only are on the page got a card from those facts only: not shown.
    by_key = {(c.site_id, c.person_id): c for c in made}
    return [by_key[key] for key in page if key in by_key], names
