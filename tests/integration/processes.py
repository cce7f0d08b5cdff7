"""Real server processes for the integration tests (Daphne, Celery workers, `manage.py serve`),
started in their own process groups and stopped at the end."""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Processes:
    def __init__(self, env, log_dir):
        self.env, self.log_dir, self.running = env, log_dir, []

    def run(self, *args):
        subprocess.run([sys.executable, *args], cwd=ROOT, env=self.env, check=True, capture_output=True,
                       timeout=300)

    def start(self, name, *args):
        log = open(self.log_dir / f"{name}.log", "ab")
        process = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=self.env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.running.append((name, process))
        return process

    def logs(self):
        return "\n".join(f"--- {p.name} ---\n{p.read_text()[-3000:]}" for p in sorted(self.log_dir.glob("*.log")))

    def stop(self):
        for _, process in self.running:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _, process in self.running:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


def descendants(pid):
    """Every process below `pid` (children, their children…), from /proc."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids):
    """Those of `pids` still running (not gone, not zombies)."""
    living = set()
    for pid in pids:
        try:
            if "zombie" not in Path(f"/proc/{pid}/status").read_text(errors="replace").lower():
                living.add(pid)
        except OSError:
            pass
    return living


def unavailable(what, reason, needs):
    """Skip loudly where a service the test needs is missing; with CI=true, fail instead
    (CI machines have PostgreSQL, Redis and redis-server)."""
    import pytest

    message = f"{what} NOT TESTED: {reason}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: {needs} must be there)")
    pytest.skip(message)


def with_database(url, name):
    """The same server's URL, for database `name`."""
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"
