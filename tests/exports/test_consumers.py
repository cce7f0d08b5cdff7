"""Every format of every built-in lesson's trace, of a run holding every character that is
hard to draw, and of a long run, read by the tool that opens it (see consumers.py)."""

import functools
import html
import http.server
import json
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from playground.exports import EXPORTERS
from playground.exports.text import visible

from .conftest import NASTY
from .consumers import check_perfetto, check_shiviz, png_size

NODE_DIR = Path(__file__).parent / "node"
PLANTUML_LIMIT = 4096
MERMAID_MAX_TEXT = 50_000


def export(fmt, events):
    return EXPORTERS[fmt].export(events)


# --- ShiViz --------------------------------------------------------------------------

def test_shiviz_reads_every_line_with_valid_clocks(every_trace):
    for name, events in every_trace.items():
        read = check_shiviz(export("shiviz", events))
        thread_events = [e for e in events if e.get("node") and e.get("thread")]
        assert len(read) >= len(thread_events), name
        labels = [label for label, _, _ in read]
        for e in events:
            if e["kind"] == "msg.send":  # kind, message id, peer, content, thread in the label
                assert any(label.startswith("msg.send · ") and f" {e['id']} " in label and e["to"] in label
                           and e["thread"].split("/")[-1] in label for label in labels), (name, e)
        drops = [e for e in events if e["kind"] in ("msg.drop", "node.crash", "deadlock")]
        assert sum(label.split(" · ")[0] in ("msg.drop", "node.crash", "deadlock") for label in labels) >= len(drops)


def test_shiviz_keeps_every_character_on_one_line(hostile_events):
    labels = [label for label, _, _ in check_shiviz(export("shiviz", hostile_events))]
    printed = [e["text"] for e in hostile_events if e["kind"] == "output"]  # as the run holds them
    sent = [e["content"] for e in hostile_events if e["kind"] == "msg.send"]
    for text in printed + sent:
        assert any(visible(text) in label for label in labels), text[:40]


# --- Perfetto ------------------------------------------------------------------------

def test_perfetto_rules_hold_and_every_delivered_message_is_one_flow(every_trace):
    for name, events in every_trace.items():
        trace = json.loads(export("chrome", events))
        check_perfetto(trace, events)
        if name == "deadlock-two-locks":
            holds = [e for e in trace["traceEvents"] if e.get("cat") == "holds"]
            assert [e["ph"] for e in holds].count("b") == [e["ph"] for e in holds].count("e") == 2


def test_perfetto_args_hold_the_text_whole(hostile_events):
    trace = json.loads(export("chrome", hostile_events))
    texts = {e["args"].get("text") for e in trace["traceEvents"] if e.get("cat") == "output"}
    assert texts == {e["text"] for e in hostile_events if e["kind"] == "output"} and set(NASTY[:-1]) <= texts
    contents = {e["args"].get("content") for e in trace["traceEvents"] if e.get("cat") == "msg.send"}
    assert contents == {e["content"] for e in hostile_events if e["kind"] == "msg.send"}


# --- PlantUML ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def plantuml():
    path = shutil.which("plantuml")
    if path is None:
        pytest.fail("plantuml is not installed: run `make export-tools` (Debian's plantuml)")
    return path


def render_plantuml(plantuml, files, kind):
    done = subprocess.run([plantuml, f"-t{kind}", "-charset", "UTF-8", "-failfast2", *map(str, files)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0 and "rror" not in done.stderr + done.stdout, done.stderr[-3000:] + done.stdout[-2000:]


def svg_size(svg):
    match = re.search(r'<svg[^>]*?width="(\d+)px"[^>]*?height="(\d+)px"', svg) or re.search(
        r'<svg[^>]*?height="(\d+)px"[^>]*?width="(\d+)px"', svg)
    assert match, svg[:300]
    return int(match[1]), int(match[2])


def svg_text(paths):
    return " ".join(html.unescape(t) for p in paths for t in re.findall(r">([^<]*)</text>", p.read_text("utf-8")))


def test_plantuml_renders_every_trace_with_no_error_and_no_page_past_its_limit(every_trace, plantuml, tmp_path):
    for name, events in every_trace.items():
        (tmp_path / f"{name}.puml").write_text(export("plantuml", events), encoding="utf-8")
    # SVG says each page's whole size (a PNG past the limit would be cut to it); PNG for the lessons too.
    render_plantuml(plantuml, sorted(tmp_path.glob("*.puml")), "svg")
    render_plantuml(plantuml, [tmp_path / f"{name}.puml" for name in every_trace if name != "long"], "png")
    for name in every_trace:
        svgs = sorted(tmp_path.glob(f"{name}.svg")) + sorted(tmp_path.glob(f"{name}_[0-9][0-9][0-9].svg"))
        assert svgs, name
        for page in svgs:
            svg = page.read_text(encoding="utf-8")
            assert "Syntax Error" not in svg and "An error has occured" not in svg, page.name
            width, height = svg_size(svg)
            assert height < PLANTUML_LIMIT and width < PLANTUML_LIMIT, (page.name, width, height)
        for page in sorted(tmp_path.glob(f"{name}*.png")):
            assert max(png_size(page.read_bytes())) < PLANTUML_LIMIT, page.name
    long_pages = sorted(tmp_path.glob("long*.svg"))
    assert len(long_pages) > 1, "a long run is drawn on several pages"
    assert "Not drawn" in svg_text(long_pages[-1:]), "what was left out is said on the last page"


def test_plantuml_shows_the_text_as_the_run_held_it(hostile_events, plantuml, tmp_path):
    (tmp_path / "hostile.puml").write_text(export("plantuml", hostile_events), encoding="utf-8")
    render_plantuml(plantuml, [tmp_path / "hostile.puml"], "svg")
    svg = "".join(p.read_text(encoding="utf-8") for p in sorted(tmp_path.glob("hostile*.svg")))
    shown = "".join(html.unescape(t) for t in re.findall(r">([^<]*)</text>", svg))
    assert 'font-weight="bold"' not in svg and 'font-style="italic"' not in svg, "text read as markup"
    for text in NASTY[:-1]:
        # Folded at spaces into lines (each <text>), so compare without the spaces.
        assert visible(text).replace(" ", "") in shown.replace(" ", "").replace("\u00a0", ""), text
    assert "more characters]" in shown  # the long text cut with a marker


# --- Mermaid -------------------------------------------------------------------------

PAGE = """<!doctype html><meta charset="utf-8"><body><script type="module">
import mermaid from "./node_modules/mermaid/dist/mermaid.esm.min.mjs";
mermaid.initialize({startOnLoad: false});
window.check = async (texts) => {
  const out = [];
  for (const [i, text] of texts.entries()) {
    try {
      await mermaid.parse(text);
      const {svg} = await mermaid.render("d" + i, text);
      out.push({svg});
    } catch (e) { out.push({error: String(e && e.message || e)}); }
  }
  return out;
};
window.ready = true;
</script>"""


def mermaid_blocks(markdown):
    return re.findall(r"```mermaid\n(.*?)```", markdown, re.S)


@pytest.fixture(scope="module")
def mermaid_page(tmp_path_factory):
    if not (NODE_DIR / "node_modules" / "mermaid").is_dir():
        pytest.fail("npm mermaid is not installed: run `make export-tools`")
    from playwright.sync_api import sync_playwright

    from tests.e2e.live_server import CHROMIUM_ARGS, chromium_path

    (NODE_DIR / "check.html").write_text(PAGE, encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(NODE_DIR))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_port}/check.html")
            page.wait_for_function("window.ready === true", timeout=60_000)
            yield page
            browser.close()
    finally:
        server.shutdown()
        (NODE_DIR / "check.html").unlink(missing_ok=True)


def test_mermaid_parses_and_renders_every_trace(every_trace, mermaid_page):
    for name, events in every_trace.items():
        blocks = mermaid_blocks(export("mermaid", events))
        assert blocks, name
        assert all(len(b) < MERMAID_MAX_TEXT for b in blocks), (name, [len(b) for b in blocks])
        results = mermaid_page.evaluate("texts => window.check(texts)", blocks)
        for result in results:
            assert "error" not in result, (name, result.get("error"))
            assert "Maximum text size" not in result["svg"] and "Syntax error" not in result["svg"]
        if name == "long":
            assert len(blocks) > 1
            assert "Not drawn" in html.unescape(results[-1]["svg"])


def test_mermaid_shows_the_text_as_the_run_held_it(hostile_events, mermaid_page):
    (result,) = mermaid_page.evaluate("texts => window.check(texts)",
                                      mermaid_blocks(export("mermaid", hostile_events)))
    svg = result["svg"]
    shown = "".join(html.unescape(t) for t in re.findall(r">([^<]*)</(?:text|tspan)>", svg))
    for text in NASTY[:-1]:
        assert visible(text).replace(" ", "") in shown.replace(" ", "").replace("\u00a0", ""), text
    assert "more characters]" in shown  # the long text cut with a marker
