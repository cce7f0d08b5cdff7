"""A bad spec is refused with every problem at a path a learner can find."""

import pytest

from playground.engine.spec import SpecError, validate


def errors_of(data) -> dict[str, str]:
    with pytest.raises(SpecError) as info:
        validate(data)
    return {e["path"]: e["message"] for e in info.value.errors}


def node(**fields):
    base = {"id": "bank", "threads": [{"name": "P1", "code": "pass"}]}
    base.update(fields)
    return base


def test_a_good_spec_comes_back_with_defaults_filled_in():
    spec = validate({"nodes": [node()]})
    assert spec["format"] == "playground.scenario/1"
    # no seed: a free run draws a new one each time (see test_verdicts); no pace: full speed
    assert spec["run"] == {"mode": "free", "timeout_ms": 10000, "preempt": 0.0, "schedule": None,
                           "max_schedules": None, "pace": None}
    assert spec["nodes"][0]["role"] == "process"


def test_the_seed_is_optional_in_free_mode_and_one_in_the_controlled_modes():
    assert "seed" not in validate({"nodes": [node()], "run": {"mode": "free"}})["run"]
    assert validate({"nodes": [node()], "run": {"mode": "free", "seed": 7}})["run"]["seed"] == 7
    for mode in ("step", "random", "explore"):
        assert validate({"nodes": [node()], "run": {"mode": mode}})["run"]["seed"] == 1
    assert validate({"nodes": [node()], "run": {"mode": "replay", "schedule": ["bank/P1"]}})["run"]["seed"] == 1


def test_pace_is_steps_per_second_in_free_runs_only():
    assert validate({"nodes": [node()], "run": {"pace": 2}})["run"]["pace"] == 2
    assert "from 0.5 to 50" in errors_of({"nodes": [node()], "run": {"pace": 500}})["run.pace"]
    assert "free runs" in errors_of({"nodes": [node()], "run": {"pace": 2, "mode": "step"}})["run.pace"]


def test_a_syntax_error_in_a_thread_names_the_thread_and_the_line():
    errs = errors_of({"nodes": [node(threads=[{"name": "P1", "code": "x = 1"},
                                              {"name": "P2", "code": "x = 1\nif x\n  y = 2"}])]})
    assert list(errs) == ["nodes[0].threads[1].code"]
    assert errs["nodes[0].threads[1].code"].startswith("SyntaxError line 2:")


def test_a_syntax_error_in_setup_is_reported_at_setup():
    errs = errors_of({"nodes": [node(setup="def f(:\n  pass")]})
    assert errs["nodes[0].setup"].startswith("SyntaxError line 1:")


def test_a_missing_field_and_a_wrong_type_are_both_reported():
    errs = errors_of({"nodes": [{"threads": [{"name": "P1", "code": "pass"}]},
                                node(resources=[{"name": "l", "type": "mutex"}])]})
    assert "nodes[0].id" in errs and "required" in errs["nodes[0].id"].lower()
    assert "nodes[1].resources[0].type" in errs


def test_duplicate_ids_and_unknown_link_ends_are_refused():
    errs = errors_of({"nodes": [node(), node()], "links": [{"a": "bank", "b": "nowhere"}]})
    assert errs["nodes[1].id"] == "duplicate node id 'bank'"
    assert errs["links[0].b"] == "unknown node 'nowhere'"


def test_shared_names_must_be_plain_python_names():
    errs = errors_of({"nodes": [node(shared={"__class__": 1})]})
    assert "underscore" in errs["nodes[0].shared"]
    errs = errors_of({"nodes": [node(shared={"print": 1})]})
    assert "built-in name" in errs["nodes[0].shared"]


def test_a_probability_outside_zero_and_one_is_refused():
    errs = errors_of({"nodes": [node(), node(id="b")], "links": [{"a": "bank", "b": "b", "loss": 1.5}]})
    assert "links[0].loss" in errs


def test_replay_needs_a_schedule_and_an_invariant_must_parse():
    errs = errors_of({"nodes": [node()], "run": {"mode": "replay"}, "invariants": ["balance >="]})
    assert "run.schedule" in errs
    assert errs["invariants[0]"].startswith("SyntaxError")


def test_a_spec_that_is_not_an_object_or_has_no_threads_is_refused():
    assert errors_of([1, 2]) == {"(spec)": "a scenario spec is a JSON object"}
    assert "nodes" in errors_of({"nodes": [{"id": "a"}]})


def test_every_builtin_lesson_is_valid():
    from tests.unit.helpers import LIBRARY, builtin

    slugs = [p.stem for p in LIBRARY.glob("*.json")]
    assert len(slugs) >= 7
    for slug in slugs:
        assert builtin(slug)["slug"] == slug
