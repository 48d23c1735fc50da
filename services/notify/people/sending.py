"""Turning a message for some people into stored notifications, one per person, each with the
channels to try. Used by the Send RPC and by the escalation activities; delivery is the
dispatcher's job, so a send commits fast and survives a crash before delivery."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from dutyline.db.pool import Connection
from dutyline.ids import new_id
from services.notify.people import store, templates
from services.notify.people.recipients import Person
from services.notify.people.rules import routes_for


@dataclass(frozen=True)
class Message:
    site_id: str
    template: str
    data: dict[str, str]
    locale: str = ""
    drill: bool = False
    ref_kind: str = ""
    ref_id: str = ""
    escalation_id: str | None = None
    escalation_loop: int = 0
    escalation_step: int = 0
    # Try this channel first (an escalation step's channel, or the sender's wish).
    channel: str = ""


def compose(
    people: Iterable[Person], message: Message, *, key: str, channels: Iterable[str], now: datetime
) -> list[store.NotificationRow]:
    """One notification per person, rendered for display (the acknowledgement token is added when
    it is delivered)."""
    available = list(channels)
    rows = []
    for person in people:
        data = {**message.data, "person_name": person.name}
        rendered = templates.render(message.template, data, locale=message.locale, drill=message.drill, ack=None)
        rows.append(
            store.NotificationRow(
                id=new_id("ntf"),
                dedupe_key=f"{key}:{person.id}",
                site_id=message.site_id,
                person_id=person.id,
                person_name=person.name,
                template=message.template,
                locale=message.locale,
                data=data,
                subject=rendered.subject,
                body=rendered.body,
                ref_kind=message.ref_kind,
                ref_id=message.ref_id,
                escalation_id=message.escalation_id,
                escalation_loop=message.escalation_loop,
                escalation_step=message.escalation_step,
                drill=message.drill,
                routes=tuple(
                    routes_for(
                        person.contacts, preferred=message.channel, available=available, console=not person.directory
                    )
                ),
                next_attempt_at=now,
                created_at=now,
            )
        )
    return rows


async def store_all(conn: Connection, rows: list[store.NotificationRow]) -> list[store.NotificationRow]:
    """Insert the notifications (a retried send inserts nothing) and return them as stored."""
    inserted = [await store.insert_notification(conn, row=row) for row in rows]
    if all(inserted):
        # Stored as composed, nothing delivered yet: in the order a read gives, without the read.
        return sorted(rows, key=lambda r: r.id)
    return await store.notifications_by_dedupe_keys(conn, keys=[r.dedupe_key for r in rows])
