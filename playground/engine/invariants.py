"""Invariants: Python expressions over a node's shared variables, checked after
every step of a controlled run (`inside('critical')` counts the threads in a section)."""

from __future__ import annotations

import ast
from typing import Any

from .events import snapshot
from .instrument import FORMAT_HOOK, compile_expression
from .safety import format_attribute
from .threads import describe_error

_INVARIANTS: dict[str, Any] = {}
INVARIANT_BUILTINS = {name: __builtins__[name] if isinstance(__builtins__, dict) else getattr(__builtins__, name)
                      for name in ("len", "min", "max", "abs", "sum", "all", "any", "sorted", "set", "list",
                                   "tuple", "dict", "int", "float", "str", "bool", "round", "True", "False",
                                   "None")}
INVARIANT_BUILTINS[FORMAT_HOOK] = format_attribute  # `.format` in an invariant checks its format string


def _variables(text: str) -> set[str]:
    """The names an invariant reads, less those it binds itself (a comprehension's or a
    lambda's variables): `any(n < 0 for n in amounts)` names `amounts` only."""
    nodes = list(ast.walk(ast.parse(text, mode="eval")))
    bound = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    bound |= {a.arg for a in nodes if isinstance(a, ast.arg)}
    return {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - bound


def compile_invariants(texts: list[str], nodes: list) -> list[tuple[str, Any, Any]]:
    """Each invariant is checked on the nodes whose variables it names."""
    checks = []
    for text in texts:
        if text not in _INVARIANTS:  # once per process: the explorer's later runs may not compile
            _INVARIANTS[text] = (compile_expression(text, frozenset(), "<invariant>"),
                                 _variables(text) - set(INVARIANT_BUILTINS) - {"inside"})
        code, names = _INVARIANTS[text]
        matching = [n for n in nodes if names <= set(n.spec.get("shared", {}))]
        for node in matching or nodes[:1]:
            checks.append((text, code, node))
    return checks


def first_violation(checks: list, inside: dict) -> dict | None:
    """The first invariant that is false now, with the values that make it so."""
    for text, code, node in checks:
        scope = dict(node.store)
        scope["inside"] = lambda name, _n=node.id: inside.get((_n, name), 0)
        try:
            ok = eval(code, {"__builtins__": INVARIANT_BUILTINS}, scope)
        except Exception as exc:  # a broken invariant is reported, not fatal
            ok, scope["error"] = False, describe_error(exc)
        if not ok:
            values = {k: snapshot(v) for k, v in node.store.items()}
            values.update({f"inside({name!r})": n for (nid, name), n in inside.items() if nid == node.id})
            return {"invariant": text, "node": node.id, "values": values}
    return None
