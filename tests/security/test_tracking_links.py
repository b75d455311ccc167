"""The citizen's private tracking link (``/suivi/<token>/``), issue 14's findings 3, 4 and 10.

- Shown once: the confirmation page shows the link on its first display only, and no raw token is kept on the
  server — in no session, no cache entry, no database column (only its SHA-256 fingerprint is stored).
- One live link per case: every new link (the lost-link form, every notice that carries one) replaces the case's
  previous one, and a replaced link gets the same clear page as an unknown one.
- The lost-link form answers before it looks anything up: the same queries, templates and page whether or not the
  reference and the address match; the lookup and the e-mail happen in a Celery task.
"""

import importlib
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.db.models import CharField, JSONField, TextField
from django.db.models.functions import Cast
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from complaints.models import Case, TrackingToken
from complaints.services import case_answer, case_submit, case_transfer, suggestion_decide, tracking_token_issue
from qualipref.mail import OutgoingEmail
from tests.faults.conftest import BrokerOutage
from tests.qualipref.factories import PrefectureFactory, officer_of

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"/suivi/([A-Za-z0-9_-]+)/")
COMPLAINT = {
    "kind": "complaint",
    "topic": "counter",
    "subject": "Trois heures d'attente",
    "description": "Personne ne nous a informés.",
    "name": "Marie Hoarau",
    "email": "marie@example.org",
    "consent": "on",
}


def file_online(client, prefecture, **overrides):
    """The public form, then the confirmation page's first display: ``(case, token shown, confirmation URL)``."""
    response = client.post(reverse("complaints:new", args=[prefecture.slug]), {**COMPLAINT, **overrides})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    found = TOKEN.search(page.content.decode())
    return Case.objects.latest("pk"), found.group(1) if found else None, response["Location"]


def tracking(client, token):
    return client.get(reverse("complaints:tracking", args=[token]))


def link_in(email):
    return TOKEN.findall(email.body)[-1]


# --- finding 3: shown once, no raw token kept on the server ------------------------------------------------------


def cache_contents():
    """Every key and value of the cache, as bytes (the local memory cache, or the whole Redis database)."""
    store = cache._cache
    if isinstance(store, dict):  # LocMemCache: pickled values
        return b"\n".join(key.encode() + b"=" + value for key, value in store.items())
    client = store.get_client(None, write=False)
    dump = []
    for key in client.scan_iter(match="*"):
        kind = client.type(key)
        if kind == b"string":
            values = [client.get(key)]
        elif kind == b"list":
            values = client.lrange(key, 0, -1)
        elif kind == b"hash":
            values = [b"=".join(item) for item in client.hgetall(key).items()]
        elif kind in {b"set", b"zset"}:
            values = list(client.smembers(key)) if kind == b"set" else client.zrange(key, 0, -1)
        else:
            values = []
        dump.append(key + b"=" + b",".join(value or b"" for value in values))
    return b"\n".join(dump)


def columns_holding(text):
    """``model.field`` of every database column, of every model, whose value holds ``text``."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, CharField | TextField | JSONField):
                continue
            rows = model._base_manager.annotate(_as_text=Cast(field.attname, TextField()))
            if rows.filter(_as_text__contains=text).exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


@pytest.mark.usefixtures("on_commit_immediately")
def test_no_raw_token_is_kept_in_sessions_cache_or_database_after_filing(client, reunion):
    case, token, confirmation = file_online(client, reunion)
    assert token and case.reference
    client.get(confirmation)  # the reload

    sessions = [session.get_decoded() for session in Session.objects.all()]
    assert sessions, "the confirmation keeps the case in the session"
    assert all(token not in repr(data) for data in sessions)
    assert all(token not in session.session_data for session in Session.objects.all())
    assert token.encode() not in cache_contents()
    assert columns_holding(token) == []  # the sent acknowledgement keeps no body; the link's fingerprint only
    assert TrackingToken.objects.get(case=case).token_hash == TrackingToken.hash(token)


@pytest.mark.usefixtures("on_commit_immediately")
def test_the_confirmation_shows_the_link_once_then_only_the_reference(client, reunion):
    response = client.post(reverse("complaints:new", args=[reunion.slug]), COMPLAINT)
    confirmation = response["Location"]
    handover = [morsel for morsel in response.cookies.values() if morsel.key != settings.SESSION_COOKIE_NAME]
    assert len(handover) == 1, "the link goes to the browser, in one short-lived cookie"
    [cookie] = handover
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["path"] == confirmation and 0 < int(cookie["max-age"]) <= 600

    first = client.get(confirmation)
    html = first.content.decode()
    token = TOKEN.search(html).group(1)
    assert tracking(client, token).status_code == 200
    assert "no-store" in first["Cache-Control"]  # the browser's Back button does not bring it back either
    assert first.cookies[cookie.key].value == ""  # read and deleted at once

    again = client.get(confirmation)
    page = again.content.decode()
    case = Case.objects.get()
    assert again.status_code == 200 and case.reference in page
    assert "/suivi/" not in page and token not in page
    assert "affiché qu’une fois" in page and "courriel" in page
    assert reverse("complaints:lost_link", args=[reunion.slug]) in page


@pytest.mark.usefixtures("on_commit_immediately")
def test_a_handover_cookie_of_another_case_or_forged_shows_nothing(client, reunion):
    response = client.post(reverse("complaints:new", args=[reunion.slug]), COMPLAINT)
    confirmation = response["Location"]
    [cookie] = [morsel for morsel in response.cookies.values() if morsel.key != settings.SESSION_COOKIE_NAME]
    # Another submission in the same browser: the first one's cookie comes back (e.g. copied), not shown.
    client.post(reverse("complaints:new", args=[reunion.slug]), {**COMPLAINT, "subject": "Autre"})
    client.cookies[cookie.key] = cookie.value
    page = client.get(confirmation).content.decode()
    assert "/suivi/" not in page
    # A forged cookie is not shown either.
    client.cookies[cookie.key] = "1:forged"
    assert "/suivi/" not in client.get(confirmation).content.decode()


# --- finding 4: one live link per case ---------------------------------------------------------------------------


@pytest.mark.usefixtures("on_commit_immediately")
def test_a_new_link_from_the_lost_link_form_kills_the_old_one(client, reunion):
    case, old, _confirmation = file_online(client, reunion)
    mail.outbox.clear()
    response = client.post(
        reverse("complaints:lost_link", args=[reunion.slug]), {"reference": case.reference, "email": case.email}
    )
    assert response.status_code == 200
    [email] = mail.outbox
    new = link_in(email)
    assert new != old
    assert tracking(client, new).status_code == 200
    gone = tracking(client, old)
    assert gone.status_code == 404
    assert TrackingToken.objects.filter(case=case).count() == 1
    assert "remplacé par un lien plus récent" in gone.content.decode()
    assert "ne fonctionnent plus" in email.body  # the e-mail says the earlier links are dead


@pytest.mark.usefixtures("on_commit_immediately")
def test_every_notice_carrying_a_link_replaces_the_previous_one(client, reunion):
    officer = officer_of(reunion)
    case, shown, _confirmation = file_online(client, reunion)
    acknowledgement = link_in(mail.outbox[-1])
    assert acknowledgement == shown  # one link per filing: on screen and in the acknowledgement

    case_answer(case=case, by=officer, text="Pourriez-vous nous envoyer votre récépissé ?", final=False)
    request = link_in(mail.outbox[-1])
    case_answer(case=case, by=officer, text="Voici notre réponse.")
    answer = link_in(mail.outbox[-1])

    assert len({shown, request, answer}) == 3
    assert [tracking(client, token).status_code for token in (shown, request, answer)] == [404, 404, 200]
    assert TrackingToken.objects.filter(case=case).count() == 1

    suggestion, link, _confirmation = file_online(client, reunion, kind="suggestion")
    suggestion_decide(case=suggestion, by=officer, to="accepted", public_reply="Nous l'appliquons.")
    assert tracking(client, link).status_code == 404
    assert tracking(client, link_in(mail.outbox[-1])).status_code == 200


@pytest.mark.usefixtures("on_commit_immediately")
def test_a_replaced_link_and_an_unknown_one_get_the_same_clear_page(client, reunion):
    case, old, _confirmation = file_online(client, reunion)
    tracking_token_issue(case=case)
    replaced, unknown = tracking(client, old), tracking(client, "x" * 43)
    assert replaced.status_code == unknown.status_code == 404
    page = replaced.content.decode()
    assert page.replace(old, "TOKEN") == unknown.content.decode().replace("x" * 43, "TOKEN")  # the language links
    assert "Ce lien a été remplacé par un lien plus récent" in page
    assert f'href="{reverse("complaints:lost_link")}"' in page  # no prefecture named: nothing learned
    assert case.reference not in page and reunion.name not in page
    # A reply sent from a page opened before the link was replaced is given back, to copy; nothing is recorded.
    typed = "Le guichet 4 était fermé <b>encore</b>."
    gone = client.post(reverse("complaints:tracking", args=[old]), {"reply-text": typed})
    assert gone.status_code == 404 and escape(typed) in gone.content.decode()
    assert not case.messages.exists()
    # The documents behind a replaced link are gone with it.
    assert client.get(reverse("complaints:tracking_attachment", args=[old, 1])).status_code == 404


@pytest.mark.usefixtures("on_commit_immediately")
def test_a_case_without_an_address_keeps_its_only_link(client, reunion):
    """No e-mail, no notice: the link shown on screen (or given by the officer) stays the case's link."""
    case, token, _confirmation = file_online(client, reunion, kind="suggestion", name="", email="")
    suggestion_decide(case=case, by=officer_of(reunion), to="accepted", public_reply="Adoptée.")
    assert tracking(client, token).status_code == 200


@pytest.mark.usefixtures("on_commit_immediately")
def test_the_network_wide_lost_link_form_finds_a_transferred_case(client, reunion):
    gironde = PrefectureFactory(department_code="33", name="Gironde", slug="gironde")
    case, _token, _confirmation = file_online(client, reunion)
    case_transfer(case=case, by=officer_of(reunion), prefecture=gironde)
    mail.outbox.clear()
    for url in (reverse("complaints:lost_link"), reverse("complaints:lost_link", args=[gironde.slug])):
        assert client.post(url, {"reference": case.reference, "email": "MARIE@example.org "}).status_code == 200
    assert [email.to for email in mail.outbox] == [["marie@example.org"]] * 2
    assert tracking(client, link_in(mail.outbox[-1])).status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="drops a constraint inside the test's transaction")
def test_the_migration_keeps_only_the_newest_link_of_each_case(reunion):
    migration = importlib.import_module("complaints.migrations.0006_keep_the_newest_tracking_link")
    [constraint] = TrackingToken._meta.constraints
    first, _token = case_submit(prefecture=reunion, data=COMPLAINT)
    second, _token = case_submit(prefecture=reunion, data=COMPLAINT)
    with connection.cursor() as cursor:  # no deferred foreign-key checks pending: the table can be altered
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.schema_editor() as editor:
        editor.remove_constraint(TrackingToken, constraint)
    tokens = {case.pk: [case.tracking_tokens.get()] for case in (first, second)}
    for _ in range(3):  # as notices and lost-link requests left them
        for case in (first, second):
            tokens[case.pk].append(
                TrackingToken.objects.create(
                    case=case, token_hash=f"{case.pk}-{len(tokens[case.pk])}", expires_at=case.created_at
                )
            )

    migration.keep_the_newest_link(apps, None)

    assert sorted(TrackingToken.objects.values_list("pk", flat=True)) == sorted(t[-1].pk for t in tokens.values())
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.schema_editor() as editor:
        editor.add_constraint(TrackingToken, constraint)


# --- finding 10: the lost-link form tells nothing by its timing ---------------------------------------------------


def shape(queries):
    """The SQL of each query with its literals blanked."""
    return [re.sub(r"'(?:[^']|'')*'|\b\d+\b", "?", query["sql"]) for query in queries]


def test_the_lost_link_view_does_the_same_work_whether_or_not_the_request_matches(
    client, reunion, django_capture_on_commit_callbacks
):
    case, _token = case_submit(prefecture=reunion, data=COMPLAINT)
    url = reverse("complaints:lost_link", args=[reunion.slug])
    mail.outbox.clear()
    seen = {}
    for label, data in {
        "match": {"reference": case.reference, "email": case.email},
        "wrong address": {"reference": case.reference, "email": "intrus@example.org"},
        "no such case": {"reference": "974-2026-999999", "email": case.email},
    }.items():
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks() as callbacks:
            response = client.post(url, data)
        page = re.sub(r'value="[^"]*"|breadcrumb-[a-z]+', "", response.content.decode())  # what was typed; a random id
        seen[label] = (response.status_code, shape(queries), [t.name for t in response.templates], page, callbacks)
    answers = [answer[:4] for answer in seen.values()]
    assert answers[0] == answers[1] == answers[2]
    assert all(len(answer[4]) == 1 for answer in seen.values())  # the work, queued for after the answer
    assert not OutgoingEmail.objects.filter(purpose="tracking_link").exists()

    for answer in seen.values():  # the task runs: only the matching request sends a link
        answer[4][0]()
    [email] = OutgoingEmail.objects.filter(purpose="tracking_link")
    assert email.to == case.email and case.reference in email.subject


def test_the_lost_link_form_is_still_rate_limited(client, reunion, settings):
    settings.COMPLAINTS_SUBMIT_RATE = "2/h"
    url = reverse("complaints:lost_link", args=[reunion.slug])
    data = {"reference": "974-2026-000001", "email": "marie@example.org"}
    assert [client.post(url, data).status_code for _ in range(3)] == [200, 200, 429]


def test_the_lost_link_task_carries_no_address(reunion, django_capture_on_commit_callbacks):
    """What goes through the broker (Redis) and Celery's logs: the reference and a keyed fingerprint of the
    address, never the address itself."""
    from complaints.tracking_links import lost_link_task_arguments

    arguments = lost_link_task_arguments(reference=" 974-2026-000001 ", email="Marie@Example.org")
    assert arguments[0] == "974-2026-000001"
    assert "marie" not in repr(arguments).lower()
    assert arguments == lost_link_task_arguments(reference="974-2026-000001", email="marie@example.org ")


def test_with_the_broker_down_the_lost_link_request_still_sends_the_link(
    client, reunion, django_capture_on_commit_callbacks
):
    case, _token = case_submit(prefecture=reunion, data=COMPLAINT)
    outage = BrokerOutage()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("complaints:lost_link", args=[reunion.slug]),
                {"reference": case.reference, "email": case.email},
            )
    finally:
        outage.end()
    assert response.status_code == 200
    # Done in the request instead: the e-mail waits in the outbox for the sweep, like every other one.
    assert OutgoingEmail.objects.filter(purpose="tracking_link", to=case.email).count() == 1
