"""Screenshots of the page for a person to look at, light and dark: idle, mid-run,
deadlock, step mode mid-way and with a blocked thread, an exploration's outcomes,
and a witness replayed one step back from its end.

    .venv/bin/python -m tests.e2e.screenshots [--url http://127.0.0.1:8000] [--out var/screenshots]

Without --url it starts its own server. "Mid-run" is made by holding back the
WebSocket after a few events (Playwright's WebSocket routing), since lessons
finish in milliseconds.
"""

import argparse
import json
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from .live_server import CHROMIUM_ARGS, ROOT, LiveServer, chromium_path


def hold_after(seq_limit):
    def handler(ws):
        server = ws.connect_to_server()

        def from_server(message):
            data = json.loads(message)
            if data.get("type") == "events":
                data["events"] = [e for e in data["events"] if e["seq"] <= seq_limit]
                if data["events"]:
                    ws.send(json.dumps(data))
            elif data.get("type") == "status" and data.get("status") in ("queued", "pending", "running"):
                ws.send(message)

        server.on_message(from_server)

    return handler


def shoot(url, out: Path):
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        for scheme in ("light", "dark"):
            context = browser.new_context(viewport={"width": 1440, "height": 1000}, color_scheme=scheme)
            page = context.new_page()
            page.goto(f"{url}/#/bank-withdraw-lock")
            page.get_by_test_id("scenario-title").wait_for()
            page.screenshot(path=out / f"idle-{scheme}.png", full_page=True)

            page.route_web_socket("**/ws/runs/**", hold_after(5))
            page.get_by_test_id("run").click()
            page.locator("[data-testid=event-log] tr[data-seq='5']").wait_for(timeout=60_000)
            page.wait_for_timeout(1200)  # let the flash animation settle
            page.screenshot(path=out / f"midrun-{scheme}.png", full_page=True)
            context.close()

            context = browser.new_context(viewport={"width": 1440, "height": 1000}, color_scheme=scheme)
            page = context.new_page()
            page.goto(f"{url}/#/deadlock-two-locks")
            page.get_by_test_id("scenario-title").wait_for()
            page.get_by_test_id("run").click()
            page.locator("[data-testid=run-status][data-status=deadlock]").wait_for(timeout=90_000)
            page.wait_for_timeout(1200)
            page.screenshot(path=out / f"deadlock-{scheme}.png", full_page=True)
            page.set_viewport_size({"width": 1100, "height": 900})
            page.wait_for_timeout(300)
            page.screenshot(path=out / f"deadlock-narrow-{scheme}.png", full_page=True)
            context.close()
            shoot_interleavings(browser, url, out, scheme)
        browser.close()
    return sorted(out.glob("*.png"))


def open_lesson(page, url, slug):
    page.goto(f"{url}/#/{slug}")
    expect(page.get_by_test_id(f"scenario-{slug}")).to_have_attribute("aria-current", "true")
    expect(page.get_by_test_id(f"node-{'bank' if slug.startswith('bank') else 'memory'}")).to_be_visible()


def stepped(page, url, slug, threads):
    open_lesson(page, url, slug)
    page.get_by_test_id("mode-step").click()
    page.get_by_test_id("run").click()
    for i, thread in enumerate(threads):
        button = page.get_by_test_id(f"step-{thread}")
        expect(button).to_be_enabled(timeout=60_000)
        button.click()
        expect(page.get_by_test_id("schedule").locator("li")).to_have_count(i + 1, timeout=60_000)
    page.get_by_test_id("step-prompt").filter(has_text="Your turn").wait_for(timeout=60_000)


def full_page(page, path):
    page.wait_for_timeout(1200)  # flash animations and smooth scrolling settle
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=True)


def shoot_interleavings(browser, url, out: Path, scheme):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, color_scheme=scheme)
    page = context.new_page()
    stepped(page, url, "bank-withdraw-race", ["bank-P1", "bank-P2", "bank-P1", "bank-P2", "bank-P1"])
    full_page(page, out / f"step-midway-{scheme}.png")
    page.get_by_test_id("cancel").click()

    stepped(page, url, "deadlock-two-locks", ["memory-P1", "memory-P2", "memory-P1"])
    full_page(page, out / f"step-blocked-{scheme}.png")
    page.set_viewport_size({"width": 1100, "height": 900})
    full_page(page, out / f"step-blocked-narrow-{scheme}.png")
    page.get_by_test_id("cancel").click()
    page.set_viewport_size({"width": 1440, "height": 1000})

    open_lesson(page, url, "deadlock-two-locks")
    page.get_by_test_id("mode-explore").click()
    page.get_by_test_id("run").click()
    page.get_by_test_id("explore-exhaustive").wait_for(timeout=90_000)
    full_page(page, out / f"explore-{scheme}.png")

    page.locator("[data-testid=outcome][data-status=deadlock]").first.click()
    page.get_by_test_id("timeline").wait_for(timeout=90_000)
    page.locator("[data-testid=run-status][data-status=deadlock]").wait_for(timeout=90_000)
    page.get_by_test_id("timeline-back").click()
    full_page(page, out / f"witness-{scheme}.png")
    context.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url")
    ap.add_argument("--out", default=str(ROOT / "var" / "screenshots"))
    args = ap.parse_args()
    if args.url:
        files = shoot(args.url.rstrip("/"), Path(args.out))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            server = LiveServer(tmp).start()
            try:
                files = shoot(server.url, Path(args.out))
            finally:
                server.stop()
    for f in files:
        print(f)


if __name__ == "__main__":
    main()
