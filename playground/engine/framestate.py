"""A thread's state at a scheduling point, for the explorer's visited set.

A thread is keyed by its snippet frames: for each, where it is (code, instruction),
its locals (and, in a function, the node's globals it names) and its *residue*: what
it observed that may still sit on Python's value stack, which no frame exposes.

What may sit on the stack is bounded by the statement being evaluated: between two
statements a frame's stack is empty, except inside a construct that keeps something
there — a `for` loop's iterator, a `with` block's exit, an `except` or `finally`
block's exception, a `match` subject. So the residue holds the values observed since
the current *unit* began (a simple statement, or the test of an `if`/`while`, the
header of a `for`/`with`), and starts again at the next unit, or at a new evaluation
of the same one (a `while` test read again). Not a step counter, not every value ever
read: a busy-wait loop (`while flag[other] and turn == other: pass`) comes back to
the same state, and a search over it ends.

Where the stack keeps something, the residue is kept for the whole construct (a
`for` over `range(...)` of plain names and a `with` over a name or a `section(...)`
hide nothing: their iterator or exit follows from the locals). Where a frame's state
cannot be seen — a generator, a comprehension, a walrus, `nonlocal`, a `global` that is
not a shared variable, or a local holding an object whose state is hidden (an instance
of a snippet's class, an iterator, a random generator) — the frame keeps every value
it observed and every position it passed since it began: the history, as before.

Two states with the same key have the same future: everything the thread holds is
its frames' positions and locals, plus what the residue stands for.
"""

from __future__ import annotations

import ast
import sys
import types
from typing import Any

from .primitives.base import Facade

HISTORY = ("history",)  # scope of a point whose frame keeps its whole history
_UNSEEN = object()  # a value whose state the key cannot see


class _Unseen:
    def __repr__(self) -> str:
        return "<unseen>"  # no plain value's repr


_UNSEEN_PART = _Unseen()
_HIDDEN_CODE = 0x20 | 0x80 | 0x100 | 0x200  # generator, coroutine, iterable coroutine, async generator
_PLAIN = (int, float, str, bool, type(None), bytes)
_MAX_DEPTH = 40


class Scope:
    """The construct a point is in: `key` names it; `hidden` says the stack keeps
    something there; `loops` that a new evaluation may start further on."""

    __slots__ = ("key", "hidden", "loops")

    def __init__(self, key: Any, hidden: bool, loops: bool):
        self.key, self.hidden, self.loops = key, hidden, loops


_HISTORY_SCOPE = Scope(HISTORY, True, True)


# -- the units of a snippet's code ---------------------------------------------------

def _span(node: ast.AST) -> tuple[int, int, int, int]:
    return (node.lineno, node.col_offset, node.end_lineno or node.lineno, node.end_col_offset or 0)


def _stored(nodes: list) -> set[str]:
    """Names bound anywhere under these nodes."""
    names: set[str] = set()
    for top in nodes:
        for n in ast.walk(top):
            if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
                names.add(n.id)
            elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(n.name)
            elif isinstance(n, ast.alias):
                names.add((n.asname or n.name).split(".")[0])
            elif isinstance(n, ast.ExceptHandler) and n.name:
                names.add(n.name)
    return names


class Source:
    """One snippet parsed: the names it rebinds and whether its frames can be seen."""

    def __init__(self, text: str, shared: frozenset[str]):
        self.tree = ast.parse(text)
        self.shared = shared
        self.rebound = _stored([self.tree])
        self.opaque = any(isinstance(n, ast.Nonlocal) or (isinstance(n, ast.Global) and set(n.names) - shared)
                          for n in ast.walk(self.tree))

    def code_node(self, code: types.CodeType) -> ast.AST | None:
        if code.co_name == "<module>":
            return self.tree
        for n in ast.walk(self.tree):
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == code.co_name and (
                    code.co_firstlineno in [n.lineno] + [d.lineno for d in n.decorator_list]):
                return n
        return None


class CodeMap:
    """A code object's units: for each instruction, the scope of a point there."""

    def __init__(self, code: types.CodeType, source: Source | None):
        self.code = code  # kept alive: the cache is keyed by its id
        self.positions = list(code.co_positions())
        self.scopes: dict[int, Scope] = {}
        self.units: list[tuple[tuple, Scope]] = []
        node = source.code_node(code) if source is not None else None
        if (node is None or source is None or source.opaque or code.co_flags & _HIDDEN_CODE
                or any(isinstance(n, (ast.NamedExpr, ast.Yield, ast.YieldFrom, ast.Await)) for n in ast.walk(node))):
            self.whole = True  # the frame keeps its history
            return
        self.whole = False
        self.source = source
        self.body(node.body, None)

    def at(self, lasti: int) -> Scope:
        if self.whole:
            return _HISTORY_SCOPE
        scope = self.scopes.get(lasti)
        if scope is None:
            scope = self.scopes[lasti] = self.find(lasti)
        return scope

    def find(self, lasti: int) -> Scope:
        index = lasti // 2
        pos = self.positions[index] if 0 <= index < len(self.positions) else (None,) * 4
        if pos[0] is None or pos[2] is None:
            return _HISTORY_SCOPE
        line, end_line, col, end_col = pos
        best = None
        for span, scope in self.units:
            if (span[0], span[1]) <= (line, col) and (end_line, end_col) <= (span[2], span[3]):
                if best is None or (span[0], span[1], -span[2], -span[3]) > (best[0][0], best[0][1], -best[0][2],
                                                                              -best[0][3]):
                    best = (span, scope)
        return best[1] if best is not None else _HISTORY_SCOPE

    # -- building the units ---------------------------------------------------------
    def add(self, node: ast.AST, scope: Scope | None) -> None:
        span = _span(node)
        self.units.append((span, scope or Scope(("unit",) + span, False, False)))

    def body(self, stmts: list, scope: Scope | None) -> None:
        for s in stmts:
            self.stmt(s, scope)

    def stmt(self, s: ast.stmt, scope: Scope | None) -> None:
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.add(s, scope)  # its decorators and defaults; its body is another code
            return
        if scope is None and self.hides(s):
            scope = Scope(("scope",) + _span(s), True, any(isinstance(n, (ast.For, ast.While, ast.AsyncFor))
                                                           for n in ast.walk(s)))
        self.add(s, scope)
        for field in ("test", "iter", "target", "subject"):
            part = getattr(s, field, None)
            if isinstance(part, ast.expr):
                self.add(part, scope)
        for item in getattr(s, "items", ()):
            self.add(item.context_expr, scope)
        self.body(getattr(s, "body", []), scope)
        self.body(getattr(s, "orelse", []), scope)
        if isinstance(s, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            held = scope or Scope(("handlers",) + _span(s), True, any(
                isinstance(n, (ast.For, ast.While)) for part in s.handlers + s.finalbody for n in ast.walk(part)))
            for handler in s.handlers:
                self.add(handler, held)
                if handler.type is not None:
                    self.add(handler.type, held)
                self.body(handler.body, held)
            self.body(s.finalbody, held)
        for case in getattr(s, "cases", ()):
            self.body(case.body, scope)

    def hides(self, s: ast.stmt) -> bool:
        """Does this statement keep something on the stack that the locals do not show?"""
        if isinstance(s, ast.For):
            return not self.range_loop(s)
        if isinstance(s, ast.With):
            bound = _stored(s.body)
            return not all(self.simple(item.context_expr, bound) for item in s.items)
        return isinstance(s, (ast.AsyncFor, ast.AsyncWith, ast.Match))

    def range_loop(self, s: ast.For) -> bool:
        """`for i in range(a, b)`: the iterator follows from `i` and the bounds, while the
        body rebinds none of them."""
        it, target = s.iter, s.target
        if not (isinstance(target, ast.Name) and isinstance(it, ast.Call) and isinstance(it.func, ast.Name)
                and it.func.id == "range" and "range" not in self.source.rebound and not it.keywords
                and 1 <= len(it.args) <= 3):
            return False
        bound = _stored(s.body + s.orelse)
        names = [target] + list(it.args)
        return all(isinstance(a, ast.Constant) or (isinstance(a, ast.Name) and a.id not in bound
                                                    and a.id not in self.source.shared) for a in names)

    def simple(self, e: ast.expr, bound: set[str]) -> bool:
        """A `with` target whose exit follows from the locals: a name, an attribute or item
        of one, or `section(...)` of such."""
        if isinstance(e, ast.Constant):
            return True
        if isinstance(e, ast.Name):
            return e.id not in bound and e.id not in self.source.shared
        if isinstance(e, ast.Attribute):
            return self.simple(e.value, bound)
        if isinstance(e, ast.Subscript):
            return self.simple(e.value, bound) and self.simple(e.slice, bound)
        if isinstance(e, ast.Call):
            return (isinstance(e.func, ast.Name) and e.func.id == "section" and "section" not in self.source.rebound
                    and not e.keywords and all(self.simple(a, bound) for a in e.args))
        return False


_SOURCES: dict[tuple[str, str], Source] = {}
_MAPS: dict[int, CodeMap] = {}


def code_map(code: types.CodeType, nodes: dict) -> CodeMap:
    known = _MAPS.get(id(code))
    if known is not None and known.code is code:
        return known
    if len(_MAPS) > 5000:
        _MAPS.clear()
        _SOURCES.clear()
    source = None
    node_id, _, snippet = code.co_filename[1:-1].partition("/")
    node = nodes.get(node_id)
    if node is not None:
        spec = node.spec
        text = spec.get("setup", "") if snippet == "setup" else next(
            (t["code"] for t in spec.get("threads", []) if t["name"] == snippet), None)
        if text is not None:
            shared = frozenset(spec.get("shared", {}))
            source = _SOURCES.get((code.co_filename, text))
            if source is None:
                source = _SOURCES[code.co_filename, text] = Source(text, shared)
    made = _MAPS[id(code)] = CodeMap(code, source)
    return made


# -- what a frame holds ---------------------------------------------------------------

def _plain(value: Any, depth: int = 0) -> bool:
    kind = type(value)
    if kind in _PLAIN:
        return True
    if depth > _MAX_DEPTH:
        return False
    if kind in (list, tuple, set, frozenset):
        return all(_plain(v, depth + 1) for v in value)
    if kind is dict:
        return all(_plain(k, depth + 1) and _plain(v, depth + 1) for k, v in value.items())
    return False


def value_key(value: Any, snippet_files: dict) -> Any:
    """A value's part of the key (its repr is taken with the frame's), or `_UNSEEN` when
    its state cannot be seen."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is types.FunctionType and value.__code__.co_filename not in snippet_files:
        return ("api", value.__qualname__)  # the engine's: its state is the runtime's
    if kind in (list, tuple, set, frozenset, dict):
        return value if _plain(value) else _UNSEEN
    if isinstance(value, Facade):  # a lock, a section…: its state is the runtime's
        impl = object.__getattribute__(value, "_impl")
        name = impl[-1] if isinstance(impl, tuple) else getattr(impl, "gid", None)
        return ("facade", type(value).__name__, name) if isinstance(name, str) else _UNSEEN
    if hasattr(value, "sender") and hasattr(value, "content") and hasattr(value, "lamport"):
        content = getattr(value, "content", None)
        if not _plain(content):
            return _UNSEEN
        return ("message", getattr(value, "id", None), value.sender, repr(content), value.lamport,
                repr(getattr(value, "vc", None)))
    if isinstance(value, types.FunctionType):
        code = value.__code__
        cells = [c.cell_contents for c in value.__closure__ or ()]
        extra = [value.__defaults__, value.__kwdefaults__, cells]
        if vars(value) or not _plain(extra):
            return _UNSEEN
        return ("function", code.co_filename, code.co_firstlineno, code.co_name, repr(extra))
    if isinstance(value, types.BuiltinFunctionType):
        owner = getattr(value, "__self__", None)
        return ("builtin", value.__name__) if owner is None or isinstance(owner, types.ModuleType) else _UNSEEN
    if isinstance(value, type):
        module = getattr(value, "__module__", "") or ""
        if module.startswith("playground.") or (module == "builtins" and not value.__flags__ & (1 << 9)):
            return ("type", value.__qualname__)
        return _UNSEEN
    if isinstance(value, types.SimpleNamespace):  # a module a snippet imports
        parts = []
        for k, v in sorted(vars(value).items()):
            part = value_key(v, snippet_files)
            if part is _UNSEEN:
                return _UNSEEN
            parts.append((k, part))
        return ("module", tuple(parts))
    return _UNSEEN


def frame_key(frame: types.FrameType, snippet_files: dict) -> tuple[str, bool]:
    """A frame's locals (and the node's globals a function names): (their key, all seen)."""
    code = frame.f_code
    values = dict(frame.f_locals)
    if code.co_name != "<module>":
        globs = frame.f_globals
        for name in code.co_names:
            if name in globs and name not in values:
                values[name] = globs[name]
    parts, seen = [], True
    for name in sorted(values):
        if name.startswith("__"):
            continue
        part = value_key(values[name], snippet_files)
        if part is _UNSEEN:
            seen = False
            part = _UNSEEN_PART
        parts.append((name, part))
    return repr(parts), seen


# -- a thread's frames from one scheduling point to the next --------------------------

class Entry:
    __slots__ = ("frame", "lasti", "scope", "residue", "history", "part")

    def __init__(self, frame: types.FrameType, lasti: int, scope: Any, residue: int, history: bool, part: tuple):
        self.frame, self.lasti, self.scope, self.residue, self.history, self.part = (
            frame, lasti, scope, residue, history, part)


def thread_key(ctx: Any, snippet_files: dict, nodes: dict) -> tuple:
    """The thread's state now, at a scheduling point: each snippet frame's position,
    locals and residue. Called at every scheduling point of the thread (a free pass
    included), so that exactly one action — the one this point is before — happens
    between two calls; `ctx.seen` holds what that action read (memory.py)."""
    frames = []
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename in snippet_files:
            frames.append(frame)
        frame = frame.f_back
    frames.reverse()
    before: list[Entry] = ctx.frames
    observed, ctx.seen = ctx.seen, 0
    common = 0
    while common < len(before) and common < len(frames) and before[common].frame is frames[common]:
        common += 1
    # What the frames that returned since held reached the deepest frame still there.
    returned = hash((observed, tuple(e.part for e in before[common:])))
    entries: list[Entry] = []
    for depth, frame in enumerate(frames):
        lasti = frame.f_lasti
        cmap = code_map(frame.f_code, nodes)
        scope = cmap.at(lasti)
        key, seen = frame_key(frame, snippet_files)
        history = not seen or scope is _HISTORY_SCOPE
        if depth < common - 1:  # suspended in the same call as before
            old = before[depth]
            residue, history = old.residue, history or old.history
        elif depth == common - 1:
            old = before[depth]
            history = history or old.history
            if history or (scope.key == old.scope and (scope.loops or lasti > old.lasti)):
                # The same evaluation goes on (in a loop of a hidden scope, where it is)
                residue = hash((old.residue, returned, lasti if history or scope.hidden else None))
            else:
                residue = 0  # a new unit: what the last one held is consumed or in the locals
        else:  # entered since the last point: it holds its arguments (in its locals)
            residue = hash((returned,)) if observed else 0
        part = (frame.f_code.co_filename, frame.f_code.co_firstlineno, lasti, key, residue)
        entries.append(Entry(frame, lasti, scope.key, residue, history, part))
    ctx.frames = entries
    return tuple(e.part for e in entries)
