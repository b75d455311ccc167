"""Counter tablets: a point's signed kiosk link, many citizens in turn on one device, limits per device."""

import datetime

import pytest
from django.core import signing
from django.urls import reverse
from django.utils.translation import ngettext

from surveys import kiosk
from surveys.enums import SurveyStatus
from surveys.models import DistributionPoint, Response
from surveys.services import point_kiosk_disable, point_kiosk_enable
from tests.qualipref.factories import officer_of

from .factories import DistributionPointFactory, SurveyFactory, days_ago
from .test_answering import valid_answers


@pytest.fixture
def tablet(point, reunion):
    """The point with a kiosk link, as an officer of La Réunion gave it."""
    return point_kiosk_enable(point=point, by=officer_of(reunion))


def kiosk_url(point):
    return kiosk.path(point)


def test_a_kiosk_link_opens_the_survey_without_a_way_out(client, survey, tablet):
    response = client.get(kiosk_url(tablet))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Votre avis sur l&#x27;accueil</h1>" in html
    # The form posts back to the kiosk, forgets what was typed, and names no point in a field.
    assert f'action="{kiosk_url(tablet)}"' in html and 'autocomplete="off"' in html
    assert 'name="lieu"' not in html
    # Nothing leads out of the survey: no menu, breadcrumb, footer links, staff login, nor privacy page link.
    for way_out in ('class="fr-nav"', "fr-breadcrumb", "fr-footer__bottom", "/admin/login/", "/donnees-personnelles/"):
        assert way_out not in html, way_out
    assert f'data-qp-kiosk-restart="{kiosk.IDLE_SECONDS}"' in html
    assert response["Cache-Control"].startswith("max-age=0") and "no-store" in response["Cache-Control"]
    # The tablet gets its device identifier; no one-answer-per-browser cookie.
    assert kiosk.DEVICE_COOKIE in response.cookies


def test_citizens_answer_in_turn_on_one_tablet(client, survey, tablet):
    url = kiosk_url(tablet)
    client.get(url)
    for turn in range(3):
        sent = client.post(url, valid_answers(survey, free_text=f"Réponse {turn}"))
        assert sent.status_code == 302
        assert sent["Location"] == reverse("surveys:kiosk_thanks", kwargs={"token": kiosk.token(tablet)})
        # The next citizen finds a blank form: nothing of the previous answer.
        again = client.get(url)
        assert again.status_code == 200
        assert f"Réponse {turn}" not in again.content.decode()
        assert " checked" not in again.content.decode()
    assert Response.objects.filter(point=tablet).count() == 3
    assert not any(name.startswith("qp_survey_") for name in client.cookies)


def test_the_thank_you_page_starts_again(client, tablet):
    html = client.get(reverse("surveys:kiosk_thanks", kwargs={"token": kiosk.token(tablet)})).content.decode()
    assert f'data-qp-kiosk-restart="{kiosk.THANKS_SECONDS}"' in html
    assert f'data-qp-kiosk-url="{kiosk_url(tablet)}"' in html
    assert f'href="{kiosk_url(tablet)}"' in html
    assert "Merci pour vos réponses" in html
    english = client.get("/en" + reverse("surveys:kiosk_thanks", kwargs={"token": kiosk.token(tablet)}))
    assert "The survey starts again for the next person in 10 seconds." in english.content.decode()


def test_an_altered_revoked_or_ended_link_opens_nothing(client, tablet, reunion):
    url = kiosk_url(tablet)
    assert client.get(url[:-3] + "xx/").status_code == 404
    forged = signing.Signer(salt="another.salt").sign_object([tablet.pk, tablet.kiosk_key])
    assert client.get(reverse("surveys:kiosk", kwargs={"token": forged})).status_code == 404
    point_kiosk_enable(point=tablet, by=officer_of(reunion))
    tablet.refresh_from_db()
    assert client.get(url).status_code == 404
    assert client.get(kiosk_url(tablet)).status_code == 200
    point_kiosk_disable(point=tablet, by=officer_of(reunion))
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


def test_a_draft_or_closed_survey_says_so_on_the_tablet(client, survey, tablet):
    survey.status = SurveyStatus.DRAFT
    survey.save()
    assert client.get(kiosk_url(tablet)).status_code == 404
    survey.status = SurveyStatus.OPEN
    survey.closes_on = days_ago(1)
    survey.opens_on = days_ago(30)
    survey.save()
    response = client.post(kiosk_url(tablet), valid_answers(survey))
    assert response.status_code == 409
    assert "Cette enquête est clôturée" in response.content.decode()
    assert not Response.objects.exists()


def test_answers_are_limited_per_tablet_not_per_address(client, survey, tablet, settings):
    settings.SURVEYS_KIOSK_RATE = "2/h"
    url = kiosk_url(tablet)
    client.get(url)
    for _ in range(2):
        assert client.post(url, valid_answers(survey), REMOTE_ADDR="198.51.100.7").status_code == 302
    limited = client.post(url, valid_answers(survey, free_text="Gardé"), REMOTE_ADDR="198.51.100.7")
    assert limited.status_code == 429 and "Retry-After" in limited
    assert "Gardé</textarea>" in limited.content.decode()
    # Another tablet behind the same address answers.
    other = client_class_copy(client)
    other.get(url)
    assert other.post(url, valid_answers(survey), REMOTE_ADDR="198.51.100.7").status_code == 302
    # The public page's limit per address is not the kiosk's.
    settings.SURVEYS_SUBMIT_RATE = "1/h"
    public = client_class_copy(client)
    assert public.post(survey.get_absolute_url(), valid_answers(survey), REMOTE_ADDR="198.51.100.7").status_code == 302
    assert Response.objects.count() == 4


def client_class_copy(client):
    return type(client)()


def test_a_forged_device_cookie_is_counted_by_address(client, survey, tablet, settings):
    settings.SURVEYS_KIOSK_RATE = "1/h"
    url = kiosk_url(tablet)
    client.cookies[kiosk.DEVICE_COOKIE] = "forged"
    assert client.post(url, valid_answers(survey), REMOTE_ADDR="198.51.100.9").status_code == 302
    client.cookies[kiosk.DEVICE_COOKIE] = "forged-again"
    assert client.post(url, valid_answers(survey), REMOTE_ADDR="198.51.100.9").status_code == 429


def test_an_officer_gives_and_ends_a_kiosk_link_in_the_admin(client, reunion, point, other):
    client.force_login(officer_of(reunion))
    changelist = reverse("admin:surveys_distributionpoint_changelist")
    response = client.post(changelist, {"action": "kiosk_enable", "_selected_action": [point.pk]}, follow=True)
    point.refresh_from_db()
    assert point.kiosk_key
    message = ngettext(
        "%d point has a new counter tablet link: open the point to copy it.",
        "%d points have a new counter tablet link: open each point to copy it.",
        1,
    )
    assert message % 1 in response.content.decode()
    page = client.get(reverse("admin:surveys_distributionpoint_change", args=[point.pk])).content.decode()
    assert kiosk_url(point) in page
    client.post(changelist, {"action": "kiosk_disable", "_selected_action": [point.pk]})
    point.refresh_from_db()
    assert point.kiosk_key == ""
    # Another prefecture's point is out of reach.
    elsewhere = DistributionPointFactory(survey=SurveyFactory(prefecture=other, slug="ailleurs"))
    client.post(changelist, {"action": "kiosk_enable", "_selected_action": [elsewhere.pk]})
    assert DistributionPoint.objects.get(pk=elsewhere.pk).kiosk_key == ""


def test_the_key_never_reaches_the_history(tablet):
    assert "kiosk_key" not in {field.name for field in tablet.history.model._meta.fields}
    assert tablet.history.count() >= 1


def test_the_device_cookie_lasts_thirteen_months_and_is_http_only(client, tablet):
    cookie = client.get(kiosk_url(tablet)).cookies[kiosk.DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == int(datetime.timedelta(days=395).total_seconds())
