"""The frontend's vocabulary (event kinds, statuses, resource types) is generated from
the engine's contract: a change on the Python side without regenerating fails here."""

from pathlib import Path

from playground.engine.contract import typescript

GENERATED = Path(__file__).resolve().parents[2] / "frontend" / "src" / "model" / "contract.gen.ts"


def test_the_frontends_contract_module_is_the_generators_output():
    assert GENERATED.read_text() == typescript(), (
        "frontend/src/model/contract.gen.ts is stale: run "
        "`.venv/bin/python -m playground.engine.contract typescript > frontend/src/model/contract.gen.ts`")
