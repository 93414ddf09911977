"""Test settings: PostgreSQL, the production database, never SQLite."""

import os

import dj_database_url

from .base import *  # noqa: F403

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alert4you")
    )
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
CELERY_TASK_ALWAYS_EAGER = True
DEMO_MODE = False
LANGUAGE_CODE = "nl"
# Static files come from the finders; no collectstatic in tests.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# Production's session engine (see CACHE_URL in base): each test process is
# one process, so its in-memory cache is as shared as Redis is in production.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
