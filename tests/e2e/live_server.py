"""Start the real playground server (Daphne + embedded Celery worker) for browser tests.

Each server gets its own PLAYGROUND_VAR_DIR, so its SQLite database and secret key
live in a temporary folder and never touch the developer's var/.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "playground" / "static" / "dist"
PYTHON = os.environ.get("PLAYGROUND_PYTHON", str(ROOT / ".venv" / "bin" / "python"))
if not Path(PYTHON).exists():
    PYTHON = sys.executable

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path():
    return os.environ.get("PLAYGROUND_CHROMIUM", "/usr/bin/chromium")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, var_dir, port=None):
        self.var_dir = Path(var_dir)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.var_dir / "server.log"
        self.process = None
        self.env = {
            **os.environ,
            "PLAYGROUND_VAR_DIR": str(self.var_dir),
            "DJANGO_SETTINGS_MODULE": "playground.settings",
            "PYTHONUNBUFFERED": "1",
        }
        # A test server always runs on the embedded defaults.
        for name in ("DATABASE_URL", "REDIS_URL"):
            self.env.pop(name, None)

    def manage(self, *args):
        subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, check=True, capture_output=True, timeout=300
        )

    def start(self, timeout=90):
        if not (DIST / "app.js").exists():
            raise RuntimeError(
                f"The frontend is not built ({DIST / 'app.js'} is missing): run `make frontend`."
            )
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.manage("migrate", "--noinput")
        self.manage("load_library")
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [PYTHON, "manage.py", "serve", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() also ends the worker's children
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The server exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/api/scenarios", timeout=2) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"The server did not answer within {timeout}s:\n{self.log_tail()}")

    def stop(self):
        if not self.process or self.process.poll() is not None:
            return
        pgid = self.process.pid  # the group we created with start_new_session
        os.killpg(pgid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def log_tail(self, lines=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"
