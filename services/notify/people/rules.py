"""Pure rules of notify: where to deliver, what to do after an attempt, acknowledgement tokens and
escalation chains (升级链). No I/O."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from workflows.escalation.types import StepData

# A person's contact channel (roster) → the notify channel that reaches it.
CONTACT_CHANNELS = {"phone": "voice", "sms": "sms", "email": "email", "im": "im", "webhook": "webhook"}
CHANNELS = ("sms", "voice", "email", "im", "webhook", "console")
CONSOLE = "console"
ROLES = ("officer", "leader", "unit_head", "supervisor", "admin")


@dataclass(frozen=True)
class Route:
    channel: str
    address: str


def routes_for(
    contacts: Iterable[tuple[str, str]], *, preferred: str, available: Iterable[str], console: bool = True
) -> list[Route]:
    """The channels to try for one person, in order: the preferred channel if the person can be
    reached on it, then the person's contacts in their order of preference; channels the platform
    has not configured are left out. The duty console comes last, so nothing is lost silently;
    ``console=False`` (a directory entry, which has no seat there): only the contacts."""
    if preferred == CONSOLE and console:
        return [Route(CONSOLE, "")]
    usable = set(available)
    candidates = [Route(CONTACT_CHANNELS[c], a) for c, a in contacts if c in CONTACT_CHANNELS and a]
    if preferred:
        candidates.sort(key=lambda r: r.channel != preferred)
    routes: list[Route] = []
    for route in candidates:
        if route.channel in usable and route not in routes:
            routes.append(route)
    return [*routes, Route(CONSOLE, "")] if console else routes


@dataclass(frozen=True)
class NextStep:
    """The notification's state after an attempt."""

    status: str
    route_index: int
    route_attempts: int
    next_attempt_at: datetime | None


def after_attempt(
    *,
    outcome: str,
    retryable: bool,
    route_index: int,
    route_attempts: int,
    routes: int,
    attempts_per_channel: int,
    retry_seconds: float,
    now: datetime,
) -> NextStep:
    """Success ends the delivery; a retryable failure retries the channel with doubling delays; an
    exhausted or permanently failing channel falls back to the next one; no channel left: failed."""
    if outcome in ("sent", "delivered"):
        return NextStep(outcome, route_index, route_attempts + 1, None)
    tried = route_attempts + 1
    if retryable and tried < attempts_per_channel:
        delay = timedelta(seconds=retry_seconds * 2 ** (tried - 1))
        return NextStep("pending", route_index, tried, now + delay)
    if route_index + 1 < routes:
        return NextStep("pending", route_index + 1, 0, now)
    return NextStep("failed", route_index, tried, None)


def ack_token(secret: str, notification_id: str) -> str:
    """The one-time token sent in a message: whoever holds it may acknowledge that notification,
    without a session. Derived, not stored, so the store never holds a usable token."""
    digest = hmac.new(secret.encode(), f"ack:{notification_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode().lower()


def verify_ack_token(secret: str, notification_id: str, token: str) -> bool:
    # As bytes: compare_digest refuses str with non-ASCII characters (TypeError), and a token typed
    # by hand may have any; such a token simply does not match.
    return hmac.compare_digest(ack_token(secret, notification_id).encode(), token.strip().lower().encode())


def default_chain(site_id: str) -> tuple[list[StepData], int]:
    """officer → duty leader → unit head → superior duty office (值班员 → 带班领导 → 单位负责人 → 上级值班室),
    walked twice."""
    return (
        [
            StepData("role", f"{site_id}:officer", "", 180),
            StepData("role", f"{site_id}:leader", "", 300),
            StepData("role", f"{site_id}:unit_head", "", 600),
            StepData("superior", site_id, "", 900),
        ],
        2,
    )


def first_step_for(steps: Sequence[StepData], role: str) -> int:
    """The first step whose recipient holds ``role``; 0 when no step does (start at the top)."""
    for index, step in enumerate(steps):
        if step.recipient_kind == "role" and step.recipient.rsplit(":", 1)[-1] == role:
            return index
    return 0
