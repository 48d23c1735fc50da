"""Proposals that two open incidents are one event (疑似重复事件) and the duty leader's decision on them.

Intake proposes a pair when one call fits both incidents about equally: rather than open a third
incident, it links the call to the best one and proposes the merge. The older incident is kept (the
reporting clocks run from its first call). The duty leader (or an admin) merges with one action, or
dismisses the proposal; either is published (``incident.merge_suggested``, ``incident.merge_decided``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg
import grpc

from dutyline.common.v1 import common_pb2
from dutyline.db.pool import Connection
from dutyline.directory import RosterDirectory
from dutyline.emit import emit
from dutyline.events.v1 import event_pb2
from dutyline.grpckit import idempotency
from dutyline.grpckit.actors import actor_of
from dutyline.grpckit.auth import current_principal
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import FailedPrecondition, NotFound, PermissionDenied, Violations
from dutyline.ids import new_id
from dutyline.incident.v1 import incident_pb2
from services.incident import store

PAGE_SIZE = 100


def suggestion_message(row: asyncpg.Record) -> incident_pb2.MergeSuggestion:
    def actor(prefix: str) -> common_pb2.Actor | None:
        if not row[f"{prefix}_id"]:
            return None
        return common_pb2.Actor(
            person_id=row[f"{prefix}_id"], display_name=row[f"{prefix}_name"], kind=row[f"{prefix}_kind"]
        )

    return incident_pb2.MergeSuggestion(
        id=row["id"],
        site_id=row["site_id"],
        primary_id=row["primary_id"],
        duplicate_id=row["duplicate_id"],
        score=row["score"],
        evidence=list(row["evidence"]),
        status=row["status"],
        suggested_by=actor("suggested_by"),
        suggested_at=ts(row["suggested_at"]),
        decided_by=actor("decided_by"),
        decided_at=ts(row["decided_at"]),
        reason=row["reason"],
        drill=row["drill"],
        primary_title=row["primary_title"],
        duplicate_title=row["duplicate_title"],
    )


_SELECT = """SELECT s.*, p.title AS primary_title, d.title AS duplicate_title FROM merge_suggestions s
               JOIN incidents p ON p.id = s.primary_id JOIN incidents d ON d.id = s.duplicate_id"""


async def _suggestion(conn: Connection, suggestion_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(f"{_SELECT} WHERE s.id = $1", suggestion_id)


async def _publish(conn: Connection, event_type: str, row: asyncpg.Record) -> incident_pb2.MergeSuggestion:
    message = suggestion_message(row)
    await emit(
        conn,
        event_type=event_type,
        site_id=row["site_id"],
        aggregate_id=row["duplicate_id"],
        aggregate_version=row["version"],
        payload=event_pb2.MergeSuggestionChanged(suggestion=message),
        drill=row["drill"],
    )
    return message


class MergeRpcs:
    _pool: Any
    _roster: RosterDirectory

    async def _readable(self, incident_id: str) -> store.IncidentRow:
        raise NotImplementedError

    async def Merge(
        self, request: incident_pb2.MergeRequest, context: grpc.aio.ServicerContext
    ) -> incident_pb2.Incident:
        raise NotImplementedError

    async def SuggestMerge(
        self, request: incident_pb2.SuggestMergeRequest, context: grpc.aio.ServicerContext
    ) -> incident_pb2.MergeSuggestion:
        v = Violations()
        principal = current_principal()
        if principal.has_role("agency") and not principal.has_role("officer", "leader", "admin", "system"):
            raise PermissionDenied("an agency reads incidents; it does not act on them")
        first = await self._readable(request.primary_id)
        second = await self._readable(request.duplicate_id)
        if first.site_id != second.site_id or first.drill != second.drill:
            v.add("duplicate_id", "an incident of the same site (and both drills or both real)")
            v.raise_if_any()
        if "closed" in (first.stage, second.stage):
            raise FailedPrecondition("only two open incidents can be merged")
        # The older incident is kept: its reporting clocks started first.
        primary, duplicate = sorted((first, second), key=lambda i: (i.registered_at, i.id))
        by = actor_of(principal)

        async def work(conn: Connection) -> incident_pb2.MergeSuggestion:
            existing = await conn.fetchval(
                "SELECT id FROM merge_suggestions WHERE primary_id = $1 AND duplicate_id = $2",
                primary.id,
                duplicate.id,
            )
            if existing is not None:
                found = await _suggestion(conn, existing)
                assert found is not None
                return suggestion_message(found)
            suggestion_id = new_id("mrg")
            await conn.execute(
                """INSERT INTO merge_suggestions (id, site_id, primary_id, duplicate_id, score, evidence,
                       suggested_by_id, suggested_by_name, suggested_by_kind, suggested_at, drill)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""",
                suggestion_id,
                primary.site_id,
                primary.id,
                duplicate.id,
                request.score,
                [e.strip() for e in request.evidence if e.strip()],
                by.person_id,
                by.display_name,
                by.kind,
                datetime.now(UTC),
                primary.drill,
            )
            row = await _suggestion(conn, suggestion_id)
            assert row is not None
            return await _publish(conn, "incident.merge_suggested", row)

        answer, _ = await idempotency.run_once(
            self._pool, method="SuggestMerge", request=request, response_type=incident_pb2.MergeSuggestion, work=work
        )
        return answer

    async def ListMergeSuggestions(
        self, request: incident_pb2.ListMergeSuggestionsRequest, context: grpc.aio.ServicerContext
    ) -> incident_pb2.ListMergeSuggestionsResponse:
        """Proposals of the reader's sites, newest first; open_only: those still to decide, about two
        incidents still open."""
        principal = current_principal()
        size = request.page.page_size or PAGE_SIZE
        token = request.page.page_token
        site_ids = await self._roster.readable_sites(principal, request.site_id)
        offset = int(token) if token else 0
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                f"""{_SELECT}
                    WHERE ($1::text[] IS NULL OR s.site_id = ANY($1))
                      AND (NOT $2 OR (s.status = 'open' AND p.stage <> 'closed' AND d.stage <> 'closed'))
                      AND ($3 OR NOT s.drill)
                    ORDER BY s.suggested_at DESC, s.id LIMIT $4 OFFSET $5""",
                site_ids,
                request.open_only,
                request.include_drills,
                size,
                offset,
            )
        return incident_pb2.ListMergeSuggestionsResponse(
            suggestions=[suggestion_message(r) for r in rows],
            page=common_pb2.PageResponse(next_page_token=str(offset + size) if len(rows) == size else ""),
        )

    async def DecideMergeSuggestion(
        self, request: incident_pb2.DecideMergeSuggestionRequest, context: grpc.aio.ServicerContext
    ) -> incident_pb2.MergeSuggestion:
        principal = current_principal()
        if not principal.has_role("leader", "admin"):
            raise PermissionDenied("the duty leader (or an admin) decides whether incidents are merged")
        async with self._pool.acquire() as conn:
            row = await _suggestion(conn, request.suggestion_id)
        if row is None:
            raise NotFound(f"merge suggestion {request.suggestion_id} does not exist")
        await self._readable(row["primary_id"])  # the site check
        if row["status"] == "open" and request.merge:
            # The merge itself, as any merge (both incidents' processes), keyed by this decision.
            await self.Merge(
                incident_pb2.MergeRequest(
                    idempotency_key=f"merge-suggestion:{row['id']}",
                    duplicate_id=row["duplicate_id"],
                    primary_id=row["primary_id"],
                    reason=request.reason.strip() or "疑似重复事件合并 merged as proposed",
                ),
                context,
            )
        by = actor_of(principal)

        async def work(conn: Connection) -> incident_pb2.MergeSuggestion:
            updated = await conn.fetchval(
                """UPDATE merge_suggestions SET status = $2, decided_by_id = $3, decided_by_name = $4,
                          decided_by_kind = $5, decided_at = $6, reason = $7, version = version + 1
                    WHERE id = $1 AND status = 'open' RETURNING id""",
                row["id"],
                "merged" if request.merge else "dismissed",
                by.person_id,
                by.display_name,
                by.kind,
                datetime.now(UTC),
                request.reason.strip(),
            )
            current = await _suggestion(conn, row["id"])
            assert current is not None
            if updated is None:
                raise FailedPrecondition(f"merge suggestion {row['id']} was decided already ({current['status']})")
            return await _publish(conn, "incident.merge_decided", current)

        answer, _ = await idempotency.run_once(
            self._pool,
            method="DecideMergeSuggestion",
            request=request,
            response_type=incident_pb2.MergeSuggestion,
            work=work,
        )
        return answer
