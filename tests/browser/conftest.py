"""Real browser tests: Playwright for Python driving Debian's Chromium against pytest-django's live server.

Run with `make test-browser` (marker `browser`; `make test` leaves them out). Every page a test opens is
watched: console errors and requests to any other host than the live server fail the test. Screenshots go
to tests/browser/screenshots/ (gitignored)."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.personnel.factories import OfficerFactory

CHROMIUM = os.environ.get("QM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parent / "screenshots"
PASSWORD = "pw-test-123"  # tests/conftest.py make_user
PC = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `sudo apt-get install -y chromium` (make test-browser "
            "does it when run as root)",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
    # browser steps are ordinary synchronous code, so Django's async-safety guard is told so (only while
    # browser tests run).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Watch:
    """What a page did that it should not: console errors and requests to other hosts."""

    def __init__(self, own_host: str):
        self.own_host = own_host
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []
        self.allowed_errors: list[str] = []

    def on_console(self, message):
        if message.type == "error":
            where = message.location or {}
            self.console_errors.append(
                f"{message.text} [{where.get('url', '')}:{where.get('lineNumber', '')}]"
            )

    def on_request(self, request):
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if parts.netloc != self.own_host:
            self.foreign_requests.append(request.url)

    def allow(self, fragment: str):
        """An expected console error, e.g. the 404 status of a page the test opens on purpose."""
        self.allowed_errors.append(fragment)

    def unexpected_errors(self) -> list[str]:
        return [e for e in self.console_errors if not any(a in e for a in self.allowed_errors)]


def _open(browser, live_server, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    watch = Watch(urlsplit(live_server.url).netloc)
    page.on("console", watch.on_console)
    page.on("pageerror", lambda exc: watch.console_errors.append(f"pageerror: {exc}"))
    page.on("request", watch.on_request)
    return context, page, watch


@pytest.fixture
def watched(browser, live_server):
    """(page, watch) for an office PC screen; fails the test on console errors or foreign requests."""
    context, page, watch = _open(browser, live_server, PC)
    yield page, watch
    context.close()
    assert watch.foreign_requests == [], "requests to other hosts"
    assert watch.unexpected_errors() == [], "console errors"


@pytest.fixture
def phone(browser, live_server):
    context, page, watch = _open(browser, live_server, PHONE)
    yield page, watch
    context.close()
    assert watch.foreign_requests == [], "requests to other hosts"
    assert watch.unexpected_errors() == [], "console errors"


def shot(page, name: str):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def login(page, live_server, user):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{live_server.url}/")


@pytest.fixture
def people(org):
    """A few officers in Changsha (city and a county, one not measured) and one in Zhuzhou."""
    return {
        "cs": OfficerFactory(unit=org["430100"], name="长沙甲"),
        "cs_county": OfficerFactory(unit=org["430121"], name="长沙县乙"),
        "cs_unmeasured": OfficerFactory(unit=org["430121"], name="未测丙", chest_cm=None),
        "zz": OfficerFactory(unit=org["430200"], name="株洲丁"),
    }
