"""Tierdesk settings: every knob is a ``TIERDESK_*`` environment variable read here, once."""

from pathlib import Path

import dj_database_url

from tierdesk.common.env import ConfigError, env_bool, env_int, env_list, env_str
from tierdesk.common.secret import instance_secret_key

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("TIERDESK_DATA_DIR", str(BASE_DIR.parent / "var"))).resolve()

DEBUG = env_bool("TIERDESK_DEBUG", False)
SECRET_KEY = env_str("TIERDESK_SECRET_KEY", "")
SECRET_KEY_FROM_DATA_DIR = False
if not SECRET_KEY:
    if not DEBUG and env_bool("TIERDESK_REQUIRE_SECRET", False):
        raise ConfigError("TIERDESK_SECRET_KEY must be set in production")
    # An instance without a configured key makes a random one once and keeps it, private,
    # in its data folder (`tierdesk check --deploy` says so).
    SECRET_KEY = instance_secret_key(DATA_DIR)
    SECRET_KEY_FROM_DATA_DIR = True

ALLOWED_HOSTS = env_list("TIERDESK_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("TIERDESK_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves Swagger UI's files itself: /api/v1/docs works offline
    "tierdesk.common",
    "tierdesk.customers",
    "tierdesk.people",
    "tierdesk.tickets",
    "tierdesk.outbox",
    "tierdesk.packs",
    "tierdesk.sla",
    "tierdesk.incidents",
    "tierdesk.escalation",
    "tierdesk.rules",
    "tierdesk.integrations",
    "tierdesk.imports",
    "tierdesk.search",
    "tierdesk.reports",
    "tierdesk.org",
    "tierdesk.qa",
    "tierdesk.risks",
    "tierdesk.tasks",
    "tierdesk.refunds",
    "tierdesk.surveys",
    "tierdesk.kb",
    "tierdesk.workspace",
    "tierdesk.mail",
    "tierdesk.chat",
    "tierdesk.intake",
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
    "tierdesk.common.logging.RequestLogMiddleware",
    "tierdesk.common.metrics.RequestMetricsMiddleware",
    "tierdesk.common.ratelimit.RateLimitMiddleware",
    "tierdesk.api.middleware.ApiJsonErrorsMiddleware",
    "tierdesk.common.generations.TokensPerRequest",
]

ROOT_URLCONF = "tierdesk.urls"
WSGI_APPLICATION = "tierdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

# --- Database -------------------------------------------------------------------------
# SQLite (WAL, IMMEDIATE transactions, busy timeout) is the embedded default so that
# concurrent writers queue instead of failing with "database is locked".
DATABASE_URL = env_str("TIERDESK_DATABASE_URL", "")
if DATABASE_URL:
    # Health checks: a connection the server dropped (restart, pg_terminate_backend) is
    # replaced at the next request instead of failing it.
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60,
                                                  conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "tierdesk.common.sqlite",
            "NAME": str(DATA_DIR / "tierdesk.sqlite3"),
            # Keep each worker's connection: opening one (and its PRAGMAs) per request
            # cost more CPU than a ticket create's own queries (measured, gunicorn sync).
            "CONN_MAX_AGE": env_int("TIERDESK_CONN_MAX_AGE", 600),
            "CONN_HEALTH_CHECKS": True,
        }
    }
if DATABASES["default"]["ENGINE"] in ("django.db.backends.sqlite3", "tierdesk.common.sqlite"):
    # Django's SQLite backend plus a kernel lock that hands the single writer slot over
    # without SQLite's millisecond back-off (tierdesk/common/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "tierdesk.common.sqlite"
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
                # A page cache that holds a busy queue's index pages (the default 2 MB
                # evicted them between requests: 1,000 scattered clock rows cost ~10 ms
                # of reads each render), and reads through mmap instead of a syscall per
                # page (issue 11, benchmarks/web).
                " PRAGMA cache_size=-32000; PRAGMA mmap_size=268435456;"
            ),
        }
    )
    # Tests use a file (not shared-cache memory) so concurrency tests meet real WAL locking.
    DATABASES["default"]["TEST"] = {
        "NAME": env_str("TIERDESK_TEST_SQLITE", str(DATA_DIR / "test-tierdesk.sqlite3"))
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = Path(env_str("TIERDESK_MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "media/"

# Requests larger than this are refused with 413 before any parsing.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("TIERDESK_MAX_BODY_BYTES", 1024 * 1024)

# --- Jobs -----------------------------------------------------------------------------
# With no broker the same task functions run in-process and `tierdesk serve` sweeps.
BROKER_URL = env_str("TIERDESK_BROKER_URL", "")
CELERY_BROKER_URL = BROKER_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = False
SWEEP_INTERVAL_SECONDS = env_int("TIERDESK_SWEEP_INTERVAL", 15)

# --- Email ----------------------------------------------------------------------------
EMAIL_HOST = env_str("TIERDESK_SMTP_HOST", "127.0.0.1")
EMAIL_PORT = env_int("TIERDESK_SMTP_PORT", 25)
EMAIL_HOST_USER = env_str("TIERDESK_SMTP_USER", "")
EMAIL_HOST_PASSWORD = env_str("TIERDESK_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("TIERDESK_SMTP_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("TIERDESK_FROM_EMAIL", "support@tierdesk.localhost")
# Outbound mail is off until an SMTP host is configured; queued mail waits in the outbox.
EMAIL_ENABLED = env_bool("TIERDESK_EMAIL_ENABLED", False)

# --- Integrations: each is off until configured --------------------------------------
SLACK_BOT_TOKEN = env_str("TIERDESK_SLACK_BOT_TOKEN", "")
SLACK_API_URL = env_str("TIERDESK_SLACK_API_URL", "https://slack.com/api/")
JIRA_URL = env_str("TIERDESK_JIRA_URL", "")
JIRA_USER = env_str("TIERDESK_JIRA_USER", "")
JIRA_TOKEN = env_str("TIERDESK_JIRA_TOKEN", "")
JIRA_WEBHOOK_SECRET = env_str("TIERDESK_JIRA_WEBHOOK_SECRET", "")
WEBHOOK_SECRET = env_str("TIERDESK_WEBHOOK_SECRET", "")
# Requests a minute (0: no limit): per API token, per client address on the API, and
# sign-in / password-reset attempts per address. Counted in Redis when a URL is given.
RATE_LIMIT_TOKEN_PER_MINUTE = env_int("TIERDESK_RATE_LIMIT_TOKEN_PER_MINUTE", 6000)
RATE_LIMIT_IP_PER_MINUTE = env_int("TIERDESK_RATE_LIMIT_IP_PER_MINUTE", 12000)
RATE_LIMIT_AUTH_PER_MINUTE = env_int("TIERDESK_RATE_LIMIT_AUTH_PER_MINUTE", 20)
RATE_LIMIT_REDIS_URL = env_str("TIERDESK_RATE_LIMIT_REDIS_URL", "")
# /metrics answers a scraper on this machine, this bearer token, or an administrator.
METRICS_TOKEN = env_str("TIERDESK_METRICS_TOKEN", "")

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if env_bool("TIERDESK_TLS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Logging: one JSON object per line, with the ticket id when there is one ----------
LOG_LEVEL = env_str("TIERDESK_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "tierdesk.common.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

# --- Web UI: sign-in throttling, password hashing, CSP, languages ---------------------
INSTALLED_APPS += ["django_htmx", "csp", "axes", "tierdesk.web"]
MIDDLEWARE.insert(1, "csp.middleware.CSPMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
                  "django.middleware.locale.LocaleMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
                  "django_htmx.middleware.HtmxMiddleware")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last, as django-axes asks
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out sign-ins before checking
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2 for new and changed passwords; older hashes still verify and are upgraded at the
# next sign-in.
PASSWORD_HASHERS = [
    "tierdesk.web.passwords.TierdeskArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AXES_FAILURE_LIMIT = env_int("TIERDESK_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("TIERDESK_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False
CONTENT_SECURITY_POLICY = {
    # The Swagger page of django-ninja loads its assets from a CDN; it is the only page
    # without our policy.
    "EXCLUDE_URL_PREFIXES": ["/api/v1/docs"],
    "DIRECTIVES": {
        "default-src": ["'none'"], "script-src": ["'self'"], "style-src": ["'self'"],
        "img-src": ["'self'", "data:"], "connect-src": ["'self'"], "form-action": ["'self'"],
        "frame-ancestors": ["'none'"], "base-uri": ["'none'"],
    },
}
LANGUAGES = [("en", "English"), ("ar", "العربية"), ("es", "Español"), ("fr", "Français")]
SESSION_COOKIE_AGE = env_int("TIERDESK_SESSION_HOURS", 12) * 3600

# --- Refunds and surveys --------------------------------------------------------------
# Where approved refunds and credits go: "finance" (recorded for finance) or "stripe".
REFUND_BACKEND = env_str("TIERDESK_REFUND_BACKEND", "finance")
STRIPE_API_KEY = env_str("TIERDESK_STRIPE_API_KEY", "")
# The address customers reach this instance at: survey links in mail start with it.
PUBLIC_URL = env_str("TIERDESK_PUBLIC_URL", "http://localhost:8000").rstrip("/")
# Email in and out (tierdesk/mail; README "Email"). The inbound webhook answers 404 until
# TIERDESK_MAIL_INBOUND_SECRET is set; TIERDESK_MAIL_IMAP lists mailboxes to poll as
# imap[s]://user:password@host:port/FOLDER?move_to=Processed, comma-separated.
# A desk with this many tickets or more never counts a dashboard while someone waits: the
# page shows stored figures and the reports_count job counts them (tierdesk/reports/counting.py).
REPORTS_COUNT_INLINE_BELOW = env_int("TIERDESK_REPORTS_COUNT_INLINE_BELOW", 20_000)
MAIL_SUPPORT_ADDRESS = env_str("TIERDESK_MAIL_SUPPORT_ADDRESS", "")
MAIL_SUPPORT_NAME = env_str("TIERDESK_MAIL_SUPPORT_NAME", "Support")
MAIL_OWN_ADDRESSES = env_list("TIERDESK_MAIL_OWN_ADDRESSES", [])
MAIL_INBOUND_SECRET = env_str("TIERDESK_MAIL_INBOUND_SECRET", "")
MAIL_MAX_ATTACHMENT_BYTES = env_int("TIERDESK_MAIL_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
MAIL_MAX_MESSAGE_BYTES = env_int("TIERDESK_MAIL_MAX_MESSAGE_BYTES", 50 * 1024 * 1024)
MAIL_IMAP = env_list("TIERDESK_MAIL_IMAP", [])
MAIL_POLL_SECONDS = env_int("TIERDESK_MAIL_POLL_SECONDS", 60)
# Stored mail still unfiled after this long was being filed by a process that died: the
# mail sweep files it (tierdesk/mail/recovery.py).
MAIL_RECOVER_AFTER_SECONDS = env_int("TIERDESK_MAIL_RECOVER_AFTER", 300)
# --- Live chat and the other channels (issue 12, sections 3-5) -------------------------
# Sites allowed to frame the chat widget (/chat/widget/), e.g. "https://www.example.com".
CHAT_EMBED_ORIGINS = env_list("TIERDESK_CHAT_EMBED_ORIGINS", [])
# Chat posts are published here so long-polls in other processes and machines wake at
# once; without it they read the shared database every 20 ms (tierdesk/chat/delivery.py).
CHAT_REDIS_URL = env_str("TIERDESK_CHAT_REDIS_URL", "")
# Threads per web worker: a chat long-poll holds one thread while it waits (web_server.py);
# four are always kept for the rest of the API (tierdesk/chat/delivery.py).
WEB_THREADS = env_int("TIERDESK_WEB_THREADS", 16)
# Slack Events API signing secret, and the social webhook's HMAC secret.
SLACK_SIGNING_SECRET = env_str("TIERDESK_SLACK_SIGNING_SECRET", "")
SOCIAL_WEBHOOK_SECRET = env_str("TIERDESK_SOCIAL_WEBHOOK_SECRET", "")
# Tierdesk's own strings in Arabic, Spanish and French (compiled at install).
LOCALE_PATHS = [BASE_DIR / "locale"]
# --- Scale-out (issue 15) -------------------------------------------------------------
# Several instances may share one broker: each names its own queue.
CELERY_TASK_DEFAULT_QUEUE = env_str("TIERDESK_BROKER_QUEUE", "celery")
# How long a delivery claim holds before another worker may retry the message (a worker
# killed mid-send leaves its claim): longer than any receiver takes to answer.
OUTBOX_CLAIM_SECONDS = env_int("TIERDESK_OUTBOX_CLAIM_SECONDS", 300)
