"""instrument.py in-process: what the rewriting turns a snippet into, and what it refuses."""

from __future__ import annotations

import pytest

from playground.engine.instrument import (
    FORMAT_HOOK,
    MUTATED,
    NAME_KEYWORD,
    SHARED,
    SnippetRefused,
    compile_expression,
    instrument,
)


class Recorder:
    """Stands in for `__shared__`: records every read and write."""

    def __init__(self, **values):
        object.__setattr__(self, "values", dict(values))
        object.__setattr__(self, "log", [])

    def __getattr__(self, name):
        self.log.append(("read", name))
        return self.values[name]

    def __setattr__(self, name, value):
        self.log.append(("write", name))
        self.values[name] = value


def execute(code: str, shared: dict, **names):
    recorder = Recorder(**shared)
    mutated: list[str] = []
    namespace = {SHARED: recorder, MUTATED: mutated.append, FORMAT_HOOK: getattr, **names}
    exec(instrument(code, frozenset(shared), "<n/P1>"), namespace)
    return recorder, mutated, namespace


def test_reads_and_writes_of_shared_variables_go_through_the_runtime():
    recorder, _, _ = execute("x = x + 1\ny = 2\n", {"x": 1})
    assert recorder.log == [("read", "x"), ("write", "x")]
    assert recorder.values["x"] == 2


def test_python_scoping_decides_what_is_shared():
    code = ("def local():\n    x = 10\n    return x\n"
            "def touch():\n    global x\n    x = x * 3\n"
            "a = local()\ntouch()\nb = [x for x in range(2)]\nc = [x + i for i in range(2)]\n")
    recorder, _, namespace = execute(code, {"x": 1})
    assert namespace["a"] == 10 and namespace["b"] == [0, 1] and namespace["c"] == [3, 4]
    assert recorder.log == [("read", "x"), ("write", "x"), ("read", "x"), ("read", "x")]


def test_in_place_changes_of_a_shared_container_are_reported():
    recorder, mutated, _ = execute("items.append(7)\ntable['k'] = 1\nother = []\nother.append(1)\n",
                                   {"items": [], "table": {}})
    assert mutated == ["items", "table"]
    assert recorder.values == {"items": [7], "table": {"k": 1}}


def test_a_resource_made_by_assignment_gets_its_display_name():
    made = []

    def Lock(**kw):
        made.append(kw)

    execute("x_lock = Lock()\nholder = Lock()\n", {}, Lock=Lock)
    assert made == [{NAME_KEYWORD: "x_lock"}, {NAME_KEYWORD: "holder"}]


def test_format_goes_through_the_guard():
    seen = []

    def hook(obj, name):
        seen.append(name)
        return getattr(obj, name)

    recorder = Recorder()
    namespace = {SHARED: recorder, MUTATED: lambda name: None, FORMAT_HOOK: hook}
    exec(instrument("s = '{} {}'.format(1, 2)\n", frozenset(), "<n/P1>"), namespace)
    assert seen == ["format"] and namespace["s"] == "1 2"


@pytest.mark.parametrize("code, line, words", [
    ("x = 1\ny = ().__class__\n", 2, "underscore"),
    ("import os as _os\n", 1, "underscore"),
    ("def f(_secret):\n    pass\n", 1, "underscore"),
    ("f(_x=1)\n", 1, "keyword"),
    ("g = (i for i in []).gi_frame\n", 1, "gi_frame"),
    ("from . import x\n", 1, "relative"),
    ("match p:\n    case C(x):\n        pass\n", 2, "class pattern"),
])
def test_it_refuses_the_escapes_with_the_snippet_line(code, line, words):
    with pytest.raises(SnippetRefused) as caught:
        instrument(code, frozenset(), "<n/P1>")
    assert caught.value.line == line and words in str(caught.value)


def test_a_learners_class_may_define_special_methods_but_not_read_them():
    instrument("class A:\n    def __init__(self):\n        self.v = 1\n", frozenset(), "<n/P1>")
    with pytest.raises(SnippetRefused):
        instrument("class A:\n    pass\nA().__init__\n", frozenset(), "<n/P1>")


def test_syntax_errors_are_python_s_and_the_wall_can_be_switched_off_for_os_tests():
    with pytest.raises(SyntaxError):
        instrument("x = = 1\n", frozenset(), "<n/P1>")
    instrument("y = ().__class__\n", frozenset(), "<n/P1>", python_wall=False)


def test_an_invariant_is_an_expression_checked_like_a_snippet():
    assert eval(compile_expression("x + 1 == 2", frozenset({"x"}), "<invariant>"), {"x": 1})
    with pytest.raises(SnippetRefused):
        compile_expression("x.__class__", frozenset({"x"}), "<invariant>")
