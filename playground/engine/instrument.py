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

Snippets are untrusted: every identifier starting with an underscore (a name,
an attribute, an argument, a keyword, `import … as`, `except … as`, a `match`
pattern) is refused here, which closes the classic escapes through
`__class__`, `__subclasses__()`, `__globals__` and `__builtins__`; and
`.format` / `.format_map` go through a hook that checks the format string.
"""

from __future__ import annotations

import ast
import symtable
from collections import defaultdict, deque
from types import CodeType

from .primitives.base import NAME_KEYWORD
from .primitives.registry import CONSTRUCTORS

SHARED = "__shared__"
MUTATED = "__mutated__"
# `x_lock = Lock()` gets its display name for these (primitives/registry.py).
SYNC_CONSTRUCTORS = frozenset(CONSTRUCTORS)
# Methods that change a list, dict or set in place.
MUTATORS = frozenset(
    {"append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "update",
     "setdefault", "popitem", "add", "discard", "difference_update", "intersection_update",
     "symmetric_difference_update"}
)


# Attribute names that lead from an object to frames, code or globals.
FORBIDDEN_ATTRIBUTES = frozenset(
    {"gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "cr_await", "cr_origin", "ag_frame",
     "ag_code", "ag_await", "f_back", "f_globals", "f_locals", "f_builtins", "f_code", "f_trace", "tb_frame",
     "tb_next", "co_code", "func_globals", "func_code", "cell_contents", "mro"}
)
# `s.format(…)` and `s.format_map(…)` read attributes named in the string
# (`"{0.__globals__}"`): every such attribute goes through FORMAT_HOOK.
FORMAT_METHODS = frozenset({"format", "format_map"})
FORMAT_HOOK = "__format_attr__"
# Special methods a learner's class may define (`def __init__(self): …`).
# Defining one only lets Python call the learner's own code; reading them
# (`obj.__init__`) stays refused like every underscore attribute.
SPECIAL_METHODS = frozenset(
    {"__init__", "__post_init__", "__repr__", "__str__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__",
     "__ge__", "__hash__", "__len__", "__iter__", "__next__", "__contains__", "__getitem__", "__setitem__",
     "__delitem__", "__enter__", "__exit__", "__add__", "__sub__", "__mul__", "__call__", "__bool__"}
)
# Fields of AST nodes that hold identifiers. Checked on every node whatever its
# type, so a new syntax (a `match` pattern, `except* … as`) cannot slip past.
ATTRIBUTE_FIELDS = frozenset({"attr", "kwd_attrs"})  # names of attributes of some object
NAME_FIELDS = frozenset({"id", "name", "arg", "asname", "names", "rest", "module"})  # names in a scope


class SnippetRefused(Exception):
    """Code the playground will not run; carries the snippet line."""

    def __init__(self, line: int, message: str):
        self.line = line
        super().__init__(message)


def check_safety(tree: ast.AST) -> None:
    """Refuse code that names anything starting with an underscore, or frames and code.

    Every identifier field of every node is checked: variable, function,
    class, argument and keyword names, `import … as`, `except … as`,
    `global`/`nonlocal`, capture and keyword patterns of `match`.
    """
    _check_node(tree, 1, in_class=False)


def _check_node(node: ast.AST, line: int, in_class: bool) -> None:
    line = getattr(node, "lineno", line)
    for field, value in ast.iter_fields(node):
        if field in ATTRIBUTE_FIELDS or field in NAME_FIELDS:
            for name in value if isinstance(value, list) else [value]:
                if isinstance(name, str):
                    _check_identifier(node, field, name, line, in_class)
    if isinstance(node, ast.ImportFrom) and node.level:
        raise SnippetRefused(line, "relative imports are not available in the playground")
    if isinstance(node, ast.MatchClass) and node.patterns:
        # `case C(x)` reads the attribute named by `C.__match_args__`, which
        # a class made with type(…) can set to anything: keywords only.
        raise SnippetRefused(line, "in a class pattern name the attributes (`case Point(x=a, y=b)`, or "
                                   "`case int() as n`): positional parts are not available in the playground")
    body_is_class = isinstance(node, ast.ClassDef)
    for child in ast.iter_child_nodes(node):
        _check_node(child, line, in_class=body_is_class and child in node.body)


def _check_identifier(node: ast.AST, field: str, name: str, line: int, in_class: bool) -> None:
    if isinstance(node, ast.keyword) and name.startswith("_"):
        raise SnippetRefused(line, f"'{name}=': keyword arguments starting with an underscore are off-limits here")
    if field in ATTRIBUTE_FIELDS or isinstance(node, ast.keyword):
        if name.startswith("_"):
            raise SnippetRefused(line, f"'.{name}': attributes starting with an underscore are off-limits here")
        if name in FORBIDDEN_ATTRIBUTES:
            raise SnippetRefused(line, f"'.{name}' is off-limits in the playground")
        if field == "kwd_attrs" and name in FORMAT_METHODS:
            raise SnippetRefused(line, f"'{name}=' in a pattern is off-limits in the playground")
        return
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and in_class and name in SPECIAL_METHODS:
        return
    parts = name.split(".") if field in ("module", "name") and isinstance(node, (ast.alias, ast.ImportFrom)) \
        else [name]
    if any(part.startswith("_") and part != "_" for part in parts):
        raise SnippetRefused(line, f"'{name}' is off-limits in the playground: names starting with an "
                                   "underscore are reserved")


class _GuardedFormat(ast.NodeTransformer):
    """`x.format` → `__format_attr__(x, 'format')`: see safety.format_attribute."""

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self.generic_visit(node)
        if node.attr in FORMAT_METHODS and isinstance(node.ctx, ast.Load):
            call = ast.Call(func=ast.Name(id=FORMAT_HOOK, ctx=ast.Load()),
                            args=[node.value, ast.Constant(node.attr)], keywords=[])
            return ast.copy_location(call, node)
        return node


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


def instrument(code: str, shared: frozenset[str] | set[str], filename: str, *,
               python_wall: bool = True) -> CodeType:
    """Parse, check and rewrite a snippet; return the code object to exec.

    Raises SyntaxError for code that does not parse and SnippetRefused for
    code the playground will not run. `python_wall=False` (tests of the
    operating-system wall only) skips the check and the format guard.
    """
    tree = ast.parse(code, filename=filename)
    if python_wall:
        check_safety(tree)
        tree = _GuardedFormat().visit(tree)
    table = symtable.symtable(code, filename, "exec")
    tree = _NamedResources().visit(tree)
    tree = _SharedNames(frozenset(shared), table).visit(tree)
    tree = _Mutations().visit(tree)
    ast.fix_missing_locations(tree)
    return compile(tree, filename, "exec", dont_inherit=True)  # not our __future__ imports


def compile_expression(expr: str, shared: frozenset[str] | set[str], filename: str) -> CodeType:
    """An invariant: an expression over shared variables, evaluated by the runtime."""
    tree = ast.parse(expr, filename=filename, mode="eval")
    check_safety(tree)
    tree = ast.fix_missing_locations(_GuardedFormat().visit(tree))
    return compile(tree, filename, "eval", dont_inherit=True)
