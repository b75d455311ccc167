"""No log line carries a secret link: the tracking link of a case nor the password link of a committee member.

Real links (a case's tracking token, a member's invitation link), asked in clear and mangled (a space, a quote,
a doubled slash, percent-encoded letters and slashes, double encoding, the English prefix, a query string, a
Referer), through Django (the ``django.request`` "Not Found" warnings, caught by a handler of our own beside the
project's) and through gunicorn itself, started from the project's ``gunicorn.conf.py`` with its access and error
logs written to files. And the password link works once: opened in one browser, it is refused in another.
"""

import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from committee.services import member_account_invite
from complaints.services import tracking_token_issue
from qualipref import log_filters
from qualipref.models import User
from tests.committee.factories import CommitteeFactory, MemberFactory
from tests.complaints.factories import CaseFactory

ROOT = Path(__file__).resolve().parents[2]
NEW_PASSWORD = "Un-mot-de-passe-solide-974"

pytestmark = pytest.mark.usefixtures("on_commit_immediately")


def mangled(prefix, secret):
    """The ways a link reaches the server once copied, wrapped, retyped or encoded by a client or a proxy."""
    head = prefix.strip("/")
    return [
        f"/{head}/{secret}/",
        f"/en/{head}/{secret}/",
        f"/{head}/%20{secret}/",
        f"/{head}/ {secret}/",
        f"/{head}/'{secret}/",
        f"/{head}//{secret}/",
        f"/{head}%2F{secret}/",
        f"/{head}%252F{secret}/",
        f"/%{ord(head[0]):02X}{head[1:]}/{secret}/",
        f"/{head}/%{ord(secret[0]):02X}{secret[1:]}/",
        f"/{head.upper()}/{secret}/",
        f"/{head}/{secret}/?utm_source=courriel",
        f"/{head}\\{secret}/",
        f"//{head}/{secret}",
    ]


def decoded(text):
    for _round in range(6):
        text = unquote(text)
    return text


def leaks(text, secrets):
    """The secrets ``text`` shows, even percent-encoded."""
    plain = decoded(text)
    return [secret for secret in secrets if secret[2:] in plain]


@pytest.fixture
def links(db):
    """A case's tracking token and a member's password link, as the portal issues them."""
    case = CaseFactory()
    token = tracking_token_issue(case=case)
    member = MemberFactory(committee=CommitteeFactory(prefecture=case.prefecture))
    member_account_invite(member=member)
    password_link = re.search(r"https?://[^/\s]+(/comite/mot-de-passe/[^/\s]+/[^/\s]+/)", mail.outbox[-1].body)[1]
    uid, password_token = password_link.strip("/").split("/")[-2:]
    return {"token": token, "password_link": password_link, "uid": uid, "password_token": password_token}


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def captured():
    """Every record every logger lets through, formatted with its traceback: ours beside the project's handlers."""
    handler = _Capture()
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.propagate
    ]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler.lines
    for logger in loggers:
        logger.removeHandler(handler)


def test_the_secret_prefixes_come_from_the_url_configuration():
    assert log_filters.secret_prefixes() == ["borne/", "comite/mot-de-passe/", "franceconnect/retour/", "suivi/"]


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("/suivi/abcDEF-_123/", "/suivi/[…]"),
        ("/suivi/ abcDEF/", "/suivi/[…]"),
        ("/%73uivi/abcDEF", "/%73uivi/[…]"),
        ("/suivi%252Fabc", "/suivi%252F[…]"),
        ("GET /en/suivi/abc/?x=1 HTTP/1.1", "GET /en/suivi/[…] HTTP/1.1"),
        ("/comite/mot-de-passe/MQ/abc-def/", "/comite/mot-de-passe/[…]"),
        ("/borne/WzEsImtleSJd:sig/merci/", "/borne/[…]"),
        ("/suivi/abc/recu.pdf", "/suivi/[…]"),
        ("/suivie/abc/", "/suivie/abc/"),
        ("/reclamations/", "/reclamations/"),
    ],
)
def test_a_value_is_masked_after_a_secret_prefix_whatever_its_encoding(value, masked):
    assert log_filters.redact_value(value) == masked


def test_a_link_written_into_a_message_or_a_traceback_is_masked(captured):
    logger = logging.getLogger("qualipref.anything")
    logger.warning("sent http://127.0.0.1:8000/suivi/SECRETTOKEN123/ to the citizen")
    try:
        raise ValueError("no case for /comite/mot-de-passe/MQ/SECRET-TOKEN456/")
    except ValueError:
        logger.exception("failed on %s", "/suivi/%20SECRETTOKEN789/")
    assert captured and not leaks("\n".join(captured), ["SECRETTOKEN123", "SECRET-TOKEN456", "SECRETTOKEN789"])


def test_django_never_logs_a_secret_link_in_clear_or_mangled(client, links, captured):
    secrets = [links["token"], links["password_token"]]
    paths = mangled("/suivi/", links["token"]) + mangled("/comite/mot-de-passe/", f"{links['uid']}/{secrets[1]}")
    for path in paths:
        if path.startswith("//"):
            continue  # Django's test client reads "//suivi/…" as a host name; gunicorn's test sends it
        client.get(path, HTTP_REFERER=f"http://testserver/suivi/{links['token']}/")
    assert client.get(f"/suivi/{links['token']}/").status_code == 200
    assert any("Not Found" in line for line in captured), "the mangled links must reach Django's 404 warnings"
    leaked = [line for line in captured if leaks(line, secrets)]
    assert not leaked, leaked


# --- gunicorn, as production starts it ----------------------------------------------------------------


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _raw_get(port, path, referer):
    """A request sent byte for byte as written (no client library tidies the path)."""
    headers = f"Host: 127.0.0.1\r\nReferer: {referer}\r\nUser-Agent: test\r\nConnection: close\r\n"
    request = f"GET {path} HTTP/1.1\r\n{headers}\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request.encode("latin-1"))
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer.split(b" ", 2)[1].decode() if answer else "no answer"


@pytest.fixture
def gunicorn(transactional_db, tmp_path):
    """gunicorn from the project's venv with gunicorn.conf.py, on a free port, on this test's database."""
    if connection.vendor != "postgresql":
        pytest.skip("gunicorn runs in its own process: it needs the test database on PostgreSQL (DATABASE_URL)")
    settings = connection.settings_dict
    port = _free_port()
    access, errors = tmp_path / "access.log", tmp_path / "error.log"
    environment = os.environ | {
        "DEBUG": "true",
        "DATABASE_URL": f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
        f"/{settings['NAME']}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi:application",
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "2",
            "--access-logfile",
            str(access),
            "--error-logfile",
            str(errors),
        ],  # fmt: skip
        cwd=ROOT,
        env=environment,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while _raw_get_or_none(port) is None:
            assert process.poll() is None, errors.read_text() if errors.exists() else "gunicorn did not start"
            assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
            time.sleep(0.3)
        yield port, access, errors
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _raw_get_or_none(port):
    try:
        return _raw_get(port, "/healthz", "-")
    except OSError:
        return None


def test_gunicorn_never_logs_a_secret_link_in_clear_or_mangled(links, gunicorn):
    port, access, errors = gunicorn
    secrets = [links["token"], links["password_token"]]
    referer = f"http://127.0.0.1/suivi/{links['token']}/"
    assert _raw_get(port, f"/suivi/{links['token']}/", referer) == "200"
    assert _raw_get(port, links["password_link"], referer) == "200"  # the button that opens it
    for path in mangled("/suivi/", links["token"]) + mangled(
        "/comite/mot-de-passe/", f"{links['uid']}/{links['password_token']}"
    ):
        _raw_get(port, path, referer)
    lines = access.read_text().splitlines()
    assert len(lines) >= 28 and all('"GET ' in line for line in lines)
    assert any(" 200 " in line and "/suivi/[…] HTTP/1.1" in line for line in lines), lines
    leaked = [line for line in lines + errors.read_text().splitlines() if leaks(line, secrets)]
    assert not leaked, leaked


# --- the password link opens once --------------------------------------------------------------------


def test_the_password_link_opened_in_one_browser_is_refused_in_another(links):
    first, second = Client(), Client()
    link = links["password_link"]
    shown = first.get(link)
    assert shown.context["confirm"] is True and "new_password1" not in shown.content.decode()
    opened = first.post(link)
    assert opened.status_code == 302 and links["password_token"] not in opened["Location"]

    replayed = second.get(link, follow=True)
    page = replayed.content.decode()
    assert replayed.context["validlink"] is False and "new_password1" not in page
    assert "Ce lien ne fonctionne plus" in page and "déjà été utilisé ou il a expiré" in page
    assert reverse("committee:password_forgotten") in page

    # The browser that opened it may open it again (a second click in the e-mail), and sets its password.
    form = first.get(link, follow=True)
    assert form.context["validlink"] is True
    done = first.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert done.redirect_chain[-1][0] == reverse("committee:space")
    assert User.objects.get(email=done.context["user"].email).check_password(NEW_PASSWORD)
    assert second.get(link, follow=True).context["validlink"] is False


def test_a_mail_scanner_opening_the_link_first_does_not_use_it(links):
    """Mail services open a message's links to check them: a GET shows the button and uses nothing."""
    link = links["password_link"]
    for _ in range(2):
        scanned = Client().get(link)
        assert scanned.status_code == 200 and scanned.context["confirm"] is True
        assert 'method="post"' in scanned.content.decode()
    member = Client()
    form = member.post(link, follow=True)
    assert form.context["validlink"] is True and "new_password1" in form.content.decode()
    # Once the member has opened it, a scanner (or anyone else) gets the refusal, not the button.
    late = Client().get(link)
    assert late.context["validlink"] is False and late.context["already_opened"] is True


def test_the_refusal_is_in_english_on_the_english_site(links):
    Client().post(links["password_link"])
    replayed = Client().get(f"/en{links['password_link']}", follow=True)
    page = replayed.content.decode()
    assert "This link no longer works" in page and "It has already been used or it has expired." in page
    assert "/en/comite/mot-de-passe/oublie/" in page
