"""Screenshots of the page for a person to look at, light and dark: idle, mid-run,
deadlock, step mode mid-way and with a blocked thread, an exploration's outcomes,
a witness replayed one step back from its end, the space-time diagram with an
event's causal past and future, the editor with a validation error, a drawn
scenario's run with lost messages, and a run scrubbed back to its middle. The
light drawn run is also saved as docs/playground.png for the README.

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
            shoot_visualizer(browser, url, out, scheme)
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


CLIENT_CODE = "for i in range(12):\n    send('server', {'n': i, 'from': me})\nprint('sent 12')\n"
SERVER_CODE = ("got = 0\nwhile True:\n    m = recv(timeout=0.5)\n    if m is None:\n        break\n"
               "    got = got + 1\nprint(f'received {got}')\n")


def type_code(page, code):
    page.get_by_test_id("editor-code").locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(code)


def shoot_visualizer(browser, url, out: Path, scheme):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, color_scheme=scheme)
    page = context.new_page()
    # The diagram of the clocks lesson with one event's causal past and future.
    page.goto(f"{url}/#/lamport-vector-clocks")
    page.get_by_test_id("scenario-title").wait_for()
    page.get_by_test_id("run").click()
    page.locator("[data-testid=run-status][data-status=completed]").wait_for(timeout=90_000)
    diagram = page.get_by_test_id("spacetime")
    diagram.get_by_test_id("diagram-zoom-out").click()
    scroller = diagram.locator(".st-scroller")
    scroller.evaluate("el => el.scrollTop = 0")
    box = scroller.bounding_box()
    x = box["x"] + box["width"] / 2
    for dy in range(60, int(box["height"]), 3):
        page.mouse.move(x, box["y"] + dy)
        if page.get_by_test_id("diagram-tooltip").is_visible():
            page.mouse.click(x, box["y"] + dy)
            page.mouse.move(x, box["y"] + dy)
            if diagram.get_attribute("data-selected"):
                break
    page.wait_for_timeout(300)
    diagram.scroll_into_view_if_needed()
    page.get_by_test_id("diagram-panel").screenshot(path=out / f"diagram-causal-{scheme}.png")

    # A scenario drawn from an empty canvas: a mistake first, then a run over lossy links.
    page.get_by_test_id("new-scenario").click()
    editor = page.get_by_test_id("editor")
    for role in ("client", "client", "server"):
        page.get_by_test_id("editor-role").select_option(role)
        page.get_by_test_id("editor-add-node").click()
    for client in ("client", "client2"):
        editor.get_by_test_id(f"topology-node-{client}").press("Enter")
        page.get_by_test_id("editor-link-target").select_option("server")
        page.get_by_test_id("editor-add-link").click()
        editor.get_by_test_id(f"topology-link-{client}-server").press("Enter")
        page.get_by_test_id("editor-link-loss").fill("0.3")
        page.get_by_test_id("editor-link-loss").press("Enter")
        editor.get_by_test_id(f"topology-node-{client}").press("Enter")
        page.get_by_test_id("editor-tab-main").click()
        type_code(page, CLIENT_CODE)
    editor.get_by_test_id("topology-node-server").press("Enter")
    page.get_by_test_id("editor-tab-main").click()
    type_code(page, "got = 0\nwhile True\n    pass\n")
    page.get_by_test_id("run").click()
    page.get_by_test_id("editor-problems").filter(has_text="SyntaxError").wait_for(timeout=30_000)
    full_page(page, out / f"editor-error-{scheme}.png")
    type_code(page, SERVER_CODE)
    page.get_by_test_id("run").click()
    page.locator("[data-testid=run-status][data-status=completed]").wait_for(timeout=90_000)
    page.wait_for_timeout(1200)
    # The whole run in view, the diagram's panel just under the sticky run bar.
    for _ in range(2):
        page.get_by_test_id("diagram-zoom-out").click()
    page.get_by_test_id("spacetime").locator(".st-scroller").evaluate("el => el.scrollTop = 0")
    page.evaluate("""() => {
      const d = document.querySelector('[data-testid=diagram-panel]');
      const bar = document.querySelector('[data-testid=runbar]');
      window.scrollTo(0, d.getBoundingClientRect().top + window.scrollY - bar.offsetHeight - 90);
    }""")
    page.wait_for_timeout(400)
    page.screenshot(path=out / f"drawn-run-{scheme}.png")
    if scheme == "light":
        (ROOT / "docs").mkdir(exist_ok=True)
        page.screenshot(path=ROOT / "docs" / "playground.png")

    # A finished run scrubbed back to its middle.
    page.goto(f"{url}/#/semaphore-db")
    page.get_by_test_id("scenario-title").wait_for()
    page.get_by_test_id("run").click()
    page.locator("[data-testid=run-status][data-status=completed]").wait_for(timeout=90_000)
    last = int(page.get_by_test_id("playback-scrubber").get_attribute("max"))
    page.get_by_test_id("playback-scrubber").fill(str(last // 2))
    full_page(page, out / f"scrubbed-{scheme}.png")
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
