"""The browser kit on its own, without the console: Debian's Chromium renders a page served here in
zh-CN and English under a strict Content-Security-Policy, axe-core runs in it and finds what it must,
screenshots land among the artifacts, and one person's action reaches another person's open page
through server-sent events without a reload."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from playwright.async_api import Browser

from tests.console_browser import (
    VIEWPORT,
    NewContext,
    appears_within,
    axe_violations,
    chromium_path,
    describe,
    mark_loaded,
    screenshot,
    still_loaded,
)

WORDS = {
    "zh-CN": {"title": "值班测试页", "heading": "今日值班", "label": "留言", "send": "发送"},
    "en": {"title": "Duty test page", "heading": "On duty today", "label": "Message", "send": "Send"},
}
# What the console will send too: no inline script, every asset from its own origin.
CSP = "default-src 'self'"
LIVE_JS = """
const said = document.getElementById('said');
const events = new EventSource('/events');
events.onopen = () => { document.body.dataset.live = 'yes'; };
events.onmessage = (e) => { const li = document.createElement('li'); li.textContent = e.data; said.append(li); };
"""


def page_html(lang: str) -> str:
    w = WORDS[lang]
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{w["title"]}</title></head>
<body><main><h1>{w["heading"]}</h1>
<form method="post" action="/say"><label for="words">{w["label"]}</label>
<input id="words" name="words" required><button type="submit">{w["send"]}</button></form>
<ul id="said" aria-live="polite"></ul></main><script src="/live.js"></script></body></html>"""


# An image without a text alternative (critical) and a button without a name (critical).
BAD_HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bad</title></head>
<body><main><h1>bad</h1><img src="/missing.png"><button></button></main></body></html>"""


@pytest.fixture
async def site() -> AsyncIterator[str]:
    listeners: list[asyncio.Queue[str | None]] = []

    async def index(request: web.Request) -> web.Response:
        lang = request.query.get("lang", "zh-CN")
        return web.Response(text=page_html(lang), content_type="text/html", headers={"Content-Security-Policy": CSP})

    async def live_js(_: web.Request) -> web.Response:
        return web.Response(text=LIVE_JS, content_type="text/javascript")

    async def bad(_: web.Request) -> web.Response:
        return web.Response(text=BAD_HTML, content_type="text/html")

    async def say(request: web.Request) -> web.Response:
        words = str((await request.post())["words"])
        for queue in listeners:
            queue.put_nowait(words)
        raise web.HTTPSeeOther(f"/?lang={request.query.get('lang', 'zh-CN')}")

    async def events(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"})
        await response.prepare(request)
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        listeners.append(queue)
        try:
            while (words := await queue.get()) is not None:
                await response.write(f"data: {words}\n\n".encode())
        finally:
            listeners.remove(queue)
        return response

    app = web.Application()
    app.router.add_get("/", index)
    app.router.add_get("/live.js", live_js)
    app.router.add_get("/bad", bad)
    app.router.add_post("/say", say)
    app.router.add_get("/events", events)
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}"
    for queue in listeners:
        queue.put_nowait(None)
    await runner.cleanup()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_the_browser_is_debians_chromium(browser: Browser) -> None:
    process = await asyncio.create_subprocess_exec(chromium_path(), "--version", stdout=asyncio.subprocess.PIPE)
    installed = (await process.communicate())[0].decode()
    # "Chromium 156.0.8078.114 built on Debian ..." and the version the DevTools protocol reports.
    assert browser.version in installed, (browser.version, installed)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_a_page_renders_passes_axe_and_is_kept_as_a_screenshot(
    new_context: NewContext, site: str, lang: str
) -> None:
    context = await new_context(lang, base_url=site)
    page = await context.new_page()
    await page.goto(f"/?lang={lang}")
    assert await page.evaluate("navigator.language") == lang
    assert await page.get_by_role("heading", level=1).inner_text() == WORDS[lang]["heading"]

    violations = await axe_violations(page)
    assert violations == [], describe(violations)

    path = await screenshot(page, "kit", lang)
    width, height = png_size(path.read_bytes())
    assert width == VIEWPORT["width"] and height >= VIEWPORT["height"]


async def test_axe_reports_serious_violations(new_context: NewContext, site: str) -> None:
    page = await (await new_context("en", base_url=site)).new_page()
    await page.goto("/bad")
    found = {v["id"] for v in await axe_violations(page)}
    assert {"image-alt", "button-name"} <= found, found


async def test_one_persons_action_reaches_anothers_open_page_without_reload(new_context: NewContext, site: str) -> None:
    speaker = await (await new_context("zh-CN", base_url=site)).new_page()
    watcher = await (await new_context("en", base_url=site)).new_page()
    await watcher.goto("/?lang=en")
    await watcher.wait_for_selector("body[data-live='yes']")
    await mark_loaded(watcher)

    await speaker.goto("/?lang=zh-CN")
    await speaker.get_by_label("留言").fill("东湖路积水")
    await speaker.get_by_role("button", name="发送").click()

    seconds = await appears_within(watcher.locator("#said li", has_text="东湖路积水"), 1.0)
    assert await still_loaded(watcher)
    print(f"visible in the other context after {seconds * 1000:.0f} ms")
