"""HTTP channels: SMS and voice through a gateway, IM and webhooks straight to the person's URL."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import aiohttp
import structlog
import yarl

from dutyline.outbound import BlockedUrl
from dutyline.webhook_signing import NOTIFICATION_HEADER, signature_headers
from services.notify.http_client import HttpClient
from services.notify.people.channels.base import (
    DeliveryResult,
    OutgoingMessage,
    clip,
    delivered,
    failed,
    mask_address,
)

log = structlog.get_logger(__name__)

# A phone number as people write it: digits, an optional leading +, spaces, dashes, parentheses.
_PHONE = re.compile(r"\+?[0-9][0-9 ()\-]{2,30}")


def _gateway_state(answer: str) -> str:
    """The "status" of a gateway's JSON answer, lower case; "" when there is none."""
    try:
        parsed: Any = json.loads(answer)
    except ValueError:
        return ""
    return str(parsed.get("status", "")).strip().lower() if isinstance(parsed, dict) else ""


def classify(status: int, answer: str, *, confirms_later: bool) -> DeliveryResult:
    """The result of an HTTP answer: 2xx succeeded; 408, 429 and 5xx are worth retrying; anything
    else (other 4xx, a redirect) is permanent.

    A gateway that ``confirms_later`` (SMS, voice) has only "sent" the message unless its JSON answer
    says "delivered" (or "failed"/"rejected")."""
    text = clip(f"HTTP {status} {answer.strip()}".strip())
    if 200 <= status < 300:
        if not confirms_later:
            return delivered(text)
        state = _gateway_state(answer)
        if state == "delivered":
            return delivered(text)
        if state in ("failed", "undeliverable"):
            return failed(text, retryable=True)
        if state == "rejected":
            return failed(text, retryable=False)
        return DeliveryResult("sent", text)
    if status in (408, 429) or status >= 500:
        return failed(text, retryable=True)
    return failed(text, retryable=False)


async def _post(
    client: HttpClient,
    channel: str,
    message: OutgoingMessage,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    confirms_later: bool,
) -> DeliveryResult:
    try:
        status, answer = await client.post(url, body, headers)
    except TimeoutError:
        result = failed(f"timed out after {client.timeout_s:g} s", retryable=True)
    except aiohttp.InvalidURL as exc:
        result = failed(f"bad address: {type(exc).__name__}", retryable=False)
    except BlockedUrl as exc:
        result = failed(f"blocked address: {exc}", retryable=False)
    except (aiohttp.ClientError, OSError) as exc:
        result = failed(f"network error: {type(exc).__name__}: {exc}", retryable=True)
    else:
        result = classify(status, answer, confirms_later=confirms_later)
    _log(channel, message, result)
    return result


def _log(channel: str, message: OutgoingMessage, result: DeliveryResult) -> None:
    emit = log.info if result.status != "failed" else log.warning
    emit(
        "notify.delivery",
        channel=channel,
        notification_id=message.notification_id,
        attempt_id=message.attempt_id,
        address=mask_address(message.address),
        status=result.status,
        retryable=result.retryable,
        answer=result.answer,
        drill=message.drill,
    )


def _common_headers(message: OutgoingMessage) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "Idempotency-Key": message.attempt_id,
        NOTIFICATION_HEADER: message.notification_id,
    }


def _json(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class GatewayChannel:
    """SMS or a text-to-speech voice call through an HTTP gateway: POST {to, text, id} with a bearer token.

    The gateway answers at once and confirms delivery later, so a 2xx is "sent" unless its JSON
    answer already says "delivered". The id (the attempt id) is the gateway's idempotency key."""

    def __init__(self, name: str, *, url: str, token: str, client: HttpClient) -> None:
        self.name = name
        self._url = url
        self._token = token
        self._client = client

    async def deliver(self, message: OutgoingMessage) -> DeliveryResult:
        to = message.address.strip()
        if not _PHONE.fullmatch(to):
            result = failed("bad address: not a phone number", retryable=False)
            _log(self.name, message, result)
            return result
        # The short text suits a voice call as well as an SMS.
        text = message.sms_text or message.body
        headers = _common_headers(message)
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        body = _json({"to": to, "text": text, "id": message.attempt_id})
        return await _post(self._client, self.name, message, self._url, body, headers, confirms_later=True)


def _http_url(address: str) -> bool:
    try:
        url = yarl.URL(address.strip())
    except ValueError:
        return False
    return url.scheme in ("http", "https") and bool(url.host)


class SignedHttpChannel:
    """IM and webhook: POST the message as JSON to the person's own URL, signed with HMAC-SHA256
    (see signing.py). A 2xx means the receiver has it."""

    def __init__(self, name: str, *, secret: str, client: HttpClient) -> None:
        self.name = name
        self._secret = secret
        self._client = client

    def payload(self, message: OutgoingMessage) -> bytes:
        return _json(
            {
                "notification_id": message.notification_id,
                "attempt_id": message.attempt_id,
                "channel": message.channel or self.name,
                "subject": message.subject,
                "body": message.body,
                "text": message.sms_text,
                "drill": message.drill,
            }
        )

    async def deliver(self, message: OutgoingMessage) -> DeliveryResult:
        url = message.address.strip()
        if not _http_url(url):
            result = failed("bad address: not an http(s) URL", retryable=False)
            _log(self.name, message, result)
            return result
        body = self.payload(message)
        headers = {**_common_headers(message), **signature_headers(self._secret, body)}
        return await _post(self._client, self.name, message, url, body, headers, confirms_later=False)
