"""No lesson's snippet reads the wall clock. `time.monotonic()`, `time.time()` or
`time.perf_counter()` read real time in every mode, so a stepped, replayed or explored
run of the lesson goes another way each time (the explorer's "N replays went another
way"). A lesson measures time with `now()`, the node's physical clock: real time in a
free run, the thread's virtual time under control (the same in every replay). Every
lesson file is found by listing the folder, so a new lesson is checked too."""

import ast
import json

import pytest

from tests.unit.helpers import LIBRARY

SLUGS = sorted(path.stem for path in LIBRARY.glob("*.json"))
ALLOWED = {"sleep"}  # time.sleep is the snippet API's sleep(): virtual under control
CLOCK_MODULES = {"time", "datetime"}


def snippets(slug: str):
    """(where, code) for every setup and thread snippet of a lesson."""
    data = json.loads((LIBRARY / f"{slug}.json").read_text())
    for node in data["nodes"]:
        if node.get("setup"):
            yield f"{node['id']} setup", node["setup"]
        for thread in node.get("threads", []):
            yield f"{node['id']}/{thread['name']}", thread["code"]


def wall_clock_reads(code: str) -> list[str]:
    """`line: what` for each read of the wall clock: an attribute of the time module other
    than sleep (under any name it was imported as), such a name imported from it, datetime."""
    tree = ast.parse(code)
    names = set()  # what the time module is called here
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "time":
                    names.add(alias.asname or "time")
                elif alias.name.split(".")[0] in CLOCK_MODULES:
                    found.append(f"{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in CLOCK_MODULES:
            found += [f"{node.lineno}: from {node.module} import {a.name}" for a in node.names
                      if node.module != "time" or a.name not in ALLOWED]
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in names and node.attr not in ALLOWED):
            found.append(f"{node.lineno}: {node.value.id}.{node.attr}")
    return sorted(found)


def test_the_check_sees_each_way_of_reading_the_clock():
    assert wall_clock_reads("import time\nstart = time.monotonic()\nsleep(0.1)\ntime.sleep(1)\n") == [
        "2: time.monotonic"]
    assert wall_clock_reads("import time as t\nx = t.perf_counter() - t.time()\n") == [
        "2: t.perf_counter", "2: t.time"]
    assert wall_clock_reads("from time import sleep, time_ns\nimport datetime\n") == [
        "1: from time import time_ns", "2: import datetime"]
    assert wall_clock_reads("start = now()\nsleep(0.05)\nprint(now() - start)\n") == []


@pytest.mark.parametrize("slug", SLUGS)
def test_no_lesson_snippet_reads_the_wall_clock(slug):
    reads = {where: found for where, code in snippets(slug) if (found := wall_clock_reads(code))}
    assert not reads, f"{slug} reads the wall clock (use now(), the node's clock): {reads}"
