"""The assessment's cards (考核): GetScorecards reads the scored facts, the duties, the annotations and
the versions of the scoring rules, and lets the pure module (services/insight/scoring.py) make the
cards with each site's time zone. Supervisors read their region's cards, leaders and unit heads their
sites'; an officer's answer holds only their own cards (filtered, not refused)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import grpc

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.auth import current_principal
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import FieldViolation, InvalidArgument, Unavailable
from dutyline.insight.v1 import insight_pb2
from services.insight import scorecard_store, scoring, store
from services.insight.base import InsightBase
from services.insight.policy import READ_OTHERS
from services.insight.rpc_assessment import annotation_message

PAGE_SIZE = 100
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
        """The cards of the covered sites for the period: the sites' first, then their people's."""
        try:
            period = scoring.Period.parse(request.period)
        except ValueError as error:
            raise InvalidArgument([FieldViolation("period", str(error))]) from None
        principal = current_principal()
        zones = await self._zones(request.site_id)
        own_only = not principal.has_role(*READ_OTHERS)
        wanted = principal.person_id if own_only else request.person_id
        as_of = self.now()
        bounds = [period.bounds(zone) for zone in zones.values()]
        start, end = min(b[0] for b in bounds), max(b[1] for b in bounds)
        site_ids = sorted(zones)
        async with self._pool.acquire() as conn:
            facts = await scorecard_store.scored_facts(conn, site_ids=site_ids, start=start, end=end)
            duties = await scorecard_store.held_duties(conn, site_ids=site_ids, start=start, end=end)
            annotations, names = await scorecard_store.site_annotations(conn, site_ids=site_ids)
            stored = await store.rules_versions(conn)
        cards = scoring.scorecards(
            facts,
            rules_versions=[scoring.DEFAULT_RULES, *(s.rules for s in stored)],
            annotations=annotations,
            duties=duties,
            period=period,
            zones=zones,
            as_of=as_of,
        )
        if wanted or own_only:
            cards = tuple(c for c in cards if c.subject is scoring.Subject.PERSON and c.person_id == wanted)
        # The sites' cards first, then people's, each by site.
        ordered = sorted(cards, key=lambda c: (c.subject is scoring.Subject.PERSON, c.site_id, c.person_id))
        size, offset = request.page.page_size or PAGE_SIZE, int(request.page.page_token or 0)
        page = ordered[offset : offset + size]
        return insight_pb2.GetScorecardsResponse(
            scorecards=[card_message(c, names, with_lines=not request.without_lines) for c in page],
            as_of=ts(as_of),
            page=common_pb2.PageResponse(next_page_token=str(offset + size) if offset + size < len(ordered) else ""),
        )
