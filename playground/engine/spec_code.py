"""Checks of the spec's code and expressions: a snippet's syntax and depth, an
invariant's safety (what the playground refuses in snippets it refuses here too), and
the shape of ids. Shared by spec.py and spec_challenges.py."""

from __future__ import annotations

import ast
import re

from .instrument import SnippetRefused, compile_expression

# Python's parser and the instrumentation recurse: deeper code is refused with its path.
# Levels of the syntax tree of a snippet or invariant. The instrumentation walks the tree
# recursively (about three Python frames a level); 100 keeps it far from the interpreter's
# recursion limit, and is far more than any readable code needs.
MAX_CODE_DEPTH = 100
MAX_INVARIANT_LENGTH = 2_000
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")


def _node_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(f"{value!r}: use letters, digits, '-' or '_', starting with a letter (at most 40)")
    return value


def syntax_error(code: str, *, mode: str = "exec") -> str | None:
    """A learner-readable syntax error for a snippet, or None when it parses (and is
    shallow enough for the playground to instrument and compile)."""
    try:
        tree = ast.parse(code, mode=mode)
    except SyntaxError as exc:
        return f"SyntaxError line {exc.lineno or 1}: {exc.msg}"
    except ValueError as exc:  # e.g. null bytes
        return f"SyntaxError: {exc}"
    except (RecursionError, MemoryError):
        # CPython's parser gives up on very long chains ("-" * 100000 + "1", "not not …")
        return ("too complex for Python's parser: an expression nested far too deeply "
                "(a long run of operators, brackets or calls); split it into several lines")
    return _too_deep_code(tree)


def _too_deep_code(tree: ast.AST) -> str | None:
    """An error if the syntax tree is more than MAX_CODE_DEPTH levels deep (no recursion here)."""
    stack: list[tuple[ast.AST, int, int]] = [(tree, 1, 1)]
    while stack:
        node, depth, line = stack.pop()
        line = getattr(node, "lineno", line)
        if depth > MAX_CODE_DEPTH:
            return (f"line {line}: nested more than {MAX_CODE_DEPTH} levels deep (the playground's limit); "
                    "split the expression into several lines")
        stack.extend((child, depth + 1, line) for child in ast.iter_child_nodes(node))
    return None


def invariant_error(expr: str) -> str | None:
    """Why an invariant cannot be used: a syntax error, a depth past the limit, or what the
    playground refuses in snippets too (`__import__`, underscore attributes …)."""
    problem = syntax_error(expr, mode="eval")
    if problem:
        return problem
    try:
        compile_expression(expr, frozenset(), "<invariant>")  # what the run will do
    except SnippetRefused as exc:
        return f"line {exc.line}: {exc}"
    except SyntaxError as exc:
        return f"SyntaxError line {exc.lineno or 1}: {exc.msg}"
    except (RecursionError, MemoryError, ValueError) as exc:
        return f"the playground cannot compile this invariant ({type(exc).__name__})"
    return None
