"""How a CLI command reaches a service: who it is (the token), where the service is (the address),
and gRPC errors shown as one readable line with exit code 2 instead of a traceback.

Token: ``--token``, else env DUTYLINE_TOKEN, else the token `dutyline up` wrote to
``<state-dir>/platform.json``. Address: env DUTYLINE_<SERVICE>_ADDRESS, else platform.json, else the
configured default.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, TypeVar

import grpc
import jwt
import typer
from rich.console import Console

from dutyline.cli.common.i18n import t
from dutyline.cli.common.state import PlatformInfo
from dutyline.config import get_settings
from dutyline.envelope import SITE_ID_PATTERN
from dutyline.grpckit import tls
from dutyline.grpckit.client import channel
from dutyline.grpckit.errors import field_violations

T = TypeVar("T")

TOKEN_ENV = "DUTYLINE_TOKEN"
# Worth retrying with the same idempotency key: the request may or may not have been applied.
RETRYABLE = (
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.UNKNOWN,
    grpc.StatusCode.ABORTED,
    grpc.StatusCode.CANCELLED,
)


@dataclass(frozen=True)
class Target:
    service: str
    address: str
    token: str


def _platform_info(state_dir: Path) -> PlatformInfo | None:
    try:
        return PlatformInfo.read(state_dir)
    except (OSError, ValueError, TypeError):
        return None  # unreadable or from another version: as if absent


def resolve(service: str, *, token: str | None, state_dir: Path) -> Target:
    """The address of ``service`` and the caller's token; exits with code 2 when there is no token."""
    info = _platform_info(state_dir)
    token = token or os.environ.get(TOKEN_ENV) or (info.token if info else "")
    if not token:
        fail(t("error.no_token", path=state_dir / "platform.json"))
    address = (
        os.environ.get(f"DUTYLINE_{service.upper()}_ADDRESS")
        or (info.addresses.get(service) if info else None)
        or get_settings().address_of(service)
    )
    return Target(service=service, address=address, token=token)


def token_sites(token: str) -> list[str]:
    """The sites a token names, read without verifying it (the server verifies; this only picks defaults)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return []
    sites = claims.get("sites", [])
    return [str(s) for s in sites] if isinstance(sites, list) else []


def default_site(token: str) -> str | None:
    """The token's first site when it is a plain site id (not ``*``)."""
    sites = token_sites(token)
    if sites and SITE_ID_PATTERN.match(sites[0]):
        return sites[0]
    return None


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


def fail(message: str) -> NoReturn:
    """Say what is wrong on stderr, on one line, and exit with code 2."""
    _stderr().print(message, markup=False, soft_wrap=True)
    raise typer.Exit(2)


def describe(error: grpc.aio.AioRpcError, target: Target) -> str:
    """One readable line: the status code and what the server said (each field for bad input)."""
    code = error.code()
    violations = field_violations(error) if code == grpc.StatusCode.INVALID_ARGUMENT else []
    if violations:
        detail = "; ".join(f"{v.field}: {v.description}" for v in violations)
    else:
        detail = " ".join((error.details() or "").split())
    if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        detail = f"{target.service} @ {target.address}: {detail}"
    return t("error", code=code.name, detail=detail)


def run(
    target: Target,
    work: Callable[[grpc.aio.Channel], Awaitable[T]],
    *,
    idempotency_key: str | None = None,
) -> T:
    """Run ``work`` on an authenticated channel to ``target``; a gRPC error exits with code 2."""

    async def main() -> T:
        # TLS when DUTYLINE_TLS_CA_FILE is set (dutyline.grpckit.tls).
        async with channel(target.address, target.token, tls.channel_credentials(get_settings())) as ch:
            return await work(ch)

    try:
        return asyncio.run(main())
    except grpc.aio.AioRpcError as error:
        lines = [describe(error, target)]
        if idempotency_key and error.code() in RETRYABLE:
            lines.append(t("error.retry", key=idempotency_key))
        fail("\n".join(lines))
