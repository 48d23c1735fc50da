"""How `dutyline agency …` shows agencies (公安, 消防, 卫健, 上级应急局), their NATS credentials with how
to connect, and their webhook deliveries. Times are in UTC: an agency spans sites and zones."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from dutyline.cli.common.i18n import label, t
from dutyline.cli.common.tables import Ids, list_table, record_table
from dutyline.cli.common.times import when
from dutyline.notify.v1 import notify_pb2

UTC_ZONE = ZoneInfo("UTC")
ROW = "%m-%d %H:%M:%S"
LONG = "%Y-%m-%d %H:%M:%S UTC"
DELIVERY_STYLES = {"acknowledged": "green", "failed": "red", "pending": "yellow"}


def agency_record(agency: notify_pb2.Agency) -> Table:
    return record_table(
        t("agency.title", id=agency.id),
        [
            (t("col.name"), agency.name),
            (t("col.sites"), ", ".join(agency.site_ids)),
            (t("col.events"), ", ".join(agency.event_types)),
            (t("col.webhook"), agency.webhook_url),
            (t("col.nats_user"), agency.nats_user),
            (t("col.created"), when(agency, "created_at", UTC_ZONE, LONG)),
        ],
    )


def agencies(items: Sequence[notify_pb2.Agency]) -> Table:
    table = list_table(
        t("agency.list_title"),
        Ids(t("col.id")),
        t("col.name"),
        t("col.sites"),
        t("col.events"),
        t("col.webhook"),
        Ids(t("col.nats_user")),
        t("col.created"),
        caption=t("agency.utc"),
    )
    for a in items:
        table.add_row(
            a.id,
            escape(a.name),
            escape(", ".join(a.site_ids)),
            escape(", ".join(a.event_types)),
            escape(a.webhook_url),
            a.nats_user or "-",
            when(a, "created_at", UTC_ZONE, ROW),
        )
    return table


def connect_snippet(creds: notify_pb2.AgencyCredentials, path: Path, url: str, stream: str) -> str:
    """A short nats-py program that connects with the credentials: live, and from the agency's own
    durable consumer (to miss nothing)."""
    live = creds.allowed_subjects[0] if creds.allowed_subjects else "dutyline.<site>.>"
    return (
        "import asyncio\n\n"
        "import nats\n\n\n"
        "async def main() -> None:\n"
        "    nc = await nats.connect(\n"
        f"        {url!r},\n"
        f"        user_credentials={str(path)!r},\n"
        f"        inbox_prefix={creds.inbox_prefix!r},\n"
        "    )\n"
        "    # Live: one message per event (protobuf dutyline.events.v1.Event).\n"
        f"    live = await nc.subscribe({live!r})\n"
        "    # Or miss nothing: pull from your own durable consumer and acknowledge.\n"
        f"    pull = await nc.jetstream().pull_subscribe_bind({creds.consumer!r}, stream={stream!r})\n"
        "    for msg in await pull.fetch(10, timeout=5):\n"
        "        print(msg.subject)\n"
        "        await msg.ack()\n"
        "    await live.unsubscribe()\n"
        "    await nc.close()\n\n\n"
        "asyncio.run(main())\n"
    )


def credentials_view(creds: notify_pb2.AgencyCredentials, path: Path, url: str, stream: str) -> RenderableType:
    """What was issued: where the creds file is, the subjects the server admits, the inbox prefix and
    consumer to use, and how to connect."""
    record = record_table(
        t("agency.creds_title", id=creds.agency_id),
        [
            (t("col.creds_file"), str(path)),
            (t("col.nats_user"), creds.nats_user),
            (t("col.inbox_prefix"), creds.inbox_prefix),
            (t("col.consumer"), creds.consumer),
        ],
    )
    subjects = Text("\n".join(f"  {s}" for s in creds.allowed_subjects))
    return Group(
        record,
        Text(""),
        Text(t("agency.subjects"), style="bold"),
        subjects,
        Text(""),
        Text(t("agency.snippet"), style="bold"),
        # Plain text, so that it copies as it is.
        Text(connect_snippet(creds, path, url, stream)),
    )


def deliveries(items: Sequence[notify_pb2.AgencyDelivery]) -> Table:
    table = list_table(
        t("agency.deliveries_title"),
        Ids(t("col.agency")),
        Ids(t("col.event")),
        t("col.kind"),
        t("col.site"),
        t("col.status"),
        t("col.attempts"),
        t("col.receipt"),
        t("col.last_error"),
        t("col.acked_at"),
        t("col.next_attempt"),
        caption=t("agency.utc"),
    )
    for d in items:
        table.add_row(
            d.agency_id,
            d.event_id,
            escape(d.event_type),
            d.site_id,
            Text(label("delivery_status", d.status), style=DELIVERY_STYLES.get(d.status, "")),
            str(d.attempts),
            escape(d.receipt),
            escape(d.last_error),
            when(d, "acknowledged_at", UTC_ZONE, ROW),
            when(d, "next_attempt_at", UTC_ZONE, ROW),
        )
    return table
