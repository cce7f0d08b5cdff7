"""Spec-level attacks: specs whose snippets, invariants or JSON make the parser or a
recursive walk give up. Each is a 400 with its path through the API and a clean error
(exit code 2, no traceback) from the CLI; unsafe invariants are refused at validation."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from playground.engine.spec import MAX_CODE_DEPTH, MAX_SPEC_DEPTH, SpecError, validate
from tests.integration.helpers import counter_spec

ROOT = Path(__file__).resolve().parents[2]


def nested_list(levels):
    value = []
    for _ in range(levels - 1):
        value = [value]
    return value


def with_thread_code(code):
    spec = counter_spec()
    spec["nodes"][0]["threads"][1]["code"] = code
    return spec, "nodes[0].threads[1].code"


def with_setup(code):
    spec = counter_spec()
    spec["nodes"][0]["setup"] = code
    return spec, "nodes[0].setup"


def with_invariant(expr):
    spec = counter_spec()
    spec["invariants"] = ["counter >= 0", expr]
    return spec, "invariants[1]"


# (spec builder, hostile text, words the message must hold)
PARSER_BOMBS = [
    pytest.param(with_thread_code, "-" * 19_000 + "1", "too complex for Python's parser", id="unary-minus-memoryerror"),
    pytest.param(with_thread_code, "x = " + "not " * 4_000 + "x", "too complex", id="not-chain-recursionerror"),
    pytest.param(with_setup, "x = " + "+".join(["1"] * 5_000), "too complex", id="long-sum-in-setup"),
    pytest.param(with_setup, "x = a" + ".b" * 5_000, "too complex", id="attribute-chain-in-setup"),
    pytest.param(with_thread_code, "(" * 19_000, "too many nested parentheses", id="open-parens"),
    pytest.param(with_thread_code, "x = " + "[" * 150 + "]" * 150, f"nested more than {MAX_CODE_DEPTH} levels",
                 id="nested-lists-parse-but-too-deep"),
    pytest.param(with_setup, "x = " + "-" * 300 + "1", f"nested more than {MAX_CODE_DEPTH} levels",
                 id="deep-enough-to-break-the-instrumentation"),
    pytest.param(with_invariant, "-" * 1_900 + "1", "", id="invariant-unary-chain"),
    pytest.param(with_invariant, "not " * 450 + "counter", "", id="invariant-not-chain"),
    pytest.param(with_invariant, "(" * 1_500, "", id="invariant-parens"),
]

UNSAFE_INVARIANTS = [
    pytest.param("__import__('os').system('id') == 0", "'__import__' is off-limits", id="dunder-import"),
    pytest.param("counter.__class__.__base__.__subclasses__() == []", "off-limits", id="subclasses"),
    pytest.param("(lambda: 0).__globals__ is None", "off-limits", id="function-globals"),
    pytest.param("(i for i in [1]).gi_frame is None", "'.gi_frame' is off-limits", id="generator-frame"),
    pytest.param("[c for c in ().__class__.__mro__] == []", "off-limits", id="mro-walk"),
    pytest.param("__builtins__ is None", "off-limits", id="builtins"),
]


def post(client, path, body):
    return client.post(path, body if isinstance(body, str) else json.dumps(body), content_type="application/json")


def assert_refused_at(response, path, words):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"] == "the scenario spec is invalid"
    matching = [e for e in body["errors"] if e["path"] == path]
    assert matching, body["errors"]
    assert words in matching[0]["message"], matching[0]["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ["/api/scenarios/validate", "/api/runs"])
@pytest.mark.parametrize("build, text, words", PARSER_BOMBS)
def test_a_parser_bomb_is_a_400_with_its_path(client, endpoint, build, text, words):
    spec, path = build(text)
    body = spec if endpoint.endswith("validate") else {"scenario": spec}

    response = post(client, endpoint, body)

    assert_refused_at(response, path, words)


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ["/api/scenarios/validate", "/api/runs"])
@pytest.mark.parametrize("expr, words", UNSAFE_INVARIANTS)
def test_an_unsafe_invariant_is_refused_at_validation_with_its_line(client, endpoint, expr, words):
    spec, path = with_invariant(expr)
    body = spec if endpoint.endswith("validate") else {"scenario": spec}

    response = post(client, endpoint, body)

    assert_refused_at(response, path, words)
    assert "line 1" in [e for e in response.json()["errors"] if e["path"] == path][0]["message"]


def test_a_safe_invariant_still_passes():
    spec, _ = with_invariant("counter <= 400 and len([counter]) == 1")
    assert validate(spec)["invariants"][1].startswith("counter <= 400")


def test_a_very_long_invariant_is_refused_by_its_length():
    spec, path = with_invariant("counter + " * 1_000 + "1")
    with pytest.raises(SpecError) as caught:
        validate(spec)
    assert [e["path"] for e in caught.value.errors] == [path]


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ["/api/scenarios/validate", "/api/runs"])
def test_a_shared_value_nested_900_deep_is_a_400_with_its_path(client, endpoint):
    spec = counter_spec()
    spec["nodes"][0]["shared"]["tower"] = nested_list(900)
    body = spec if endpoint.endswith("validate") else {"scenario": spec}

    response = post(client, endpoint, body)

    assert_refused_at(response, "nodes[0].shared.tower", f"nested more than {MAX_SPEC_DEPTH} levels")


@pytest.mark.django_db
def test_a_deep_value_in_the_editors_extra_fields_is_refused_too(client):
    spec = counter_spec()
    spec["layout"] = {"notes": nested_list(200)}
    response = post(client, "/api/scenarios/validate", spec)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["path"].startswith("layout.notes") and "nested more than" in error["message"]


@pytest.mark.django_db
def test_a_shared_value_a_little_nested_is_accepted(client):
    spec = counter_spec()
    spec["nodes"][0]["shared"]["tree"] = nested_list(20)
    assert post(client, "/api/scenarios/validate", spec).json() == {"ok": True}


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ["/api/scenarios/validate", "/api/runs", "/api/scenarios"])
def test_a_json_body_nested_past_the_decoder_is_a_400_not_a_500(client, endpoint):
    response = post(client, endpoint, "[" * 100_000)
    assert response.status_code in (400, 401), response.content  # saving needs an account first
    if response.status_code == 400:
        assert response.json()["error"] == "malformed JSON: nested too deeply"


@pytest.mark.django_db
def test_a_trace_upload_with_a_deep_event_is_a_400(client):
    line = json.dumps({"seq": 1, "kind": "output", "x": 0}).replace("0}", "[" * 5_000 + "]" * 5_000 + "}")
    response = client.post("/api/traces", line + "\n", content_type="application/x-ndjson")
    assert response.status_code == 400, response.content
    assert "nested too deeply" in response.json()["error"]


# -- the command line -----------------------------------------------------------------

def cli(tmp_path, content):
    path = tmp_path / "spec.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return subprocess.run([sys.executable, "-m", "playground.engine", "run", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("build, text, words", [
    pytest.param(with_thread_code, "-" * 19_000 + "1", "too complex", id="unary-minus"),
    pytest.param(with_setup, "x = " + "not " * 4_000 + "x", "too complex", id="not-chain"),
    pytest.param(with_invariant, "__import__('os').system('id') == 0", "off-limits", id="unsafe-invariant"),
    pytest.param(with_setup, "x = " + "-" * 300 + "1", "nested more than", id="too-deep-to-instrument"),
])
def test_the_cli_reports_a_bad_spec_without_a_traceback(tmp_path, build, text, words):
    spec, path = build(text)
    done = cli(tmp_path, spec)
    assert done.returncode == 2, (done.stdout[-500:], done.stderr[-2000:])
    assert "Traceback" not in done.stderr
    assert f"{path}: " in done.stderr and words in done.stderr, done.stderr[-2000:]
    assert done.stdout == ""  # nothing ran


def test_the_cli_reports_deep_json_without_a_traceback(tmp_path):
    done = cli(tmp_path, "[" * 100_000)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "nested too deeply" in done.stderr


def test_the_cli_reports_a_deep_shared_value_without_a_traceback(tmp_path):
    spec = counter_spec()
    spec["nodes"][0]["shared"]["tower"] = nested_list(900)
    done = cli(tmp_path, spec)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "nodes[0].shared.tower: nested more than" in done.stderr
