"""Security headers and brute-force protection that every page and login gets."""

import re
from pathlib import Path

import pytest

from .factories import PrefectureFactory, officer_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_public_pages_carry_a_csp_without_inline_scripts(client):
    PrefectureFactory(reunion=True)
    for url in ["/", "/la-reunion/", "/la-reunion/reclamations/nouvelle/", "/mentions-legales/"]:
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]+)", policy).group(1)
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        html = response.content.decode()
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert scripts, url
        for tag in scripts:  # every script is a file of our own origin
            assert re.search(r'src="/static/', tag), (url, tag)


def test_no_template_has_inline_script_or_event_handler():
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        html = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", html):
            if "src=" not in tag:
                offenders.append(f"{template.relative_to(ROOT)}: {tag}")
        if re.search(r"<[^>]+\son[a-z]+\s*=", html):
            offenders.append(f"{template.relative_to(ROOT)}: inline event handler")
    assert offenders == []


@pytest.mark.django_db
def test_admin_login_locks_out_after_repeated_failures(client):
    officer = officer_of(PrefectureFactory(reunion=True), email="nadia@example.org")
    for _ in range(5):
        response = client.post("/admin/login/", {"username": officer.email, "password": "wrong", "next": "/admin/"})
    response = client.post(
        "/admin/login/", {"username": officer.email, "password": "correct-horse-battery-staple", "next": "/admin/"}
    )
    assert response.status_code == 429
    assert "<h1>" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_successful_login_resets_the_failure_count(client):
    officer = officer_of(PrefectureFactory(reunion=True), email="nadia@example.org")
    for _ in range(4):
        client.post("/admin/login/", {"username": officer.email, "password": "wrong"})
    response = client.post(
        "/admin/login/", {"username": officer.email, "password": "correct-horse-battery-staple", "next": "/admin/"}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_responses_deny_framing_and_sniffing(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
