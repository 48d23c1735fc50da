"""Who takes over a shift (接班): the handover goes to the assignment of the same role that starts as
the outgoing one ends. Shared by SubmitHandover and the missed-handover check of the shift workflow."""

from __future__ import annotations

from datetime import timedelta

from dutyline.db.pool import Connection
from services.roster import schedule_store


async def following_assignment(
    conn: Connection, outgoing: schedule_store.AssignmentRow
) -> schedule_store.AssignmentRow | None:
    """The assignment of the same role starting as ``outgoing`` ends, None if nobody is rostered."""
    a = outgoing.assignment
    following = [
        r
        for r in await schedule_store.list_assignments(
            conn, site_id=a.site_id, start=a.ends_at, end=a.ends_at + timedelta(minutes=1)
        )
        if r.assignment.role == a.role and r.assignment.starts_at == a.ends_at
    ]
    # Hand over to a different person where possible (the same person may run two shifts in a row).
    following.sort(key=lambda r: r.assignment.person_id == a.person_id)
    return following[0] if following else None
