"""Signatures of IM and webhook messages (HMAC-SHA256), for senders and receivers.

Part of the kit, like the event envelope: a wire format both ends share. notify signs what it sends
to people (IM, webhooks) and agencies; receivers — the dev stack's local gateway, an agency's
endpoint — check it. Pure: hashlib and hmac only.

A message carries ``X-Dutyline-Timestamp`` (unix seconds) and
``X-Dutyline-Signature: v1=<hex HMAC-SHA256(secret, f"{timestamp}.{raw body}")>``. A receiver checks
both with ``verify_signature``: the timestamp bounds replays, the signature proves the sender and
the body. Several comma-separated signatures may be sent while a key is rotated.
"""

from __future__ import annotations

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "X-Dutyline-Timestamp"
SIGNATURE_HEADER = "X-Dutyline-Signature"
NOTIFICATION_HEADER = "X-Dutyline-Notification"
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE_S = 300


def _key(secret: str | bytes) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def _body(body: str | bytes) -> bytes:
    return body.encode() if isinstance(body, str) else body


def sign(secret: str | bytes, timestamp: int | str, body: str | bytes) -> str:
    """The ``X-Dutyline-Signature`` value of ``body`` sent at ``timestamp``."""
    message = f"{str(timestamp).strip()}.".encode() + _body(body)
    return f"{SIGNATURE_VERSION}={hmac.new(_key(secret), message, hashlib.sha256).hexdigest()}"


def signature_headers(secret: str | bytes, body: str | bytes, *, now: float | None = None) -> dict[str, str]:
    """The timestamp and signature headers of ``body`` sent now."""
    timestamp = str(int(time.time() if now is None else now))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(secret, timestamp, body)}


def verify_signature(
    secret: str | bytes,
    timestamp: int | str,
    body: str | bytes,
    signature: str,
    *,
    tolerance_s: float = DEFAULT_TOLERANCE_S,
    now: float | None = None,
) -> bool:
    """True if ``signature`` (one or more comma-separated "v1=<hex>") signs ``body`` at ``timestamp``
    with ``secret``, and the timestamp is within ``tolerance_s`` of ``now`` (default: the clock).

    The comparison is constant-time; an empty secret verifies nothing."""
    if not _key(secret):
        return False
    try:
        sent_at = int(str(timestamp).strip())
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance_s:
        return False
    expected = sign(secret, str(timestamp).strip(), body).encode()
    valid = False
    for candidate in signature.split(","):
        # No early exit: every candidate is compared.
        valid |= hmac.compare_digest(candidate.strip().encode(), expected)
    return valid
