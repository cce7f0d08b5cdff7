"""Where the operating-system wall cannot start, runs are refused with the reason;
opting out is explicit and every page then says that snippets are not isolated."""

import pytest
from django.test import Client, override_settings

from playground.engine import boundary
from playground.engine.sandbox import run_sandboxed
from tests.unit.helpers import scenario


def test_a_run_is_refused_with_what_is_missing_when_the_wall_cannot_start(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_SANDBOX", "bubblewrap")
    monkeypatch.setattr(boundary, "_probe", lambda python: "bubblewrap (bwrap) is not installed")
    events = run_sandboxed(scenario({"P1": "print('never runs')\n"}))
    assert [e["kind"] for e in events] == ["run.finished"]
    finished = events[0]
    assert finished["status"] == "failed"
    assert "bubblewrap (bwrap) is not installed" in finished["error"]
    assert "PLAYGROUND_SANDBOX=python-only" in finished["error"]  # what a person alone may do


def test_an_unknown_sandbox_mode_is_refused_not_ignored(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_SANDBOX", "none")
    events = run_sandboxed(scenario({"P1": "print('never runs')\n"}))
    assert events[-1]["status"] == "failed" and "PLAYGROUND_SANDBOX='none'" in events[-1]["error"]


def test_python_only_is_an_explicit_choice_and_runs_without_the_wall(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_SANDBOX", "python-only")
    events = run_sandboxed(scenario({"P1": "print('ran')\n"}))
    assert events[-1]["status"] == "completed"
    assert boundary.mode() == "python-only"


def test_the_wall_is_the_default():
    assert boundary.mode() in ("bubblewrap", "python-only")
    if boundary._probe(__import__("sys").executable) is None:
        command = boundary.bubblewrap_command("/usr/bin/python3", ["-c", "pass"])
        assert command[0].endswith("bwrap") and "--unshare-net" in command and "--die-with-parent" in command


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/"])
def test_every_page_warns_when_snippets_are_not_isolated(path):
    with override_settings(SANDBOX="python-only"):
        page = Client().get(path).content.decode()
    assert 'data-testid="sandbox-warning"' in page and "not isolated" in page
    with override_settings(SANDBOX="bubblewrap"):
        page = Client().get(path).content.decode()
    assert "sandbox-warning" not in page


@pytest.mark.django_db
def test_the_api_says_which_sandbox_runs_snippets():
    with override_settings(SANDBOX="python-only"):
        assert Client().get("/api/me").json()["sandbox"] == "python-only"
