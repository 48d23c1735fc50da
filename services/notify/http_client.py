"""The HTTP client of notify's outgoing POSTs: the people channels' gateways, IM and webhooks, and
the agencies' webhook deliveries."""

from __future__ import annotations

import errno
import socket
from collections.abc import Mapping

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from dutyline.outbound import BlockedUrl, OutboundPolicy

# Every POST gives up after this long.
DEFAULT_TIMEOUT_S = 10.0
# The most of an answer that is read; the record keeps less.
_READ_LIMIT = 16 * 1024


class _GuardedResolver(AbstractResolver):
    """DNS as usual, but a name resolving to a non-public address is refused (unless its origin is
    admitted): checked on the very addresses the connection is made to, so a name that changed its
    answer since it was registered, or answers differently each time, reaches nothing private."""

    def __init__(self, policy: OutboundPolicy) -> None:
        self._policy = policy
        self._dns = aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._dns.resolve(host, port, family)
        try:
            self._policy.check_addresses(host, port, [r["host"] for r in results])
        except BlockedUrl as exc:
            # An errno, so that aiohttp's ClientConnectorError says why (its strerror).
            raise OSError(errno.EACCES, f"blocked address: {exc}") from exc
        return results

    async def close(self) -> None:
        await self._dns.close()


class HttpClient:
    """One aiohttp session shared by its users; created on first use, in the running loop. Every URL
    passes ``policy`` (dutyline.outbound) first: BlockedUrl for one it does not admit."""

    def __init__(self, *, policy: OutboundPolicy, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self.policy = policy
        self._session: aiohttp.ClientSession | None = None

    def _current(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout_s),
                headers={"User-Agent": "dutyline-notify/1"},
                connector=aiohttp.TCPConnector(resolver=_GuardedResolver(self.policy)),
            )
        return self._session

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> tuple[int, str]:
        """POST ``body``; the status and (the start of) the answer. Redirects are not followed."""
        checked = self.policy.check_url(url)
        async with self._current().post(checked, data=body, headers=dict(headers), allow_redirects=False) as response:
            raw = b""
            while len(raw) < _READ_LIMIT:
                chunk = await response.content.read(_READ_LIMIT - len(raw))
                if not chunk:
                    break
                raw += chunk
            return response.status, raw.decode("utf-8", errors="replace")

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None
