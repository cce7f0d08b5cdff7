"""What untrusted snippets may touch.

Three layers, each enough against the usual escapes, together robust:
1. `instrument.check_safety` refuses every identifier starting with an
   underscore in the source (no `__class__.__subclasses__()`, no
   `__globals__`, no `except … as __builtins__`), and `.format` goes through
   `format_attribute`, which checks the format string's fields;
2. snippets get a reduced set of builtins (no `open`, `eval`, `exec`,
   `compile`, `__import__` of anything off the allow-list, and a `getattr`
   that keeps to public names), fresh for every thread, and modules reduced
   to the documented public functions a learner needs;
3. in the sandbox child, an audit hook (which cannot be removed or changed)
   allows only the audit events a run needs — no files, processes, sockets
   or native code — and resource limits bound CPU time, memory, open files.
"""

from __future__ import annotations

import _string  # the parser str.format itself uses
import builtins
import collections
import dataclasses
import functools
import hashlib
import heapq
import hmac
import itertools
import json
import math
import random
import struct
import sys
import time
from types import SimpleNamespace
from typing import Any

from .instrument import FORBIDDEN_ATTRIBUTES, FORMAT_HOOK, FORMAT_METHODS

ALLOWED_MODULES = ("math", "random", "time", "json", "collections", "itertools", "functools", "heapq",
                   "dataclasses", "struct", "hashlib", "hmac", "threading")
# The documented public members a snippet gets, module by module (None: every
# public member, for modules of plain C functions). Left out on purpose:
# functools.update_wrapper/wraps (they copy attributes named by strings),
# collections.UserString (its .format calls str.format unguarded),
# dataclasses.make_dataclass, json.dump/load (files), hashlib.file_digest (files),
# hashlib.scrypt/pbkdf2_hmac (key stretching: memory and CPU by the parameter).
_OFFERED: dict[str, tuple[Any, tuple[str, ...] | None]] = {
    "math": (math, None),
    "itertools": (itertools, None),
    "heapq": (heapq, ("heappush", "heappop", "heapify", "heapreplace", "heappushpop", "nlargest",
                      "nsmallest", "merge")),
    "json": (json, ("dumps", "loads", "JSONDecodeError")),
    "collections": (collections, ("namedtuple", "deque", "Counter", "OrderedDict", "defaultdict", "ChainMap")),
    "functools": (functools, ("reduce", "partial", "lru_cache", "cache", "cmp_to_key", "total_ordering")),
    "dataclasses": (dataclasses, ("dataclass", "field", "fields", "asdict", "astuple", "replace",
                                  "is_dataclass", "FrozenInstanceError", "InitVar", "KW_ONLY", "MISSING")),
    "struct": (struct, ("pack", "unpack", "calcsize", "iter_unpack", "pack_into", "unpack_from", "Struct",
                        "error")),
    "hashlib": (hashlib, ("md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_256", "sha3_512",
                          "blake2b", "blake2s", "new")),
    "hmac": (hmac, ("new", "digest", "compare_digest", "HMAC")),
}
_RANDOM_FUNCTIONS = ("random", "uniform", "randint", "randrange", "choice", "choices", "shuffle", "sample",
                     "gauss", "normalvariate", "expovariate", "triangular", "betavariate", "seed",
                     "getrandbits", "randbytes")

_SAFE_BUILTIN_NAMES = (
    "abs all any ascii bin bool bytearray bytes callable chr classmethod complex dict divmod enumerate "
    "filter float format frozenset hash hex int isinstance issubclass iter len list map max min next "
    "object oct ord pow property range repr reversed round set slice sorted staticmethod str sum super "
    "tuple type zip dir id"
).split()
_REFUSED = ("open", "eval", "exec", "compile", "input", "breakpoint", "help", "exit", "quit", "globals",
            "locals", "vars", "memoryview")


class PlaygroundRefusal(PermissionError):
    """Something the playground does not let a snippet do."""


def _public(name: str) -> str:
    if not isinstance(name, str):
        raise TypeError("attribute name must be a string")
    if name.startswith("_") or name in FORBIDDEN_ATTRIBUTES:
        raise PlaygroundRefusal(f"attribute {name!r} is off-limits in the playground")
    return name


def safe_getattr(obj: Any, name: str, *default: Any) -> Any:
    if _public(name) in FORMAT_METHODS:
        return format_attribute(obj, name)
    return getattr(obj, name, *default)


def safe_hasattr(obj: Any, name: str) -> bool:
    return hasattr(obj, _public(name))


def safe_setattr(obj: Any, name: str, value: Any) -> None:
    setattr(obj, _public(name), value)


def safe_delattr(obj: Any, name: str) -> None:
    delattr(obj, _public(name))


# -- format strings -------------------------------------------------------------

def check_format_string(template: Any) -> None:
    """Refuse `"{0.__globals__}"`, `"{0[_x]}"`, `"{0.gi_frame}"`: a format
    string may only name public attributes and items of its arguments."""
    if not isinstance(template, str):
        return  # str.format itself will say what is wrong
    for _literal, field, spec, _conversion in _string.formatter_parser(template):
        if field:
            first, rest = _string.formatter_field_name_split(field)
            for is_attribute, key in [(False, first), *rest]:
                if isinstance(key, str) and (key.startswith("_") or (is_attribute and key in FORBIDDEN_ATTRIBUTES)):
                    shown = f".{key}" if is_attribute else key
                    raise PlaygroundRefusal(f"the format string field {{{field}}} names {shown!r}: names "
                                            "starting with an underscore, frames and code are off-limits "
                                            "in the playground")
        if spec:
            check_format_string(spec)  # `{0:{1.attr}}` nests fields in the spec


def format_attribute(obj: Any, name: str) -> Any:
    """`obj.format` / `obj.format_map` for snippets (the instrumented code calls
    this instead): str's own methods come back checking their format string."""
    value = getattr(obj, name)
    if value is str.format or value is str.format_map:  # unbound: str.format(template, …)
        def unbound(template, *args, **kwargs):
            check_format_string(template)
            return value(template, *args, **kwargs)
        return unbound
    owner = getattr(value, "__self__", None)
    if isinstance(owner, str) and getattr(value, "__name__", None) in FORMAT_METHODS:
        def bound(*args, **kwargs):
            check_format_string(owner)
            return value(*args, **kwargs)
        return bound
    return value  # a learner's own `format` method or attribute


def _refused(name: str):
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise PlaygroundRefusal(f"{name}() is not available in the playground")

    refuse.__name__ = name
    return refuse


def _members(module: Any, names: tuple[str, ...] | None) -> dict[str, Any]:
    if names is None:
        names = tuple(k for k, v in vars(module).items() if not k.startswith("_") and callable(v))
    return {name: getattr(module, name) for name in names}


_PUBLIC = {name: _members(module, names) for name, (module, names) in _OFFERED.items()}  # once per process


def random_module(seed: Any) -> SimpleNamespace:
    """`random` for a snippet: the same functions, drawn from the run's seed."""
    rng = random.Random(seed)
    members = {name: getattr(rng, name) for name in _RANDOM_FUNCTIONS}
    members["Random"] = random.Random
    return SimpleNamespace(**members)


def time_module(sleep) -> SimpleNamespace:
    return SimpleNamespace(time=time.time, perf_counter=time.perf_counter, monotonic=time.monotonic,
                           sleep=sleep, strftime=time.strftime, gmtime=time.gmtime, localtime=time.localtime)


def make_import(modules: dict[str, Any]):
    """`__import__` for snippets: the allow-list, nothing else."""

    def safe_import(name: str, globals=None, locals=None, fromlist=(), level=0):
        if level:
            raise ImportError("relative imports are not available in the playground")
        top = name.split(".")[0]
        if top not in modules or "." in name:
            raise ImportError(
                f"import of {name!r} is not allowed in the playground; you may import: "
                + ", ".join(ALLOWED_MODULES)
            )
        return modules[top]

    return safe_import


def _base_builtins() -> dict[str, Any]:
    table = {name: getattr(builtins, name) for name in _SAFE_BUILTIN_NAMES}
    for name in dir(builtins):
        value = getattr(builtins, name)
        if isinstance(value, type) and issubclass(value, BaseException):
            table[name] = value
    return table


_BASE_BUILTINS = _base_builtins()


def make_builtins(modules: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """A new builtins dict (one per thread: no thread can change another's)."""
    table = dict(_BASE_BUILTINS)
    table.update({"True": True, "False": False, "None": None, "NotImplemented": NotImplemented,
                  "Ellipsis": Ellipsis, "__build_class__": builtins.__build_class__,
                  "__name__": "builtins", "getattr": safe_getattr, "hasattr": safe_hasattr,
                  "setattr": safe_setattr, "delattr": safe_delattr, "__import__": make_import(modules),
                  FORMAT_HOOK: format_attribute})
    for name in _REFUSED:
        table[name] = _refused(name)
    table.update(extra)
    return table


def real_builtins(extra: dict[str, Any]) -> dict[str, Any]:
    """`python_wall=False` only (tests of the operating-system wall): everything."""
    table = dict(vars(builtins))
    table.update(extra)
    return table


def snippet_modules(seed: Any, sleep, threading_ns: Any) -> dict[str, Any]:
    # A fresh namespace per run: a snippet that reassigns `math.pi` changes only its own run.
    modules = {name: SimpleNamespace(**members) for name, members in _PUBLIC.items()}
    modules["random"] = random_module(seed)
    modules["time"] = time_module(sleep)
    modules["threading"] = threading_ns
    return modules


# -- the sandbox child only ---------------------------------------------------

def _audit(event: str, args: tuple) -> None:
    """The audit policy: the events a run needs, nothing else.

    The allow-list is a set literal, so a constant of this function's code:
    no module global to empty, no closure cell to swap, and replacing the
    code itself (`__code__`) is refused below. `compile` and `exec` are
    there for the engine, dataclasses and namedtuple (snippets have no
    compile/eval/exec of their own).
    """
    if event not in {"exec", "compile", "object.__getattr__", "object.__setattr__", "object.__delattr__",
                     "sys._getframe", "builtins.id", "time.sleep", "sys.excepthook", "threading.excepthook"}:
        raise PlaygroundRefusal(f"not allowed in the playground ({event})")
    if event == "object.__setattr__" and len(args) > 1 and args[1] in ("__code__", "__defaults__",
                                                                        "__kwdefaults__"):
        raise PlaygroundRefusal(f"not allowed in the playground (changing {args[1]})")


def install_audit_hook() -> None:
    """After this nothing in the process can open a file, start a process or a socket."""
    sys.addaudithook(_audit)


def apply_limits(*, cpu_s: int, memory_bytes: int, open_files: int = 64) -> None:
    """Resource limits for the sandbox child (the parent adds a wall-clock kill)."""
    import resource
    import threading

    threading.stack_size(1 << 20)  # 1 MiB stacks: many threads fit under the memory limit

    def limit(kind: int, value: int) -> None:
        soft, hard = resource.getrlimit(kind)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(kind, (value, value))

    limit(resource.RLIMIT_CPU, cpu_s)
    limit(resource.RLIMIT_AS, memory_bytes)
    limit(resource.RLIMIT_NOFILE, open_files)
    limit(resource.RLIMIT_FSIZE, 0)
    limit(resource.RLIMIT_CORE, 0)
    # No RLIMIT_NPROC: it counts every process of the user, threads included;
    # new processes are refused by the audit hook instead.
