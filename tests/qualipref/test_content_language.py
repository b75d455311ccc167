"""English pages say which text stays French (RGAA 8.7): the shipped referentials read their English wordings, and
what a prefecture entered in French is marked lang="fr"; French pages carry no such mark."""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.utils import translation

from engagements.models import EngagementVersion
from tests.committee.factories import CommitteeFactory
from tests.engagements.factories import MonthlyIndicatorFactory, engagement
from tests.qualipref.factories import PrefectureFactory
from tests.surveys.factories import survey_of_every_kind

pytestmark = pytest.mark.django_db

# 20 December 2026 in Saint-Denis: November's results are complete.
DECEMBER_20 = datetime.datetime(2026, 12, 20, 10, 0, tzinfo=zoneinfo.ZoneInfo("Indian/Reunion"))
NOVEMBER = datetime.date(2026, 11, 1)


@pytest.fixture
def reunion(db):
    return PrefectureFactory(reunion=True)


@pytest.fixture
def results(reunion):
    for code in ("RECLAMATIONS-15J", "DELAIS-AFFICHES"):
        MonthlyIndicatorFactory(prefecture=reunion, engagement=engagement(code), month=NOVEMBER)


def get(client, url):
    with time_machine.travel(DECEMBER_20, tick=False):
        response = client.get(url)
    translation.activate("fr")
    assert response.status_code == 200, url
    return response.content.decode()


def french_marks(html):
    """The elements marked lang="fr" other than the page itself and the language switch's own link."""
    html = re.sub(r'<nav class="fr-translate.*?</nav>', "", html, flags=re.DOTALL)
    return re.findall(r'<(\w+)[^>]*\slang="fr"', html)


def test_an_engagement_reads_its_english_wording_under_en(client, reunion, results):
    html = get(client, "/en/la-reunion/resultats/")
    assert "We answer each of your complaints within 15 working days." in html
    assert "Nous répondons à chacune de vos réclamations" not in html
    assert "Share of the settled complaints" in html  # how it is measured, in English too


def test_an_engagement_without_english_wording_is_shown_in_french_marked_so(client, reunion, results):
    EngagementVersion.objects.filter(engagement__code="DELAIS-AFFICHES").update(wording_en="")
    html = get(client, "/en/la-reunion/resultats/")
    assert '<span lang="fr">Nous affichons nos délais moyens de délivrance pour chaque titre.</span>' in html


def test_the_network_under_en_names_engagements_in_english(client, reunion, results):
    html = get(client, "/en/reseau/")
    assert "We display our mean delivery delays for each title." in html


def test_a_survey_question_stays_french_inside_lang_fr_under_en(client, reunion):
    survey_of_every_kind(reunion)
    html = get(client, "/en/la-reunion/enquetes/accueil/")
    assert '<span lang="fr">Êtes-vous satisfait ?</span>' in html
    assert '<span lang="fr">Titre de séjour</span>' in html  # a choice the prefecture typed
    assert '<h1><span lang="fr">Votre avis sur l&#x27;accueil</span></h1>' in html


def test_committee_texts_stay_french_inside_lang_fr_under_en(client, reunion):
    CommitteeFactory(prefecture=reunion, introduction="Le comité réunit usagers et services.")
    html = get(client, "/en/la-reunion/comite/")
    assert '<span lang="fr">Le comité réunit usagers et services.</span>' in html


def test_french_pages_carry_no_stray_lang_attribute(client, reunion, results):
    survey_of_every_kind(reunion)
    CommitteeFactory(prefecture=reunion, introduction="Le comité réunit usagers et services.")
    for url in ("/la-reunion/resultats/", "/reseau/", "/la-reunion/enquetes/accueil/", "/la-reunion/comite/"):
        html = get(client, url)
        assert french_marks(html) == ["html"], url


def test_the_coordinator_corrects_an_english_wording_in_the_admin_and_nothing_else(client, reunion):
    from django.urls import reverse

    from tests.qualipref.factories import coordinator

    version = EngagementVersion.objects.get(engagement__code="DELAIS-AFFICHES")
    url = reverse("admin:engagements_engagementversion_change", args=[version.pk])
    client.force_login(coordinator())
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "wording_en": "We show our mean delivery times for each title.",
            "measurement_en": "Share of the titles delivered in the month with published delays.",
            "wording": "Texte changé",
            "target_value": "1",
        },
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.wording_en == "We show our mean delivery times for each title."
    assert version.wording == "Nous affichons nos délais moyens de délivrance pour chaque titre."
    assert version.target_value == 100
