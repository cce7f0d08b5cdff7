"""A person takes control of the interleaving — in Chromium, on the real stack:
steps threads by hand, undoes a step, explores every interleaving and replays a
witness backwards and forwards."""

import re

from playwright.sync_api import Page, expect

from .test_run_a_lesson import RUN_TIMEOUT, open_lesson


def start(page: Page, mode: str):
    page.get_by_test_id(f"mode-{mode}").click()
    expect(page.get_by_test_id(f"mode-{mode}")).to_have_attribute("aria-checked", "true")
    page.get_by_test_id("run").click()


def step(page: Page, thread: str, steps_before: int):
    """Clicks the thread's Step button once the run asks, and waits for the step to be taken."""
    button = page.get_by_test_id(f"step-{thread}")
    expect(button).to_be_enabled(timeout=RUN_TIMEOUT)
    button.click()
    expect(page.get_by_test_id("schedule").locator("li")).to_have_count(steps_before + 1, timeout=RUN_TIMEOUT)


def schedule_names(page: Page):
    return (
        page.get_by_test_id("schedule").locator("li").evaluate_all("lis => lis.map(li => li.dataset.thread)")
    )


def variable(page: Page, node: str, name: str):
    return page.get_by_test_id(f"var-value-{node}-{name}")


def test_stepping_the_bank_race_by_hand_makes_the_lost_update(page, playground_server):
    open_lesson(page, playground_server.url, "bank-withdraw-race")
    start(page, "step")
    expect(page.get_by_test_id("stepper")).to_be_visible()
    expect(page.get_by_test_id("step-prompt")).to_contain_text("Your turn", timeout=RUN_TIMEOUT)

    # Both check 10, both read 10, P1 writes 2, P2 writes 3.
    for i, thread in enumerate(["P1", "P2", "P1", "P2"]):
        step(page, f"bank-{thread}", i)
    expect(variable(page, "bank", "balance")).to_have_text("10")
    expect(page.get_by_test_id("step-last-bank-P2")).to_have_text("last step: P2 read balance = 10")
    step(page, "bank-P1", 4)
    expect(variable(page, "bank", "balance")).to_have_text("2")
    expect(page.get_by_test_id("step-last-bank-P1")).to_have_text("last step: balance: 10 → 2")
    expect(page.get_by_test_id("step-code-bank-P1").locator(".code-line.current")).to_have_attribute(
        "data-line", "6"
    )
    step(page, "bank-P2", 5)
    expect(variable(page, "bank", "balance")).to_have_text("3")
    assert schedule_names(page) == ["bank/P1", "bank/P2"] * 3

    # Each prints the balance and finishes.
    step(page, "bank-P1", 6)
    expect(page.get_by_test_id("step-card-bank-P1")).to_have_attribute("data-status", "finished")
    expect(page.get_by_test_id("step-bank-P1")).to_be_disabled()
    step(page, "bank-P2", 7)

    expect(page.get_by_test_id("run-status")).to_have_attribute(
        "data-status", "completed", timeout=RUN_TIMEOUT
    )
    final = page.get_by_test_id("final-shared").locator("tr", has_text="balance").locator("td.value")
    expect(final).to_have_text("3")
    # Both withdrawals succeeded: 8 + 7 paid out of 10, and nobody was refused.
    expect(page.get_by_test_id("output-bank/P1")).to_contain_text("3")
    expect(page.get_by_test_id("output-bank/P2")).to_contain_text("3")
    expect(page.get_by_test_id("outputs")).not_to_contain_text("Insufficient funds")

    # Undo replays the first seven steps in a new run and waits for the learner again.
    first_run = page.get_by_test_id("seq").inner_text()
    page.get_by_test_id("step-undo").click()
    expect(page.get_by_test_id("seq")).not_to_have_text(first_run, timeout=RUN_TIMEOUT)
    expect(page.get_by_test_id("schedule").locator("li")).to_have_count(7, timeout=RUN_TIMEOUT)
    expect(page.get_by_test_id("step-bank-P2")).to_be_enabled(timeout=RUN_TIMEOUT)
    expect(page.get_by_test_id("step-bank-P1")).to_be_disabled()
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "running")
    expect(variable(page, "bank", "balance")).to_have_text("3")

    # Stopped, it can be picked up again where it was; Run to end finishes it with random steps.
    page.get_by_test_id("cancel").click()
    expect(page.get_by_test_id("run-status")).to_have_attribute(
        "data-status", "cancelled", timeout=RUN_TIMEOUT
    )
    page.get_by_test_id("step-resume").click()
    expect(page.get_by_test_id("step-bank-P2")).to_be_enabled(timeout=RUN_TIMEOUT)
    expect(page.get_by_test_id("schedule").locator("li")).to_have_count(7)
    page.get_by_test_id("step-continue").click()
    expect(page.get_by_test_id("run-status")).to_have_attribute(
        "data-status", "completed", timeout=RUN_TIMEOUT
    )
    expect(page.get_by_test_id("schedule").locator("li")).to_have_count(8)
    expect(final).to_have_text("3")


def test_a_blocked_thread_cannot_step_and_says_why(page, playground_server):
    open_lesson(page, playground_server.url, "deadlock-two-locks")
    start(page, "step")
    # P1 takes x_lock, P2 takes y_lock, P1 asks for y_lock and must wait.
    for i, thread in enumerate(["P1", "P2", "P1"]):
        step(page, f"memory-{thread}", i)
    expect(page.get_by_test_id("step-memory-P2")).to_be_enabled(timeout=RUN_TIMEOUT)
    expect(page.get_by_test_id("step-memory-P1")).to_be_disabled()
    expect(page.get_by_test_id("step-reason-memory-P1")).to_have_text("waiting for y_lock held by P2")
    expect(page.get_by_test_id("resource-owners-memory/y_lock")).to_have_text("P2")
    expect(page.get_by_test_id("resource-waiting-memory/y_lock")).to_have_text("P1")
    # P2 asks for x_lock, which P1 holds: the circle closes.
    page.get_by_test_id("step-memory-P2").click()
    expect(page.get_by_test_id("run-status")).to_have_attribute(
        "data-status", "deadlock", timeout=RUN_TIMEOUT
    )
    expect(page.get_by_test_id("deadlock-cycle").locator("li.cycle")).to_have_count(2)


def test_exploring_the_x_race_finds_the_four_outcomes_and_a_witness_replays_backwards(
    page, playground_server
):
    open_lesson(page, playground_server.url, "shared-x-race")
    start(page, "explore")
    exhaustive = page.get_by_test_id("explore-exhaustive")
    expect(exhaustive).to_have_attribute("data-exhaustive", "true", timeout=RUN_TIMEOUT)
    expect(exhaustive).to_have_text("exhaustive")
    outcomes = page.get_by_test_id("outcome")
    expect(outcomes).to_have_count(4)
    labels = page.get_by_test_id("outcome-label").all_inner_texts()
    assert sorted(labels) == sorted(["x = 6", "x = 25", "x = 26", "x = 36"]), labels
    for o in outcomes.all():
        expect(o).to_have_attribute("data-status", "completed")

    # x = 6: both read 5, P1 writes 25, then P2 writes 6. Replay it, then step back.
    page.get_by_test_id("outcome").filter(has=page.get_by_test_id("outcome-label").filter(has_text=re.compile(r"^x = 6$"))).click()
    expect(page.get_by_test_id("timeline")).to_be_visible(timeout=RUN_TIMEOUT)
    expect(page.get_by_test_id("run-status")).to_have_attribute(
        "data-status", "completed", timeout=RUN_TIMEOUT
    )
    position = page.get_by_test_id("timeline-position")
    expect(position).to_have_attribute("data-position", "4")
    expect(variable(page, "memory", "x")).to_have_text("6")
    expect(page.get_by_test_id("outcome").filter(has=page.get_by_test_id("outcome-label").filter(has_text=re.compile(r"^x = 6$")))).to_have_attribute(
        "aria-pressed", "true"
    )
    # The histogram stays while the witness is shown.
    expect(outcomes).to_have_count(4)

    page.get_by_test_id("timeline-back").click()
    expect(position).to_have_attribute("data-position", "3")
    expect(variable(page, "memory", "x")).to_have_text("25")
    expect(page.get_by_test_id("result")).to_be_hidden()

    page.keyboard.press("ArrowLeft")
    expect(position).to_have_attribute("data-position", "2")
    expect(variable(page, "memory", "x")).to_have_text("5")
    # Both threads have read x and wait at their line.
    for thread in ("P1", "P2"):
        expect(page.get_by_test_id(f"code-memory-{thread}").locator(".code-line.current")).to_have_count(1)

    page.keyboard.press("ArrowRight")
    expect(variable(page, "memory", "x")).to_have_text("25")
    page.get_by_test_id("timeline-last").click()
    expect(variable(page, "memory", "x")).to_have_text("6")
    expect(page.get_by_test_id("result-status")).to_have_text("completed")


def test_exploring_the_deadlock_lesson_marks_the_deadlock_and_its_witness_deadlocks(page, playground_server):
    open_lesson(page, playground_server.url, "deadlock-two-locks")
    start(page, "explore")
    expect(page.get_by_test_id("explore-exhaustive")).to_have_attribute(
        "data-exhaustive", "true", timeout=RUN_TIMEOUT
    )
    deadlocks = page.locator("[data-testid=outcome][data-status=deadlock]")
    expect(deadlocks).to_have_count(1)
    expect(deadlocks.get_by_test_id("outcome-problem")).to_have_text("deadlock")
    # The verdict names who holds what and waits for what.
    expect(deadlocks).to_contain_text(re.compile(r"P\d (holds \w_lock and waits for \w_lock|waits for \w_lock held by P\d)"))

    deadlocks.click()
    expect(page.get_by_test_id("run-status")).to_have_attribute(
        "data-status", "deadlock", timeout=RUN_TIMEOUT
    )
    graph = page.get_by_test_id("wait-for-graph")
    expect(graph).to_have_attribute("data-cycle-nodes", "4")
    # One step back, the last lock request has not been made: no cycle yet.
    page.get_by_test_id("timeline-back").click()
    expect(page.get_by_test_id("deadlock-explanation")).not_to_contain_text("Deadlock")
    expect(graph).to_have_attribute("data-cycle-nodes", "0")
