"""FranceConnect: citizens log in against a real OpenID Connect provider (tests/oidc_provider, in a subprocess)."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.urls import reverse

from complaints.franceconnect import SESSION_KEY
from complaints.models import Case, Citizen

from .factories import CaseFactory
from .oidc import provider_login
from .test_public import FORM_URL, form_data

pytestmark = pytest.mark.usefixtures("on_commit_immediately")

LOGIN = "/franceconnect/connexion/"
SPACE = "/mon-espace/"


def start_login(client, next_url=None):
    response = client.get(LOGIN, {"next": next_url} if next_url else {})
    assert response.status_code == 302
    return response["Location"]


def log_in(client, username, next_url=None):
    """The whole code flow: portal → provider (login) → portal's callback. Returns the callback's response."""
    callback = provider_login(start_login(client, next_url), username)
    split = urlsplit(callback)
    assert f"{split.scheme}://{split.netloc}" == "http://testserver"
    return client.get(split.path, parse_qs(split.query))


def test_no_button_and_no_space_while_franceconnect_is_off(client, reunion, settings):
    settings.FRANCECONNECT_CLIENT_ID = ""
    html = client.get(FORM_URL).content.decode()
    assert "fr-connect" not in html and SPACE not in html
    assert client.get(SPACE).status_code == 404
    assert client.get(LOGIN).status_code == 404


def test_the_authorisation_request_is_franceconnect_s(client, franceconnect):
    authorize = urlsplit(start_login(client))
    assert authorize.netloc == urlsplit(franceconnect.base).netloc
    params = {key: values[0] for key, values in parse_qs(authorize.query).items()}
    assert params["scope"] == "openid given_name family_name email"
    assert params["acr_values"] == "eidas1"
    assert params["response_type"] == "code"
    assert params["redirect_uri"] == "http://testserver/franceconnect/retour/"
    assert params["prompt"] == "login consent"
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32


def test_full_login_shows_the_space_with_the_citizen_s_name(client, franceconnect, reunion):
    response = log_in(client, "alice")
    assert response.status_code == 302 and response["Location"] == SPACE
    citizen = Citizen.objects.get()
    assert (citizen.given_name, citizen.family_name, citizen.email) == ("Alice", "Martin", "alice.martin@example.org")
    page = client.get(SPACE)
    html = page.content.decode()
    assert "Alice Martin" in html and 'action="/franceconnect/deconnexion/"' in html
    assert "no-cache" in page["Cache-Control"] or "no-store" in page["Cache-Control"]
    # Not a user of the portal: no Django login, no way into the administration.
    assert AUTH_SESSION_KEY not in client.session
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin["Location"].startswith("/admin/login/")


def test_login_comes_back_to_the_form_prefilled_and_the_case_is_tied_to_the_account(client, franceconnect, reunion):
    response = log_in(client, "alice", next_url=FORM_URL)
    assert response["Location"] == FORM_URL
    html = client.get(FORM_URL).content.decode()
    assert 'value="Alice Martin"' in html and 'value="alice.martin@example.org"' in html
    assert "fr-connect" not in html  # logged in: no button
    data = form_data(reunion, name="Alice Martin", email="alice.martin@example.org")
    assert client.post(FORM_URL, data).status_code == 302
    case = Case.objects.get()
    assert case.citizen == Citizen.objects.get(sub__isnull=False)
    space = client.get(SPACE).content.decode()
    assert case.reference in space
    detail = client.get(reverse("complaints:space_case", kwargs={"reference": case.reference}))
    assert detail.status_code == 200 and "Trois heures d&#x27;attente" in detail.content.decode()


def test_the_space_and_the_tracking_page_show_one_and_the_same_timeline(client, franceconnect, reunion):
    """One template (complaints/_timeline.html) draws the history on both pages: status changes and
    the prefecture's answer, never an internal note."""
    from complaints.services import case_answer, case_note
    from tests.qualipref.factories import officer_of

    from .test_public import latest_link

    log_in(client, "alice", next_url=FORM_URL)
    client.post(FORM_URL, form_data(reunion, name="Alice Martin", email="alice.martin@example.org"))
    case = Case.objects.get()
    officer = officer_of(reunion)
    case_note(case=case, by=officer, text="Note interne : usager connu")
    case_answer(case=case, by=officer, text="Votre titre est disponible au guichet 4.")

    def timeline(response):
        assert "complaints/_timeline.html" in {template.name for template in response.templates}
        return re.search(r'<ol class="qp-timeline">.*?</ol>', response.content.decode(), re.DOTALL).group(0)

    in_space = timeline(client.get(reverse("complaints:space_case", kwargs={"reference": case.reference})))
    on_tracking_page = timeline(client.get(latest_link()))
    assert in_space == on_tracking_page
    assert "guichet 4" in in_space and "Réponse envoyée" in in_space
    assert "usager connu" not in in_space


def test_the_demo_citizen_is_alice_of_the_local_provider_and_her_space_lists_her_requests(
    client, franceconnect, settings
):
    """`make run` with `make oidc-provider` (README, Complaints › FranceConnect): alice's login finds the demo's
    citizen (the same FranceConnect identifier: no second account) and her four requests, one of them filed
    without an account with her address."""
    from complaints import demo as complaints_demo
    from qualipref import demo as core_demo

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    core_demo.load_prefectures()
    core_demo.load_accounts()
    complaints_demo.load_cases()
    assert complaints_demo.load_citizen() == 4
    assert complaints_demo.load_citizen() == 0  # loading the demo again changes nothing
    demo_citizen = Citizen.objects.get()
    hers = list(Case.objects.of_citizen(demo_citizen))
    assert len(hers) == 4 and sum(case.citizen_id == demo_citizen.pk for case in hers) == 3

    log_in(client, "alice")
    assert Citizen.objects.get() == demo_citizen
    space = client.get(SPACE).content.decode()
    assert "Alice Martin" in space
    for case in hers:
        assert case.reference in space
        page = client.get(reverse("complaints:space_case", kwargs={"reference": case.reference}))
        assert page.status_code == 200 and 'class="qp-timeline"' in page.content.decode()


def test_an_anonymous_form_has_the_button_and_files_without_account(client, franceconnect, reunion):
    response = client.get(FORM_URL)
    html = response.content.decode()
    assert 'class="fr-connect"' in html and "S’identifier avec" in html  # DSFR's words
    # The button's form leads to the provider: the page's policy lets it (form-action 'self' alone would not).
    form_action = re.search(r"form-action ([^;]*)", response["Content-Security-Policy"]).group(1).split()
    assert "'self'" in form_action and franceconnect.base in form_action
    client.post(FORM_URL, form_data(reunion))
    assert Case.objects.get().citizen is None


def test_a_citizen_never_sees_another_s_case(client, franceconnect, reunion):
    log_in(client, "alice")
    alice = Citizen.objects.get()
    own = CaseFactory(prefecture=reunion, citizen=alice, email="autre@example.org", subject="Le mien")
    same_email = CaseFactory(prefecture=reunion, email="alice.martin@example.org", subject="Sans compte")
    bobs = CaseFactory(prefecture=reunion, email="bob.durand@example.org", subject="Celui de Bob")
    # Filed by another account with Alice's address: that account's, not Alice's.
    other = Citizen.objects.create(sub="someone-else", email="x@example.org")
    others = CaseFactory(prefecture=reunion, citizen=other, email="alice.martin@example.org", subject="Autre compte")
    anonymised = CaseFactory(prefecture=reunion, citizen=alice, subject="Effacé")
    Case.objects.filter(pk=anonymised.pk).update(anonymised_at="2026-01-01T00:00Z")

    html = client.get(SPACE).content.decode()
    assert own.reference in html and same_email.reference in html
    for hidden in (bobs, others, anonymised):
        assert hidden.reference not in html
        url = reverse("complaints:space_case", kwargs={"reference": hidden.reference})
        assert client.get(url).status_code == 404
    assert set(Case.objects.of_citizen(alice)) == {own, same_email}


def test_the_space_without_login_shows_the_button_and_case_pages_send_there(client, franceconnect, reunion):
    case = CaseFactory(prefecture=reunion)
    html = client.get(SPACE).content.decode()
    assert 'class="fr-connect"' in html and case.reference not in html
    response = client.get(reverse("complaints:space_case", kwargs={"reference": case.reference}))
    assert response.status_code == 302 and response["Location"] == SPACE


def test_a_state_that_is_not_the_session_s_is_refused(client, franceconnect, reunion):
    callback = urlsplit(provider_login(start_login(client), "alice"))
    params = {key: values[0] for key, values in parse_qs(callback.query).items()}
    params["state"] = "x" * 43
    response = client.get(callback.path, params)
    assert response.status_code == 403
    assert SESSION_KEY not in client.session and not Citizen.objects.exists()
    # Nor does the right code work from another browser (no state in its session).
    params = {key: values[0] for key, values in parse_qs(callback.query).items()}
    from django.test import Client

    assert Client().get(callback.path, params).status_code == 403
    assert not Citizen.objects.exists()


@pytest.mark.parametrize(
    "username",
    [
        "wrong-nonce",  # the ID token's nonce is another login's
        "tampered",  # a claim changed after signing
        "expired",  # the ID token expired an hour ago
        "other-userinfo",  # userinfo about another person than the ID token
    ],
)
def test_a_bad_id_token_is_refused(client, franceconnect, reunion, username):
    response = log_in(client, username)
    assert response.status_code == 403
    assert "FranceConnect" in response.content.decode()
    assert SESSION_KEY not in client.session and not Citizen.objects.exists()
    assert "fr-connect" in client.get(SPACE).content.decode()  # still logged out


def test_logout_ends_the_session_and_goes_to_the_provider_s_end_session(client, franceconnect, reunion):
    log_in(client, "alice")
    id_token = client.session[SESSION_KEY]["id_token"]
    assert client.get("/franceconnect/deconnexion/").status_code == 405  # a POST, with its CSRF token
    response = client.post("/franceconnect/deconnexion/")
    assert response.status_code == 302
    end_session = urlsplit(response["Location"])
    assert f"{end_session.scheme}://{end_session.netloc}{end_session.path}" == f"{franceconnect.base}/o/logout/"
    params = {key: values[0] for key, values in parse_qs(end_session.query).items()}
    assert params["id_token_hint"] == id_token
    assert params["post_logout_redirect_uri"] == "http://testserver/franceconnect/deconnecte/"
    assert len(params["state"]) >= 32
    assert SESSION_KEY not in client.session
    assert "fr-connect" in client.get(SPACE).content.decode()
    # The provider accepts it and sends the citizen back to the portal's page.
    import requests

    back = requests.get(response["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302 and back.headers["Location"].startswith(
        "http://testserver/franceconnect/deconnecte/"
    )
    assert client.get("/franceconnect/deconnecte/").status_code == 200


def test_an_officer_s_login_ends_the_citizen_s_session_and_a_citizen_s_login_the_officer_s(
    client, franceconnect, reunion
):
    from tests.qualipref.factories import officer_of

    log_in(client, "alice")
    officer = officer_of(reunion)
    client.force_login(officer)
    assert SESSION_KEY not in client.session
    log_in(client, "alice")
    assert AUTH_SESSION_KEY not in client.session and SESSION_KEY in client.session


def _check_ids(settings, **values):
    from complaints.checks import franceconnect_check

    for name, value in values.items():
        setattr(settings, name, value)
    return [error.id for error in franceconnect_check(None)]


def test_start_up_checks_of_the_settings(settings):
    off = {"FRANCECONNECT_CLIENT_ID": "", "FRANCECONNECT_CLIENT_SECRET": "", "FRANCECONNECT_DISCOVERY_URL": ""}
    assert _check_ids(settings, **off) == []
    on = {
        "FRANCECONNECT_CLIENT_ID": "id",
        "FRANCECONNECT_CLIENT_SECRET": "secret",
        "FRANCECONNECT_DISCOVERY_URL": "https://oidc.franceconnect.gouv.fr/api/v2/.well-known/openid-configuration",
        "FRANCECONNECT_SCOPES": "openid given_name family_name email",
        "FRANCECONNECT_ID_TOKEN_ALGORITHMS": ["RS256", "ES256"],
    }
    assert _check_ids(settings, **on) == []
    assert _check_ids(settings, **{**on, "FRANCECONNECT_CLIENT_SECRET": ""}) == ["complaints.E001"]
    assert _check_ids(settings, **{**on, "FRANCECONNECT_CLIENT_ID": ""}) == ["complaints.E001"]
    plain = "http://fc.example.org/.well-known/openid-configuration"
    assert _check_ids(settings, **{**on, "FRANCECONNECT_DISCOVERY_URL": plain}) == ["complaints.E002"]
    local = "http://127.0.0.1:9000/o/.well-known/openid-configuration"
    assert _check_ids(settings, **{**on, "FRANCECONNECT_DISCOVERY_URL": local}) == []
    assert _check_ids(settings, **{**on, "FRANCECONNECT_SCOPES": "email"}) == ["complaints.E003"]
    assert _check_ids(settings, **{**on, "FRANCECONNECT_ID_TOKEN_ALGORITHMS": ["HS256"]}) == ["complaints.E004"]


def test_the_check_runs_with_django_s_checks(settings):
    from django.core import checks

    settings.FRANCECONNECT_CLIENT_ID = "id"
    settings.FRANCECONNECT_CLIENT_SECRET = ""
    settings.FRANCECONNECT_DISCOVERY_URL = "https://fc.example.org/.well-known/openid-configuration"
    assert "complaints.E001" in [error.id for error in checks.run_checks()]


def test_accounts_unused_for_the_retention_period_are_forgotten_their_cases_kept(reunion, settings):
    import datetime

    from django.utils import timezone

    from complaints.retention import citizens_purge

    settings.COMPLAINTS_RETENTION_MONTHS = 24
    now = timezone.now()
    gone = Citizen.objects.create(sub="old", email="old@example.org", last_login_at=now - datetime.timedelta(days=800))
    kept = Citizen.objects.create(sub="new", email="new@example.org", last_login_at=now - datetime.timedelta(days=30))
    case = CaseFactory(prefecture=reunion, citizen=gone)
    assert citizens_purge(now=now) == 1
    assert list(Citizen.objects.all()) == [kept]
    case.refresh_from_db()
    assert case.citizen is None and case.email


def test_only_the_accepted_signature_algorithms_are_trusted(client, franceconnect, reunion, settings):
    from complaints.franceconnect import client as oidc_client

    callback = urlsplit(provider_login(start_login(client), "alice"))
    # The test provider announces RS256 and HS256: only RS256 (of RS256 and ES256) is kept.
    assert oidc_client().server_metadata["id_token_signing_alg_values_supported"] == ["RS256"]
    settings.FRANCECONNECT_ID_TOKEN_ALGORITHMS = ["ES256"]  # a new client: the provider's RS256 token is refused
    response = client.get(callback.path, parse_qs(callback.query))
    assert response.status_code == 403 and not Citizen.objects.exists()
    # Nor can a login start (an empty list would let the library choose).
    assert client.get(LOGIN).status_code == 503


def test_the_next_address_stays_on_the_portal(client, franceconnect, reunion):
    assert log_in(client, "alice", next_url="https://evil.example.org/")["Location"] == SPACE
    assert log_in(client, "alice", next_url="//evil.example.org/")["Location"] == SPACE


def test_an_unreachable_provider_gets_a_page_that_says_so(client, franceconnect, settings):
    from .oidc import free_port

    settings.FRANCECONNECT_DISCOVERY_URL = f"http://127.0.0.1:{free_port()}/.well-known/openid-configuration"
    response = client.get(LOGIN)
    assert response.status_code == 503 and "FranceConnect" in response.content.decode()


def test_starting_logins_is_rate_limited(client, franceconnect, settings):
    for _attempt in range(30):
        assert client.get(LOGIN).status_code == 302
    assert client.get(LOGIN).status_code == 429
