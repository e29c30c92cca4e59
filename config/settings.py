"""sesops settings: everything comes from the environment (see README, "Configuration").

With nothing set it runs on SQLite and a Celery broker that needs no server (kombu's
filesystem transport). DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config import components
from config.env import (
    check_url,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_log_level,
    env_regions,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("SESOPS_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)


SECRET_KEY = components.secret_key(DATA_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
if not ALLOWED_HOSTS and not DEBUG:
    # Django would answer every request with 400 "DisallowedHost": say so at start instead.
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is empty: name the host names sesops is served under (comma list)"
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    "ninja",  # serves its bundled Swagger UI from static files (no CDN)
    "regions",
    "identities",
    "alerts",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Control and bidi-override characters from SES or DNS data are shown as <U+XXXX>.
    "regions.visible.VisibleControlsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A malformed query parameter (regions.params.BadParameter) answers 400, not 500.
    "regions.params.BadParameterMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into its response.
    "axes.middleware.AxesMiddleware",
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username+address before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "regions.context_processors.roles",
                "regions.context_processors.demo",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'sesops.sqlite3'}")
# PostgreSQL: connections each process keeps and reuses (0: a new one per visit).
DATABASE_POOL = env_int("SESOPS_DB_POOL", 0, minimum=0, maximum=100)
DATABASES = {"default": components.database(DATABASE_URL, base_dir=BASE_DIR, pool=DATABASE_POOL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "grid"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- caches / Redis -------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
CACHES = components.caches(REDIS_URL)

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = components.broker_options(CELERY_BROKER_URL, DATA_DIR)
CELERY_TASK_IGNORE_RESULT = True  # status lives in SyncRun rows, not a result backend
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int(
    "SESOPS_TASK_SOFT_TIME_LIMIT", 1500, minimum=10, maximum=24 * 3600
)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 60
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"
# One queue name per deployment (or per test run sharing a Redis): workers only take their own.
CELERY_TASK_DEFAULT_QUEUE = env_str("SESOPS_CELERY_QUEUE", "celery", required=True)

# --- sesops ---------------------------------------------------------------------------
# Regions the default account syncs (accounts added in the admin carry their own list).
SESOPS_REGIONS = env_regions("SESOPS_REGIONS", ["us-east-1"])
_DAY = 24 * 3600
SESOPS_SYNC_INTERVAL = env_int("SESOPS_SYNC_INTERVAL", 300, minimum=10, maximum=_DAY)
SESOPS_DNS_INTERVAL = env_int("SESOPS_DNS_INTERVAL", 900, minimum=10, maximum=_DAY)
# SES control plane: about one request per second per region (not adjustable).
SESOPS_SES_RATE = env_float("SESOPS_SES_RATE", 1.0, minimum=0.0, maximum=1000.0)
SESOPS_STALE_AFTER = env_int(
    "SESOPS_STALE_AFTER", 3 * SESOPS_SYNC_INTERVAL, minimum=10, maximum=30 * _DAY
)
SESOPS_RESEND_COOLDOWN = env_int("SESOPS_RESEND_COOLDOWN", 300, minimum=0, maximum=_DAY)
# A sync's lease on its region (seconds): renewed while the sync lives, so a killed worker
# frees its regions within this time. Database connections per worker process for syncs
# (the paced SES calls hold none): see docs/sync-concurrency.md.
SESOPS_SYNC_LEASE = env_int("SESOPS_SYNC_LEASE", 90, minimum=3, maximum=3600)
SESOPS_SYNC_DB_CONNECTIONS = env_int("SESOPS_SYNC_DB_CONNECTIONS", 4, minimum=1, maximum=50)
SESOPS_DNS_RESOLVER = env_str("SESOPS_DNS_RESOLVER")  # host[:port]; empty = system resolver
SESOPS_DNS_PORT = env_int("SESOPS_DNS_PORT", 53, minimum=1, maximum=65535)
SESOPS_DNS_TIMEOUT = env_float("SESOPS_DNS_TIMEOUT", 2.0, minimum=0.05, maximum=60.0)
SESOPS_DNS_CONCURRENCY = env_int("SESOPS_DNS_CONCURRENCY", 16, minimum=1, maximum=256)
# Nameservers (host or IP, comma list) also asked when the delegated ones lack a record, to
# spot records edited in a zone the parent does not delegate to (e.g. a second DNS provider).
SESOPS_DNS_EXTRA_NAMESERVERS = env_list("SESOPS_DNS_EXTRA_NAMESERVERS")
# An unparsable SESOPS_DNS_RESOLVER stops start-up: identities' AppConfig.ready() checks it.
# Demo only: a "log in as demo user" button on the login page, no createsuperuser needed.
SESOPS_DEMO_LOGIN = env_bool("SESOPS_DEMO_LOGIN", False)
if SESOPS_DEMO_LOGIN and not DEBUG:
    raise ImproperlyConfigured("SESOPS_DEMO_LOGIN is for the local demo only: it needs DEBUG=true")

# --- alerts (alerts/) --------------------------------------------------------------------
# Links in alerts point here (the address people open sesops at).
SESOPS_BASE_URL = check_url(
    "SESOPS_BASE_URL", env_str("SESOPS_BASE_URL", "http://localhost:8000"), {"http", "https"}
)
SESOPS_ALERT_SWEEP_INTERVAL = env_int("SESOPS_ALERT_SWEEP_INTERVAL", 30, minimum=1)
SESOPS_ALERT_HTTP_TIMEOUT = env_float("SESOPS_ALERT_HTTP_TIMEOUT", 10.0, minimum=0.5)
# A worker holds a delivery this long; past it the row is another worker's to send.
SESOPS_ALERT_LEASE = env_int("SESOPS_ALERT_LEASE", 120, minimum=2)
if SESOPS_ALERT_LEASE < 2 * SESOPS_ALERT_HTTP_TIMEOUT:
    raise ImproperlyConfigured(
        "SESOPS_ALERT_LEASE must be at least twice SESOPS_ALERT_HTTP_TIMEOUT "
        "(a live send must not lose its lease)"
    )
SESOPS_ALERT_MAX_ATTEMPTS = env_int("SESOPS_ALERT_MAX_ATTEMPTS", 8, minimum=1)
SESOPS_ALERT_RETRY_BASE = env_float("SESOPS_ALERT_RETRY_BASE", 10.0, minimum=0.1)
SESOPS_ALERT_QUOTA = env_float("SESOPS_ALERT_QUOTA", 0.8, minimum=0.01)
SESOPS_ALERT_SYNC_FAILING_AFTER = env_int("SESOPS_ALERT_SYNC_FAILING_AFTER", 900, minimum=0)
# Email: Django's mail. smtp (EMAIL_HOST...), console (stdout) or file (EMAIL_FILE_PATH).
EMAIL_BACKEND = components.email_backend("SESOPS_EMAIL_BACKEND")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = SESOPS_ALERT_HTTP_TIMEOUT
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "sesops@localhost")

# --- API and metrics (api/) ------------------------------------------------------------
# /metrics answers a request bearing this token (Authorization: Bearer ...), an API token, or
# one from these networks (comma list of CIDRs; empty by default: behind a reverse proxy every
# request would come from the proxy's address).
SESOPS_METRICS_TOKEN = env_str("SESOPS_METRICS_TOKEN")
if SESOPS_METRICS_TOKEN and len(SESOPS_METRICS_TOKEN) < 16:
    raise ImproperlyConfigured("SESOPS_METRICS_TOKEN must be at least 16 characters")
SESOPS_METRICS_NETWORKS = components.networks("SESOPS_METRICS_NETWORKS")

# --- production safety ----------------------------------------------------------------
# Only a deployment that says it sits behind a TLS-terminating proxy may trust the proxy's
# X-Forwarded-Proto (and X-Forwarded-For for the login throttle): without a proxy a client
# could send those headers itself.
SESOPS_BEHIND_PROXY = env_bool("SESOPS_BEHIND_PROXY", False)
if SESOPS_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SESOPS_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SESOPS_HSTS_SECONDS", 31536000, minimum=0, maximum=2 * 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SESOPS_HSTS_PRELOAD", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
# An absolute lifetime: the grid's live refresh must not keep an unattended session alive.
SESSION_COOKIE_AGE = env_int("SESOPS_SESSION_AGE", 12 * 3600, minimum=300, maximum=30 * _DAY)
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts, styles and images only from our own static
# files, no inline script or style, no eval; htmx talks to this origin only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Login throttling (django-axes): after SESOPS_LOGIN_FAILURE_LIMIT wrong passwords for one
# username from one address, that pair is refused for SESOPS_LOGIN_COOLOFF seconds. Keyed on
# the pair, so a stranger cannot lock a colleague out from elsewhere.
AXES_FAILURE_LIMIT = env_int("SESOPS_LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=1000)
AXES_COOLOFF_TIME = timedelta(
    seconds=env_int("SESOPS_LOGIN_COOLOFF", 900, minimum=1, maximum=30 * _DAY)
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
AXES_VERBOSE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_log_level("SESOPS_LOG_LEVEL")},
    "loggers": {"botocore": {"level": "WARNING"}, "urllib3": {"level": "WARNING"}},
}
