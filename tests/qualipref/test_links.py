"""Absolute links read outside a page — e-mails, QR codes, posters, PDFs, calendar invitations — come from the one
setting QUALIPREF_BASE_URL, which `make run` sets from PORT and production must set (`check --deploy` warns
otherwise). A page's own links come from the request: tests/complaints/test_public.py (the confirmation page)."""

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from django.core.checks import run_checks

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = "https://qualipref.example.gouv.fr"


def test_make_run_gives_the_portal_the_port_it_serves(tmp_path):
    """`PORT=8790 make run`: every manage.py command it runs gets QUALIPREF_BASE_URL for that port (a fake
    Python records them; nothing is installed or served)."""
    if not shutil.which("make"):
        pytest.fail("make is needed: the README's first command")
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    log = tmp_path / "calls.log"
    fake = tmp_path / "fake-python"
    fake.write_text(f'#!/bin/sh\necho "$QUALIPREF_BASE_URL $*" >> {log}\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = {k: v for k, v in os.environ.items() if k not in {"QUALIPREF_BASE_URL", "PORT", "MAKEFLAGS", "MFLAGS"}}

    def make_run(**extra):
        log.unlink(missing_ok=True)
        subprocess.run(
            ["make", "-s", "-o", ".venv/.installed", "-o", ".venv/bin/python", "run", f"PY={fake}"],
            cwd=tmp_path,
            env={**env, **extra},
            check=True,
            capture_output=True,
            timeout=60,
        )
        return [line.split(" ", 1) for line in log.read_text().splitlines()]

    calls = make_run(PORT="8790")
    assert [args.split()[1] for _url, args in calls] == ["compilemessages", "migrate", "load_demo", "runserver"]
    assert {url for url, _args in calls} == {"http://127.0.0.1:8790"}
    assert calls[-1][1].endswith("runserver 127.0.0.1:8790")
    # A base URL the developer set is kept.
    assert {url for url, _args in make_run(PORT="8790", QUALIPREF_BASE_URL=PUBLIC)} == {PUBLIC}


def base_url_warnings():
    return [message for message in run_checks(include_deployment_checks=True) if message.id == "qualipref.W001"]


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:8000",
        "http://localhost:8790",
        "http://[::1]:8000",
        "http://0.0.0.0:8000",
        "http://127.0.1.1",
        "qualipref.example.gouv.fr",
        "",
    ],
)
def test_deploy_check_warns_when_the_base_url_is_missing_or_loopback_with_debug_off(settings, base_url):
    settings.DEBUG = False
    settings.QUALIPREF_BASE_URL = base_url
    [warning] = base_url_warnings()
    assert "QUALIPREF_BASE_URL" in warning.msg and "https://" in warning.hint


def test_deploy_check_is_silent_with_a_public_base_url(settings):
    settings.DEBUG = False
    settings.QUALIPREF_BASE_URL = PUBLIC
    assert base_url_warnings() == []


def test_deploy_check_is_silent_in_development(settings):
    settings.DEBUG = True
    settings.QUALIPREF_BASE_URL = "http://127.0.0.1:8000"
    assert base_url_warnings() == []
