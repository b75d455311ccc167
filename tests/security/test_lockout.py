"""Login lockout: an address is one identity however it is typed, and one connection gets a bounded number of tries.

Through the real forms of ``/admin/login/`` and ``/comite/connexion/`` (page fetched, CSRF token posted back, as a
browser does): every spelling of an address that logs into an account — upper case, spaces and tabs around it,
full-width or other compatibility letters — shares that account's five guesses, on both logins together; once
locked, the right password is refused under every spelling; a connection that tries many different addresses is
locked too; a successful login wipes that account's failures from that connection, and nothing else.
"""

import importlib
import re
import unicodedata

import pytest
from django.conf import settings
from django.test import Client

from qualipref.auth import login_identity
from qualipref.models import User
from tests.committee.factories import CommitteeFactory, member_with_account
from tests.qualipref.factories import PASSWORD, officer_of

pytestmark = pytest.mark.django_db

ADDRESS = "qualite.33@example.org"
ATTACKER = "203.0.113.7"
NEIGHBOUR = "198.51.100.23"

# Spellings of ADDRESS that the login forms take for it (and so must the lockout).
SPELLINGS = {
    "upper case": "QUALITE.33@EXAMPLE.ORG",
    "capitalised": "Qualite.33@Example.org",
    "leading space": " qualite.33@example.org",
    "trailing tab": "qualite.33@example.org\t",
    "spaces and tabs": "\t  Qualite.33@example.org \t ",
    "no-break and ideographic spaces": "\u00a0qualite.33@example.org\u3000",
    "full-width q": "ｑualite.33@example.org",
    "full-width address": "ｑｕａｌｉｔｅ．３３＠ｅｘａｍｐｌｅ．ｏｒｇ",
    "double-struck capital Q (NFKC then case)": "ℚualite.33@example.org",
    "mathematical bold letters": "𝐪𝐮𝐚𝐥𝐢𝐭𝐞.33@example.org",
    "superscript digits": "qualite.³³@example.org",
}

LOGINS = ["/admin/login/", "/comite/connexion/"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def account(reunion):
    """A quality officer who also sits on the users' committee: both logins open for the same address."""
    member = member_with_account(CommitteeFactory(prefecture=reunion), email=ADDRESS)
    user = member.user
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def browser(address=ATTACKER):
    return Client(enforce_csrf_checks=True, REMOTE_ADDR=address)


def log_in(client, url, username, password, **extra):
    """Fill and send the login form at ``url`` as a browser does: the page first, then its CSRF token."""
    page = client.get(url, **extra)
    assert page.status_code == 200, url
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    return client.post(url, {"csrfmiddlewaretoken": token, "username": username, "password": password}, **extra)


def assert_refused(response):
    assert response.status_code == 200, response.status_code  # the form again, with its error
    assert "_auth_user_id" not in response.client.session


def assert_locked_out(response, language="fr"):
    assert response.status_code == 429, response.status_code
    assert "_auth_user_id" not in response.client.session
    html = response.content.decode()
    assert "fr-header" in html and f'<html lang="{language}"' in html  # the DSFR page, not axes' bare text
    if language == "fr":
        assert "<h1>Trop de tentatives de connexion échouées</h1>" in html
        assert "pendant une heure" in html
    else:
        assert "<h1>Too many failed login attempts</h1>" in html
        assert "for an hour" in html


def assert_logged_in(response, user):
    assert response.status_code == 302, response.status_code
    assert response.client.session["_auth_user_id"] == str(user.pk)


def test_every_spelling_is_the_address_the_login_uses():
    for spelling in SPELLINGS.values():
        assert login_identity(spelling) == ADDRESS, spelling
        assert login_identity(login_identity(spelling)) == ADDRESS
    assert login_identity(None) is None
    # Idempotent on every character: a normalised identity stays what it is, so it can be stored and looked up.
    for code in range(0x20, 0x30000):
        char = chr(code)
        if unicodedata.category(char) in {"Cs", "Cn"}:
            continue
        once = login_identity(f"a{char}b")
        assert login_identity(once) == once, hex(code)


def test_an_account_s_address_is_stored_as_the_login_s_identity():
    user = User.objects.create_user(email="  Josiane.Técher@EXAMPLE.org\t", password=PASSWORD)
    assert User.objects.get(pk=user.pk).email == "josiane.técher@example.org"
    user.email = "ＡＧＥＮＴ@example.org"
    user.clean()
    assert user.email == "agent@example.org"


@pytest.mark.parametrize("url", LOGINS)
@pytest.mark.parametrize("spelling", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_every_spelling_logs_in(account, url, spelling):
    assert_logged_in(log_in(browser(), url, spelling, PASSWORD), account)


@pytest.mark.parametrize("url", LOGINS)
def test_the_spellings_share_the_five_guesses(account, url):
    client = browser()
    spellings = iter(SPELLINGS.values())
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert_refused(log_in(client, url, next(spellings), "wrong-password"))
    assert_locked_out(log_in(client, url, next(spellings), "wrong-password"))  # the fifth guess, whatever spelt


@pytest.mark.parametrize("url", LOGINS)
@pytest.mark.parametrize("spelling", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_once_locked_the_right_password_is_refused_whatever_the_spelling(account, url, spelling):
    client = browser()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, url, ADDRESS, "wrong-password")
    assert_locked_out(log_in(client, url, spelling, PASSWORD))
    assert_locked_out(log_in(client, url, ADDRESS, PASSWORD))


def test_the_two_logins_count_the_same_guesses(account):
    client = browser()
    for guess in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, LOGINS[guess % 2], list(SPELLINGS.values())[guess], "wrong-password")
    for url in LOGINS:
        for spelling in SPELLINGS.values():
            assert_locked_out(log_in(client, url, spelling, PASSWORD))


def test_the_lockout_page_is_in_english_under_en(account):
    client = browser()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "/en/comite/connexion/", ADDRESS.upper(), "wrong-password")
    assert_locked_out(log_in(client, "/en/comite/connexion/", f" {ADDRESS}\t", PASSWORD), language="en")


def test_the_lock_holds_for_that_connection_only(account):
    client = browser()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "/admin/login/", ADDRESS.upper(), "wrong-password")
    assert_locked_out(log_in(client, "/admin/login/", ADDRESS, PASSWORD))
    assert_logged_in(log_in(browser(NEIGHBOUR), "/admin/login/", ADDRESS.upper(), PASSWORD), account)


@pytest.mark.parametrize("url", LOGINS)
def test_a_connection_trying_many_addresses_is_locked_out(account, url):
    """Password spraying: one guess at each of many addresses, never five at any, still meets a limit."""
    client = browser()
    limit = settings.AXES_IP_FAILURE_LIMIT
    assert settings.AXES_FAILURE_LIMIT < limit <= 50
    for n in range(limit - 1):
        assert_refused(log_in(client, url, f"agent.{n}@example.org", "Azerty-2026!"))
    assert_locked_out(log_in(client, url, "agent.last@example.org", "Azerty-2026!"))
    # Now every address is closed to that connection, even with its right password, on both logins...
    for login in LOGINS:
        assert_locked_out(log_in(client, login, ADDRESS, PASSWORD))
    # ... but not to anybody else's.
    assert_logged_in(log_in(browser(NEIGHBOUR), url, ADDRESS, PASSWORD), account)


def test_a_success_resets_that_account_s_failures_as_before(account):
    client = browser()
    for guess in range(settings.AXES_FAILURE_LIMIT - 1):
        assert_refused(log_in(client, "/admin/login/", list(SPELLINGS.values())[guess], "wrong-password"))
    assert_logged_in(log_in(client, "/admin/login/", SPELLINGS["full-width q"], PASSWORD), account)
    client = browser()  # logged out: another four wrong guesses, and the fifth try still gets in
    for guess in range(settings.AXES_FAILURE_LIMIT - 1):
        assert_refused(log_in(client, "/comite/connexion/", list(SPELLINGS.values())[-guess], "wrong-password"))
    assert_logged_in(log_in(client, "/comite/connexion/", ADDRESS.upper(), PASSWORD), account)


def test_logging_into_one_s_own_account_resets_nobody_else_s_failures(account, reunion):
    """An attacker with an account of their own cannot wipe the guesses counted against another one (axes' reset
    on success, kept as it was: the limit per connection must not widen it to every identity of the address)."""
    own = officer_of(reunion, email="attaquant@example.org")
    client = browser()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert_refused(log_in(client, "/admin/login/", ADDRESS, "wrong-password"))
    assert_logged_in(log_in(client, "/admin/login/", own.email, PASSWORD), own)
    client = browser()
    assert_locked_out(log_in(client, "/admin/login/", ADDRESS, "wrong-password"))
    assert_locked_out(log_in(client, "/admin/login/", ADDRESS, PASSWORD))


def test_addresses_stored_before_are_rewritten_to_their_identity(account):
    """Migration 0011: an account whose stored address the login would no longer find gets its identity, unless
    another account holds it already (left for an administrator)."""
    from django.apps import apps

    migration = importlib.import_module("qualipref.migrations.0011_user_email_login_identity")
    rewritten = User.objects.create_user(email="josiane@example.org", password=PASSWORD)
    User.objects.filter(pk=rewritten.pk).update(email="Ｊosiane@EXAMPLE.org")  # as stored before
    clash = User.objects.create_user(email="clash@example.org")
    User.objects.filter(pk=clash.pk).update(email=ADDRESS.upper())
    migration.store_identities(apps, None)
    assert User.objects.get(pk=rewritten.pk).email == "josiane@example.org"
    assert User.objects.get(pk=clash.pk).email == ADDRESS.upper()
    assert User.objects.get(pk=account.pk).email == ADDRESS
    assert_logged_in(log_in(browser(), "/comite/connexion/", " JOSIANE@example.org", PASSWORD), rewritten)
