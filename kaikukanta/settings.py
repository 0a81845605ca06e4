"""Settings come from the environment; with nothing set, the project runs on SQLite in ./var/."""

import datetime
import json
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


DEBUG = env_flag("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    "dev-only-insecure-key-change-me" if DEBUG else None
)
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DJANGO_DEBUG=0")
# Rotating the key (deploy/RUNBOOK.md): the old one here, comma-separated, until every session signed with it ended.
# The Ed25519 key (32 bytes, base64url) signing card QR codes for the offline desk (cards/signing.py); unset:
# derived from SECRET_KEY, for development. Set it in production and keep it: printed cards carry its signatures.
KAIKUKANTA_CARD_SIGNING_KEY = os.environ.get("KAIKUKANTA_CARD_SIGNING_KEY", "")
SECRET_KEY_FALLBACKS = [key for key in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if key]
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
if DEBUG:
    ALLOWED_HOSTS += ["testserver"]

INSTALLED_APPS = [
    # Ours first: for a msgid shared with Django's own catalogues, the first app listed wins.
    "kaikukanta.core",
    "kaikukanta.reference",
    "kaikukanta.network",
    "kaikukanta.accounts",
    "kaikukanta.programme",
    "kaikukanta.cards",
    "kaikukanta.visits",
    "kaikukanta.devices",
    "kaikukanta.stats",
    "kaikukanta.imports",
    "kaikukanta.demo",
    "kaikukanta.public",
    "kaikukanta.operations",
    # Django's admin, whose site asks for the second factor as every page does (accounts/admin_site.py).
    "kaikukanta.accounts.admin_config.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    # `manage.py lintmigrations`: migrations that old code, still serving during an upgrade, could not live with.
    "django_migration_linter",
]

MIDDLEWARE = [
    # First: a request id, the access log line (JSON) and the latency metric cover everything below.
    "kaikukanta.operations.middleware.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The page-only middleware (sessions, CSRF, sign-in, second factor, messages, login throttling) is wrapped
    # by core.middleware.pages_only (CSRF and axes excepted): a bearer-token API request skips it, everything else runs
    # it unchanged.
    "kaikukanta.core.middleware.PageSessionMiddleware",
    # LocaleMiddleware, with a bearer API request given its messages' language directly (core.middleware).
    "kaikukanta.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "kaikukanta.core.middleware.ApiErrorBodyMiddleware",
    "kaikukanta.core.middleware.NoStoreMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "kaikukanta.core.middleware.PageAuthenticationMiddleware",
    "kaikukanta.core.middleware.PageOTPMiddleware",
    # After authentication, so that its refusal page knows who is signed in; before any view reads a value.
    "kaikukanta.core.middleware.HostileInputMiddleware",
    "kaikukanta.accounts.middleware.SessionExpiryMiddleware",
    "kaikukanta.core.middleware.PageMessageMiddleware",
    # With DEBUG, an unknown address shows the app's own 404 page too, not Django's list of URL patterns.
    "kaikukanta.core.middleware.DebugNotFoundMiddleware",
    # Statistics pages and endpoints read from the streaming replica when one is configured (operations/replica.py).
    "kaikukanta.operations.middleware.StatisticsReadMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kaikukanta.core.middleware.ContentSecurityPolicyMiddleware",
    # Last, so that it sees the outcome of authentication (see django-axes' documentation).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kaikukanta.urls"
WSGI_APPLICATION = "kaikukanta.wsgi.application"

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
                "django.template.context_processors.i18n",
                "kaikukanta.core.context_processors.text_size",
                "kaikukanta.accounts.context_processors.page_chrome",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kaikukanta.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side parameter binding lets psycopg prepare the statements a worker repeats, so PostgreSQL parses
    # and plans the desk's queries once per connection instead of once per request. Django turns psycopg's
    # preparing off unless prepare_threshold is set (for transaction-pooling proxies): a statement is prepared
    # on its fifth execution on a connection, psycopg's own default. It took the database's CPU for a card check
    # from 0.51 to about 0.17 ms. KAIKUKANTA_DB_PREPARE_THRESHOLD=none turns it off again (PgBouncer in
    # transaction mode), a number sets it.
    _prepare_threshold = os.environ.get("KAIKUKANTA_DB_PREPARE_THRESHOLD", "5").strip().lower()
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": True,
        "prepare_threshold": None if _prepare_threshold in ("", "none", "off") else int(_prepare_threshold),
    }
    # Django's backend, health-checking a reused connection only after it has been idle (core/postgresql).
    DATABASES["default"]["ENGINE"] = "kaikukanta.core.postgresql"
# A reused connection idle for longer than this is checked (SELECT 1) before the request's first query.
KAIKUKANTA_DB_HEALTH_CHECK_IDLE_SECONDS = float(os.environ.get("KAIKUKANTA_DB_HEALTH_CHECK_IDLE_SECONDS", "1"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions serialise writers up front, so a quota check and its insert
    # cannot interleave with another writer's; WAL lets readers go on meanwhile.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A PostgreSQL hot standby for statistics, dashboards, exports and reports (operations/replica.py). The desk,
# card issuing, every write and every read deciding a rule stay on the primary; a replica that is down or lags
# more than KAIKUKANTA_REPLICA_MAX_LAG_SECONDS is left alone until it recovers.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True)
    DATABASES["replica"]["OPTIONS"] = {"connect_timeout": 2}
    # The tests' replica is the test database itself; the real standby is tested in operations/tests.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["kaikukanta.operations.replica.ReplicaRouter"]
KAIKUKANTA_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("KAIKUKANTA_REPLICA_MAX_LAG_SECONDS", "30"))
KAIKUKANTA_REPLICA_CHECK_SECONDS = float(os.environ.get("KAIKUKANTA_REPLICA_CHECK_SECONDS", "2"))

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, with accounts.policy.account_usable deciding who may be signed in.
    "kaikukanta.accounts.backends.UsableAccountBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Kept so that a password stored by an older hasher still verifies, and is then rehashed with Argon2.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Every refusal of these reads in the page's language: accounts/passwords.py words each validator's code.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Sign-in and sessions (accounts) ---
# Login throttling (django-axes) in the shared cache, so that every server process counts the same
# failures. Two counters, each with its own limit (accounts/lockout.py): one per username and address,
# which stops guessing one account without letting anyone elsewhere lock its owner out, and one per
# address alone, which stops one address trying many accounts.
AXES_HANDLER = "kaikukanta.accounts.lockout.LoginLockoutHandler"
AXES_CACHE = "default"
AXES_FAILURE_LIMIT = 5                    # per username and address
KAIKUKANTA_LOGIN_FAILURES_PER_ADDRESS = 30
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("KAIKUKANTA_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_LOCKOUT_CALLABLE = "kaikukanta.accounts.lockout.locked_out"
# django-ipware is not installed, so axes' own AXES_IPWARE_* settings would do nothing: the client
# address is found by our function, which honours KAIKUKANTA_TRUSTED_PROXIES.
AXES_CLIENT_IP_CALLABLE = "kaikukanta.core.client_address.client_address"
AXES_RESET_ON_SUCCESS = False             # the handler resets the username-and-address counter itself
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False              # the cache handler keeps no rows for an admin page to show
# Wrong two-factor codes wait 1, 2, 4, 8 ... seconds before the next one is tried (django-otp).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_TOTP_ISSUER = "Kaikukanta"
# Sessions end after this long without a request, and at the latest this long after signing in
# (accounts/middleware.py enforces both on the server).
KAIKUKANTA_SESSION_IDLE_MINUTES = int(os.environ.get("KAIKUKANTA_SESSION_IDLE_MINUTES", "60"))
KAIKUKANTA_SESSION_MAX_HOURS = int(os.environ.get("KAIKUKANTA_SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = KAIKUKANTA_SESSION_MAX_HOURS * 3600
# API tokens: issued without an expiry they get this lifetime, and none may live longer.
KAIKUKANTA_API_TOKEN_MAX_DAYS = int(os.environ.get("KAIKUKANTA_API_TOKEN_MAX_DAYS", "365"))
# Holder data of cards closed or expired this many years ago is coarsened by `coarsen_holder_data` (daily).
KAIKUKANTA_HOLDER_RETENTION_YEARS = int(os.environ.get("KAIKUKANTA_HOLDER_RETENTION_YEARS", "3"))

LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", "Suomi"), ("sv", "Svenska"), ("en", "English")]
# Finland-Swedish date formats (2.12.2026) over Sweden's ISO-style ones.
FORMAT_MODULE_PATH = ["kaikukanta.core.formats"]
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "public:home"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").exists() else []
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
# gunicorn serves static files through WhiteNoise; finders let it work before `collectstatic` too.
WHITENOISE_USE_FINDERS = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits must hold across every server process: Redis when REDIS_URL is set (production),
# this process's memory otherwise (a newcomer's single runserver, the tests).
REDIS_URL = os.environ.get("REDIS_URL")
CACHES = {"default": (
    # Short socket timeouts: a card check waits at most this long for Redis before going on uncounted.
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
     "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}
    if REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kaikukanta"}
)}
RATELIMIT_USE_CACHE = "default"
# Card-number guessing (cards.guessing): limits on card checks and the unknown-number alert; any field of
# cards.guessing.Limits may be overridden here, e.g. {"unknown_per_user": 30}.
KAIKUKANTA_CARD_GUESSING = json.loads(os.environ.get("KAIKUKANTA_CARD_GUESSING", "{}"))
# Offline syncs judged at once across all app instances (devices/admission.py); the rest are answered 429 at
# once, so devices coming back online together leave the other workers to the online desks.
KAIKUKANTA_SYNC_CONCURRENCY = int(os.environ.get("KAIKUKANTA_SYNC_CONCURRENCY", "2"))
# With Redis every page reads its session from the shared cache instead of the database (writes still
# go to both). With each process's own memory a cached session could be stale in another process (still
# signed in there after signing out here), so sessions then live in the database alone.
SESSION_ENGINE = ("django.contrib.sessions.backends.cached_db" if REDIS_URL
                  else "django.contrib.sessions.backends.db")

# How many reverse proxies in front of the server append to X-Forwarded-For. 0: trust nothing and
# take the connection's own address (REMOTE_ADDR) as the client's, for every per-address limit.
KAIKUKANTA_TRUSTED_PROXIES = int(os.environ.get("KAIKUKANTA_TRUSTED_PROXIES", "0"))

# --- Security headers and cookies (production: DJANGO_DEBUG=0) ---
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if KAIKUKANTA_TRUSTED_PROXIES else None

# Content Security Policy (django-csp): no inline script or style anywhere, everything from our origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# JSON lines on stderr, each with the request id of the request it belongs to (operations/logs.py). The access
# line names the route pattern, never the path, so no card number reaches a log.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # JSON lines with the request id, masked by the log rule (core/log_masking.py): no card number or token
    # secret in any line.
    "filters": {"request_id": {"()": "kaikukanta.operations.logs.RequestIdFilter"}},
    "formatters": {"json": {"()": "kaikukanta.operations.logs.JsonFormatter",
                            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"}}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"kaikukanta.access": {"level": os.environ.get("ACCESS_LOG_LEVEL", "WARNING")}},
}

# Uploads (the browser's imports): a file over this size is dropped as it arrives (core/uploads.py).
KAIKUKANTA_MAX_UPLOAD_BYTES = int(os.environ.get("KAIKUKANTA_MAX_UPLOAD_BYTES", str(32 * 1024 * 1024)))
FILE_UPLOAD_HANDLERS = [
    "kaikukanta.core.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Background work (Celery; kaikukanta/celery.py, operations/tasks.py) ---
# Unset: no broker, every task runs eagerly in the process that asks for it and readers fold what is pending
# themselves (make run, the tests). Set (Redis): a worker folds the statistics every few seconds and beat
# schedules the nightly work below.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True                 # a task whose worker dies is run again (every task is idempotent)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Europe/Helsinki"
KAIKUKANTA_FOLD_SECONDS = float(os.environ.get("KAIKUKANTA_FOLD_SECONDS", "3"))
KAIKUKANTA_BACKUP_DIR = os.environ.get("KAIKUKANTA_BACKUP_DIR", "")
KAIKUKANTA_BACKUP_KEEP_DAYS = int(os.environ.get("KAIKUKANTA_BACKUP_KEEP_DAYS", "14"))
KAIKUKANTA_WORKER_HEARTBEAT_SECONDS = 15
# The dashboard's tables in the shared cache (stats/dashboard_cache.py): the longest an entry lives, and how old
# an entry of an earlier fold a reader may take while a live worker folds and makes them again.
KAIKUKANTA_DASHBOARD_CACHE_SECONDS = int(os.environ.get("KAIKUKANTA_DASHBOARD_CACHE_SECONDS", "300"))
KAIKUKANTA_DASHBOARD_STALE_SECONDS = float(os.environ.get("KAIKUKANTA_DASHBOARD_STALE_SECONDS", "120"))
CELERY_BEAT_SCHEDULE = {
    "fold-statistics": {"task": "kaikukanta.operations.tasks.fold_statistics",
                        "schedule": KAIKUKANTA_FOLD_SECONDS, "options": {"expires": KAIKUKANTA_FOLD_SECONDS * 2}},
    "worker-heartbeat": {"task": "kaikukanta.operations.tasks.heartbeat",
                         "schedule": KAIKUKANTA_WORKER_HEARTBEAT_SECONDS,
                         "options": {"expires": KAIKUKANTA_WORKER_HEARTBEAT_SECONDS}},
    "coarsen-holder-data": {"task": "kaikukanta.operations.tasks.coarsen_holder_data",
                            "schedule": crontab(hour=3, minute=15)},
    "backup": {"task": "kaikukanta.operations.tasks.backup",
               "schedule": crontab(hour=2, minute=30)},
    "remove-expired-files": {"task": "kaikukanta.operations.tasks.remove_expired_files",
                             "schedule": crontab(minute=40)},
}
# Files prepared in the background (annual reports, area exports; operations/files.py): where they are kept
# (with several hosts, a directory every app host and worker shares, or another STORAGES backend), for how
# long, and how many one user may have at a time.
KAIKUKANTA_FILES_DIR = os.environ.get("KAIKUKANTA_FILES_DIR", str(VAR_DIR / "prepared-files"))
KAIKUKANTA_FILES_KEEP_HOURS = float(os.environ.get("KAIKUKANTA_FILES_KEEP_HOURS", "24"))
KAIKUKANTA_FILES_PER_USER = int(os.environ.get("KAIKUKANTA_FILES_PER_USER", "5"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "prepared_files": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                       "OPTIONS": {"location": KAIKUKANTA_FILES_DIR, "directory_permissions_mode": 0o700,
                                   "file_permissions_mode": 0o600}},
}
# /metrics answers only a request carrying this bearer token (Prometheus' `authorization` setting); unset:
# only requests from the machine itself (127.0.0.1, ::1).
KAIKUKANTA_METRICS_TOKEN = os.environ.get("KAIKUKANTA_METRICS_TOKEN", "")

# Demo data is loaded by `make run` into an empty database unless this is 0.
KAIKUKANTA_DEMO = env_flag("KAIKUKANTA_DEMO", True)

# django-migration-linter (`manage.py lintmigrations`, run by `make lint` and CI) checks the project's own
# migrations; third-party apps' migrations are theirs and already released.
MIGRATION_LINTER_OPTIONS = {"include_apps": [
    "core", "reference", "network", "accounts", "cards", "visits", "stats", "imports", "demo", "public", "operations"],
    "no_cache": True}
