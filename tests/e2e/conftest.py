"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live
server. Never ``playwright install``: the browser is the ``chromium`` package."""

import os
import shutil
from pathlib import Path

import pytest

from tests.web.conftest import dataflow, desk  # noqa: F401 (the same desk as tests/web)

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# the ORM calls the tests make to set up data (playwright-pytest #29).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Debian's chromium is not installed: apt-get install -y chromium "
                    "(make test-setup does it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Session:
    """One person's browser tab, recording dialogs and CSP reports for the assertions."""

    def __init__(self, browser, base_url: str, locale: str = "en-US") -> None:
        self.context = browser.new_context(locale=locale, viewport={"width": 1366, "height": 900})
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.base_url = base_url
        self.dialogs: list[str] = []
        self.csp_errors: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("console", self._console)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.csp_errors.append(message.text)

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def sign_in(self, username: str, password: str) -> None:
        self.goto("/login/")
        # By id: the labels are in the browser's language (Django's catalogue has them).
        self.page.locator("#id_username").fill(username)
        self.page.locator("#id_password").fill(password)
        self.page.locator("form button[type=submit]").click()
        self.page.wait_for_url(lambda url: "/login/" not in url)

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def open_session(browser, live_server):
    sessions: list[Session] = []

    def make(locale: str = "en-US") -> Session:
        session = Session(browser, live_server.url, locale)
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.context.close()
    for session in sessions:
        assert session.csp_errors == [], session.csp_errors
