"""Connecting to NATS the one way every dutyline process does: with the configured creds file when
the server runs in operator (JWT) mode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nats
from nats.aio.client import Client

from dutyline.config import Settings


async def connect_url(url: str, creds: str | Path | None = None, *, name: str | None = None, **kwargs: Any) -> Client:
    """Connect to ``url`` (one URL, or a cluster's as a comma list), authenticating with the ``.creds``
    file ``creds`` when given (empty: none)."""
    if creds:
        kwargs["user_credentials"] = str(creds)
    if name is not None:
        kwargs["name"] = name
    # A cluster is a comma list of its nodes' URLs (nats-py wants them as a list).
    return await nats.connect([u.strip() for u in url.split(",") if u.strip()], **kwargs)


async def connect(settings: Settings, *, name: str, **kwargs: Any) -> Client:
    """Connect to the configured NATS (``DUTYLINE_NATS_URL``, ``DUTYLINE_NATS_CREDS``)."""
    return await connect_url(settings.nats_url, settings.nats_creds, name=name, **kwargs)
