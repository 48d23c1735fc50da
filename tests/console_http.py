"""A person's browser for the console's HTTP tests: its own cookies, the CSRF token of the last page."""

from __future__ import annotations

import re
from typing import Any

import aiohttp

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Browser:
    """One person's browser: its own cookies, no redirects followed (the tests look at them)."""

    def __init__(self, base: str, http: aiohttp.ClientSession) -> None:
        self.base = base
        self.http = http
        self.csrf = ""

    async def get(self, path: str, **kwargs: Any) -> tuple[aiohttp.ClientResponse, str]:
        async with self.http.get(self.base + path, allow_redirects=False, **kwargs) as reply:
            text = await reply.text()
            found = CSRF.search(text)
            if found:
                self.csrf = found.group(1)
            return reply, text

    async def post(self, path: str, data: dict[str, str], **kwargs: Any) -> tuple[aiohttp.ClientResponse, str]:
        async with self.http.post(self.base + path, data=data, allow_redirects=False, **kwargs) as reply:
            return reply, await reply.text()

    async def sign_in(self, person_id: str) -> None:
        reply, page = await self.get("/signin")
        assert reply.status == 200 and f'data-person="{person_id}"' in page
        reply, _ = await self.post("/signin/dev", {"csrf": self.csrf, "person_id": person_id})
        assert reply.status == 303 and reply.headers["Location"] == "/board"
        reply, _ = await self.get("/board")
        assert reply.status == 200
