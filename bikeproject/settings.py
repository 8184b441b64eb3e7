"""bikeproject settings: one module, driven by environment variables, grouped by concern.

Development defaults are safe: DEBUG is off unless DEBUG=1, and with DEBUG off a
secret key must come from the environment. Every variable is listed in the README.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}.")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value.strip() else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}.") from exc


# --- Core -------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off. For local development run with "
            "DEBUG=1 (see README), in production set a long random SECRET_KEY."
        )
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105 - only ever used with DEBUG on
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# --- HTTPS (behind a TLS-terminating proxy that sets X-Forwarded-Proto) -------------------
# On by default with DEBUG off; HTTPS=0 only where the service is reached over plain HTTP on
# loopback (tests, the rehearsal, docker-compose on one host).
HTTPS = env_bool("HTTPS", not DEBUG)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^api/status/$"]  # the readiness probe speaks plain HTTP to the pod
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "predictions",
]

MIDDLEWARE = [
    "bikeproject.middleware.LivenessMiddleware",  # first: answers /healthz/ before anything can fail
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "bikeproject.urls"
WSGI_APPLICATION = "bikeproject.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "bikeproject" / "templates"],  # admin and browsable-API overrides (links to the dashboard)
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

# --- Database ---------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,  # a connection broken by a database restart is replaced, not reused
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers write the request log at once: WAL lets readers and one writer
    # work together, IMMEDIATE takes the write lock up front (no deadlock on lock upgrade), and
    # the timeout makes a writer wait its turn instead of failing with "database is locked".
    # A new database gets 2 KB pages (an existing one keeps its size): a log row touches four
    # b-trees, and every page it reads after another worker's commit, and writes to the WAL, is
    # copied whole; with 2 KB pages predict/floor measured 0.81 against 0.79 (README, Performance).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA page_size=2048; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", 2)
# SQLite only: how often each gunicorn worker's thread checkpoints the WAL (predictions/writes.py); 0: never.
SQLITE_CHECKPOINT_INTERVAL_MS = env_int("SQLITE_CHECKPOINT_INTERVAL_MS", 250)
# SQLite only: gunicorn's workers append request log rows to a spool file and that thread copies them in
# (predictions/spool.py); 0: one INSERT per request.
REQUEST_LOG_SPOOL = env_bool("REQUEST_LOG_SPOOL", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: shared by every worker and pod when REDIS_URL is set (throttling, credentials) ---
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "bikeproject",
            # A Redis outage costs a request one second, never a hang.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Users and authentication -----------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.LockoutModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "rest_framework:login"
LOGIN_REDIRECT_URL = "/api/"

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files (whitenoise; Swagger UI and ReDoc come from drf-spectacular-sidecar) ---
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# --- REST API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Basic comes first: its WWW-Authenticate header is what a 401 carries.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.CachedBasicAuthentication",
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # JSON for programs, forms for the browsable API; every body capped at API_MAX_BODY_BYTES (413).
    "DEFAULT_PARSER_CLASSES": [
        "predictions.parsers.LimitedJSONParser",
        "predictions.parsers.LimitedFormParser",
        "predictions.parsers.LimitedMultiPartParser",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "predictions.parsers.ContentNegotiation",
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.throttling.UserRateLimit",
        "accounts.throttling.AnonymousRateLimit",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("THROTTLE_USER_RATE", "6000/min"),
        "anon": os.environ.get("THROTTLE_ANON_RATE", "600/min"),
    },
    # How many proxies in front append to X-Forwarded-For; 0: the client is REMOTE_ADDR (not spoofable).
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "predictions.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "bikeproject API",
    "DESCRIPTION": "Hourly bike-rental demand predictions (UCI Bike Sharing data, Washington DC 2011-2012).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
    # Programs send JSON; the form parsers exist for the browsable API's HTML forms only.
    "PARSER_WHITELIST": ["predictions.parsers.LimitedJSONParser"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "predictions.schema.reject_unknown_fields_hook",
        "predictions.schema.document_server_limits_hook",
    ],
    # API_DOCS_PUBLIC=0: the schema, Swagger UI and ReDoc need a logged-in user.
    "SERVE_PERMISSIONS": (
        ["rest_framework.permissions.AllowAny"]
        if env_bool("API_DOCS_PUBLIC", True)
        else ["rest_framework.permissions.IsAuthenticated"]
    ),
}
# Verified Basic credentials are remembered this long (0: never); see accounts/authentication.py.
BASIC_AUTH_CACHE_SECONDS = env_int("BASIC_AUTH_CACHE_SECONDS", 300)
# After this many failed logins from one client IP within the window, logins from it get 429.
LOGIN_FAILURES_MAX = env_int("LOGIN_FAILURES_MAX", 10)
LOGIN_FAILURES_WINDOW_SECONDS = env_int("LOGIN_FAILURES_WINDOW_SECONDS", 300)
# Request limits: bodies (413 above), batch items and page size live in predictions/constants.py.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 256 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
# No endpoint takes files: an uploaded file is kept in memory up to the body cap, never written to disk.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES

# --- Machine learning -------------------------------------------------------------------
ML_ARTIFACTS_DIR = Path(os.environ.get("ML_ARTIFACTS_DIR", BASE_DIR / "ml_artifacts"))
ML_ARTIFACT_VERSION = os.environ.get("ML_ARTIFACT_VERSION") or None  # None: the one LATEST names
ML_DATA_DIR = Path(os.environ.get("ML_DATA_DIR", BASE_DIR / ".data"))
ML_THREADS_PER_WORKER = env_int("ML_THREADS_PER_WORKER", 1)

# --- Logging ----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
