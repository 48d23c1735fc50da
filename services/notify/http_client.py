"""The HTTP client of notify's outgoing POSTs: the people channels' gateways, IM and webhooks, and
the agencies' webhook deliveries."""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp

# Every POST gives up after this long.
DEFAULT_TIMEOUT_S = 10.0
# The most of an answer that is read; the record keeps less.
_READ_LIMIT = 16 * 1024


class HttpClient:
    """One aiohttp session shared by its users; created on first use, in the running loop."""

    def __init__(self, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self._session: aiohttp.ClientSession | None = None

    def _current(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout_s),
                headers={"User-Agent": "dutyline-notify/1"},
            )
        return self._session

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> tuple[int, str]:
        """POST ``body``; the status and (the start of) the answer. Redirects are not followed."""
        async with self._current().post(url, data=body, headers=dict(headers), allow_redirects=False) as response:
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
