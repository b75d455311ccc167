"""Absolute links: a page's come from the request (the host and port the visitor used); those read elsewhere —
e-mails, QR codes, posters, PDFs, calendar invitations — from the one setting QUALIPREF_BASE_URL, which
`make run` sets from PORT and production must set (`check --deploy` warns otherwise)."""

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from django.core import mail
from django.core.checks import run_checks

from complaints.models import Case

from .factories import PrefectureFactory, ServiceFactory, SiteFactory

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = "https://qualipref.example.gouv.fr"


@pytest.fixture
def reunion(db):
    prefecture = PrefectureFactory(reunion=True)
    ServiceFactory(prefecture=prefecture, name="Titres de séjour")
    SiteFactory(prefecture=prefecture, name="Sous-préfecture de Saint-Pierre")
    return prefecture


def complaint(prefecture):
    return {
        "kind": "complaint",
        "service": prefecture.services.get().pk,
        "site": prefecture.sites.get().pk,
        "topic": "counter",
        "subject": "Trois heures d'attente",
        "description": "J'ai attendu trois heures au guichet sans information.",
        "name": "Marie Hoarau",
        "email": "marie@example.org",
        "consent": "on",
    }


@pytest.mark.usefixtures("on_commit_immediately")
def test_confirmation_page_link_follows_the_request_and_the_email_link_the_setting(client, reunion, settings):
    settings.QUALIPREF_BASE_URL = PUBLIC
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    host = {"HTTP_HOST": "localhost:8790"}
    response = client.post("/la-reunion/reclamations/nouvelle/", complaint(reunion), **host)
    assert response.status_code == 302
    page = client.get(response["Location"], **host).content.decode()

    shown = re.search(r'href="([^"]+)" id="tracking-link"', page)
    assert shown and shown.group(1).startswith("http://localhost:8790/suivi/"), page
    [acknowledgement] = mail.outbox
    token = shown.group(1).rstrip("/").rsplit("/", 1)[-1]
    assert f"{PUBLIC}/suivi/{token}/" in acknowledgement.body
    assert "localhost" not in acknowledgement.body
    assert Case.objects.get().reference in page


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
