"""The explorer's visited states (framestate.py): a thread is its frames' positions,
locals and the values read that may still sit on the stack — not a step counter, not
every value it ever read. A busy-wait loop comes back to the same state, so its search
ends; a value read earlier in the statement under way still tells states apart."""

from __future__ import annotations

from playground.engine.explore import Explorer
from tests.unit.helpers import scenario


def explore(spec: dict, **how) -> dict:
    spec = dict(spec, run={**spec["run"], "mode": "explore", "max_schedules": 3_000})
    events: list[dict] = []
    Explorer(spec, events.append, **how).run()
    (result,) = [e for e in events if e["kind"] == "explore.result"]
    return result


def printed(result: dict, thread: str) -> set[tuple[str, ...]]:
    return {tuple(o["outputs"][thread]) for o in result["outcomes"]}


def test_a_busy_wait_loop_is_explored_exhaustively_with_finitely_many_states():
    spec = scenario({"reader": "while not ready:\n    pass\nprint(data)\n",
                     "writer": "data = 42\nready = True\n"}, shared={"ready": False, "data": 0})
    result = explore(spec)
    assert result["exhaustive"]
    assert printed(result, "n/reader") == {("42",)}
    assert result["states"] < 50  # each turn of the loop is the same state


SPIN = """\
for k in range(2):
    flag[ME] = True
    turn = OTHER
    while flag[OTHER] and turn == OTHER:
        pass
    with section('critical'):
        count = count + 1
    flag[ME] = False
"""


def test_two_threads_spinning_in_a_range_loop_are_explored_exhaustively_and_agree_with_sleep_sets():
    spec = scenario({"P0": SPIN.replace("ME", "0").replace("OTHER", "1"),
                     "P1": SPIN.replace("ME", "1").replace("OTHER", "0")},
                    shared={"flag": [False, False], "turn": 0, "count": 0})
    spec["invariants"] = ["inside('critical') <= 1"]
    dpor, before = explore(spec), explore(spec, dpor=False)
    assert dpor["exhaustive"] and before["exhaustive"]
    assert {o["key"] for o in dpor["outcomes"]} == {o["key"] for o in before["outcomes"]}
    assert {o["shared"]["n"]["turn"] for o in dpor["outcomes"]} == {0, 1}  # whoever gave way last
    assert {o["status"] for o in dpor["outcomes"]} == {"completed"}


def test_a_value_read_earlier_in_the_same_statement_still_tells_states_apart():
    # Before `b` is read, `a`'s value is on the stack only: a state after `a = 1` where the
    # reader saw 0 and one where it saw 1 are different states, with different prints.
    spec = scenario({"reader": "r = (a +\n     b)\nprint(r)\n", "writer": "b = 0\na = 1\n"},
                    shared={"a": 0, "b": 0})
    result = explore(spec)
    assert result["exhaustive"]
    assert printed(result, "n/reader") == printed(explore(spec, dpor=False), "n/reader") == {("0",), ("1",)}
    unreduced = explore(spec, reduction=False)
    assert {o["key"] for o in result["outcomes"]} == {o["key"] for o in unreduced["outcomes"]}


def test_a_value_a_called_function_read_before_returning_is_kept_by_its_caller():
    setup = "def get():\n    return a\n"
    spec = scenario({"reader": "r = get() + b\nprint(r)\n", "writer": "b = 0\na = 1\n"}, shared={"a": 0, "b": 0},
                    setup=setup)
    result = explore(spec)
    assert result["exhaustive"]
    assert printed(result, "n/reader") == {("0",), ("1",)}


def test_the_iterator_of_a_for_loop_over_a_list_keeps_its_turns_apart():
    # `for v in [1, 1]`: the same local `v` in both turns; only the iterator (on the stack)
    # says which turn it is. Merging them would lose the runs where both turns are counted.
    spec = scenario({"adder": "for v in [1, 1]:\n    total = total + v\n", "reset": "total = 0\n"},
                    shared={"total": 5})
    result = explore(spec)
    unreduced = explore(spec, reduction=False)
    assert result["exhaustive"] and unreduced["exhaustive"]
    assert {o["shared"]["n"]["total"] for o in result["outcomes"]} == {
        o["shared"]["n"]["total"] for o in unreduced["outcomes"]} == {0, 1, 2, 7}


def test_an_object_of_the_snippets_own_class_keeps_the_whole_history():
    setup = "class Box:\n    def __init__(self):\n        self.n = 0\n"
    code = "box = Box()\nfor k in range(3):\n    if go:\n        box.n = box.n + 1\nprint(box.n)\n"
    spec = scenario({"counter": code, "switch": "go = False\n"}, shared={"go": True}, setup=setup)
    result = explore(spec)
    unreduced = explore(spec, reduction=False)
    assert result["exhaustive"]
    assert printed(result, "n/counter") == printed(unreduced, "n/counter") == {("0",), ("1",), ("2",), ("3",)}


def test_two_threads_waiting_for_each_other_forever_are_a_livelock_outcome():
    spec = scenario({"A": "a_waits = True\nwhile b_waits:\n    pass\na_waits = False\n",
                     "B": "b_waits = True\nwhile a_waits:\n    pass\nb_waits = False\n"},
                    shared={"a_waits": False, "b_waits": False})
    result = explore(spec)
    assert result["exhaustive"]
    (livelock,) = [o for o in result["outcomes"] if o["status"] == "timeout"]
    assert livelock["shared"]["n"] == {"a_waits": True, "b_waits": True}
    assert livelock["error"].startswith("livelock") and livelock["verdict"]["kind"] == "timeout"
    assert {o["status"] for o in result["outcomes"]} == {"completed", "timeout"}
