"""The operating-system wall around a sandbox child, built with bubblewrap.

Each run's child process starts inside `bwrap` with:
- its own network namespace holding only loopback: the scenario's nodes and
  relays live there; the host's Redis, PostgreSQL and web server do not exist;
- its own mount namespace whose root is a read-only tmpfs holding only the
  Python installation, the virtual environment and the engine's package (no
  project settings or database, no /etc, no /home, no writable directory);
- its own PID, IPC and UTS namespaces, dying with its parent (`--die-with-parent`
  on the namespace's first process: when it dies the kernel kills the rest);
- an empty environment but for a few harmless variables;
- an unprivileged user with no capabilities and `no_new_privs`: when the worker
  is root, `setpriv` switches to a uid of its own for the run (so a per-run
  process limit counts this run only); otherwise a user namespace maps the
  worker's own unprivileged user;
- hard resource limits set by `prlimit` before Python starts (the child lowers
  them further for its run), and, once the engine is loaded, a seccomp filter
  (see `seccomp.py`).

`PLAYGROUND_SANDBOX=python-only` runs the child without this wall (a person alone
on a laptop without bubblewrap); nothing else ever does: when the wall cannot be
built the run is refused with the reason.
"""

from __future__ import annotations

import functools
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

MODE_VARIABLE = "PLAYGROUND_SANDBOX"
MODES = ("bubblewrap", "python-only")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
ENGINE_DIR = Path(__file__).resolve().parent

# Ceilings that hold before Python starts; the child lowers them for its run.
MAX_CPU_S = 1900  # a step run may last 30 minutes
MAX_MEMORY_BYTES = 2 << 30
MAX_OPEN_FILES = 4096
MAX_PROCESSES = 300  # threads count here: 200 live snippet threads and the engine's own
RUN_UID_BASE, RUN_UID_SPAN = 200_000, 100_000  # root workers give each run a uid of its own


class BoundaryUnavailable(RuntimeError):
    """The operating-system wall cannot be built here; runs are refused."""


def mode() -> str:
    value = os.environ.get(MODE_VARIABLE, "bubblewrap").strip() or "bubblewrap"
    if value not in MODES:
        raise BoundaryUnavailable(f"{MODE_VARIABLE}={value!r} is not one of {', '.join(MODES)}")
    return value


def child_environment() -> dict[str, str]:
    """All the child sees of the environment: no secret, no database or Redis URL."""
    return {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT), "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONHASHSEED": "0", "MALLOC_ARENA_MAX": "2", "LANG": "C.UTF-8", MODE_VARIABLE: mode()}


def _readonly_roots(python: str) -> list[Path]:
    """What the interpreter and the engine need, and nothing else of the host's files."""
    roots = {Path("/usr")}
    exe = Path(python)
    for path in (Path(sys.prefix), Path(sys.base_prefix), exe.parent.parent, exe.resolve().parent.parent):
        if not _inside(path, Path("/usr")):
            roots.add(path)
    # The engine alone, not the project: no settings, no database, no other app.
    roots.add(ENGINE_DIR)
    roots.add(PROJECT_ROOT / "playground" / "__init__.py")
    # Keep the outermost of nested roots (a venv inside the project is bound once).
    kept: list[Path] = []
    for root in sorted(roots, key=lambda p: len(p.parts)):
        if not any(_inside(root, k) for k in kept):
            kept.append(root)
    return kept


def _inside(path: Path, parent: Path) -> bool:
    return path == parent or parent in path.parents


def _mount_arguments(python: str) -> list[str]:
    args: list[str] = []
    made: set[Path] = {Path("/")}
    for root in _readonly_roots(python):
        if not root.exists():
            continue
        for parent in reversed(root.parents):
            if parent not in made:  # bwrap would make these 0700: world-readable instead
                args += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        args += ["--ro-bind", str(root), str(root)]
    for link, target in (("/lib", "usr/lib"), ("/lib64", "usr/lib64"), ("/bin", "usr/bin")):
        if Path(link).is_symlink():  # Debian's merged /usr
            args += ["--symlink", target, link]
        elif Path(link).is_dir():
            args += ["--ro-bind", link, link]
    return args + ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/"]


def _limits_arguments(*, processes: bool) -> list[str]:
    args = ["prlimit", f"--cpu={MAX_CPU_S}", f"--as={MAX_MEMORY_BYTES}", f"--nofile={MAX_OPEN_FILES}",
            "--fsize=0", "--core=0"]
    if processes:  # only meaningful when the run has a uid of its own
        args.append(f"--nproc={MAX_PROCESSES}")
    return args + ["--"]


def bubblewrap_command(python: str, argv: list[str]) -> list[str]:
    """The command line that starts `python argv…` behind the wall."""
    bwrap = shutil.which("bwrap") or "bwrap"
    command = [bwrap, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
               "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--hostname", "sandbox"]
    command += _mount_arguments(python)
    command += ["--chdir", str(PROJECT_ROOT), "--clearenv"]
    for key, value in child_environment().items():
        command += ["--setenv", key, value]
    if os.geteuid() == 0:
        # bwrap keeps root's capabilities inside until setpriv drops them for good.
        uid = RUN_UID_BASE + random.randrange(RUN_UID_SPAN)
        command += ["--"] + _limits_arguments(processes=True)
        command += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                    "--bounding-set=-all", "--no-new-privs"]
    else:
        command += ["--unshare-user", "--uid", "65534", "--gid", "65534", "--cap-drop", "ALL", "--"]
        command += _limits_arguments(processes=False)
    return command + [python, *argv]


@functools.cache
def _probe(python: str) -> str | None:
    """Start the wall once with `python -c pass`: None when it stands, else why not."""
    if shutil.which("bwrap") is None:
        return ("bubblewrap (bwrap) is not installed: install the Debian package 'bubblewrap' "
                "(make run and make test do it)")
    for tool in ("prlimit", "setpriv") if os.geteuid() == 0 else ("prlimit",):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian package util-linux)"
    try:
        done = subprocess.run(bubblewrap_command(python, ["-c", "pass"]), capture_output=True,
                              env=child_environment(), timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap could not start: {exc}"
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip().splitlines()
        return ("bubblewrap could not build the sandbox (user or network namespaces unavailable?): "
                + (detail[-1] if detail else f"exit code {done.returncode}"))
    return None


def check(python: str = sys.executable) -> None:
    """Raise `BoundaryUnavailable` with what is missing, unless the wall stands or is opted out of."""
    if mode() == "python-only":
        return
    problem = _probe(python)
    if problem:
        raise BoundaryUnavailable(
            f"The sandbox cannot start, so snippets are not run: {problem}. To run snippets without "
            f"operating-system isolation on a machine of your own, set {MODE_VARIABLE}=python-only.")


def spawn(python: str, argv: list[str]) -> subprocess.Popen:
    """Start `python argv…` as a sandbox child: behind the wall unless opted out."""
    check(python)
    command = [python, *argv] if mode() == "python-only" else bubblewrap_command(python, argv)
    return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=str(PROJECT_ROOT), env=child_environment(), start_new_session=True)


def exit_signal(returncode: int | None) -> int | None:
    """The signal that ended the child, whether Popen saw it or bwrap reported it as 128 + n."""
    if returncode is None:
        return None
    if returncode < 0:
        return -returncode
    if returncode > 128 and mode() == "bubblewrap":
        return returncode - 128
    return None
