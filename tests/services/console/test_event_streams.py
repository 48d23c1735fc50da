"""The console's event streams end with the page: a person who opens and leaves pages again and again
(board → incident → leader → back) never runs out of the few live feeds the incident service allows
each person, because a closed page's stream and its WatchIncidents end at once."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

pytestmark = pytest.mark.stack

# More than the incident service's feeds per person (services/incident/watch.py PER_PERSON = 5).
PAGES = 8


async def first_event(http: aiohttp.ClientSession, url: str, seconds: float) -> str:
    """What the stream at ``url`` sends within ``seconds`` (its first bytes at least)."""
    async with http.get(url, timeout=aiohttp.ClientTimeout(total=seconds + 5)) as reply:
        assert reply.status == 200
        received = b""
        try:
            async with asyncio.timeout(seconds):
                async for chunk in reply.content.iter_any():
                    received += chunk
        except TimeoutError:
            pass
        return received.decode()


@pytest.mark.parametrize("left", ["/board/events", "/leader/events"])
async def test_pages_left_one_after_another_free_their_live_feeds(
    browsers: Any, on_duty_officer: str, left: str
) -> None:
    browser = browsers()
    await browser.sign_in(on_duty_officer)
    for _ in range(PAGES):
        # Open long enough for the service to hold the watch, then the page is closed.
        await first_event(browser.http, f"{browser.base}{left}", 1.0)
        await asyncio.sleep(0.3)
    # The board opened now is live: the service still has a feed for the person.
    sent = await first_event(browser.http, f"{browser.base}/board/events", 1.0)
    assert "event: end" not in sent, sent
