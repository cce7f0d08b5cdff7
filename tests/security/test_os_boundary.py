"""The operating-system wall, proven alone.

Every snippet here runs in a sandbox child whose Python layer is switched off
(`SandboxedRun(python_wall=False)`, a test-only keyword that no spec or API
request can reach): it has the real builtins, may import `os`, `socket` and
`ctypes`, and no audit hook watches it. Whatever it tries, bubblewrap's
namespaces, the unprivileged user, the resource limits and the seccomp filter
must stop it. The same attempts with the Python layer on are refused earlier,
by the source check and the import allow-list (tests/security/test_python_layer.py).
"""

from __future__ import annotations

import os
import platform
import socket
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from playground.engine import boundary
from playground.engine.sandbox import SandboxedRun
from tests.unit.helpers import scenario

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    boundary.mode() != "bubblewrap", reason="PLAYGROUND_SANDBOX=python-only: there is no operating-system wall here")

HARNESS = """\
import os, socket, sys
def attempt():
{body}
try:
    result = attempt()
    print("REACHED " + repr(result)[:300])
except BaseException as exc:
    print("REFUSED " + type(exc).__name__ + ": " + str(exc)[:300])
"""


def run_unprotected(code: str, **run) -> list[dict]:
    """Run one snippet with only the operating system between it and the host."""
    sandbox = SandboxedRun(scenario({"P1": code}, **run), python_wall=False).start()
    return [event for batch in sandbox.batches() for event in batch]


def outputs(events: list[dict]) -> list[str]:
    return [e["text"].rstrip("\n") for e in events if e["kind"] == "output"]


def attempt(body: str) -> str:
    """What one attempt printed: `REACHED …` or `REFUSED <error>: …`."""
    events = run_unprotected(HARNESS.format(body=textwrap.indent(textwrap.dedent(body).strip(), "    ")))
    printed = outputs(events)
    failed = [e for e in events if e["kind"] == "thread.failed"]
    assert printed or failed, f"the attempt printed nothing: {events[-1]}"
    return printed[-1] if printed else "REFUSED " + failed[0]["error"]


def test_the_python_layer_really_is_off_in_these_tests():
    # Otherwise every refusal below could be the Python layer's, not the kernel's.
    assert attempt("import ctypes, subprocess; return open.__name__, os.getpid() > 0") == "REACHED ('open', True)"


# -- the network: only the run's own loopback ---------------------------------------------

HOST_SERVICES = {"redis": 6379, "postgresql": 5432, "rabbitmq": 5672}


@pytest.mark.parametrize("service", sorted(HOST_SERVICES))
def test_the_hosts_services_are_unreachable(service):
    port = HOST_SERVICES[service]
    result = attempt(f"return socket.create_connection(('127.0.0.1', {port}), timeout=2).recv(10)")
    assert result.startswith("REFUSED ConnectionRefusedError"), result


def test_the_web_servers_port_is_unreachable_and_nothing_arrives_there():
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    try:
        result = attempt(f"s = socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
                         "s.sendall(b'GET /api/runs HTTP/1.0\\r\\n\\r\\n'); return s.recv(100)")
        assert result.startswith("REFUSED ConnectionRefusedError"), result
        with pytest.raises(TimeoutError):
            listener.accept()  # nothing ever connected to the host's listener
    finally:
        listener.close()


def test_the_only_network_interface_is_loopback():
    # (if_nameindex() asks netlink, which the seccomp filter refuses; /proc/net/dev is this namespace's list)
    result = attempt("return [line.split(':')[0].strip() for line in open('/proc/net/dev').read().splitlines()[2:]]")
    assert result == "REACHED ['lo']"


def test_the_hosts_ipv6_loopback_is_unreachable_too():
    result = attempt("return socket.create_connection(('::1', 6379), timeout=2)")
    assert result.startswith("REFUSED"), result
    assert "REACHED" not in result


@pytest.mark.parametrize("family", ["AF_PACKET", "AF_NETLINK"])
def test_raw_and_netlink_sockets_are_refused(family):
    result = attempt(f"return socket.socket(socket.{family}, socket.SOCK_RAW)")
    assert result.startswith("REFUSED OSError") and "Address family not supported" in result, result


def test_a_snippet_can_still_use_its_own_loopback():
    # The wall must not break the lessons: the run's nodes talk over 127.0.0.1 inside it.
    result = attempt("""
        server = socket.create_server(('127.0.0.1', 0)); port = server.getsockname()[1]
        client = socket.create_connection(('127.0.0.1', port)); conn, _ = server.accept()
        client.sendall(b'ping'); return conn.recv(4)
    """)
    assert result == "REACHED b'ping'"


# -- the user: never root, no capabilities ----------------------------------------------------

def test_the_user_is_not_root():
    result = attempt("return os.getuid(), os.geteuid(), os.getgid(), os.getegid(), os.getgroups()")
    uid, euid, gid, egid, groups = eval(result.removeprefix("REACHED "))
    assert 0 not in (uid, euid, gid, egid) and groups == []


def test_the_process_has_no_capabilities_and_no_new_privileges():
    result = attempt("""
        status = dict(line.split(':\\t') for line in open('/proc/self/status').read().splitlines() if ':\\t' in line)
        return {k: status[k].strip() for k in ('CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb', 'NoNewPrivs')}
    """)
    values = eval(result.removeprefix("REACHED "))
    assert values.pop("NoNewPrivs") == "1"
    assert set(values.values()) == {"0000000000000000"}


@pytest.mark.parametrize("call", ["os.setuid(0)", "os.setgid(0)", "os.setgroups([0])", "os.chroot('/')"])
def test_becoming_root_again_is_refused(call):
    result = attempt(f"return {call}")
    assert result.startswith("REFUSED PermissionError"), result


# -- files: a read-only root holding only the interpreter and the engine --------------------------

SECRET_FILES = ["/etc/passwd", "/etc/shadow", "/etc/hostname", "/root/.bashrc", "/home",
                str(ROOT / "playground" / "settings.py"), str(ROOT / "manage.py"), str(ROOT / "db.sqlite3"),
                str(ROOT / "var"), str(ROOT / ".git" / "config"), "/var/run/postgresql", "/proc/1/root/etc/passwd"]


@pytest.mark.parametrize("path", SECRET_FILES)
def test_files_outside_the_allowed_root_do_not_exist(path):
    result = attempt(f"return os.listdir({path!r}) if os.path.isdir({path!r}) else open({path!r}).read(100)")
    assert result.startswith(("REFUSED FileNotFoundError", "REFUSED PermissionError")), result


def test_the_root_holds_only_what_the_interpreter_and_engine_need():
    result = attempt("return sorted(os.listdir('/'))")
    top = set(eval(result.removeprefix("REACHED ")))
    allowed = {root.parts[1] for root in boundary._readonly_roots(sys.executable)}
    assert top <= allowed | {"lib", "lib64", "bin", "proc", "dev"}, top
    # (a checkout under /tmp or /home brings that folder, holding only the checkout's engine)
    assert not ({"etc", "var", "tmp", "home", "root"} - allowed) & top


@pytest.mark.parametrize("path", ["/x", str(ROOT / "playground" / "engine" / "x.py"), "/usr/x", "/dev/shm/x",
                                  "/proc/x"])
def test_writes_fail_everywhere(path):
    result = attempt(f"f = open({path!r}, 'w'); f.write('pwned'); f.close(); return 'written'")
    assert result.startswith("REFUSED"), result
    assert not Path(path).exists() or path.startswith("/dev") or path.startswith("/proc")


def test_the_project_on_the_host_is_unchanged_by_a_write_attempt():
    target = ROOT / "playground" / "engine" / "pwned.py"
    attempt(f"open({str(target)!r}, 'w').write('pwned')")
    assert not target.exists()


# -- processes: none started, none seen, none outlives the run ------------------------------------

@pytest.mark.parametrize("call", [
    "os.fork()",
    "os.posix_spawn('/usr/bin/id', ['id'], {})",
    "os.execv('/usr/bin/id', ['id'])",
    "__import__('subprocess').run(['id'], capture_output=True).stdout",
    "__import__('pty').fork()",
])
def test_starting_a_process_or_a_program_is_refused(call):
    result = attempt(f"return {call}")
    assert result.startswith("REFUSED"), result


def test_os_system_runs_nothing():
    # system() reports the shell's failure as a status; what matters is that no program ran.
    result = attempt("return os.system('echo pwned')")
    assert result in ("REACHED 32512", "REACHED -1") or result.startswith("REFUSED"), result


def test_only_the_runs_own_processes_are_visible():
    result = attempt("return sorted(int(p) for p in os.listdir('/proc') if p.isdigit())")
    pids = eval(result.removeprefix("REACHED "))
    assert len(pids) <= 3, pids  # the namespace's bubblewrap and the run itself


def test_another_processs_environment_is_not_readable():
    # pid 1 is the namespace's bubblewrap; it runs as another user, and had an empty environment anyway.
    result = attempt("return open('/proc/1/environ').read()")
    assert result.startswith("REFUSED PermissionError"), result


def test_the_worker_cannot_be_signalled():
    result = attempt(f"return os.kill({os.getpid()}, 0)")
    assert result.startswith("REFUSED ProcessLookupError"), result
    result = attempt("return os.kill(1, 9)")
    assert result.startswith("REFUSED PermissionError"), result


def test_the_environment_holds_no_secret(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "very-secret")
    monkeypatch.setenv("DATABASE_URL", "postgresql://user:password@db/playground")
    monkeypatch.setenv("REDIS_URL", "redis://:password@redis:6379/0")
    result = attempt("return dict(os.environ)")
    environment = eval(result.removeprefix("REACHED "))
    assert not {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} & set(environment)
    assert "very-secret" not in result and "password" not in result


@pytest.mark.parametrize("syscall", [
    ("ptrace", "16, 1, 0, 0"), ("mount", "b'none', b'/mnt', b'tmpfs', 0, None"),
    ("unshare", "0x10000000"), ("setns", "0, 0"), ("chroot", "b'/usr'"), ("personality", "0x0040000"),
    # By number (x86_64): bpf, keyctl, perf_event_open, userfaultfd, kexec_load, init_module.
    ("syscall", "321, 0, 0, 0"), ("syscall", "250, 0, 0, 0"), ("syscall", "298, 0, 0, 0"),
    ("syscall", "323, 0"), ("syscall", "246, 0, 0, 0"), ("syscall", "175, 0, 0, 0"),
], ids=lambda s: f"{s[0]}({s[1]})")
def test_kernel_surfaces_are_refused(syscall):
    name, args = syscall
    if name == "syscall" and platform.machine() != "x86_64":
        pytest.skip("system call numbers of x86_64")
    result = attempt(f"""
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.{name}({args}) == -1:
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
        return 'done'
    """)
    assert result.startswith("REFUSED") and "Operation not permitted" in result, result


def test_no_process_of_a_run_outlives_it():
    code = "import os\nprint(os.getuid())\nwhile True:\n    pass\n"
    sandbox = SandboxedRun(scenario({"P1": code}, timeout_ms=60_000), python_wall=False).start()
    uid = None
    for batch in sandbox.batches():
        for event in batch:
            if event["kind"] == "output" and uid is None:
                uid = int(event["text"].split()[0])
                sandbox.kill("cancelled")
    assert uid is not None and uid != 0
    deadline = time.monotonic() + 60
    while _processes_of(uid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_of(uid) == []


def _processes_of(uid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                status = Path(f"/proc/{entry}/status").read_text()
            except OSError:
                continue
            if any(line.split()[1:2] == [str(uid)] for line in status.splitlines() if line.startswith("Uid:")):
                found.append(int(entry))
    return found


# -- limits: each ends only that run, with a reason ----------------------------------------------

def test_memory_is_limited():
    result = attempt("return len(bytearray(3 << 30))")
    assert result.startswith("REFUSED MemoryError"), result


def test_a_thread_bomb_is_stopped_and_only_its_run_ends():
    before = threading.active_count()
    result = attempt("""
        import _thread
        gate = _thread.allocate_lock(); gate.acquire()
        started = 0
        while started < 5000:
            _thread.start_new_thread(gate.acquire, ()); started += 1
        return started
    """)
    assert result.startswith("REFUSED RuntimeError: can't start new thread"), result
    assert threading.active_count() < before + 20  # the test process did not get those threads


def test_open_files_are_limited():
    result = attempt("return len([socket.socket() for _ in range(10000)])")
    assert result.startswith("REFUSED OSError") and "Too many open files" in result, result


def test_cpu_and_wall_clock_are_limited():
    events = run_unprotected("while True:\n    pass\n", timeout_ms=1000)
    finished = events[-1]
    assert finished["kind"] == "run.finished" and finished["status"] == "timeout", finished
    assert "time limit" in finished["error"] or "1000 ms" in finished["error"], finished
