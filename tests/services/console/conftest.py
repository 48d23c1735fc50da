"""``browsers()``: one more person's browser (its own cookies) on the console the platform fixture
started."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

from tests.console_http import Browser


@pytest.fixture
async def browsers(platform: Any) -> AsyncIterator[Callable[[], Browser]]:
    made: list[aiohttp.ClientSession] = []

    def make() -> Browser:
        # unsafe: cookies for an IP address (127.0.0.1) are kept too.
        made.append(aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)))
        return Browser(platform.console_url, made[-1])

    yield make
    for http in made:
        await http.close()
