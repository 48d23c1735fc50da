"""Authorisations of the incident workflow's updates (issue 14, finding 6).

Whoever reaches Temporal can send the incident workflow an update, with any actor in it (an admin's
override of a missing report, say). So the service decides, and the workflow records only what the
service authorised: before it sends an update, the service signs the update as it sends it — the
incident, the update's id, its name and argument (``convert.authorised``), and an expiry — with the
grant key, and puts the signature in the actor (``Actor.grant``). The workflow holds no key (a key in
workflow code or its history would be readable by whoever reads Temporal); it passes the update
through to the activity that persists the step, which checks the grant before it writes anything.
A step the grant does not cover is refused for good: the workflow's state goes back to before the
update, and the update fails. A grant is good for one update id (a repeated id writes nothing) and
only until it expires, counted on the workflow's clock at the step.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

# Long enough for the update to reach the workflow and its step to run, retries included.
GRANT_TTL = timedelta(minutes=5)


def _mac(key: str, *, incident_id: str, update_id: str, authorised: str, expires: int) -> str:
    signed = "\n".join((incident_id, update_id, authorised, str(expires)))
    return hmac.new(key.encode(), signed.encode(), hashlib.sha256).hexdigest()


def sign(key: str, *, incident_id: str, update_id: str, authorised: str, now: datetime) -> str:
    """The grant of update ``update_id`` (``authorised``: convert.authorised of it) to incident ``incident_id``."""
    expires = int((now + GRANT_TTL).timestamp())
    mac = _mac(key, incident_id=incident_id, update_id=update_id, authorised=authorised, expires=expires)
    return f"{expires}.{mac}"


def problem(keys: list[str], grant: str, *, incident_id: str, change_id: str, authorised: str, at: datetime) -> str:
    """Why ``grant`` does not authorise the step ``change_id`` ("update:<update id>") at ``at``; "" when it does."""
    expires_text, _, mac = grant.partition(".")
    if not expires_text.isdigit() or not mac or not change_id.startswith("update:") or not authorised:
        return "the update carries no grant of the incident service"
    expires = int(expires_text)
    update_id = change_id.removeprefix("update:")
    if not any(
        hmac.compare_digest(
            mac, _mac(k, incident_id=incident_id, update_id=update_id, authorised=authorised, expires=expires)
        )
        for k in keys
    ):
        return "the update's grant does not cover it"
    if at.timestamp() > expires:
        return "the update's grant has expired"
    return ""
