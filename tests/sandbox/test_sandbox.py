"""Untrusted snippets run in a child process that cannot hurt the caller.

Every case: the caller gets the events up to that point and exactly one
`run.finished`, with status `failed` or `timeout` and a clear error.
"""

import subprocess
import sys
import threading

import pytest

from playground.engine.safety import PlaygroundRefusal, _audit
from playground.engine.sandbox import run_sandboxed
from tests.unit.helpers import finished, kinds, scenario


def sandboxed(code: str, **run) -> list[dict]:
    events = run_sandboxed(scenario({"P1": code}, **run))
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    return events


def refusal(code: str) -> tuple[dict, dict]:
    events = sandboxed(code)
    end = finished(events)
    assert end["status"] == "failed", end
    (failed,) = kinds(events, "thread.failed")
    return failed, end


def test_an_endless_loop_is_stopped_at_the_timeout_with_the_events_so_far():
    # 2 s: room for the child to start on a loaded machine before its time runs out.
    events = sandboxed("print('before')\nwhile True:\n    pass\n", timeout_ms=2000)
    end = finished(events)
    assert end["status"] == "timeout"
    assert [e["text"] for e in kinds(events, "output")] == ["before"]
    assert end["outputs"]["n/P1"] == ["before"]


def test_a_computation_that_holds_the_interpreter_is_killed_by_the_parent():
    events = sandboxed("print('start')\nx = 9 ** (9 ** 9)\n", timeout_ms=2000)
    end = finished(events)
    assert end["status"] == "timeout"
    assert "2000 ms" in end["error"]
    assert end["outputs"] == {"n/P1": ["start"]}


@pytest.mark.parametrize("code, line, words", [
    ("x = 1\nopen('/etc/passwd').read()\n", 2, "open() is not available"),
    ("import os\n", 1, "import of 'os' is not allowed"),
    ("import socket\n", 1, "import of 'socket' is not allowed"),
    ("from subprocess import run\n", 1, "import of 'subprocess' is not allowed"),
    ("__import__('subprocess')\n", 1, "'__import__' is off-limits"),
    ("eval('1 + 1')\n", 1, "eval() is not available"),
    ("exec('import os')\n", 1, "exec() is not available"),
    ("compile('1', 'x', 'eval')\n", 1, "compile() is not available"),
    ("b = __builtins__\n", 1, "'__builtins__' is off-limits"),
    ("k = ().__class__.__base__.__subclasses__()\n", 1, "'.__subclasses__'"),
    ("k = getattr((), '__cl' + 'ass__')\n", 1, "'__class__' is off-limits"),
    ("k = type(()).mro()\n", 1, "'.mro' is off-limits"),
    ("g = (i for i in [1])\nf = g.gi_frame\n", 2, "'.gi_frame' is off-limits"),
    ("import random\nr = random.Random\nrandom.seed(1)\nx = getattr(random, '_os')\n", 4, "'_os' is off-limits"),
    ("import dataclasses\nx = dataclasses.sys\n", 2, "has no attribute 'sys'"),
])
def test_escapes_are_refused_with_a_clear_error_at_their_line(code, line, words):
    failed, end = refusal(code)
    assert words in failed["error"], failed["error"]
    assert failed["line"] == line
    assert end["status"] == "failed"


def test_allocating_ten_gigabytes_is_stopped_by_the_memory_limit():
    failed, end = refusal("print('asking')\nx = bytearray(10 * 1024 ** 3)\n")
    assert failed["error"].startswith("MemoryError") and failed["line"] == 2
    assert end["outputs"]["n/P1"] == ["asking"]


def test_a_fork_is_refused_even_for_code_that_found_the_os_module():
    """The snippet cannot import os; should it ever reach it, the audit hook still says no."""
    failed, _ = refusal("import os\nos.fork()\n")
    assert "not allowed" in failed["error"]
    for event in ("os.fork", "os.forkpty", "os.system", "os.posix_spawn", "subprocess.Popen", "open",
                  "socket.connect", "socket.bind", "ctypes.dlopen", "os.exec", "os.kill"):
        with pytest.raises(PlaygroundRefusal):
            _audit(event, ())
    _audit("exec", ())  # running snippet code is what the child is for


def test_a_snippet_cannot_take_down_the_other_threads_or_the_caller():
    events = run_sandboxed(scenario({"bad": "raise SystemExit(3)\n", "good": "sleep(0.05)\nprint('still here')\n"}))
    end = finished(events)
    assert end["outputs"]["n/good"] == ["still here"]
    assert end["status"] == "failed"
    assert kinds(events, "thread.failed")[0]["error"].startswith("SystemExit")


def test_cancel_ends_a_running_child_promptly():
    from playground.engine.sandbox import SandboxedRun

    run = SandboxedRun(scenario({"P1": "while True:\n    sleep(0.01)\n"}, timeout_ms=60000)).start()
    run.control({"type": "cancel"})
    events = [e for batch in run.batches() for e in batch]
    end = finished(events)
    assert end["status"] == "cancelled"


def test_a_thread_bomb_is_stopped_with_a_clear_error():
    events = sandboxed("def f():\n    sleep(5)\nwhile True:\n    spawn(f)\n", timeout_ms=3000)
    failed = [e for e in kinds(events, "thread.failed") if e["thread"] == "n/P1"]
    assert failed and "at most 200 threads" in failed[0]["error"] and failed[0]["line"] == 4
    assert finished(events)["status"] in ("failed", "timeout")


def test_a_huge_print_is_cut_and_an_endless_stream_of_events_is_stopped(monkeypatch):
    events = sandboxed("print('x' * 10 ** 7)\n")
    (output,) = kinds(events, "output")
    assert len(output["text"]) < 5000 and "more characters" in output["text"]
    import playground.engine.runtime as runtime
    from tests.unit.helpers import run

    monkeypatch.setattr(runtime, "MAX_EVENTS", 500)
    events = run(scenario({"P1": "while True:\n    x = x + 1\n"}, shared={"x": 0}))
    end = finished(events)
    assert end["status"] == "failed" and "500 events" in end["error"]
    assert end["seq"] == 501  # 500 events, then run.finished


def test_a_spare_child_asked_for_by_a_thread_that_has_ended_still_runs_the_next_run():
    """A check runs in a request's thread, which ends with the request; the spare it asked
    for must not die with that thread (a child behind the wall dies with its parent
    thread), or the next check's run is killed."""
    from playground.engine import sandbox
    from playground.engine.spares import stop

    spares = sandbox.SPARES
    spare = spares.take(sys.executable)  # start from none
    if spare is not None:
        stop(spare)
    asker = threading.Thread(target=spares.refill, args=(sys.executable,))
    asker.start()
    asker.join()
    assert spares.wait_ready(timeout=60)
    with pytest.raises(subprocess.TimeoutExpired):  # the ended thread's child would be dead within milliseconds
        spares.spare[1].wait(timeout=1)
    events = run_sandboxed(scenario({"A": "x = x + 1"}, shared={"x": 0}))
    assert finished(events)["status"] == "completed", finished(events)
