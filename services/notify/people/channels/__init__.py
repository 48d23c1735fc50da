"""Delivery channels of notify (通知渠道) behind one interface.

``sms`` and ``voice`` go through an HTTP gateway, ``email`` through an SMTP server, ``im`` and
``webhook`` straight to the person's URL (signed), and ``console`` is the duty-room console, whose
inbox is the notification row itself. Each ``deliver`` makes one attempt and says whether a failure
is worth retrying; retries and fallback belong to the dispatcher.

``build_channels(settings)`` builds the configured ones. `dutyline up` and the tests point them at
the local gateway (dutyline.stack.gateway: a real SMTP and HTTP server); production at real gateways.
"""

from __future__ import annotations

from collections.abc import Mapping

import yarl

from dutyline.outbound import OutboundPolicy
from dutyline.webhook_signing import (
    NOTIFICATION_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
    verify_signature,
)
from services.notify.http_client import HttpClient
from services.notify.people.channels.base import (
    ANSWER_LIMIT,
    DEFAULT_TIMEOUT_S,
    Channel,
    DeliveryResult,
    DeliveryStatus,
    OutgoingMessage,
)
from services.notify.people.channels.http import GatewayChannel, SignedHttpChannel, classify
from services.notify.people.channels.smtp import EmailChannel
from services.notify.settings import NotifySettings

__all__ = [
    "ANSWER_LIMIT",
    "CONSOLE_ANSWER",
    "DEFAULT_TIMEOUT_S",
    "NOTIFICATION_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "Channel",
    "Channels",
    "ConsoleChannel",
    "DeliveryResult",
    "DeliveryStatus",
    "EmailChannel",
    "GatewayChannel",
    "HttpClient",
    "OutgoingMessage",
    "SignedHttpChannel",
    "available_channels",
    "build_channels",
    "classify",
    "sign",
    "verify_signature",
]

CONSOLE_ANSWER = "shown on the duty console"


class ConsoleChannel:
    """The duty-room console (值班台): the notification row is its inbox, so it is delivered at once."""

    name = "console"

    async def deliver(self, message: OutgoingMessage) -> DeliveryResult:
        return DeliveryResult("delivered", CONSOLE_ANSWER)


class Channels(dict[str, Channel]):
    """The configured channels by name, and the HTTP session they share (closed by ``close``)."""

    def __init__(self, channels: Mapping[str, Channel], *clients: HttpClient) -> None:
        super().__init__(channels)
        self.clients = clients

    async def close(self) -> None:
        for client in self.clients:
            await client.close()


def available_channels(settings: NotifySettings) -> list[str]:
    """The channels ``settings`` configures, the console always: sms/voice need their gateway URL,
    email an SMTP host, im/webhook a signing secret (their URL is the person's address)."""
    signed = bool(settings.im_signing_secret.get_secret_value())
    configured = {
        "sms": bool(settings.sms_gateway_url),
        "voice": bool(settings.voice_gateway_url),
        "email": bool(settings.smtp_host),
        "im": signed,
        "webhook": signed,
        "console": True,
    }
    return [name for name, on in configured.items() if on]


def build_channels(settings: NotifySettings, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> Channels:
    """The channels of available_channels(settings)."""
    # People's URLs are users' input: https to public addresses only (dutyline.outbound). The
    # gateways are the operator's settings: their own origins, wherever they are.
    client = HttpClient(policy=OutboundPolicy.parse(settings.outbound_allow), timeout_s=timeout_s)
    gateway_origins = [str(yarl.URL(u).origin()) for u in (settings.sms_gateway_url, settings.voice_gateway_url) if u]
    gateways = HttpClient(policy=OutboundPolicy.parse(",".join(gateway_origins)), timeout_s=timeout_s)
    token = settings.gateway_token.get_secret_value()
    secret = settings.im_signing_secret.get_secret_value()
    available = available_channels(settings)
    channels: dict[str, Channel] = {}
    for name, url in (("sms", settings.sms_gateway_url), ("voice", settings.voice_gateway_url)):
        if name in available:
            channels[name] = GatewayChannel(name, url=url, token=token, client=gateways)
    if "email" in available:
        channels["email"] = EmailChannel(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_sender,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value(),
            starttls=settings.smtp_starttls,
            timeout_s=timeout_s,
        )
    for name in ("im", "webhook"):
        if name in available:
            channels[name] = SignedHttpChannel(name, secret=secret, client=client)
    channels["console"] = ConsoleChannel()
    return Channels(channels, client, gateways)
