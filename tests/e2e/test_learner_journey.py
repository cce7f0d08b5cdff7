"""A learner goes through the course in Chromium, on the real stack: opens lesson 1
from the lesson map, answers its prediction, breaks bank-withdraw-race by stepping
and sees it recognised, fixes it with a lock in the editor and sees the check pass,
tries a wrong fix (the lock released before the write) and steps through the
shortest failing schedule the check returns, moves on to the next lesson, and finds
the progress kept after a reload.

Screenshots of the map, a verdict, a passed and a failed check are saved under docs/
at 1440×900 and 1280×720 (docs/lessons-*.png)."""

import re

from playwright.sync_api import Page, expect

from tests.unit.challenge_cases import BANK_WITH_LOCK

from .live_server import ROOT
from .test_interleavings import step
from .test_run_a_lesson import RUN_TIMEOUT

DOCS = ROOT / "docs"
SIZES = [(1440, 900), (1280, 720)]


# Released before the write: both may still pass the check with the old balance.
RELEASED_TOO_EARLY = """from threading import Lock
balance_lock = Lock()

def withdraw(amount):
    global balance
    balance_lock.acquire()
    if amount > balance:
        balance_lock.release()
        print('Insufficient funds')
    else:
        balance_lock.release()
        balance = balance - amount
        print(balance)
"""


def shoot(page: Page, name: str, focus=None):
    """The element `focus` in the middle of the view (None: the top of the page), at each
    size: docs/lessons-<name>-<width>.png."""
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        if focus is None:
            page.evaluate("() => window.scrollTo(0, 0)")
        else:
            focus.evaluate("e => e.scrollIntoView({block: 'center'})")
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        page.screenshot(path=DOCS / f"lessons-{name}-{width}.png")
    page.set_viewport_size({"width": 1440, "height": 900})


def type_setup(page: Page, code: str):
    page.get_by_test_id("editor-tab-setup").click()
    page.get_by_test_id("editor-code").locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(code)
    expect(page.get_by_test_id("editor-code").locator(".cm-content")).to_contain_text("balance_lock = Lock()")


def test_a_learner_predicts_breaks_and_fixes_and_keeps_the_progress(page, playground_server):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(playground_server.url)

    # The lesson map: chapters, numbered lessons, each challenge's mark.
    lesson_map = page.get_by_test_id("lesson-map")
    expect(lesson_map).to_be_visible()
    first = page.get_by_test_id("scenario-shared-x-race")
    expect(first).to_have_attribute("data-number", "1.1")
    expect(page.get_by_test_id("scenario-bank-withdraw-race")).to_have_attribute("data-number", "1.2")
    expect(page.get_by_test_id("chapter-locks")).to_contain_text("2 Locks")
    expect(page.get_by_test_id("mark-shared-x-race-predict-x")).to_have_attribute("data-state", "not tried")

    # Lesson 1, opened from the map; the prediction, answered before running.
    first.click()
    expect(page.get_by_test_id("scenario-title")).to_have_text("x = square(x) against x = x + 1")
    expect(first).to_have_attribute("aria-current", "true")
    challenges = page.get_by_test_id("challenges")
    expect(challenges).to_contain_text("Lesson 1.1")
    page.get_by_test_id("hint-predict-x").click()
    expect(page.get_by_test_id("hints-predict-x").locator("li")).to_have_count(1)
    for value in ("6", "25", "26", "36"):
        page.get_by_test_id(f"choice-predict-x-{value}").check()
    shoot(page, "map")
    explanation = page.get_by_test_id("scenario-explanation")
    expect(explanation).not_to_have_attribute("open", "")  # what happens stays folded: the prediction is the learner's
    page.get_by_test_id("check-predict-x").click()
    predicted = page.get_by_test_id("check-result-predict-x")
    expect(predicted).to_have_attribute("data-passed", "true", timeout=RUN_TIMEOUT)
    expect(predicted).to_contain_text("Right!")
    expect(explanation).to_have_attribute("open", "")  # checked: now it says what happens and why
    shoot(page, "explanation", explanation)
    expect(page.get_by_test_id("mark-shared-x-race-predict-x")).to_have_attribute("data-state", "passed")

    # Next lesson: the two withdrawals. Break it by stepping: both check, both read 10, both write.
    page.get_by_test_id("next-lesson").click()
    expect(page.get_by_test_id("scenario-title")).to_have_text("Two withdrawals from one account")
    expect(page.get_by_test_id("scenario-bank-withdraw-race")).to_have_attribute("aria-current", "true")
    expect(page.get_by_test_id("scenario-explanation")).not_to_have_attribute("open", "")  # a new lesson: folded again
    page.get_by_test_id("break-step-lost-update").click()
    expect(page.get_by_test_id("stepper")).to_be_visible()
    for i, thread in enumerate(["P1", "P2"] * 4):
        step(page, f"bank-{thread}", i)
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "completed", timeout=RUN_TIMEOUT)
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-kind", "lost-update")
    expect(page.get_by_test_id("verdict-text")).to_contain_text(re.compile(r"P\d's write of \d overwrote P\d's write of \d"))
    broken = page.get_by_test_id("check-result-lost-update")
    expect(broken).to_have_attribute("data-passed", "true", timeout=RUN_TIMEOUT)
    expect(broken).to_contain_text("Broken!")
    expect(page.get_by_test_id("mark-bank-withdraw-race-lost-update")).to_have_attribute("data-state", "passed")
    shoot(page, "verdict", verdict)

    # Fix it: the lesson's code in the editor, a lock around the check and the write.
    page.get_by_test_id("edit-fix-with-a-lock").click()
    expect(page.get_by_test_id("editor")).to_be_visible()
    expect(challenges).to_be_visible()
    type_setup(page, BANK_WITH_LOCK)
    page.get_by_test_id("check-fix-with-a-lock").click()
    fixed = page.get_by_test_id("check-result-with-a-lock")
    expect(fixed).to_have_attribute("data-passed", "true", timeout=RUN_TIMEOUT)
    expect(fixed).to_contain_text("Fixed!")
    expect(fixed).to_contain_text("exhaustive")
    expect(page.get_by_test_id("mark-bank-withdraw-race-with-a-lock")).to_have_attribute("data-state", "passed")
    shoot(page, "check-passed", page.get_by_test_id("challenge-with-a-lock"))

    # A wrong fix: the lock released before the write. The check hands back the shortest failing schedule.
    type_setup(page, RELEASED_TOO_EARLY)
    page.get_by_test_id("check-fix-with-a-lock").click()
    expect(fixed).to_have_attribute("data-passed", "false", timeout=RUN_TIMEOUT)
    expect(fixed).to_contain_text("Not yet")
    witness = page.get_by_test_id("witness-with-a-lock")
    expect(witness).to_have_text(re.compile(r"shortest failing schedule \(\d+ steps\)"))
    steps = int(re.search(r"\((\d+) steps\)", witness.inner_text()).group(1))
    shoot(page, "check-failed", page.get_by_test_id("challenge-with-a-lock"))
    # A pass is never undone by a later failure.
    expect(page.get_by_test_id("mark-bank-withdraw-race-with-a-lock")).to_have_attribute("data-state", "passed")

    witness.click()
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_be_visible(timeout=RUN_TIMEOUT)
    expect(page.get_by_test_id("timeline-title")).to_have_text(f"The shortest failing schedule ({steps} steps)")
    position = page.get_by_test_id("timeline-position")
    expect(position).to_have_attribute("data-steps", str(steps), timeout=RUN_TIMEOUT)
    balance = page.get_by_test_id("var-value-bank-balance")
    expect(balance).to_have_text("-5")
    page.get_by_test_id("timeline-first").click()
    expect(position).to_have_attribute("data-position", "0")
    expect(balance).to_have_text("10")
    for n in range(1, steps + 1):
        page.get_by_test_id("timeline-forward").click()
        expect(position).to_have_attribute("data-position", str(n))
    expect(balance).to_have_text("-5")

    # Closing the editor brings the lesson back (its text and code), then on to the next lesson.
    page.get_by_test_id("editor-close").click()
    expect(page.get_by_test_id("scenario-title")).to_have_text("Two withdrawals from one account")
    expect(page.get_by_test_id("snippet-bank-setup")).to_be_visible()
    page.get_by_test_id("next-lesson").click()
    expect(page.get_by_test_id("scenario-bank-withdraw-lock")).to_have_attribute("aria-current", "true")
    expect(challenges).to_contain_text("Lesson 2.1")

    # A reload keeps the progress (a visitor's, in this browser).
    page.reload()
    expect(page.get_by_test_id("lesson-map")).to_be_visible()
    for lesson, challenge in [("shared-x-race", "predict-x"), ("bank-withdraw-race", "lost-update"),
                              ("bank-withdraw-race", "with-a-lock")]:
        expect(page.get_by_test_id(f"mark-{lesson}-{challenge}")).to_have_attribute("data-state", "passed")
    expect(page.get_by_test_id("scenario-bank-withdraw-race")).to_have_attribute("data-passed", "2")
