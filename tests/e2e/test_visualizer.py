"""The visualizer as a person uses it in Chromium, on the real stack: the space-time
diagram, playback of a finished run, a dropped connection, and faults clicked into a
live run from the topology."""

import json
import re

from playwright.sync_api import Page, expect

from .socket_cut import cut_first_connection_after
from .test_run_a_lesson import RUN_TIMEOUT, open_lesson, run_to_the_end


def diagram(page: Page):
    return page.get_by_test_id("spacetime")


def click_on_canvas(page: Page, button_testid: str):
    """Clicks the topology canvas where the element of this list button is drawn."""
    panel = page.get_by_test_id("topology-panel")
    button = panel.get_by_test_id(button_testid)
    x, y = float(button.get_attribute("data-x")), float(button.get_attribute("data-y"))
    box = panel.get_by_test_id("topology").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_the_http_lesson_draws_dns_then_http_messages_in_order(page, playground_server):
    open_lesson(page, playground_server.url, "client-server-http")
    run_to_the_end(page, "completed")

    d = diagram(page)
    expect(d).to_have_attribute("data-lanes", "3")
    expect(d).to_have_attribute("data-delivered", "6")
    expect(d).to_have_attribute("data-dropped", "0")
    pairs = page.get_by_test_id("message-list").locator("li").evaluate_all(
        "items => items.map(li => [li.dataset.from, li.dataset.to, li.dataset.fate])")
    assert pairs == [
        ["browser", "dns", "delivered"],
        ["dns", "browser", "delivered"],
        ["browser", "server", "delivered"],
        ["server", "browser", "delivered"],
        ["browser", "server", "delivered"],
        ["server", "browser", "delivered"],
    ], pairs
    expect(d).to_contain_text("6 messages: 6 delivered, 0 dropped")


def test_hover_shows_the_clocks_and_a_click_the_causal_past_and_future(page, playground_server):
    open_lesson(page, playground_server.url, "client-server-http")
    run_to_the_end(page, "completed")
    d = diagram(page)
    d.get_by_test_id("diagram-zoom-out").click()  # the whole run in view
    d.get_by_test_id("diagram-zoom-out").click()
    scroller = d.locator(".st-scroller")
    scroller.evaluate("el => el.scrollTop = 0")
    box = scroller.bounding_box()
    # Sweep the browser's lane until the tooltip shows an event with a vector clock.
    tooltip = page.get_by_test_id("diagram-tooltip")
    found = False
    for dy in range(40, int(box["height"]) - 10, 3):
        for dx in range(40, int(box["width"]) // 2, 6):
            page.mouse.move(box["x"] + dx, box["y"] + dy)
            if tooltip.is_visible() and "browser" in tooltip.get_by_test_id("tooltip-vc").inner_text():
                found = True
                break
        if found:
            break
    assert found, "no event of the browser under the pointer"
    expect(tooltip.get_by_test_id("tooltip-lamport")).to_have_text(re.compile(r"^\d+$"))
    page.mouse.click(box["x"] + dx, box["y"] + dy)
    expect(d).to_have_attribute("data-selected", re.compile(r"^\d+$"))
    past, future = int(d.get_attribute("data-past")), int(d.get_attribute("data-future"))
    assert past + future > 0
    expect(page.get_by_test_id("diagram-selection")).to_contain_text("before it")


def test_scrubbing_back_shows_the_owners_of_that_moment(page, playground_server):
    open_lesson(page, playground_server.url, "bank-withdraw-lock")
    run_to_the_end(page, "completed")
    owners = page.get_by_test_id("resource-owners-bank/balance_lock")
    expect(owners).to_have_text("—")  # nobody holds the lock at the end

    # The middle of the run: right after the first acquire, someone holds the lock.
    acquired = int(page.get_by_test_id("event-log").locator("tr[data-kind='sync.acquire']").first.get_attribute("data-seq"))
    page.get_by_test_id("playback-scrubber").fill(str(acquired))
    expect(page.get_by_test_id("playback-position")).to_have_attribute("data-seq", str(acquired))
    expect(owners).to_have_text(re.compile(r"^P[12]$"))
    expect(diagram(page)).to_have_attribute("data-cursor", str(acquired))
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "completed")

    # Forward to the first release: from that event on, the lock is free again; one back, still held.
    released = int(page.get_by_test_id("event-log").locator("tr[data-kind='sync.release']").first.get_attribute("data-seq"))
    page.get_by_test_id("playback-scrubber").fill(str(released))
    expect(owners).to_have_text("—")
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_test_id("playback-position")).to_have_attribute("data-seq", str(released - 1))
    expect(owners).to_have_text(re.compile(r"^P[12]$"))
    page.keyboard.press("ArrowRight")
    expect(owners).to_have_text("—")
    # End goes back to the end of the run.
    page.keyboard.press("End")
    expect(page.get_by_test_id("playback-position")).to_have_attribute("data-following", "true")
    expect(owners).to_have_text("—")


def test_play_moves_through_a_finished_run_to_its_end(page, playground_server):
    open_lesson(page, playground_server.url, "bank-withdraw-lock")
    run_to_the_end(page, "completed")
    page.get_by_test_id("playback-speed").select_option("50")
    page.keyboard.press("Home")
    expect(page.get_by_test_id("playback-position")).to_have_attribute("data-seq", "0")
    page.keyboard.press("Space")
    expect(page.get_by_test_id("playback-play")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("playback-position")).to_have_attribute("data-following", "true", timeout=30_000)
    expect(page.get_by_test_id("playback-play")).to_have_attribute("aria-pressed", "false")


def test_the_deadlock_lesson_shows_the_cycle_and_the_rule_in_the_diagram(page, playground_server):
    open_lesson(page, playground_server.url, "deadlock-two-locks")
    run_to_the_end(page, "deadlock")
    expect(page.get_by_test_id("wait-for-graph")).to_have_attribute("data-cycle-edges", "4")
    expect(page.get_by_test_id("deadlock-cycle").locator("li.cycle")).to_have_count(2)
    d = diagram(page)
    expect(d).to_have_attribute("data-lanes", "2")
    events = int(page.get_by_test_id("seq").inner_text().split("·")[1].split()[0])
    expect(d).to_have_attribute("data-events", str(events))


def test_a_connection_cut_mid_run_leaves_the_diagram_whole(page, playground_server):
    """The first WebSocket is closed after a few events of a distributed run; after the
    reconnect the diagram has every event once and every message matched."""
    urls = cut_first_connection_after(page, 8, pass_other_messages=True)
    open_lesson(page, playground_server.url, "client-server-http")
    run_to_the_end(page, "completed")
    assert len(urls) >= 2 and "after=8" in urls[1], urls

    run_id = page.get_by_test_id("seq").get_attribute("title").split()[-1]
    info = page.request.get(f"{playground_server.url}/api/runs/{run_id}").json()
    d = diagram(page)
    expect(d).to_have_attribute("data-events", str(info["events"]))
    expect(d).to_have_attribute("data-delivered", "6")
    expect(d).to_have_attribute("data-in-flight", "0")
    seqs = page.get_by_test_id("event-log").locator("tbody tr").evaluate_all("rows => rows.map(r => +r.dataset.seq)")
    assert seqs == list(range(1, info["events"] + 1))


def test_crashing_the_server_with_a_click_makes_the_clients_fail(page, playground_server):
    """The run is started in Step mode, so it waits for the learner: nothing moves (and the
    lesson's own fault timeline, which controlled runs leave out) until the test has crashed
    the server with a click. Then "Run to end" lets the clients find out."""
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    open_lesson(page, playground_server.url, "server-single-point-of-failure")
    topology = page.get_by_test_id("topology-panel").get_by_test_id("topology")
    expect(topology).to_have_attribute("data-nodes", "4")
    click_on_canvas(page, "topology-node-server")
    expect(page.get_by_test_id("fault-node")).to_contain_text("server")
    crash = page.get_by_test_id("fault-crash")
    expect(crash).to_be_disabled()  # no run yet

    page.get_by_test_id("mode-step").click()
    expect(page.get_by_test_id("mode-step")).to_have_attribute("aria-checked", "true")
    page.get_by_test_id("run").click()
    # The run is live and waits for a step: the Crash button stays enabled until it is clicked.
    expect(page.get_by_test_id("step-prompt")).to_contain_text("Your turn", timeout=RUN_TIMEOUT)
    expect(crash).to_be_enabled()
    crash.click()
    expect(topology).to_have_attribute("data-crashed", "server", timeout=RUN_TIMEOUT)
    expect(crash).to_be_disabled()  # it is down already
    expect(page.get_by_test_id("fault-restart")).to_be_enabled()
    crashes = page.get_by_test_id("event-log").locator("tr[data-kind='node.crash']")
    expect(crashes).to_have_count(1)
    assert any('"action": "crash"' in str(f) or '"action":"crash"' in str(f) for f in sent), sent
    assert any('"node": "server"' in str(f) or '"node":"server"' in str(f) for f in sent), sent

    continue_ = page.get_by_test_id("step-continue")
    expect(continue_).to_be_enabled(timeout=RUN_TIMEOUT)
    continue_.click()
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", re.compile("completed|failed"),
                                                                 timeout=RUN_TIMEOUT)
    expect(crashes).to_have_count(1)  # the click's crash, and no other
    expect(topology).to_have_attribute("data-crashed", "server")
    outputs = page.get_by_test_id("outputs")
    for client in ("client1", "client2", "client3"):
        expect(outputs).to_contain_text(re.compile(rf"{client}[\s\S]*server unreachable"))
    # Nothing reached the crashed server: each client's request to it was dropped.
    to_server = page.get_by_test_id("message-list").locator("li[data-to='server']")
    expect(to_server).to_have_count(3)
    expect(page.get_by_test_id("message-list").locator("li[data-to='server'][data-fate='dropped']")).to_have_count(3)
    expect(to_server.first).to_contain_text("dropped (crash)")


CLIENT_CODE = """for i in range(12):
    send('server', {'n': i, 'from': me})
print('sent 12')
"""
# The server stops after 2 s without a message: time enough, on a loaded machine, for every
# message to have arrived or been dropped (a short quiet spell could end the run early).
SERVER_CODE = """got = 0
while True:
    m = recv(timeout=2)
    if m is None:
        break
    got = got + 1
print(f'received {got}')
"""


def type_code(page: Page, code: str):
    editor = page.get_by_test_id("editor-code").locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(code)


def test_a_scenario_drawn_from_an_empty_canvas_runs_and_loses_messages(page, playground_server):
    page.goto(playground_server.url)
    page.get_by_test_id("new-scenario").click()
    editor = page.get_by_test_id("editor")
    expect(editor).to_be_visible()
    expect(editor).to_have_attribute("data-nodes", "0")

    # Three nodes: two clients and a server, each added with its role.
    for role in ("client", "client", "server"):
        page.get_by_test_id("editor-role").select_option(role)
        page.get_by_test_id("editor-add-node").click()
    expect(editor).to_have_attribute("data-nodes", "3")
    canvas_nodes = editor.get_by_test_id("topology-list")
    expect(canvas_nodes.locator("button")).to_have_count(3)

    # One link drawn on the canvas (client → server), one from the node's panel (client2 → server).
    page.get_by_test_id("editor-link-mode").click()
    for node in ("client", "server"):
        button = editor.get_by_test_id(f"topology-node-{node}")
        box = editor.get_by_test_id("topology").bounding_box()
        page.mouse.click(box["x"] + float(button.get_attribute("data-x")), box["y"] + float(button.get_attribute("data-y")))
    expect(editor).to_have_attribute("data-links", "1")
    page.get_by_test_id("editor-link-mode").click()
    page.get_by_test_id("editor-link-loss").fill("0.3")
    page.get_by_test_id("editor-link-loss").press("Enter")
    expect(editor.get_by_test_id("topology")).to_be_visible()
    editor.get_by_test_id("topology-node-client2").press("Enter")  # the canvas node's twin for keyboards
    page.get_by_test_id("editor-link-target").select_option("server")
    page.get_by_test_id("editor-add-link").click()
    expect(editor).to_have_attribute("data-links", "2")
    editor.get_by_test_id("topology-link-client2-server").press("Enter")
    page.get_by_test_id("editor-link-loss").fill("0.3")
    page.get_by_test_id("editor-link-loss").press("Enter")

    # The code: a mistake first, which the server reports at its line.
    editor.get_by_test_id("topology-node-server").press("Enter")
    page.get_by_test_id("editor-tab-main").click()
    type_code(page, "got = 0\nwhile True\n    pass\n")
    page.get_by_test_id("run").click()
    expect(page.get_by_test_id("editor-problems")).to_contain_text("SyntaxError line 2")
    expect(page.get_by_test_id("editor-code").locator(".cm-editor")).to_have_attribute("data-problems", "1")
    expect(page.get_by_test_id("editor-code").locator(".cm-lint-marker-error")).to_have_count(1)
    type_code(page, SERVER_CODE)
    for client in ("client", "client2"):
        editor.get_by_test_id(f"topology-node-{client}").press("Enter")
        page.get_by_test_id("editor-tab-main").click()
        type_code(page, CLIENT_CODE)

    # Undo and redo reach the code too.
    page.get_by_test_id("editor-undo").click()
    expect(page.get_by_test_id("editor-code")).not_to_contain_text("sent 12")
    page.get_by_test_id("editor-redo").click()
    expect(page.get_by_test_id("editor-code")).to_contain_text("sent 12")

    page.get_by_test_id("run").click()
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "completed", timeout=RUN_TIMEOUT)
    d = diagram(page)
    expect(d).to_have_attribute("data-lanes", "3")
    expect(d).to_have_attribute("data-messages", "24")
    assert int(d.get_attribute("data-delivered")) > 0
    assert int(d.get_attribute("data-dropped")) >= 1
    dropped = page.get_by_test_id("message-list").locator("li[data-fate=dropped]")
    expect(dropped.first).to_contain_text("dropped (loss)")
    expect(page.get_by_test_id("outputs")).to_contain_text("received")


def test_a_drawn_scenario_is_saved_in_the_browser_and_exported(page, playground_server, tmp_path):
    open_lesson(page, playground_server.url, "bank-withdraw-lock")
    page.get_by_test_id("duplicate-scenario").click()
    expect(page.get_by_test_id("editor-title")).to_have_value("Withdrawals protected by a lock (copy)")
    page.get_by_test_id("editor-save").click()
    expect(page.get_by_test_id("editor-note")).to_contain_text("Saved")
    expect(page.get_by_test_id("local-bank-withdraw-lock-copy")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_test_id("editor-export").click()
    path = tmp_path / "spec.json"
    info.value.save_as(path)
    spec = json.loads(path.read_text())
    assert spec["slug"] == "bank-withdraw-lock-copy"
    assert [t["name"] for t in spec["nodes"][0]["threads"]] == ["P1", "P2"]
    # A reload opens the same draft; importing the file opens it again.
    page.reload()
    expect(page.get_by_test_id("editor-title")).to_have_value("Withdrawals protected by a lock (copy)")
    spec["title"] = "Imported"
    path.write_text(json.dumps(spec))
    page.get_by_test_id("editor-import").set_input_files(str(path))
    expect(page.get_by_test_id("editor-title")).to_have_value("Imported")


def test_a_signed_in_person_saves_a_scenario_and_shares_it_by_link(page, browser, playground_server):
    url = playground_server.url
    page.goto(f"{url}/accounts/signup/")
    page.locator("input[name=username]").fill("ada")
    page.locator("input[name=password1]").fill("a-long-passphrase-42")
    page.locator("input[name=password2]").fill("a-long-passphrase-42")
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.goto(url)
    expect(page.get_by_test_id("username")).to_have_text("ada")

    page.get_by_test_id("new-scenario").click()
    page.get_by_test_id("editor-title").fill("Ada's hello")
    page.get_by_test_id("editor-title").press("Enter")
    page.get_by_test_id("editor-add-node").click()
    type_code(page, "print('hello from ada')\n")
    page.get_by_test_id("editor-share").click()
    link = page.get_by_test_id("share-link")
    expect(link).to_have_attribute("href", re.compile(r"#/s_[\w-]+$"))
    expect(page.get_by_test_id("scenario-my-scenario")).to_be_visible()  # in her library now

    # Someone else, not signed in, opens the link and runs it.
    other = browser.new_context()
    try:
        visitor = other.new_page()
        visitor.goto(link.get_attribute("href"))
        expect(visitor.get_by_test_id("scenario-title")).to_have_text("Ada's hello")
        visitor.get_by_test_id("run").click()
        expect(visitor.get_by_test_id("outputs")).to_contain_text("hello from ada", timeout=RUN_TIMEOUT)
    finally:
        other.close()
