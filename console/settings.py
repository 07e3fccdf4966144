"""Settings for Sweep Console, read from environment variables only.

Embedded default (no variables set): SQLite and huey's SQLite storage in the
data folder, an in-process channel layer; `python manage.py serve` runs the web
server and a worker together. Scale mode: DATABASE_URL (PostgreSQL) and
REDIS_URL (huey + channels_redis) switch every process to shared services.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from console.env import env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "data"))).resolve()

DEBUG = env_bool("DEBUG", False)
DATABASE_URL = env_url("DATABASE_URL", schemes=("postgres", "postgresql", "sqlite"))
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss", "unix"))
EMBEDDED = not DATABASE_URL and not REDIS_URL


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if not (DEBUG or EMBEDDED):
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off and DATABASE_URL/REDIS_URL are set"
        )
    # Development and the embedded single-machine mode keep a generated key in
    # the data folder, so sessions survive restarts without any setup.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "huey.contrib.djhuey",
    "console",
    "algorithms",
    "trainingjobs",
    "datasets",
]

MIDDLEWARE = [
    # First, so every streamed answer (static files too) is read in batches when served
    # asynchronously, never whole in memory.
    "console.streaming.AsyncStreamingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check reads the form: a too-large text field is named, not fatal.
    "console.multipart.OversizedFieldsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "console.middleware.LoginRequiredMiddleware",
    "console.middleware.MethodNotAllowedPageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout into lockout_response's answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "console.urls"
ASGI_APPLICATION = "console.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "console.sqlite3"),
            # WAL lets the web server read while a worker writes. synchronous=NORMAL is
            # SQLite's advice for WAL: a crash of any process loses no commit; only a
            # power loss of the machine may roll back the last few (never corrupts). It
            # saves an fsync per commit, and a trial commits several times.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out address or username before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Password guessing: after LOGIN_FAILURE_LIMIT failures from one address, or for one
# username from anywhere, logins are refused for LOGIN_COOLOFF_MINUTES (429, Retry-After),
# on the login page, the admin's and the token endpoint alike (django-axes).
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10, minimum=1)
LOGIN_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "console.lockout.lockout_response"
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
# Every page writes dates as 2026-12-01 00:44:07 (console/formats/en/formats.py).
FORMAT_MODULE_PATH = ["console.formats"]

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise warns about a missing root before the first collectstatic.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "console.staticfiles.PlotlyFinder",
]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media"))).resolve()
MEDIA_URL = "media/"


def _default_storage() -> dict[str, Any]:
    """Code packages, datasets and trial outputs: the local MEDIA_ROOT, or an S3 bucket.

    Scale mode sets STORAGE_S3_BUCKET (and STORAGE_S3_ENDPOINT_URL for MinIO or any
    S3-compatible store); workers on other hosts then need no shared disk.
    """
    bucket = env_str("STORAGE_S3_BUCKET")
    endpoint = env_url("STORAGE_S3_ENDPOINT_URL", schemes=("http", "https"))
    key_id = env_str("STORAGE_S3_ACCESS_KEY_ID")
    secret = env_str("STORAGE_S3_SECRET_ACCESS_KEY")
    if not bucket:
        if endpoint or key_id or secret:
            raise ImproperlyConfigured(
                "STORAGE_S3_BUCKET is required when other STORAGE_S3_* variables are set"
            )
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if bool(key_id) != bool(secret):
        # One without the other would silently fall back to boto3's own credential chain.
        raise ImproperlyConfigured(
            "Set both STORAGE_S3_ACCESS_KEY_ID and STORAGE_S3_SECRET_ACCESS_KEY, or neither "
            "(then boto3 finds credentials itself, e.g. an instance role)"
        )
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "region_name": env_str("STORAGE_S3_REGION") or None,
        "endpoint_url": endpoint or None,
        "access_key": key_id or None,
        "secret_key": secret or None,
        # Stored names are unique already; never replace an object a trial may be reading.
        "file_overwrite": False,
        "default_acl": None,
        # Path-style addressing: MinIO and most self-hosted stores have no per-bucket DNS.
        "addressing_style": "path" if endpoint else None,
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": _default_storage(),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve static files straight from the finders when collectstatic has not run
# (development and tests); production serves the collected copy.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads: the largest code package accepted, and server folders an
# administrator allows algorithms to point at.
MAX_UPLOAD_MB = env_int("MAX_UPLOAD_MB", 100, minimum=1)
# Whole request bodies, refused with 413 before they are read (console.body_limit): routes
# that take a code package allow the upload plus the form around it; every other route
# (login, token, regex tester, anonymous posts anywhere) allows a small form.
MAX_REQUEST_MB = env_int("MAX_REQUEST_MB", MAX_UPLOAD_MB + 16, minimum=1)
MAX_FORM_REQUEST_MB = env_int("MAX_FORM_REQUEST_MB", 11, minimum=1)
# Non-file form fields are held in memory: the algorithm form's largest (the sample log)
# is refused on its field when over its own limit, well below this one.
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024
# Larger uploads stream to a temporary file on disk.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
ALGORITHM_SERVER_ROOTS = [
    Path(p).resolve() for p in env_list("ALGORITHM_SERVER_ROOTS", [str(BASE_DIR / "examples")])
]
PACKAGE_MAX_FILES = env_int("PACKAGE_MAX_FILES", 2000, minimum=1)
PACKAGE_MAX_UNCOMPRESSED_MB = env_int("PACKAGE_MAX_UNCOMPRESSED_MB", 200, minimum=1)
# Package validation runs the boot file with --help (on a worker, in a throwaway folder).
SCRIPT_HELP_TIMEOUT = env_int("SCRIPT_HELP_TIMEOUT", 30, minimum=1)

# Trials: where each trial's folder (code copy, outputs) is made on a worker host; how
# often a running trial proves its worker alive, and after how long without a sign it
# is marked lost; the stored log's cap (metrics are still read past it); an optional
# per-slot env template giving each concurrent trial of a worker its own accelerator,
# e.g. "CUDA_VISIBLE_DEVICES={slot}".
TRIAL_WORK_DIR = Path(env_str("TRIAL_WORK_DIR", str(DATA_DIR / "trials"))).resolve()
TRIAL_HEARTBEAT_SECONDS = env_int("TRIAL_HEARTBEAT_SECONDS", 10, minimum=1)
TRIAL_LOST_AFTER_SECONDS = env_int("TRIAL_LOST_AFTER_SECONDS", 120, minimum=1)
if TRIAL_LOST_AFTER_SECONDS < 3 * TRIAL_HEARTBEAT_SECONDS:
    # A single late heartbeat (a busy database, a GC pause) must not lose a live trial.
    raise ImproperlyConfigured(
        "TRIAL_LOST_AFTER_SECONDS must be at least 3 x TRIAL_HEARTBEAT_SECONDS, got "
        f"{TRIAL_LOST_AFTER_SECONDS} and {TRIAL_HEARTBEAT_SECONDS}"
    )
TRIAL_LOG_MAX_MB = env_int("TRIAL_LOG_MAX_MB", 5, minimum=1)
TRIAL_SLOT_ENV = env_str("TRIAL_SLOT_ENV", "")

# Datasets: upload and archive limits, server folders an administrator allows datasets
# to point at (none by default). Workers keep each dataset, extracted once, and each
# code package in DATA_CACHE_DIR (keyed by content). A trial's outputs are uploaded to
# the storage up to TRIAL_OUTPUT_MAX_MB; OUTPUT_KEEP_BEST_TRIALS > 0 keeps the outputs
# of only that many best trials once a job ends (0: keep all).
DATASET_MAX_UPLOAD_MB = env_int("DATASET_MAX_UPLOAD_MB", 1024, minimum=1)
DATASET_MAX_FILES = env_int("DATASET_MAX_FILES", 5000, minimum=1)
DATASET_MAX_UNCOMPRESSED_MB = env_int("DATASET_MAX_UNCOMPRESSED_MB", 4096, minimum=1)
DATASET_SERVER_ROOTS = [Path(p).resolve() for p in env_list("DATASET_SERVER_ROOTS", [])]
DATA_CACHE_DIR = Path(env_str("DATA_CACHE_DIR", str(DATA_DIR / "cache"))).resolve()
# The cache's cap: past it the least recently used entries no running trial of the host
# uses are evicted (0: no cap).
DATA_CACHE_MAX_MB = env_int("DATA_CACHE_MAX_MB", 20480, minimum=0)
TRIAL_OUTPUT_MAX_MB = env_int("TRIAL_OUTPUT_MAX_MB", 1024, minimum=1)
TRIAL_OUTPUT_MAX_FILES = env_int("TRIAL_OUTPUT_MAX_FILES", 1000, minimum=1)
OUTPUT_KEEP_BEST_TRIALS = env_int("OUTPUT_KEEP_BEST_TRIALS", 0, minimum=0)

# huey: SQLite file in the data folder (whose idle workers wake as soon as a task is
# queued: console.task_storage), or Redis in scale mode. Deployments sharing one Redis
# keep their queues apart with HUEY_NAME.
HUEY_NAME = env_str("HUEY_NAME", "sweep")
if REDIS_URL:
    HUEY = {
        "name": HUEY_NAME,
        # Priority: the short tasks (a job's scheduling step, a package or dataset check)
        # go before the queued trials (see algorithms.task_queue.SHORT_TASK_PRIORITY).
        "huey_class": "console.task_storage.AdoptingPriorityRedisHuey",
        "immediate": False,
        "connection": {"url": REDIS_URL},
        "utc": True,
    }
else:
    HUEY = {
        "name": HUEY_NAME,
        "huey_class": "console.task_storage.WakingSqliteHuey",
        "immediate": False,
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "utc": True,
    }

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The token endpoint's throttles (DRF) need a cache every web process shares in scale mode.
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "console.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Token requests (the password endpoint): per client address and per username.
    "DEFAULT_THROTTLE_RATES": {
        "login_address": env_str("LOGIN_RATE_ADDRESS", "20/min"),
        "login_username": env_str("LOGIN_RATE_USERNAME", "10/min"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bodies: no nesting past 32 levels, no lone surrogates (algorithms.json_input).
    "DEFAULT_PARSER_CLASSES": [
        "algorithms.json_input.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sweep Console API",
    "DESCRIPTION": "Algorithms, training jobs and trials of the hyperparameter search console.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

# Content-Security-Policy on every answer (django-csp): scripts only from the console's own
# files, no inline script anywhere (the pages, the admin and the API docs pass). Inline
# styles stay allowed: Plotly and Swagger UI inject theirs at run time, and a style cannot
# run code. Websockets connect to the same origin ('self' covers ws: and wss: there).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

if not DEBUG and env_bool("SECURE_COOKIES", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
