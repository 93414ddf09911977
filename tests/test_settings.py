"""Production settings are safe: `check --deploy` passes and secrets are required."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SECRET = "k" * 20 + "-production-secret-for-the-deploy-check-0123456789"


def _manage(*args, **env):
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="alert4you.settings.production",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="alert4you.example.org",
        ALERT4YOU_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"DJANGO_SECRET_KEY": "short"},
        {"DJANGO_SECRET_KEY": SECRET, "DJANGO_ALLOWED_HOSTS": ""},
    ],
    ids=["no-secret", "weak-secret", "no-hosts"],
)
def test_production_refuses_to_start_without_real_secrets(tmp_path, env):
    result = _manage(
        "check",
        DJANGO_SETTINGS_MODULE="alert4you.settings.production",
        ALERT4YOU_VAR_DIR=str(tmp_path),
        **env,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_a_malformed_boolean_setting_fails_loudly(tmp_path):
    result = _manage("check", DJANGO_DEBUG="perhaps", ALERT4YOU_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be true or false" in result.stderr


def test_database_url_selects_the_database(tmp_path):
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.db import connection as c; print(c.vendor, c.settings_dict['NAME'])",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/somewhere",
        ALERT4YOU_VAR_DIR=str(tmp_path),
    )
    assert result.stdout.strip() == "postgresql somewhere", result.stderr


def test_embedded_defaults_need_no_server(tmp_path):
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; from django.db import connection;"
        "print(connection.vendor, s.CELERY_BROKER_URL, s.EMAIL_BACKEND.rsplit('.', 2)[-2])",
        ALERT4YOU_VAR_DIR=str(tmp_path),
    )
    assert result.stdout.strip() == "sqlite filesystem:// filebased", result.stderr


def _print_setting(tmp_path, expression: str, **env):
    return _manage(
        "shell",
        "-c",
        f"from django.conf import settings; print({expression})",
        DJANGO_SETTINGS_MODULE="alert4you.settings.production",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="alert4you.example.org",
        ALERT4YOU_VAR_DIR=str(tmp_path),
        **env,
    )


def test_with_a_shared_cache_sessions_are_read_from_it(tmp_path):
    expression = "settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE"
    shared = _print_setting(tmp_path, expression, CACHE_URL="redis://cache.example:6379/1")
    assert shared.returncode == 0, shared.stderr
    assert "RedisCache" in shared.stdout and "cached_db" in shared.stdout
    # One cache per worker: an ended session would live on in the other
    # workers' caches, so sessions stay in the database alone.
    own = _print_setting(tmp_path, expression, CACHE_URL="")
    assert own.returncode == 0, own.stderr
    assert "LocMemCache" in own.stdout and "backends.db" in own.stdout


def test_a_cache_url_that_is_not_redis_is_refused(tmp_path):
    result = _manage(
        "check",
        DJANGO_SETTINGS_MODULE="alert4you.settings.production",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="alert4you.example.org",
        ALERT4YOU_VAR_DIR=str(tmp_path),
        CACHE_URL="memcached://cache.example:11211",
    )
    assert result.returncode != 0
    assert "CACHE_URL" in result.stderr
