"""A seccomp filter for the sandbox child: system calls a snippet never needs.

Loaded by the child once the engine is imported and before any snippet runs
(and before any thread starts, so every thread has it). The kernel then
refuses, whatever Python code runs:
- new processes and programs (fork, vfork, a clone that is not a thread,
  execve), so nothing of a run can outlive it or run another program;
- debugging and reading other processes (ptrace, process_vm_*);
- the kernel's own surfaces: mount and namespaces, bpf, keyrings,
  perf_event_open, userfaultfd, io_uring, modules, kexec, reboot, swap;
- sockets other than IP and Unix ones (no raw packets, no netlink).
It uses libseccomp through the `pyseccomp` bindings.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os

REFUSED = (
    "execve execveat fork vfork ptrace process_vm_readv process_vm_writev kcmp pidfd_getfd "
    "mount umount2 pivot_root chroot unshare setns fsopen fsconfig fsmount fspick move_mount open_tree "
    "mount_setattr bpf keyctl add_key request_key perf_event_open userfaultfd io_uring_setup "
    "io_uring_enter io_uring_register init_module finit_module delete_module kexec_load kexec_file_load "
    "reboot swapon swapoff acct iopl ioperm open_by_handle_at name_to_handle_at quotactl syslog "
    "vhangup personality lookup_dcookie settimeofday clock_settime adjtimex clock_adjtime"
).split()
CLONE_THREAD = 0x00010000
ALLOWED_SOCKET_FAMILIES = (1, 2, 10)  # AF_UNIX, AF_INET, AF_INET6
_LIBRARIES = {"c": ("libc.so.6",), "seccomp": ("libseccomp.so.2",)}
_LIBRARY_DIRS = ("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                 "/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib64", "/lib")


def _find_library(name: str) -> str | None:
    """ctypes.util.find_library runs ldconfig (a new process) and reads /etc: neither is
    there inside the sandbox, so look in the usual directories instead."""
    for filename in _LIBRARIES.get(name, (f"lib{name}.so",)):
        for folder in _LIBRARY_DIRS:
            path = os.path.join(folder, filename)
            if os.path.exists(path):
                return path
    return None


def _bindings():
    original = ctypes.util.find_library
    ctypes.util.find_library = _find_library
    try:
        import pyseccomp
    finally:
        ctypes.util.find_library = original
    return pyseccomp


def install() -> None:
    """Load the filter into this process (and every thread it starts from now on)."""
    seccomp = _bindings()
    refuse = seccomp.ERRNO(errno.EPERM)
    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    for name in REFUSED:
        try:
            rules.add_rule(refuse, name)
        except OSError:  # a call this kernel or architecture does not have
            pass
    # glibc tries clone3 first for threads, whose flags seccomp cannot read: ENOSYS
    # makes it fall back to clone, whose flags it can.
    try:
        rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    except OSError:
        pass
    rules.add_rule(refuse, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
    for family in range(46):
        if family not in ALLOWED_SOCKET_FAMILIES:
            rules.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), "socket", seccomp.Arg(0, seccomp.EQ, family))
    rules.load()
