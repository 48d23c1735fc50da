"""Warning of required qualifications about to expire (资格到期提醒): once a day, each qualification a
person holds that expires within 30 days is recorded as warned (qualification.expiring, once per
qualification and expiry), and the person and the site's duty leaders are told through notify. A
warning recorded but not yet delivered (notify away) is sent again on the next round, under the same
notify key, so nobody is told twice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import asyncpg

from dutyline.common.v1 import common_pb2
from dutyline.emit import emit
from dutyline.notifier import NotifyClient, notify_key
from dutyline.notify.v1 import notify_pb2
from dutyline.roster.v1 import competence_pb2
from services.roster import competence_rules, competence_store

SYSTEM_ACTOR = common_pb2.Actor(person_id="system:competence", display_name="qualification expiry", kind="system")
# Warnings are due by the day; a round an hour also retries, soon enough, what notify did not take.
SWEEP_SECONDS = 3600.0


def qualification_message(row: competence_store.ExpiringRow, today: date) -> competence_pb2.Qualification:
    return competence_pb2.Qualification(
        person_id=row.person_id,
        display_name=row.display_name,
        site_id=row.site_id,
        qualification=row.qualification,
        valid_until=row.valid_until.isoformat(),
        state=competence_rules.state_of(row.valid_until, today),
    )


class ExpiryWarner:
    def __init__(self, *, pool: asyncpg.Pool, notifier: NotifyClient) -> None:
        self._pool = pool
        self._notifier = notifier

    async def warn(self, today: date) -> int:
        """Record the warnings due ``today`` (each once, with qualification.expiring); how many are new."""
        async with self._pool.acquire() as conn:
            candidates = await competence_store.required_held_until(
                conn, first=today, last=today + timedelta(days=competence_rules.WARN_DAYS)
            )
        due = set(
            competence_rules.due_warnings({(c.person_id, c.qualification): c.valid_until for c in candidates}, today)
        )
        added = 0
        for row in candidates:
            if (row.person_id, row.qualification, row.valid_until) not in due:
                continue
            async with self._pool.acquire() as conn, conn.transaction():
                if await competence_store.add_warning(conn, row=row):
                    added += 1
                    await emit(
                        conn,
                        event_type="qualification.expiring",
                        site_id=row.site_id,
                        aggregate_id=f"{row.person_id}:{row.qualification}",
                        aggregate_version=row.valid_until.toordinal(),
                        payload=qualification_message(row, today),
                        actor=SYSTEM_ACTOR,
                    )
        return added

    async def notify_pending(self) -> int:
        """Tell the person and the site's duty leaders of each warning not yet delivered; how many."""
        async with self._pool.acquire() as conn:
            pending = await competence_store.unnotified_warnings(conn)
        for row in pending:
            data = {
                "subject": f"资格即将到期 Qualification expiring: {row.qualification}",
                "body": (
                    f"{row.display_name} 的「{row.qualification}」将于 {row.valid_until.isoformat()} 到期，请安排培训。"
                    f" {row.display_name}'s {row.qualification!r} expires on {row.valid_until.isoformat()}:"
                    " plan the training."
                ),
            }
            ref = f"{row.person_id}:{row.valid_until.isoformat()}"
            recipients = {
                "person": notify_pb2.Recipient(person_id=row.person_id),
                "leaders": notify_pb2.Recipient(
                    role=notify_pb2.RoleAtSite(site_id=row.site_id, role=common_pb2.ROLE_LEADER)
                ),
            }
            for name, recipient in recipients.items():
                await self._notifier.send_to(
                    recipient,
                    site_id=row.site_id,
                    template="generic",
                    data=data,
                    key=notify_key("qualification-expiring", ref, row.qualification, name),
                    ref_kind="qualification",
                    ref_id=ref,
                )
            async with self._pool.acquire() as conn:
                await competence_store.mark_notified(conn, row=row)
        return len(pending)

    async def sweep(self) -> None:
        """One round: the warnings due today, then whatever is not yet delivered."""
        await self.warn(datetime.now(UTC).date())
        await self.notify_pending()
