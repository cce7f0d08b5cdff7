"""Rewrite a snippet so the runtime sees every touch of shared state.

A read or write of one of the node's shared variables, resolved with Python's
own scoping rules (`symtable`), becomes an attribute access on the node's
`__shared__` object, whose `__getattr__`/`__setattr__` call the runtime: that
is where `var.read` / `var.write` events come from and where the scheduler may
switch threads. Going through attributes keeps every Python form working
unchanged: `x += 1`, `a, b = b, a`, `for x in …`, `global x`.

In-place changes of a shared container (`items.append(7)`, `table[k] = v`)
are followed by a `__mutated__('items')` call, so they show as writes too.

`x_lock = Lock()` is rewritten to pass the display name `x_lock`.

Snippets are untrusted: names and attributes starting with an underscore are
refused here, which closes the classic escapes through `__class__`,
`__subclasses__()`, `__globals__` and `__builtins__`.
"""

from __future__ import annotations

import ast
import symtable
from collections import defaultdict, deque
from types import CodeType

SHARED = "__shared__"
MUTATED = "__mutated__"
NAME_KEYWORD = "__pg_name__"

SYNC_CONSTRUCTORS = frozenset(
    {"Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition", "Event", "Barrier"}
)
# Methods that change a list, dict or set in place.
MUTATORS = frozenset(
    {"append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "update",
     "setdefault", "popitem", "add", "discard", "difference_update", "intersection_update",
     "symmetric_difference_update"}
)


# Attribute names that lead from an object to frames, code or globals.
FORBIDDEN_ATTRIBUTES = frozenset(
    {"gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "cr_await", "ag_frame", "ag_code",
     "f_back", "f_globals", "f_locals", "f_builtins", "f_code", "f_trace", "tb_frame", "tb_next",
     "co_code", "func_globals", "func_code", "mro"}
)


class SnippetRefused(Exception):
    """Code the playground will not run; carries the snippet line."""

    def __init__(self, line: int, message: str):
        self.line = line
        super().__init__(message)


def check_safety(tree: ast.AST) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise SnippetRefused(
                node.lineno, f"'.{node.attr}': attributes starting with an underscore are off-limits here"
            )
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
            raise SnippetRefused(node.lineno, f"'.{node.attr}' is off-limits in the playground")
        if isinstance(node, ast.Name) and node.id.startswith("__"):
            raise SnippetRefused(node.lineno, f"'{node.id}' is off-limits in the playground")
        if isinstance(node, ast.ImportFrom) and node.level:
            raise SnippetRefused(node.lineno, "relative imports are not available in the playground")
        if isinstance(node, (ast.alias)) and node.name.startswith("_"):
            raise SnippetRefused(getattr(node, "lineno", 1), f"'{node.name}' is off-limits in the playground")


def _scope_key(node: ast.AST) -> tuple[str, int] | None:
    names = {ast.ListComp: "listcomp", ast.SetComp: "setcomp", ast.DictComp: "dictcomp",
             ast.GeneratorExp: "genexpr", ast.Lambda: "lambda"}
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name, node.lineno
    for kind, name in names.items():
        if isinstance(node, kind):
            return name, node.lineno
    return None


class _SharedNames(ast.NodeTransformer):
    """Replace shared-variable names that resolve to the node's globals."""

    def __init__(self, shared: frozenset[str], table: symtable.SymbolTable):
        self.shared = shared
        self.tables = [table]
        self.children: dict[tuple[str, int], deque] = defaultdict(deque)
        self._index(table)

    def _index(self, table: symtable.SymbolTable) -> None:
        for child in table.get_children():
            self.children[(child.get_name(), child.get_lineno())].append(child)
            self._index(child)

    def _is_shared(self, name: str) -> bool:
        if name not in self.shared:
            return False
        table = self.tables[-1]
        if table.get_type() == "module":
            return True
        try:
            return table.lookup(name).is_global()
        except KeyError:
            return True

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if self._is_shared(node.id):
            new = ast.Attribute(value=ast.Name(id=SHARED, ctx=ast.Load()), attr=node.id, ctx=node.ctx)
            return ast.copy_location(new, node)
        return node

    def _in_scope(self, node: ast.AST, visit_inner) -> None:
        key = _scope_key(node)
        queue = self.children.get(key) if key else None
        if not queue:
            visit_inner()
            return
        self.tables.append(queue.popleft())
        try:
            visit_inner()
        finally:
            self.tables.pop()

    def _visit_list(self, items: list) -> list:
        out = []
        for item in items:
            new = self.visit(item) if item is not None else None
            out.append(new)
        return out

    def visit_FunctionDef(self, node):  # decorators and defaults belong to the enclosing scope
        node.decorator_list = self._visit_list(node.decorator_list)
        node.args.defaults = self._visit_list(node.args.defaults)
        node.args.kw_defaults = self._visit_list(node.args.kw_defaults)

        def inner():
            node.body = self._visit_list(node.body)

        self._in_scope(node, inner)
        return node

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        node.args.defaults = self._visit_list(node.args.defaults)
        node.args.kw_defaults = self._visit_list(node.args.kw_defaults)

        def inner():
            node.body = self.visit(node.body)

        self._in_scope(node, inner)
        return node

    def visit_ClassDef(self, node):
        node.decorator_list = self._visit_list(node.decorator_list)
        node.bases = self._visit_list(node.bases)
        node.keywords = self._visit_list(node.keywords)

        def inner():
            node.body = self._visit_list(node.body)

        self._in_scope(node, inner)
        return node

    def _visit_comprehension(self, node):
        # The first iterable is evaluated in the enclosing scope.
        first = node.generators[0]
        first.iter = self.visit(first.iter)

        def inner():
            first.target = self.visit(first.target)
            first.ifs = self._visit_list(first.ifs)
            for gen in node.generators[1:]:
                self.visit(gen)
            if isinstance(node, ast.DictComp):
                node.key = self.visit(node.key)
                node.value = self.visit(node.value)
            else:
                node.elt = self.visit(node.elt)

        self._in_scope(node, inner)
        return node

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _visit_comprehension


def _shared_base(expr: ast.AST) -> str | None:
    """The shared variable at the bottom of `x[1].y[k]`, if any."""
    while isinstance(expr, (ast.Subscript, ast.Attribute)):
        if (isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name)
                and expr.value.id == SHARED):
            return expr.attr
        expr = expr.value
    return None


def _mutated_by(stmt: ast.stmt) -> str | None:
    """The shared variable a statement changes in place, if any."""
    targets: list[ast.AST] = []
    value = None
    if isinstance(stmt, ast.Assign):
        targets, value = stmt.targets, stmt.value
    elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
        targets, value = [stmt.target], stmt.value
    elif isinstance(stmt, ast.Delete):
        targets = stmt.targets
    elif isinstance(stmt, (ast.Expr, ast.Return)):
        value = stmt.value
    for target in targets:
        for part in ast.walk(target):
            if isinstance(part, (ast.Subscript, ast.Attribute)) and not (
                isinstance(part, ast.Attribute) and isinstance(part.value, ast.Name) and part.value.id == SHARED
            ):
                name = _shared_base(part)
                if name:
                    return name
    if (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
            and value.func.attr in MUTATORS):
        return _shared_base(value.func.value)
    return None


class _Mutations(ast.NodeTransformer):
    """After a statement that changes a shared container in place, report it."""

    def generic_visit(self, node):
        super().generic_visit(node)
        for field in ("body", "orelse", "finalbody"):
            stmts = getattr(node, field, None)
            if isinstance(stmts, list) and stmts and isinstance(stmts[0], ast.stmt):
                setattr(node, field, self._with_reports(stmts))
        return node

    @staticmethod
    def _with_reports(stmts: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in stmts:
            if isinstance(stmt, ast.Return):
                out.append(stmt)
                continue
            out.append(stmt)
            name = _mutated_by(stmt)
            if name:
                call = ast.Call(func=ast.Name(id=MUTATED, ctx=ast.Load()), args=[ast.Constant(name)], keywords=[])
                out.append(ast.copy_location(ast.Expr(value=call), stmt))
        return out


class _NamedResources(ast.NodeTransformer):
    """`x_lock = Lock()` → `x_lock = Lock(__pg_name__='x_lock')`."""

    def visit_Assign(self, node: ast.Assign):
        self.generic_visit(node)
        call = node.value
        if len(node.targets) == 1 and isinstance(call, ast.Call):
            func = call.func
            ctor = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            target = node.targets[0]
            name = (target.id if isinstance(target, ast.Name)
                    else target.attr if isinstance(target, ast.Attribute) else None)
            if ctor in SYNC_CONSTRUCTORS and name:
                call.keywords.append(ast.keyword(arg=NAME_KEYWORD, value=ast.Constant(name)))
        return node


def instrument(code: str, shared: frozenset[str] | set[str], filename: str) -> CodeType:
    """Parse, check and rewrite a snippet; return the code object to exec.

    Raises SyntaxError for code that does not parse and SnippetRefused for
    code the playground will not run.
    """
    tree = ast.parse(code, filename=filename)
    check_safety(tree)
    table = symtable.symtable(code, filename, "exec")
    tree = _NamedResources().visit(tree)
    tree = _SharedNames(frozenset(shared), table).visit(tree)
    tree = _Mutations().visit(tree)
    ast.fix_missing_locations(tree)
    return compile(tree, filename, "exec")


def compile_expression(expr: str, shared: frozenset[str] | set[str], filename: str) -> CodeType:
    """An invariant: an expression over shared variables, evaluated by the runtime."""
    tree = ast.parse(expr, filename=filename, mode="eval")
    check_safety(tree)
    return compile(tree, filename, "eval")
