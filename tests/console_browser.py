"""The console's browser tests: Debian's headless Chromium driven by Playwright, axe-core run in the
page, screenshots kept as test artifacts.

Playwright's own browser download is not reachable here, so it drives the system Chromium
(`make chromium` installs it) over the DevTools protocol; axe-core is vendored, nothing is fetched."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Locator, Page, Playwright, expect

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "tests/services/console/browser/vendor/axe-core-4.14.1.min.js"
# The wall screen's smallest size the issue names; every screenshot is taken at it.
VIEWPORT = {"width": 1366, "height": 768}
# axe's impacts that fail a screen (minor and moderate ones are reported by axe but not gated here).
BLOCKING_IMPACTS = ("serious", "critical")
# The console's language cookie (services.console.i18n.COOKIE) and its value for each browser language.
LANG_COOKIE = {"zh-CN": "zh", "en": "en"}
# The ``new_context`` fixture: ``await new_context(lang, base_url=...)`` gives a fresh browser context.
NewContext = Callable[..., Awaitable[BrowserContext]]


def chromium_path() -> str:
    found = shutil.which("chromium")
    if found is None:
        raise RuntimeError("Debian's chromium is not installed: `make chromium` installs it (make test does)")
    return found


async def launch(playwright: Playwright) -> Browser:
    # Headless; Playwright starts Chromium without its sandbox, which is what running as root needs.
    return await playwright.chromium.launch(executable_path=chromium_path(), headless=True)


def artifacts_dir() -> Path:
    """Where screenshots go: test-artifacts/console/ in the checkout (git-ignored), or under
    DUTYLINE_TEST_ARTIFACTS when set (CI keeping them elsewhere)."""
    base = Path(os.environ.get("DUTYLINE_TEST_ARTIFACTS") or ROOT / "test-artifacts")
    path = base / "console"
    path.mkdir(parents=True, exist_ok=True)
    return path


async def screenshot(page: Page, screen: str, lang: str) -> Path:
    """The whole page as <screen>.<lang>.png among the artifacts; the path is printed (pytest -s or a
    failure's captured output shows it)."""
    path = artifacts_dir() / f"{screen}.{lang}.png"
    await page.screenshot(path=str(path), full_page=True)
    print(f"screenshot {screen} ({lang}): {path}")
    return path


async def axe_violations(page: Page, impacts: Sequence[str] = BLOCKING_IMPACTS) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now, of the given impacts (serious and critical by
    default). The engine is evaluated over the DevTools protocol rather than added as a <script>, so the
    console's Content-Security-Policy (no inline scripts) stays as strict as it is for people."""
    if not await page.evaluate("typeof window.axe === 'object'"):
        await page.evaluate(AXE.read_text(encoding="utf-8"))
    results = await page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v["impact"] in impacts]


def describe(violations: list[dict[str, Any]]) -> str:
    """A failure message a person can act on: the rule, its impact, and the first offending elements."""
    lines = []
    for v in violations:
        targets = ", ".join(str(node["target"]) for node in v["nodes"][:3])
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {targets}")
    return "\n".join(lines)


async def appears_within(locator: Locator, seconds: float) -> float:
    """Seconds from this call until ``locator`` is visible; fails when that takes longer than ``seconds``."""
    start = time.monotonic()
    await expect(locator).to_be_visible(timeout=seconds * 1000)
    return time.monotonic() - start


async def mark_loaded(page: Page) -> None:
    """Tags the loaded document, so that ``still_loaded`` tells whether the page was reloaded since
    (a live update must arrive without one)."""
    await page.evaluate("window.__dutylineLoaded = true")


async def still_loaded(page: Page) -> bool:
    return bool(await page.evaluate("window.__dutylineLoaded === true"))


async def console_context(new_context: NewContext, console_url: str, lang: str) -> BrowserContext:
    """A browser of a person who chose ``lang`` earlier (the console keeps the choice in a cookie)."""
    context = await new_context(lang, base_url=console_url)
    await context.add_cookies([{"name": "dutyline_lang", "value": LANG_COOKIE[lang], "url": console_url}])
    return context


async def sign_in(context: BrowserContext, person_id: str) -> Page:
    """Signs ``person_id`` in through the console's development sign-in page as a person would (their
    button); returns the page, on the board where sign-in leads."""
    page = await context.new_page()
    await page.goto("/signin")
    await page.locator(f"button[data-person='{person_id}']").click()
    await page.wait_for_url("**/board")
    return page


async def board_is_live(page: Page) -> None:
    """Waits until the board's event stream is open (its "live" mark, services/console/static/console.js),
    so a change made after this is pushed to it, not missed."""
    await expect(page.locator("#live-status")).to_have_class(re.compile(r"\bon\b"))
