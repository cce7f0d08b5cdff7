"""The registry of synchronisation primitives (playground/engine/primitives/registry.py):
the spec, the snippet's `threading` and the instrumentation all come from it."""

from __future__ import annotations

import pytest

from playground.engine import instrument, spec
from playground.engine.primitives import registry
from playground.engine.primitives.lock import Lock
from playground.engine.primitives.rlock import RLock
from playground.engine.primitives.semaphore import BoundedSemaphore, Semaphore
from playground.engine.runtime import Runtime
from playground.engine.snippet_api import SnippetAPI
from playground.engine.spec import SpecError
from tests.unit.helpers import finished, kinds, run, scenario


def test_the_spec_the_instrumentation_and_threading_take_their_names_from_the_registry():
    assert spec.RESOURCE_TYPES == registry.RESOURCE_TYPES
    assert set(registry.CONSTRUCTORS) <= spec.RESERVED_NAMES
    assert instrument.SYNC_CONSTRUCTORS == frozenset(registry.CONSTRUCTORS)
    assert len(registry.PRIMITIVES) == len(registry.RESOURCE_TYPES) == 7
    rt = Runtime(scenario({"P1": "pass\n"}), lambda e: None)
    api = SnippetAPI(rt, rt.nodes["n"])
    api.globals()
    namespace = vars(api.threading_namespace())
    assert set(registry.CONSTRUCTORS) <= set(namespace)
    assert {"Thread", "BrokenBarrierError", "current_thread", "get_ident"} <= set(namespace)


def test_facades_carry_the_learners_names_and_cannot_be_made_by_a_snippet():
    for primitive in registry.PRIMITIVES:
        assert primitive.facade.__name__ == primitive.constructor
        assert primitive.engine.rtype == primitive.rtype
        with pytest.raises(TypeError, match=f"use threading.{primitive.constructor}"):
            primitive.facade(object())


def test_every_primitive_made_in_a_snippet_and_declared_in_a_spec_works():
    code = ("from threading import Lock, RLock, Semaphore, BoundedSemaphore, Condition, Event, Barrier\n"
            "l = Lock(); r = RLock(); s = Semaphore(2); b = BoundedSemaphore(1); c = Condition(l)\n"
            "e = Event(); br = Barrier(1)\n"
            "with l:\n    pass\nwith r:\n    with r:\n        pass\nwith s:\n    pass\nwith b:\n    pass\n"
            "e.set()\nprint(e.wait(), br.wait(), dl.locked(), dc.wait_for(lambda: True), ds.acquire())\n"
            "print(l, r, s, b, c, e, br)\n")
    resources = [{"name": "dc", "type": "condition", "lock": "dl"}, {"name": "dl", "type": "lock"},
                 {"name": "ds", "type": "boundedsemaphore", "value": 2}]
    events = run(scenario({"P1": "with dc:\n" + "".join("    " + line + "\n" for line in code.splitlines())},
                          resources=resources))
    assert finished(events)["status"] == "completed", kinds(events, "thread.failed")
    assert finished(events)["outputs"]["n/P1"] == [
        "True 0 True True True", "<lock l> <rlock r> <semaphore s> <boundedsemaphore b> <condition c> "
                                  "<event e> <barrier br>"]
    rtypes = {e["rtype"] for e in kinds(events, "sync.acquire")}
    assert rtypes == {"lock", "rlock", "semaphore", "boundedsemaphore"}


def test_behaviour_is_chosen_by_method_so_a_subclass_keeps_its_parents():
    class AuditedLock(Lock):
        rtype = "auditedlock"

    class CountedRLock(RLock):
        rtype = "countedrlock"

    class Strict(BoundedSemaphore):
        rtype = "strict"

    assert not AuditedLock.reenter(None, None) and CountedRLock.reenter(None, None)
    assert Strict.check_release is BoundedSemaphore.check_release
    assert Semaphore.check_release is not BoundedSemaphore.check_release


def test_a_bounded_semaphore_released_too_often_and_a_foreign_rlock_release_fail():
    events = run(scenario({"P1": "import threading\nb = threading.BoundedSemaphore(1)\nb.release()\n"}))
    assert "released too many times" in kinds(events, "thread.failed")[0]["error"]
    events = run(scenario({"P1": "r.acquire()\ne.set()\n", "P2": "e.wait()\nr.release()\n"},
                          resources=[{"name": "r", "type": "rlock"}, {"name": "e", "type": "event"}]))
    assert "P2 cannot release r: it is held by P1" in kinds(events, "thread.failed")[0]["error"]


def test_the_spec_checks_come_from_the_primitives():
    with pytest.raises(SpecError) as caught:
        scenario({"P1": "pass\n"}, resources=[{"name": "c", "type": "condition", "lock": "e"},
                                              {"name": "e", "type": "event"}, {"name": "b", "type": "barrier"}])
    paths = {e["path"] for e in caught.value.errors}
    assert paths == {"nodes[0].resources[0].lock", "nodes[0].resources[2].parties"}
    with pytest.raises(SpecError):
        scenario({"P1": "pass\n"}, resources=[{"name": "x", "type": "rwlock"}])
