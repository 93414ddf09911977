"""Settings for the benchmarks: the app's own settings on the database in
DATABASE_URL, plus an admin site over the case models to compare against (the
app itself keeps child data out of the admin)."""

from alert4you.settings.base import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["*"]
# The in-process client does not speak HTTPS; nothing here leaves the machine.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
# The benchmark's user logs in many times from one address.
AXES_ENABLED = False
