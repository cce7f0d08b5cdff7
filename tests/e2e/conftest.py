"""Browser tests against the real server: Daphne, the embedded Celery worker, the engine."""

import pytest
from playwright.sync_api import expect, sync_playwright

from .live_server import CHROMIUM_ARGS, LiveServer, chromium_path

# Assertions wait for their condition; on a loaded machine a page can take more than
# Playwright's default 5 s to get there. A generous bound, never a window to race.
expect.set_options(timeout=30_000)


@pytest.fixture(scope="session")
def playground_server(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("playground-e2e"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, playground_server):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1440, "height": 1000})
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
