"""Playground settings: every value comes from the environment.

The defaults are the embedded deployment (SQLite, in-memory channel layer, in-memory
Celery broker, one process). Setting DATABASE_URL (PostgreSQL) and REDIS_URL (Celery
broker and channel layer) gives the scale-out deployment. A malformed value stops
start-up with a message naming the variable, rather than being silently ignored.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


# --- strict environment helpers ------------------------------------------------------


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false, 1/0, yes/no, on/off)")


def env_int(name, default, minimum=None):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}")
    return value


def env_float(name, default, minimum=None):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}")
    return value


def env_list(name, default):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name, schemes):
    raw = os.environ.get(name, "").strip()
    if raw and raw.split("://", 1)[0] not in schemes:
        raise ImproperlyConfigured(f"{name} must start with one of {', '.join(s + '://' for s in schemes)}")
    return raw


# --- core ----------------------------------------------------------------------------

VAR_DIR = Path(env_str("PLAYGROUND_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)


def _secret_key():
    # A deployment sets SECRET_KEY; the embedded default keeps a random one in var/
    # so that a fresh clone needs no configuration and never ships a known key.
    key = env_str("SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",  # /admin/: classrooms, seats, activities (staff only)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "ninja",  # the API docs page (/api/docs) and its assets, served locally
    "playground.scenarios",
    "playground.runs",
    "playground.live",
    "playground.api",
    "playground.accounts",
    "playground.classroom",
    "playground.server",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "playground.urls"
WSGI_APPLICATION = "playground.wsgi.application"
ASGI_APPLICATION = "playground.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "playground" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "playground.context_processors.sandbox",
            ],
            # {% static %} and {% get_static_prefix %} in every template without {% load %}.
            "builtins": ["django.templatetags.static"],
        },
    },
]

# --- database ------------------------------------------------------------------------

DATABASE_URL = env_url("DATABASE_URL", ["postgres", "postgresql", "pgsql", "sqlite"])
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0),
            conn_health_checks=True,
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "playground.sqlite3",
            # WAL lets the web process read while the worker writes; IMMEDIATE takes
            # the write lock up front so concurrent writers wait instead of failing.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
            # A file (not :memory:) so that tests can run a worker in a subprocess.
            "TEST": {"NAME": str(VAR_DIR / "test.sqlite3")},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts (Django's own auth; signed-in people save scenarios) -------------------

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password reset mails (Django's own views under /accounts/password_reset/): printed on the
# console by default; EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend with
# EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS sends them.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "playground@localhost")
# Behind HTTPS, set SECURE_COOKIES=true so the session and CSRF cookies never travel in clear.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
# The page reads the CSRF token from <meta name="csrf-token"> or this cookie (not HttpOnly).
CSRF_COOKIE_HTTPONLY = False

# --- Redis: Celery broker and channel layer ------------------------------------------

REDIS_URL = env_url("REDIS_URL", ["redis", "rediss", "unix"])
CHANNEL_CAPACITY = env_int("CHANNEL_CAPACITY", 1000, minimum=10)
# Redis connections one process's channel layer may have in use at once. redis-py's
# asyncio pool refuses past its cap (default 100) instead of waiting: a crowd of 200
# viewers connecting or leaving at once (each a group_add/group_discard) made Daphne log
# `MaxConnectionsError: Too many connections` and drop sockets. Idle ones are reused.
CHANNEL_LAYER_MAX_CONNECTIONS = env_int("CHANNEL_LAYER_MAX_CONNECTIONS", 2000, minimum=10)

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py's default 5 s read timeout equals the layer's 5 s blocking pop:
                # an idle WebSocket's receive then timed out and the socket closed (1011).
                "hosts": [{"address": REDIS_URL, "socket_timeout": 30, "socket_connect_timeout": 5,
                           "health_check_interval": 10, "retry_on_timeout": True,
                           "max_connections": CHANNEL_LAYER_MAX_CONNECTIONS}],
                "capacity": CHANNEL_CAPACITY, "expiry": 60,
            },
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            # The in-memory layer, made safe for the embedded worker thread (see the module).
            "BACKEND": "playground.live.layers.ThreadSafeInMemoryChannelLayer",
            "CONFIG": {"capacity": CHANNEL_CAPACITY, "expiry": 60},
        }
    }

# --- Celery --------------------------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_BACKEND = None  # runs store their own results in the database
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True
# The queue runs travel on; deployments (and tests) sharing one Redis can keep apart.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "playground")
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The operating-system wall around each run (README, "Sandbox"). "python-only" runs
# snippets without it, for a person alone on a machine of their own: every page then
# says so. The engine reads the same variable; nothing falls back to it silently.
SANDBOX = env_str("PLAYGROUND_SANDBOX", "bubblewrap").strip() or "bubblewrap"
if SANDBOX not in ("bubblewrap", "python-only"):
    raise ImproperlyConfigured(f"PLAYGROUND_SANDBOX={SANDBOX!r} is not one of bubblewrap, python-only")

# How long a run may last (its spec's run.timeout_ms, or POST /api/runs' timeout_ms):
# step runs wait for the learner's clicks, every other mode ends in seconds. The engine
# itself refuses more than 30 minutes.
RUN_MAX_TIMEOUT_MS_STEP = env_int("RUN_MAX_TIMEOUT_MS_STEP", 30 * 60_000, minimum=100)
RUN_MAX_TIMEOUT_MS = env_int("RUN_MAX_TIMEOUT_MS", 2 * 60_000, minimum=100)
# Extra time past the spec's own timeout before the worker kills the child itself.
RUN_DEADLINE_GRACE_SECONDS = env_float("RUN_DEADLINE_GRACE_SECONDS", 30.0, minimum=0.0)
# Each run's task gets Celery time limits from its own timeout: soft = timeout + the
# deadline grace + this (time to store the last events and record the outcome), hard =
# soft + RUN_TASK_KILL_SECONDS. The worker's own watch ends a run well before either.
RUN_TASK_GRACE_SECONDS = env_float("RUN_TASK_GRACE_SECONDS", 30.0, minimum=1.0)
RUN_TASK_KILL_SECONDS = env_float("RUN_TASK_KILL_SECONDS", 30.0, minimum=1.0)
# The limits of a task sent without its own (e.g. by hand): those of the longest run.
_LONGEST_SOFT = int(max(RUN_MAX_TIMEOUT_MS_STEP, RUN_MAX_TIMEOUT_MS) / 1000 + RUN_DEADLINE_GRACE_SECONDS
                    + RUN_TASK_GRACE_SECONDS) + 1
_LONGEST_HARD = int(_LONGEST_SOFT + RUN_TASK_KILL_SECONDS) + 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("RUN_TASK_SOFT_TIME_LIMIT", _LONGEST_SOFT, minimum=10)
CELERY_TASK_TIME_LIMIT = env_int("RUN_TASK_TIME_LIMIT", _LONGEST_HARD, minimum=11)
if CELERY_TASK_TIME_LIMIT <= CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured("RUN_TASK_TIME_LIMIT must be greater than RUN_TASK_SOFT_TIME_LIMIT")
# A redelivered task would otherwise arrive while the first is still running; the
# compare-and-swap claim makes a redelivery harmless, this makes it rare.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": max(CELERY_TASK_TIME_LIMIT, _LONGEST_HARD) + 60}
if not REDIS_URL:
    # The in-memory broker is polled (1 s by default): poll often so a run starts at once.
    CELERY_BROKER_TRANSPORT_OPTIONS["polling_interval"] = 0.01
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

EMBEDDED_WORKER_CONCURRENCY = env_int("EMBEDDED_WORKER_CONCURRENCY", 4, minimum=1)

# --- runs ----------------------------------------------------------------------------

# Batches fill up only when the worker is behind the child; then bigger ones catch up
# faster (fewer transactions and messages), while a run that keeps up ships every few ms.
RUN_BATCH_MAX_EVENTS = env_int("RUN_BATCH_MAX_EVENTS", 2000, minimum=1)
RUN_BATCH_MAX_WAIT = env_float("RUN_BATCH_MAX_WAIT", 0.005, minimum=0.0)
RUN_HEARTBEAT_SECONDS = env_float("RUN_HEARTBEAT_SECONDS", 2.0, minimum=0.05)
# A running run whose heartbeat is older than this has lost its worker. With the sweep
# below, a dead worker's run is failed at most STALE + SWEEP seconds after its last beat.
RUN_STALE_SECONDS = env_float("RUN_STALE_SECONDS", 10.0, minimum=0.1)
# How often each worker process and the embedded server sweep (playground/runs/sweep.py).
RUN_SWEEP_SECONDS = env_float("RUN_SWEEP_SECONDS", 2.5, minimum=0.05)
# A queued run nobody claimed this long after its task was sent gets its task sent again
# (the message may have died with the broker); a duplicate delivery is harmless.
RUN_REQUEUE_SECONDS = env_float("RUN_REQUEUE_SECONDS", 15.0, minimum=0.1)

# --- checks (README, "Lessons and challenges") ----------------------------------------
# Explorations of fix checks at once in one server process (each a sandbox child), how
# long a check waits for one (then 503), and one exploring check per person (429).
CHECKS_MAX_RUNNING = env_int("CHECKS_MAX_RUNNING", max(2, os.cpu_count() or 2), minimum=1)
CHECKS_WAIT_SECONDS = env_float("CHECKS_WAIT_SECONDS", 30.0, minimum=0.0)

# --- classroom (README, "Classroom") -------------------------------------------------
# A student (a seat) may have this many runs queued or running at once, and start this
# many a minute; past either, POST /api/runs answers 429 with the reason.
CLASSROOM_MAX_RUNNING = env_int("CLASSROOM_MAX_RUNNING", 2, minimum=1)
CLASSROOM_MAX_RUNS_PER_MINUTE = env_int("CLASSROOM_MAX_RUNS_PER_MINUTE", 10, minimum=1)
# Dashboards are told of run status changes, answers and presence at most this often.
CLASSROOM_FLUSH_SECONDS = env_float("CLASSROOM_FLUSH_SECONDS", 0.25, minimum=0.01)
# --- storage limits (README, "Limits") -----------------------------------------------

# The engine bounds each value in an event itself (4 KB of JSON, 50 levels, a print
# 4,000 characters, a message 512 KB); these bound what the database keeps.
_MB = 1_000_000
# One run's stored trace (its events' JSON). Past it the worker stops the run: it ends
# `failed`, "the run produced more than N MB of trace; it was stopped", and the events
# stored until then stay readable.
RUN_MAX_TRACE_BYTES = env_int("RUN_MAX_TRACE_MB", 100, minimum=1) * _MB
# One event, as the child wrote it. Only a misbehaving child writes a bigger one (the
# engine keeps them far smaller); it is stored as a stub that says so.
RUN_MAX_EVENT_BYTES = env_int("RUN_MAX_EVENT_KB", 1024, minimum=16) * 1024
# All the stored runs of one visitor (a browser session) or one account. Past it, new
# runs and trace uploads are refused with 429 until some are deleted
# (DELETE /api/runs/<id>), or, for a visitor, until old ones expire.
RUNS_VISITOR_MAX_TRACE_BYTES = env_int("RUNS_VISITOR_MAX_TRACE_MB", 200, minimum=1) * _MB
RUNS_ACCOUNT_MAX_TRACE_BYTES = env_int("RUNS_ACCOUNT_MAX_TRACE_MB", 1000, minimum=1) * _MB
# Visitors' runs are deleted this long after they were created (manage.py prune_runs, and
# every worker at most once per RUNS_PRUNE_INTERVAL_SECONDS). Accounts' runs are kept.
RUNS_VISITOR_RETENTION_DAYS = env_float("RUNS_VISITOR_RETENTION_DAYS", 7.0, minimum=0.0)
RUNS_PRUNE_INTERVAL_SECONDS = env_float("RUNS_PRUNE_INTERVAL_SECONDS", 3600.0, minimum=1.0)

# --- HTTP ----------------------------------------------------------------------------

# Bigger JSON bodies get 413 from the API.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("API_MAX_BODY_BYTES", 1_000_000, minimum=1024)
# Uploaded traces (POST /api/traces) are read as a stream with their own limit.
TRACE_UPLOAD_MAX_BYTES = env_int("TRACE_UPLOAD_MAX_BYTES", 64_000_000, minimum=1024)

# --- static files --------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing one
# The frontend build (Vite) writes into playground/static/dist.
STATICFILES_DIRS = [d for d in [BASE_DIR / "playground" / "static"] if d.is_dir()]
# Serve straight from the source folders when collectstatic has not been run (make run).
WHITENOISE_USE_FINDERS = True
# The Vite build writes name.gz and name.br next to each text file, which WhiteNoise sends
# to clients that accept them; the files under dist/assets/ are named after their content
# hash, so they are cached for good (immutable). dist/app.js and app.css keep stable
# names (short max-age, revalidated by ETag); see frontend/vite.config.ts.
WHITENOISE_IMMUTABLE_FILE_TEST = r"^/static/dist/assets/.+-[A-Za-z0-9_-]{8}\.[\w.]+$"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

# --- logging -------------------------------------------------------------------------

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ImproperlyConfigured(f"LOG_LEVEL={LOG_LEVEL!r} is not a logging level")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"playground": {"level": LOG_LEVEL, "handlers": ["console"], "propagate": False}},
}
