"""Conditions over a run's recorded writes (`balance < 0`, `inside('db') >= 3`), judged
by a small evaluator that runs no code: it runs in the web process."""

from __future__ import annotations

import ast
import copy
import operator
from typing import Any


def became_true(expr: str, events: list[dict], spec: dict) -> bool:
    """Whether `expr` held at some point of the run, replaying its writes and sections
    over the spec's starting memory, on each node whose variables it names."""
    tree = ast.parse(expr, mode="eval")
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - set(_FUNCTIONS)
    memory = {n["id"]: copy.deepcopy(n.get("shared") or {}) for n in spec["nodes"]}
    inside: dict[str, dict[str, int]] = {n: {} for n in memory}
    nodes = [n for n, shared in memory.items() if names <= set(shared)] or list(memory)[:1]

    def holds(node: str) -> bool:
        try:
            return bool(_Eval(memory[node], inside[node]).visit(tree.body))
        except Exception:  # a name not set yet, a type mismatch: not true at this point
            return False

    if any(holds(n) for n in nodes):
        return True
    for e in events:
        node = e.get("node")
        if node not in memory:
            continue
        if e["kind"] == "var.write":
            memory[node][e["name"]] = e.get("value")
        elif e["kind"] in ("section.enter", "section.exit"):
            inside[node][e.get("section")] = e.get("inside", 0)
        else:
            continue
        if node in nodes and holds(node):
            return True
    return False


_FUNCTIONS = {"inside", "len", "abs", "min", "max", "sum", "True", "False", "None"}
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod}
_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
            ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b,
            ast.NotIn: lambda a, b: a not in b}


class _Eval(ast.NodeVisitor):
    """A small evaluator for conditions read off a trace in the web process: names,
    numbers, strings, arithmetic on small values, comparisons, and/or/not, indexing,
    inside(), len(), abs(), min(), max(), sum(). Nothing else runs."""

    def __init__(self, memory: dict, inside: dict):
        self.memory, self.inside = memory, inside

    def generic_visit(self, node: ast.AST) -> Any:
        raise ValueError(f"{type(node).__name__} is not allowed in a condition")

    def visit_Constant(self, node: ast.Constant) -> Any:
        return node.value

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[node.id]
        return self.memory[node.id]

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        left, right = self.visit(node.left), self.visit(node.right)
        if not all(isinstance(v, (int, float)) and abs(v) < 1e12 for v in (left, right)):
            raise ValueError("arithmetic on small numbers only")
        return _BINARY[type(node.op)](left, right)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            return not value
        if isinstance(node.op, ast.USub):
            return -value
        raise ValueError("unary operator")

    def visit_BoolOp(self, node: ast.BoolOp) -> Any:
        values = (self.visit(v) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)

    def visit_Compare(self, node: ast.Compare) -> Any:
        left = self.visit(node.left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.visit(right_node)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True

    def visit_Subscript(self, node: ast.Subscript) -> Any:
        return self.visit(node.value)[self.visit(node.slice)]

    def visit_Call(self, node: ast.Call) -> Any:
        if not isinstance(node.func, ast.Name) or node.keywords:
            raise ValueError("call")
        args = [self.visit(a) for a in node.args]
        if node.func.id == "inside":
            return self.inside.get(args[0], 0)
        return {"len": len, "abs": abs, "min": min, "max": max, "sum": sum}[node.func.id](*args)
