"""Fixtures of the browser tests: one headless Chromium per test session, a fresh context (a person's
own browser: cookies, storage, language) per use, and none of them may reach beyond this machine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, BrowserContext, Request, async_playwright

from tests.console_browser import VIEWPORT, NewContext, launch

LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await launch(playwright)
        yield chromium
        await chromium.close()


@pytest.fixture(scope="session")
def console_url(platform: Any) -> str:
    """The duty console the dev stack started with the services (the ``platform`` fixture)."""
    return str(platform.console_url)


@pytest.fixture
async def new_context(browser: Browser) -> AsyncIterator[NewContext]:
    """``await new_context("en", base_url=...)``: a new browser context in that language (sent as
    Accept-Language and navigator.language), at the wall screen's size, in the demo sites' time zone.
    Two calls in one test are two people at two screens. A request to anything but this machine fails
    the test: the duty room may be offline, so every asset must come from the console."""
    made: list[BrowserContext] = []
    remote: list[str] = []

    def watch(request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOCAL_HOSTS:
            remote.append(request.url)

    async def make(lang: str = "zh-CN", base_url: str | None = None) -> BrowserContext:
        context = await browser.new_context(
            locale=lang, viewport=VIEWPORT, timezone_id="Asia/Shanghai", base_url=base_url
        )
        context.set_default_timeout(10_000)
        context.on("request", watch)
        made.append(context)
        return context

    yield make
    for context in made:
        await context.close()
    assert not remote, f"the page asked for something outside this machine: {remote}"
