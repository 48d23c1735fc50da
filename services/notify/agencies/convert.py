"""Rows ↔ protobuf messages of NotifyService: agencies and their webhook deliveries."""

from __future__ import annotations

from dutyline.grpckit.convert import ts
from dutyline.notify.v1 import notify_pb2
from services.notify.agencies import store as agency_store
from services.notify.people.channels.base import answer_code


def agency_message(row: agency_store.AgencyRow, *, with_secret: bool = False) -> notify_pb2.Agency:
    return notify_pb2.Agency(
        id=row.id,
        name=row.name,
        site_ids=row.site_ids,
        event_types=row.event_types,
        webhook_url=row.webhook_url,
        webhook_secret=row.webhook_secret if with_secret else "",
        created_at=ts(row.created_at),
        nats_user=row.nats_user,
    )


def delivery_message(row: agency_store.DeliveryRow) -> notify_pb2.AgencyDelivery:
    return notify_pb2.AgencyDelivery(
        agency_id=row.agency_id,
        event_id=row.event_id,
        event_type=row.event_type,
        site_id=row.site_id,
        status=row.status,
        attempts=row.attempts,
        receipt=row.receipt,
        # The code only: the answer's body is whatever the URL's server said (dutyline.outbound).
        last_error=answer_code(row.last_error),
        acknowledged_at=ts(row.acknowledged_at),
        next_attempt_at=ts(row.next_attempt_at),
    )
