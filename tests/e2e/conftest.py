"""Browser tests against the real server: Daphne, the embedded Celery worker, the engine."""

import pytest
from playwright.sync_api import sync_playwright

from .live_server import CHROMIUM_ARGS, LiveServer, chromium_path


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
