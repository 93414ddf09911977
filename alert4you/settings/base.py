"""Settings shared by every environment.

The defaults make `make run` work on a bare machine: SQLite, kombu's filesystem
transport as broker, e-mail written to files. Production overrides in
`production.py` and refuses to start without real secrets.
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("ALERT4YOU_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)
# Demo mode: `make run` with its demo accounts. Never on in production.
DEMO_MODE = env_bool("ALERT4YOU_DEMO", False)
SECRET_KEY = env_str(
    "DJANGO_SECRET_KEY", "insecure-development-key-change-me-in-production-0123456789"
)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "guardian",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "alert4you",
    "pilots",
    "casework",
    "coaching",
    "parents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): did this session pass its second step?
    "django_otp.middleware.OTPMiddleware",
    # The 12-hour limit on a session, and its "last active" on "Your sessions".
    "alert4you.sessions.SessionLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "alert4you.middleware.NoStoreForSignedInUsersMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Two-step login: a signed-in but unverified session reaches only the
    # second step (alert4you.two_factor).
    "alert4you.two_factor.TwoFactorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns lockouts into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "alert4you.urls"
WSGI_APPLICATION = "alert4you.wsgi.application"
ASGI_APPLICATION = "alert4you.asgi.application"

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
                "alert4you.context_processors.navigation",
            ],
        },
    },
]

# Django's form renderer, with selects written without a template per option.
FORM_RENDERER = "alert4you.form_renderer.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'alert4you.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded mode runs web, worker and beat on one file: WAL lets readers
    # work beside a writer, IMMEDIATE takes the write lock up front (no deadlock
    # when a read turns into a write), and writers wait instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# The queries every page asks run as prepared statements on PostgreSQL, planned
# once per connection (alert4you.sql.execute_prepared). Switch this off behind a
# connection pooler in transaction mode, where a connection is not one session.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out credentials before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after 30 idle minutes: staff share tablets in a busy group.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
# Not on every request: alert4you.sessions saves a signed-in session (moving its
# expiry on) at most once a minute, so the idle limit is 29 to 30 minutes.
SESSION_SAVE_EVERY_REQUEST = False
# However active, a session ends 12 hours after signing in (alert4you.sessions).
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Two-step login (django-otp): a TOTP app on the phone, backup codes for when
# it is lost. Wrong codes slow the next try down: 1, 2, 4, 8... seconds.
OTP_TOTP_ISSUER = "Alert4you"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# The Django admin never shows anyone's TOTP key or its QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Failed logins are counted per username *and* address: a whole school or
# childcare organisation often shares one public address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Keep every failed login, lockouts marked, after the counters reset.
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# The audit trail's "from where" (alert4you.audit): the number of reverse proxies
# in front of the app whose X-Forwarded-For is trusted. 0 (the default) trusts
# none and logs REMOTE_ADDR; a client can forge the header, a proxy cannot.
AUDIT_TRUSTED_PROXY_COUNT = env_int("AUDIT_TRUSTED_PROXY_COUNT", 0)

# django-guardian: object permissions only, no anonymous user object.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# E-mail: written to files in the embedded mode so a newcomer can open them.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Alert4you <noreply@alert4you.localhost>")
# A reminder's outbox row stays locked while its mail goes out: bound the wait.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
# Links in e-mails point here (mail has no request to take the host from).
SITE_URL = env_str("ALERT4YOU_SITE_URL", "http://localhost:8000")

# Retention of closed cases (casework.retention): years after the case file's last
# change before `erase_expired_cases` erases it, by the kind of the organisation that
# holds the file (the owner of the child's group's location). An organisation's own
# `retention_years` overrides its kind's default.
# * youth_care, youth_health (JGZ), mental_health: 20 years from the last change
#   (Jeugdwet art. 7.3.8; WGBO art. 7:454 lid 3 BW, both since 1 January 2020 —
#   before that 15 years).
# * childcare: no statutory term for a signal file; the AVG's storage limitation
#   (art. 5(1)(e)) asks for as short as needed. Two years after the last change
#   (closing the case is a change), unless the organisation sets its own term.
# * school: a pupil's care file is usually kept until two years after the pupil left;
#   a case closing is not the pupil leaving, so five years.
# * cjg, municipality, other: they may hold youth-care or JGZ files, so the longest
#   statutory term (20 years): erasing too early cannot be undone.
ALERT4YOU_RETENTION_YEARS = {
    "youth_care": 20,
    "youth_health": 20,
    "mental_health": 20,
    "childcare": 2,
    "school": 5,
    "cjg": 20,
    "municipality": 20,
    "other": 20,
}

# A dashboard's indicators on a cold cache: how many database connections
# compute them side by side (pilots.indicators; 1: one after another).
DASHBOARD_QUERY_THREADS = env_int("DASHBOARD_QUERY_THREADS", 2)

# The cache: Redis when CACHE_URL names one (production), shared by every web
# worker; without it each process keeps its own in memory (`make run`).
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("CACHE_URL must be a redis://, rediss:// or unix:// URL.")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "alert4you",
        }
    }
    # Sessions are read from the shared cache and written through to the
    # database: no query per page for the session, and the database stays the
    # record (the session list, ending sessions and cleanup work on it). Every
    # write goes through the session store, so an ended session leaves the cache
    # too. Only with a shared cache: with one cache per worker, a session ended
    # in one worker would live on in the others' caches.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Celery: Redis in production; kombu's filesystem transport needs no server.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_FOLDER = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        # Its default is relative to the working directory; always pin it.
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Unacknowledged messages come back after this long. No task may wait
        # longer (no ETA or countdown tasks): it would then run twice.
        "visibility_timeout": 60 * 60,
        # A Redis that vanished without closing the connection must not hang
        # a web request that queues work: fail within seconds instead.
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Acknowledge a task after it ran: one whose worker died is delivered again,
# so every task must be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Publishing while the broker is down gives up after one quick retry: callers
# keep their work in the database (the reminders outbox) and a sweep catches up.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Give up connecting to an unreachable broker within two seconds.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Error reports to ADMINS carry no POST values or local variables (child data).
DEFAULT_EXCEPTION_REPORTER_FILTER = "alert4you.error_reports.ChildDataHidingReporterFilter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Content Security Policy, enforced: only our own static files run or style a
# page. An inline <script> needs the per-request nonce ({{ request.csp_nonce }});
# inline styles and event handlers are refused. Charts are inline SVG with
# presentation attributes (fill=, stroke=), which no directive restricts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],  # htmx
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
