"""A person picks a lesson, presses Run and reads what happened — in Chromium, on the real stack."""

import json
import re

from playwright.sync_api import Page, expect

from .socket_cut import cut_first_connection_after

RUN_TIMEOUT = 90_000  # a run goes through Celery and a sandboxed child; be generous


def open_lesson(page: Page, url: str, slug: str):
    page.goto(f"{url}/#/{slug}")
    expect(page.get_by_test_id(f"scenario-{slug}")).to_have_attribute("aria-current", "true")
    expect(page.get_by_test_id("scenario-title")).not_to_be_empty()


def run_to_the_end(page: Page, final_status: str):
    page.get_by_test_id("run").click()
    expect(page.get_by_test_id("run-status")).to_have_attribute(
        "data-status", final_status, timeout=RUN_TIMEOUT
    )
    expect(page.get_by_test_id("result-status")).to_have_text(final_status)


def test_the_library_lists_the_lessons_with_their_code(page, playground_server):
    page.goto(playground_server.url)
    expect(page.get_by_test_id("scenario-deadlock-two-locks")).to_be_visible()
    expect(page.get_by_test_id("scenario-bank-withdraw-lock")).to_be_visible()
    page.get_by_test_id("scenario-bank-withdraw-lock").click()
    expect(page).to_have_url(re.compile(r"#/bank-withdraw-lock$"))
    # The setup and each thread's code, read-only, with line numbers.
    for snippet in ("setup", "P1", "P2"):
        expect(page.get_by_test_id(f"snippet-bank-{snippet}")).to_be_visible()
    p1 = page.get_by_test_id("code-bank-P1")
    expect(p1.locator(".code-line .src").first).to_have_text("withdraw(8)")
    expect(p1.locator(".code-line .ln").first).to_have_text("1")
    expect(page.get_by_test_id("code-bank-setup")).to_contain_text("balance_lock.acquire()")


def test_the_deadlock_lesson_draws_the_wait_for_cycle(page, playground_server):
    open_lesson(page, playground_server.url, "deadlock-two-locks")
    run_to_the_end(page, "deadlock")

    graph = page.get_by_test_id("wait-for-graph")
    expect(graph).to_be_visible()
    # Two threads each holding one lock and waiting for the other: 4 nodes, 4 edges, all in the cycle.
    expect(graph).to_have_attribute("data-cycle-nodes", "4")
    expect(graph).to_have_attribute("data-cycle-edges", "4")
    cycle = page.get_by_test_id("deadlock-cycle").locator("li.cycle")
    expect(cycle).to_have_count(2)
    explanation = page.get_by_test_id("deadlock-explanation")
    expect(explanation).to_contain_text("Deadlock")
    expect(explanation).to_contain_text(re.compile(r"waits for \S+_lock, which \S+ holds"))
    expect(page.get_by_test_id("event-log").locator("tr[data-kind=deadlock]")).to_have_count(1)
    expect(page.get_by_test_id("event-log")).to_contain_text(re.compile(r"waits for \S+ held by"))


def test_the_bank_lesson_ends_with_one_withdrawal(page, playground_server):
    open_lesson(page, playground_server.url, "bank-withdraw-lock")
    run_to_the_end(page, "completed")

    final = page.get_by_test_id("final-shared").locator("tr", has_text="balance").locator("td.value")
    expect(final).to_have_text(re.compile(r"^[23]$"))
    outputs = page.get_by_test_id("outputs").locator("pre")
    expect(outputs).to_have_count(2)
    texts = outputs.all_inner_texts()
    assert sum("Insufficient funds" in t for t in texts) == 1, texts
    # The live panels agree with the result.
    live_balance = page.get_by_test_id("variables").locator("tr", has_text="balance").locator("td.value")
    expect(live_balance).to_have_text(final.inner_text())
    for thread in page.get_by_test_id("threads").locator("li").all():
        expect(thread).to_have_attribute("data-status", "finished")
    expect(page.get_by_test_id("event-log")).to_contain_text(re.compile(r"P[12] acquired balance_lock"))


def test_the_trace_downloads_as_jsonl_matching_the_log(page, playground_server, tmp_path):
    open_lesson(page, playground_server.url, "bank-withdraw-lock")
    run_to_the_end(page, "completed")

    with page.expect_download() as info:
        page.get_by_test_id("download-trace").click()
    path = tmp_path / "trace.jsonl"
    info.value.save_as(path)
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    header, events = lines[0], lines[1:]  # the header line says the format and carries the spec
    assert header["format"] == "playground.event/1" and "seq" not in header and header["spec"]["slug"]
    assert all(e["format"] == "playground.event/1" for e in events)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[-1]["kind"] == "run.finished"
    assert events[-1]["status"] == "completed"
    # The page showed every event exactly once.
    expect(page.get_by_test_id("event-log").locator("tbody tr")).to_have_count(len(events))


def test_a_dropped_connection_resumes_after_the_last_event(page, playground_server):
    """The first WebSocket is cut after seq 3; the page reconnects with ?after=3 and misses nothing."""
    urls = cut_first_connection_after(page, 3, pass_other_messages=False)
    open_lesson(page, playground_server.url, "bank-withdraw-lock")
    run_to_the_end(page, "completed")

    assert len(urls) >= 2, urls
    assert "after=0" in urls[0]
    assert "after=3" in urls[1]
    seqs = [
        int(s)
        for s in page.get_by_test_id("event-log")
        .locator("tbody tr")
        .evaluate_all("rows => rows.map(r => r.dataset.seq)")
    ]
    assert seqs == list(range(1, len(seqs) + 1))
    assert seqs[-1] > 3


def test_the_page_says_so_when_the_frontend_is_not_built(page, playground_server):
    page.route("**/static/dist/app.js", lambda route: route.fulfill(status=404, body="not found"))
    page.goto(playground_server.url)
    expect(page.get_by_test_id("boot")).to_contain_text("The frontend has not been built yet")
    expect(page.get_by_test_id("boot")).to_contain_text("make frontend")
