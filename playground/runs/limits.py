"""How long a run may last, and the Celery time limits its task gets from that.

A step-mode run waits for the learner's clicks and may last up to 30 minutes; every
other mode ends in seconds and is held to 2 minutes (both from settings). Each run's
task is queued with its own soft and hard time limits, just past the worker's own
deadline for the run, so a long step run is not killed by a fixed worker-wide limit and
a short run does not hold a worker for a quarter of an hour if something hangs.
"""

import math

from django.conf import settings

# The engine's default when a spec says nothing (playground.engine.spec.RunSettings).
DEFAULT_TIMEOUT_MS = 10_000


def max_timeout_ms(mode):
    return settings.RUN_MAX_TIMEOUT_MS_STEP if mode == "step" else settings.RUN_MAX_TIMEOUT_MS


def timeout_errors(spec, path="run.timeout_ms"):
    """[{"path", "message"}] if a validated spec's timeout is longer than its mode allows."""
    run = spec.get("run") or {}
    mode = run.get("mode", "free")
    timeout = run.get("timeout_ms", DEFAULT_TIMEOUT_MS)
    limit = max_timeout_ms(mode)
    if timeout <= limit:
        return []
    return [{"path": path, "message": f"a {mode} run may last at most {limit} ms ({limit / 60_000:g} min); "
                                      f"{timeout} ms asked"}]


def task_time_limits(spec):
    """(soft, hard) Celery time limits in whole seconds for a validated spec's run."""
    timeout_s = (spec.get("run") or {}).get("timeout_ms", DEFAULT_TIMEOUT_MS) / 1000
    soft = math.ceil(timeout_s + settings.RUN_DEADLINE_GRACE_SECONDS + settings.RUN_TASK_GRACE_SECONDS)
    return soft, math.ceil(soft + settings.RUN_TASK_KILL_SECONDS)
