"""The handover register (交接班登记): the duty leader's countersignature (带班领导签字) and the
register as a file. Submitting and accepting a handover are in rpc_duty."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import grpc

from dutyline.db.pool import Connection
from dutyline.emit import emit
from dutyline.grpckit import idempotency
from dutyline.grpckit.auth import current_principal
from dutyline.grpckit.convert import from_ts
from dutyline.grpckit.errors import FailedPrecondition, NotFound
from dutyline.roster.v1 import roster_pb2
from services.roster import access, convert, duty_store, handover_export
from services.roster.base import RosterBase
from services.roster.rpc_duty import HANDOVER_STATUSES

# A register larger than this is exported a period at a time (the file is built in memory).
EXPORT_MAX = 20_000


class HandoverRegisterRpcs(RosterBase):
    async def CountersignHandover(
        self, request: roster_pb2.CountersignHandoverRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.Handover:
        """Once per handover: signing an already countersigned one answers it as it stands."""
        principal = current_principal()

        async def work(conn: Connection) -> roster_pb2.Handover:
            handover = await duty_store.get_handover(conn, handover_id=request.handover_id, for_update=True)
            if handover is None:
                raise NotFound(f"handover {request.handover_id} does not exist")
            site = await self.site(handover.site_id, conn=conn)
            access.require_leader(principal, site, what="countersign a handover")
            signed = await duty_store.countersign_handover(
                conn,
                handover_id=handover.id,
                leader_id=principal.person_id,
                at=self.now(),
                remarks=request.remarks.strip(),
            )
            if signed is None:
                return convert.handover_message(handover)
            message = convert.handover_message(signed)
            await emit(
                conn,
                event_type="handover.countersigned",
                site_id=site.id,
                aggregate_id=handover.id,
                aggregate_version=signed.version,
                payload=message,
            )
            return message

        answer, _ = await idempotency.run_once(
            self._pool, method="CountersignHandover", request=request, response_type=roster_pb2.Handover, work=work
        )
        return answer

    async def ExportHandovers(
        self, request: roster_pb2.ExportHandoversRequest, context: grpc.aio.ServicerContext
    ) -> roster_pb2.ExportHandoversResponse:
        site = await self.readable_site(request.site_id)
        period = request.period
        start = from_ts(period.start) if period.HasField("start") else None
        end = from_ts(period.end) if period.HasField("end") else None
        async with self._pool.acquire() as conn:
            rows = await duty_store.list_handovers(
                conn,
                site_id=site.id,
                statuses=HANDOVER_STATUSES.get(request.status, (request.status,)),
                start=start,
                end=end,
                after=None,
                limit=EXPORT_MAX + 1,
            )
        if len(rows) > EXPORT_MAX:
            raise FailedPrecondition(f"more than {EXPORT_MAX} handovers in the period: export a shorter period")
        zone = ZoneInfo(site.time_zone)
        stamp = "-".join(
            at.astimezone(zone).strftime("%Y%m%d") for at in (start, end) if at is not None
        ) or self.now().astimezone(zone).strftime("%Y%m%d")
        # Oldest first, as a register is read.
        file = handover_export.export(
            rows[::-1], site_id=site.id, zone=zone, language=request.language, fmt=request.format, stamp=stamp
        )
        return roster_pb2.ExportHandoversResponse(
            content=file.content, filename=file.filename, content_type=file.content_type, count=len(rows)
        )
