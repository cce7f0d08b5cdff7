"""Files in and out of the page, in Chromium on the real stack: every export format from
the download menu (the server's list, or the page's own when the server has none),
pictures of the space-time diagram and of the wait-for graph, and a trace uploaded
through the page (button, drag-and-drop) replayed with its node and thread names."""

import json
import re
import struct
import xml.etree.ElementTree as ET

from playwright.sync_api import Page, expect

from .test_run_a_lesson import open_lesson, run_to_the_end

LESSON = "client-server-http"  # three nodes, each with a thread called main
THREADS = ("browser/main", "dns/main", "server/main")
SHIVIZ_LINE = re.compile(r"^(?P<host>\S+) (?P<clock>\{.*\})$")


def run_id(page: Page) -> str:
    match = re.search(r"/runs/([^/]+)$", page.url)
    assert match, page.url
    return match.group(1)


def open_menu(page: Page):
    if page.get_by_test_id("download-menu").get_attribute("open") is None:
        page.get_by_test_id("download-menu-button").click()
    expect(page.get_by_test_id("download-formats")).to_be_visible()


def download(page: Page, testid: str, tmp_path, menu=False):
    if menu:
        open_menu(page)
    with page.expect_download() as info:
        page.get_by_test_id(testid).click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path


def png_size(data: bytes):
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def check_trace_file(fmt: str, text: str):
    """What each format's file must hold for its tool to open it (the tools' own checks are the server's tests)."""
    assert text.strip(), f"{fmt}: empty file"
    if fmt == "jsonl":
        lines = [json.loads(line) for line in text.splitlines() if line.strip()]
        events = [e for e in lines if "seq" in e]
        assert all(e.get("format", "playground.event/1") == "playground.event/1" for e in lines)
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        assert events[-1]["kind"] == "run.finished"
        assert {e["thread"] for e in events if e.get("thread")} >= set(THREADS)
    elif fmt in ("chrome", "perfetto"):
        data = json.loads(text)
        trace_events = data["traceEvents"] if isinstance(data, dict) else data
        assert trace_events and all("ph" in e for e in trace_events)
    elif fmt == "shiviz":
        clocks = [SHIVIZ_LINE.match(line) for line in text.splitlines()]
        clocks = [m for m in clocks if m]
        assert clocks, "no 'host {clock}' line for ShiViz"
        for m in clocks:
            assert all(isinstance(v, int) for v in json.loads(m["clock"]).values())
    elif fmt == "mermaid":
        assert "sequenceDiagram" in text
        assert "participant" in text
    elif fmt == "plantuml":
        assert "@startuml" in text and "@enduml" in text


def test_every_format_downloads_from_the_menu(page, playground_server, tmp_path):
    open_lesson(page, playground_server.url, LESSON)
    run_to_the_end(page, "completed")
    rid = run_id(page)

    # The menu lists the server's formats when it has GET /api/exports, else the page's own.
    answer = page.request.get(f"{playground_server.url}/api/exports")
    server = answer.json() if answer.ok else None
    open_menu(page)
    formats = page.get_by_test_id("download-formats")
    items = formats.locator("a.dl-item")
    if isinstance(server, list) and server:
        expect(formats).to_have_attribute("data-source", "server")
        expected = [f["format"] for f in server]
    else:
        expect(formats).to_have_attribute("data-source", "builtin")
        expected = ["jsonl", "chrome", "shiviz", "mermaid", "plantuml"]
    expect(items).to_have_count(len(expected))
    assert [items.nth(i).get_attribute("data-format") for i in range(len(expected))] == expected

    for fmt in expected:
        item = page.get_by_test_id(f"download-format-{fmt}")
        # One line says which tool opens it.
        assert (item.locator(".dl-note").text_content() or "").strip(), f"{fmt}: no word on which tool opens it"
        assert item.get_attribute("href") == f"/api/runs/{rid}/trace?format={fmt}"
        path = download(page, f"download-format-{fmt}", tmp_path, menu=True)
        # Named for the run, with the format's extension (the server's Content-Disposition wins over the link's name).
        extension = (item.locator(".dl-ext").text_content() or "").lstrip(".")
        assert extension and path.name.endswith(f".{extension}"), (fmt, path.name)
        check_trace_file(fmt, path.read_text(encoding="utf-8"))

    # The space-time diagram, whole: from the menu and from the diagram's toolbar.
    svg_path = download(page, "download-diagram-svg", tmp_path, menu=True)
    svg = ET.parse(svg_path).getroot()  # well-formed XML
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert {"browser", "dns", "server", "main"} <= texts
    assert any((t or "").startswith("send ") for t in texts) and any((t or "").startswith("recv ") for t in texts)
    events = int(page.get_by_test_id("spacetime").get_attribute("data-events") or 0)
    png = download(page, "diagram-save-png", tmp_path).read_bytes()
    width, height = png_size(png)
    stage = page.locator(".st-stage").bounding_box()
    # Every row, not just the window in view (rows are 22 px; the PNG is drawn at twice the size when it fits).
    assert height > 2 * stage["height"] or height > 22 * events, (height, stage, events)
    assert width > 0


def test_the_wait_for_graph_saves_as_svg_and_png(page, playground_server, tmp_path):
    open_lesson(page, playground_server.url, "deadlock-two-locks")
    run_to_the_end(page, "deadlock")
    expect(page.get_by_test_id("wait-for-graph")).to_have_attribute("data-cycle-nodes", "4")
    svg_path = download(page, "graph-save-svg", tmp_path)
    svg_text = svg_path.read_text(encoding="utf-8")
    root = ET.fromstring(svg_text)
    assert root.tag.endswith("svg")
    assert "x_lock" in svg_text and "y_lock" in svg_text
    png = download(page, "download-graph-png", tmp_path, menu=True).read_bytes()
    width, height = png_size(png)
    assert width > 100 and height > 100


def fetch_trace(page: Page, url: str, rid: str) -> str:
    answer = page.request.get(f"{url}/api/runs/{rid}/trace?format=jsonl")
    assert answer.ok, answer.status
    return answer.text()


def expect_uploaded_run(page: Page):
    expect(page).to_have_url(re.compile(r"#/runs/[^/]+$"))
    expect(page.get_by_test_id("scenario-title")).to_have_text("An uploaded trace")
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "completed")
    # The node and thread names intact: not "main, main, main".
    for thread in THREADS:
        expect(page.get_by_test_id(f"thread-{thread}").locator(".thread-name")).to_have_text(thread)
    expect(page.get_by_test_id("trace-nodes")).to_contain_text("browser")


def test_a_jsonl_uploaded_through_the_page_replays_with_its_node_names(page, playground_server, tmp_path):
    url = playground_server.url
    open_lesson(page, url, LESSON)
    run_to_the_end(page, "completed")
    original = run_id(page)
    trace = tmp_path / "client-server.jsonl"
    trace.write_text(fetch_trace(page, url, original), encoding="utf-8")

    page.goto(f"{url}/#/bank-withdraw-lock")
    expect(page.get_by_test_id("scenario-title")).not_to_be_empty()
    page.get_by_test_id("upload-trace-input").set_input_files(trace)
    expect_uploaded_run(page)
    uploaded = run_id(page)
    assert uploaded != original

    # Replayed: from the beginning, one event at a time, names and all.
    page.get_by_test_id("playback-start").click()
    expect(page.get_by_test_id("playback-position")).to_have_attribute("data-seq", "0")
    for _ in range(4):
        page.get_by_test_id("playback-forward").click()
    expect(page.get_by_test_id("playback-position")).to_have_attribute("data-seq", "4")
    expect(page.get_by_test_id("threads").locator(".thread-name").first).to_contain_text("/main")
    lanes = page.get_by_test_id("diagram-lanes")
    for thread in THREADS:
        expect(lanes).to_contain_text(thread)
    # The same events as the run it came from.
    assert fetch_trace(page, url, uploaded).splitlines() == trace.read_text().splitlines()

    # The scenario it names can be opened in the editor, and run again.
    expect(page.get_by_test_id("carried-scenario")).to_be_visible()
    page.get_by_test_id("trace-run-again").click()
    expect(page).to_have_url(re.compile(rf"#/{LESSON}/runs/[^/]+$"))
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "completed", timeout=90_000)
    assert run_id(page) not in (original, uploaded)

    page.goto(f"{url}/#/runs/{uploaded}")
    expect_uploaded_run(page)
    page.get_by_test_id("trace-edit").click()
    editor = page.get_by_test_id("editor")
    expect(editor).to_be_visible()
    expect(page).to_have_url(re.compile(r"#/edit$"))


def test_a_trace_dropped_on_the_page_opens_and_a_bad_one_is_refused(page, playground_server, tmp_path):
    url = playground_server.url
    open_lesson(page, url, LESSON)
    run_to_the_end(page, "completed")
    text = fetch_trace(page, url, run_id(page))

    def drop(name, content):
        page.evaluate(
            """([name, content]) => {
                const data = new DataTransfer();
                data.items.add(new File([content], name, { type: "application/x-ndjson" }));
                for (const type of ["dragenter", "dragover", "drop"]) {
                    document.body.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
                }
            }""",
            [name, content],
        )

    page.goto(f"{url}/#/bank-withdraw-lock")
    expect(page.get_by_test_id("scenario-title")).not_to_be_empty()
    drop("dropped.jsonl", text)
    expect_uploaded_run(page)
    expect(page.get_by_test_id("drop-hint")).to_be_hidden()

    # An unknown format version is refused, and the page says which line.
    bad = "\n".join(
        json.dumps({**json.loads(line), "format": "playground.event/99"}) for line in text.splitlines() if line.strip()
    )
    drop("future.jsonl", bad)
    notice = page.get_by_test_id("notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("future.jsonl")
    expect(notice).to_contain_text(re.compile(r"line \d+"))
