"""Real Chromium for the web portal's tests: the system's browser (Debian's ``chromium``), or
Playwright's own where one was installed; never skipped. Every page checked with axe-core.

``PORTAL_CHROMIUM`` names a browser to use; ``PORTAL_SCREENSHOT_DIR`` where the screenshots of
the main pages go (``make screenshots`` writes docs/ui/; otherwise a temporary folder).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, BrowserContext, Locator, Page, async_playwright, expect

from portal_dev.testing import poll_until

HOW_TO_GET_CHROMIUM = (
    "The web portal's browser tests need Chromium and found none. Install the system's browser "
    "(Debian/Ubuntu: `apt-get install -y chromium`; macOS: a Chrome or Chromium app) or Playwright's "
    "(`.venv/bin/playwright install chromium`), or set PORTAL_CHROMIUM to a Chromium executable."
)
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# A machine without a network beyond its own: no background calls home, no sandbox as root.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
BLOCKING_IMPACTS = {"serious", "critical"}


def chromium_executable(bundled: str | None) -> str:
    named = os.environ.get("PORTAL_CHROMIUM")
    if named:
        return named
    for name in CANDIDATES:
        if found := shutil.which(name):
            return found
    if bundled and Path(bundled).exists():
        return bundled
    pytest.fail(HOW_TO_GET_CHROMIUM, pytrace=False)


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        try:
            bundled: str | None = playwright.chromium.executable_path
        except Exception:
            bundled = None
        browser = await playwright.chromium.launch(executable_path=chromium_executable(bundled), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


class Person:
    """One person in their own browser context (cookies of their own), at the portal's address."""

    def __init__(self, context: BrowserContext, page: Page, base_url: str, shots: Path) -> None:
        self.context = context
        self.page = page
        self.base_url = base_url
        self.shots = shots
        self.dialogs: list[str] = []
        self.axe = Axe()
        page.on("dialog", lambda dialog: self.dialogs.append(dialog.message))

    async def open(self, path: str) -> None:
        await self.page.goto(self.base_url + path)

    async def sign_in(self, email: str, password: str) -> None:
        page = self.page
        if "/sign-in" not in page.url:
            await self.open("/sign-in")
        await page.get_by_label("Email").fill(email)
        await page.get_by_label("Password").fill(password)
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    async def sign_out(self) -> None:
        await self.page.get_by_role("button", name="Sign out").click()
        await expect(self.page.get_by_role("button", name="Sign in")).to_be_visible()

    async def accessible(self, what: str) -> None:
        """axe-core on the page as it is now: no serious or critical violation."""
        results = await self.axe.run(self.page)
        blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
        details = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in blocking
        ]
        assert not blocking, f"{what} has accessibility violations:\n" + "\n".join(details)

    async def screenshot(self, name: str) -> None:
        self.shots.mkdir(parents=True, exist_ok=True)
        await self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)

    async def reload_until(self, locator: Callable[[], Locator], what: str, timeout_s: float = 30.0) -> None:
        """Reload until ``locator`` shows: what another process does reaches a page eventually."""

        async def shown() -> bool:
            if await locator().count() and await locator().first.is_visible():
                return True
            await self.page.reload()
            return False

        await poll_until(shown, timeout_s=timeout_s, interval_s=0.3, what=what)

    async def tab_to(self, name: str | re.Pattern[str], *, limit: int = 80) -> None:
        """Press Tab until the focused element is the one named ``name`` (its label, text or value)."""
        for _ in range(limit):
            await self.page.keyboard.press("Tab")
            focused = await self.page.evaluate(FOCUSED_NAME)
            if name.search(focused) if isinstance(name, re.Pattern) else focused == name:
                return
        raise AssertionError(f"Tab never reached {name!r}")


# The focused element's accessible name, roughly: its label, else its text or value.
FOCUSED_NAME = """() => {
  const el = document.activeElement;
  if (!el) return '';
  if (el.labels && el.labels.length) return el.labels[0].textContent.trim().replace(/\\s+/g, ' ');
  return (el.getAttribute('aria-label') || el.textContent || el.value || '').trim().replace(/\\s+/g, ' ');
}"""


def screenshot_dir(tmp: Path) -> Path:
    configured = os.environ.get("PORTAL_SCREENSHOT_DIR")
    return Path(configured) if configured else tmp


@asynccontextmanager
async def people(base_url: str, shots: Path) -> AsyncIterator[Callable[[], Awaitable[Person]]]:
    """A browser, and a new person (context and page) for each call."""
    async with chromium() as browser:
        contexts: list[BrowserContext] = []

        async def new_person(**options: Any) -> Person:
            context = await browser.new_context(
                viewport={"width": 1280, "height": 900}, accept_downloads=True, **options
            )
            contexts.append(context)
            context.set_default_timeout(15_000)
            return Person(context, await context.new_page(), base_url, shots)

        try:
            yield new_person
        finally:
            for context in contexts:
                await context.close()


async def downloaded(download_info: Any) -> bytes:
    """The bytes of a finished download (``page.expect_download()``'s value)."""
    path = await (await download_info.value).path()
    return await asyncio.to_thread(Path(path).read_bytes)
