"""What untrusted snippets may touch.

Three layers, each enough against the usual escapes, together robust:
1. `instrument.check_safety` refuses underscore attributes and dunder names
   in the source (no `__class__.__subclasses__()`, no `__globals__`);
2. snippets get a reduced set of builtins (no `open`, `eval`, `exec`,
   `compile`, `__import__` of anything off the allow-list, and a `getattr`
   that keeps to public names) and modules reduced to their public,
   non-module members;
3. in the sandbox child, an audit hook (which cannot be removed) refuses
   files, processes, sockets and native code, and resource limits bound CPU
   time, memory, open files and processes.
"""

from __future__ import annotations

import builtins
import collections
import dataclasses
import functools
import heapq
import itertools
import json
import math
import random
import sys
import time
from types import ModuleType, SimpleNamespace
from typing import Any

from .instrument import FORBIDDEN_ATTRIBUTES

ALLOWED_MODULES = ("math", "random", "time", "json", "collections", "itertools", "functools", "heapq",
                   "dataclasses", "threading")
_REAL = {"math": math, "json": json, "collections": collections, "itertools": itertools,
         "functools": functools, "heapq": heapq, "dataclasses": dataclasses}

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
    return getattr(obj, _public(name), *default)


def safe_hasattr(obj: Any, name: str) -> bool:
    return hasattr(obj, _public(name))


def safe_setattr(obj: Any, name: str, value: Any) -> None:
    setattr(obj, _public(name), value)


def safe_delattr(obj: Any, name: str) -> None:
    delattr(obj, _public(name))


def _refused(name: str):
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise PlaygroundRefusal(f"{name}() is not available in the playground")

    refuse.__name__ = name
    return refuse


def public_members(module: ModuleType) -> dict[str, Any]:
    """A module reduced to its public, non-module members."""
    return {k: v for k, v in vars(module).items() if not k.startswith("_") and not isinstance(v, ModuleType)}


_PUBLIC = {name: public_members(mod) for name, mod in _REAL.items()}  # worked out once per process


def random_module(seed: Any) -> SimpleNamespace:
    """`random` for a snippet: the same functions, drawn from the run's seed."""
    rng = random.Random(seed)
    members = {name: getattr(rng, name) for name in dir(rng)
               if not name.startswith("_") and callable(getattr(rng, name))}
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
    table = dict(_BASE_BUILTINS)
    table.update({"True": True, "False": False, "None": None, "NotImplemented": NotImplemented,
                  "Ellipsis": Ellipsis, "__build_class__": builtins.__build_class__,
                  "__name__": "playground", "getattr": safe_getattr, "hasattr": safe_hasattr,
                  "setattr": safe_setattr, "delattr": safe_delattr, "__import__": make_import(modules)})
    for name in _REFUSED:
        table[name] = _refused(name)
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

_BLOCKED_AUDIT = ("open", "os.", "subprocess.", "shutil.", "ctypes.", "socket.", "pty.", "tempfile.",
                  "compile", "code.__new__", "sys.settrace", "sys.setprofile", "sys._current_frames",
                  "gc.get_", "import", "webbrowser.", "glob.", "fcntl.", "mmap.", "resource.",
                  "sqlite3.", "signal.", "urllib.", "sys.remote_exec", "cpython.")


def _audit(event: str, args: tuple) -> None:
    if event.startswith(_BLOCKED_AUDIT):
        raise PlaygroundRefusal(f"not allowed in the playground ({event})")


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
