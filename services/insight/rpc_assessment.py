"""Assessment's own records (考核): the versions of the scoring rules and the leaders' annotations of
scored facts. The cards themselves are computed from the read model (services/insight/scoring.py)."""

from __future__ import annotations

import re
from datetime import UTC

import grpc

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.grpckit import idempotency
from dutyline.grpckit.actors import actor_of
from dutyline.grpckit.auth import ALL_SITES, current_principal
from dutyline.grpckit.convert import from_ts, ts
from dutyline.grpckit.errors import FieldViolation, InvalidArgument, PermissionDenied
from dutyline.ids import new_id
from dutyline.insight.v1 import insight_pb2
from services.insight import scoring, store
from services.insight.base import InsightBase

# The pure module names a map entry rules.penalties["late_report"]; the boundary (protovalidate) names
# it rules.penalties[late_report]: one spelling for clients.
_MAP_KEY = re.compile(r'\["([^"]*)"\]')


def field_path(path: str) -> str:
    return _MAP_KEY.sub(r"[\1]", path)


def rules_of(message: insight_pb2.ScoringRules) -> scoring.ScoringRules:
    return scoring.ScoringRules(
        version=message.version,
        effective_from=from_ts(message.effective_from),
        penalties=dict(message.penalties),
        bonuses=dict(message.bonuses),
    )


def rules_message(rules: scoring.ScoringRules, stored: store.StoredRules | None = None) -> insight_pb2.ScoringRules:
    """A version as the API shows it; who changed it is unset for the shipped defaults."""
    message = insight_pb2.ScoringRules(
        version=rules.version,
        effective_from=ts(rules.effective_from),
        penalties=dict(rules.penalties),
        bonuses=dict(rules.bonuses),
    )
    if stored is not None:
        message.changed_by.CopyFrom(
            common_pb2.Actor(person_id=stored.changed_by, display_name=stored.changed_by_name, kind="person")
        )
        message.changed_at.FromDatetime(stored.changed_at.astimezone(UTC))
    return message


def annotation_message(annotation: scoring.Annotation, decided_by: common_pb2.Actor) -> insight_pb2.Annotation:
    return insight_pb2.Annotation(
        id=annotation.id,
        site_id=annotation.site_id,
        waives=[insight_pb2.SourceRef(record_type=r.record_type, record_id=r.record_id) for r in annotation.waives],
        reason=annotation.reason,
        decided_by=decided_by,
        decided_at=ts(annotation.decided_at),
    )


class AssessmentRpcs(InsightBase):
    async def UpsertScoringRules(
        self, request: insight_pb2.UpsertScoringRulesRequest, context: grpc.aio.ServicerContext
    ) -> insight_pb2.UpsertScoringRulesResponse:
        """Store a version after the pure module's checks (every kind priced, in range, not in force
        yet, in order with the others), each problem named by its field."""
        principal = current_principal()
        if ALL_SITES not in principal.sites:
            raise PermissionDenied(
                "only an admin acting for every site changes the scoring rules / 仅全局管理员可修改考核细则"
            )
        rules = rules_of(request.rules)

        async def work(conn: Connection) -> insight_pb2.UpsertScoringRulesResponse:
            await store.lock_rules(conn)
            stored = await store.rules_versions(conn)
            now = self.now()
            problems = scoring.validate_rules(rules, [scoring.DEFAULT_RULES, *(s.rules for s in stored)], now)
            if problems:
                raise InvalidArgument([FieldViolation(field_path(path), text) for path, text in problems])
            saved = await store.save_rules(
                conn, rules=rules, changed_by=principal.person_id, changed_by_name=principal.name, at=now
            )
            return insight_pb2.UpsertScoringRulesResponse(rules=rules_message(saved.rules, saved))

        answer, replayed = await idempotency.run_once(
            self._pool,
            method="UpsertScoringRules",
            request=request,
            response_type=insight_pb2.UpsertScoringRulesResponse,
            work=work,
        )
        answer.replayed = replayed
        return answer

    async def ListScoringRules(
        self, request: insight_pb2.ListScoringRulesRequest, context: grpc.aio.ServicerContext
    ) -> insight_pb2.ListScoringRulesResponse:
        async with self._pool.acquire() as conn:
            stored = await store.rules_versions(conn)
        versions = [scoring.DEFAULT_RULES, *(s.rules for s in stored)]
        return insight_pb2.ListScoringRulesResponse(
            versions=[rules_message(scoring.DEFAULT_RULES), *(rules_message(s.rules, s) for s in stored)],
            in_force_version=scoring.rules_at(versions, self.now()).version,
        )

    async def AnnotateFact(
        self, request: insight_pb2.AnnotateFactRequest, context: grpc.aio.ServicerContext
    ) -> insight_pb2.AnnotateFactResponse:
        """Record a leader's decision; it waives the facts of its site whose records it names (a record
        of another site is waived nowhere: scorecards match annotation and fact by site)."""
        site = await self.site_of_caller(request.site_id)
        principal = current_principal()
        waives = tuple(dict.fromkeys(scoring.SourceRef(w.record_type, w.record_id) for w in request.waives))

        async def work(conn: Connection) -> insight_pb2.AnnotateFactResponse:
            annotation = scoring.Annotation(
                id=new_id("ann"),
                site_id=site.id,
                waives=waives,
                reason=request.reason.strip(),
                decided_by=principal.person_id,
                decided_at=self.now(),
            )
            await store.insert_annotation(conn, annotation=annotation, decided_by_name=principal.name)
            return insight_pb2.AnnotateFactResponse(annotation=annotation_message(annotation, actor_of(principal)))

        answer, replayed = await idempotency.run_once(
            self._pool,
            method="AnnotateFact",
            request=request,
            response_type=insight_pb2.AnnotateFactResponse,
            work=work,
        )
        answer.replayed = replayed
        return answer
