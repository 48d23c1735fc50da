"""Where `dutyline events …` finds NATS, and following a subject there."""

from __future__ import annotations

import asyncio
import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

import typer

from dutyline.cli.common import connect
from dutyline.cli.common.i18n import t
from dutyline.cli.common.state import PlatformInfo
from dutyline.cli.events.views import Rendition, message_text
from dutyline.config import get_settings

CONNECT_TIMEOUT = 5
# How often a wait for the next message looks up from it (the time limit, a refused subscription).
POLL = 0.5


@dataclass(frozen=True)
class NatsSource:
    url: str
    creds: str  # a .creds file; "" connects without


def nats_source(url: str | None, creds: str | None, state_dir: Path) -> NatsSource:
    """Where NATS is and the credentials to use. The creds come with the URL they were found beside
    (never the platform's own creds sent to a server named by hand), unless ``creds`` is given."""
    if url:
        return NatsSource(url, creds or "")
    env_url = os.environ.get("DUTYLINE_NATS_URL")
    if env_url:
        return NatsSource(env_url, creds or os.environ.get("DUTYLINE_NATS_CREDS", ""))
    try:
        info = PlatformInfo.read(state_dir)
    except (OSError, ValueError, TypeError):
        info = None  # unreadable or from another version: as if absent
    if info is not None and info.nats_url:
        return NatsSource(info.nats_url, creds or info.nats_creds)
    settings = get_settings()
    return NatsSource(settings.nats_url, creds or settings.nats_creds)


async def follow(
    source: NatsSource,
    topic: str,
    rendition: Rendition,
    *,
    count: int | None,
    seconds: float | None,
    inbox_prefix: str | None,
) -> int:
    """Print what arrives on ``topic`` until ``count`` messages or ``seconds`` have passed (or forever);
    returns how many were printed."""
    # Here, not at the top: every command of the CLI would load NATS.
    import nats.errors

    from dutyline.natsconn import connect_url

    refused: list[str] = []
    unauthorized = asyncio.Event()

    async def on_error(error: Exception) -> None:
        text = " ".join(str(error).split())
        if "permissions violation" in text.lower() or "authorization" in text.lower():
            refused.append(text)
        if "authorization" in text.lower():
            unauthorized.set()

    options: dict[str, object] = {"connect_timeout": CONNECT_TIMEOUT, "error_cb": on_error}
    if inbox_prefix:
        options["inbox_prefix"] = inbox_prefix
    connecting = asyncio.ensure_future(
        connect_url(source.url, source.creds or None, name="dutyline-events-tail", **options)
    )
    # nats-py tries a refused connection again and again (60 times, 2 s apart): credentials the server
    # does not admit (revoked, say) end the command at once instead.
    denied = asyncio.ensure_future(unauthorized.wait())
    await asyncio.wait({connecting, denied}, return_when=asyncio.FIRST_COMPLETED)
    denied.cancel()
    if not connecting.done():
        connecting.cancel()
        with contextlib.suppress(BaseException):
            await connecting
        connect.fail(t("events.connect_failed", url=source.url, error=refused[0]))
    try:
        nc = connecting.result()
    except (OSError, TimeoutError, nats.errors.Error) as error:
        connect.fail(t("events.connect_failed", url=source.url, error=" ".join(str(error).split()) or repr(error)))
    printed = 0
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds if seconds else None
    try:
        sub = await nc.subscribe(topic)
        await nc.flush(timeout=CONNECT_TIMEOUT)  # the server has the subscription (or has refused it)
        while count is None or printed < count:
            if refused:
                connect.fail(t("events.refused", subject=topic, error=refused[0]))
            wait = POLL if deadline is None else min(POLL, deadline - loop.time())
            if wait <= 0:
                break
            try:
                msg = await sub.next_msg(timeout=wait)
            except nats.errors.TimeoutError:
                continue
            text, counted = message_text(rendition, msg.subject, msg.data)
            typer.echo(text, err=not counted)
            printed += counted
    finally:
        await nc.close()
    return printed
