"""Production settings are safe, and the embedded defaults need no service."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    unset = {"DEBUG", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "QUALIPREF_BASE_URL"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env():
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "qualipref.example.org",
        "DATABASE_URL": "postgres://qualipref@db.example.org:5432/qualipref",
        "REDIS_URL": "redis://cache.example.org:6379/0",
        "QUALIPREF_BASE_URL": "https://qualipref.example.org",
    }


def test_check_deploy_passes_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_without_the_base_url():
    env = production_env()
    del env["QUALIPREF_BASE_URL"]
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "qualipref.W001" in result.stderr and "QUALIPREF_BASE_URL" in result.stderr


def test_secret_key_is_required_when_debug_is_off():
    env = production_env()
    del env["SECRET_KEY"]
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def print_settings(*names, **env):
    code = "from django.conf import settings as s; " + "; ".join(f"print(repr(s.{name}))" for name in names)
    result = run_manage("shell", "-v", "0", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_production_settings_read_the_environment():
    lines = print_settings(
        "DATABASES['default']['ENGINE']",
        "DATABASES['default']['CONN_MAX_AGE'] > 0",
        "DATABASES['default']['CONN_HEALTH_CHECKS']",
        "CACHES['default']['BACKEND']",
        "CELERY_BROKER_URL",
        "CELERY_TASK_ALWAYS_EAGER",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
        **production_env(),
    )
    assert lines == [
        "'django.db.backends.postgresql'",
        "True",
        "True",
        "'qualipref.cache.ResilientRedisCache'",
        "'redis://cache.example.org:6379/0'",
        "False",
        "True",
        "True",
        "True",
        "31536000",
        "('HTTP_X_FORWARDED_PROTO', 'https')",
    ]


def test_embedded_defaults_need_no_service():
    lines = print_settings(
        "DATABASES['default']['ENGINE']",
        "CACHES['default']['BACKEND']",
        "CELERY_TASK_ALWAYS_EAGER",
        "EMAIL_BACKEND",
        "LANGUAGE_CODE",
        DEBUG="true",
    )
    assert lines == [
        "'django.db.backends.sqlite3'",
        "'django.core.cache.backends.locmem.LocMemCache'",
        "True",
        "'django.core.mail.backends.console.EmailBackend'",
        "'fr'",
    ]


def test_smtp_settings_come_from_email_url():
    lines = print_settings(
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_USE_TLS",
        EMAIL_URL="smtp+tls://user:pass@smtp.example.org:587",
        DEBUG="true",
    )
    assert lines == ["'smtp.example.org'", "587", "True"]
