"""The one interface every delivery channel implements, and what a delivery answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

# Every network call of a channel gives up after this long.
DEFAULT_TIMEOUT_S = 10.0
# The provider's answer is kept for the record, not in full: whatever a URL answers is not ours to
# store (readers see only its code, answer_code).
ANSWER_LIMIT = 200

DeliveryStatus = Literal["sent", "delivered", "failed"]


@dataclass(frozen=True)
class OutgoingMessage:
    """One delivery attempt of a notification on one channel."""

    notification_id: str
    # The gateway's idempotency key: a retried attempt is a new attempt id.
    attempt_id: str
    channel: str
    address: str
    subject: str
    body: str
    sms_text: str
    drill: bool


@dataclass(frozen=True)
class DeliveryResult:
    # "sent": accepted by a gateway that confirms delivery later; "delivered": the recipient has it.
    status: DeliveryStatus
    # The provider's answer, for the record (truncated to ANSWER_LIMIT characters).
    answer: str
    # False for permanent failures (bad address, a 4xx other than 408/429): retrying cannot help.
    retryable: bool = True


class Channel(Protocol):
    name: str

    async def deliver(self, message: OutgoingMessage) -> DeliveryResult: ...


def clip(answer: str) -> str:
    """An answer cut to ANSWER_LIMIT characters."""
    return answer if len(answer) <= ANSWER_LIMIT else answer[: ANSWER_LIMIT - 1] + "…"


def answer_code(answer: str) -> str:
    """What readers see of a recorded answer: ``HTTP 503``, ``timed out``, ``network error``… never
    the body (which a URL pointed at an internal service would fill with that service's data)."""
    head = answer.strip()
    if head.startswith("HTTP "):
        return " ".join(head.split()[:2]).rstrip(":")
    return head.split(":", 1)[0][:40]


def delivered(answer: str) -> DeliveryResult:
    return DeliveryResult("delivered", clip(answer))


def failed(answer: str, *, retryable: bool) -> DeliveryResult:
    return DeliveryResult("failed", clip(answer), retryable)


def mask_address(address: str) -> str:
    """An address for the log: enough to tell recipients apart, not enough to reach them."""
    if "://" in address:
        # IM/webhook URLs often carry an access token in the path or query: keep the host only.
        scheme, _, rest = address.partition("://")
        return f"{scheme}://{rest.split('/', 1)[0].rsplit('@', 1)[-1]}/…"
    if "@" in address:
        local, _, domain = address.rpartition("@")
        return f"{local[:1]}***@{domain}"
    return f"***{address[-4:]}" if len(address) > 4 else "***"
