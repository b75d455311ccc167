"""The survey admin's own pages take a numeric id: anything else is not found, never a server error."""

import pytest
from django.urls import reverse

from tests.qualipref.factories import officer_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client, reunion):
    client.force_login(officer_of(reunion))
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/surveys/survey/abc/resultats/",
        "/admin/surveys/survey/abc/export.csv",
        "/admin/surveys/survey/12abc/resultats/",
        "/admin/surveys/distributionpoint/abc/qr.svg",
        "/admin/surveys/distributionpoint/abc/qr.png",
        "/admin/surveys/distributionpoint/abc/affiche.pdf",
    ],
)
def test_an_id_that_is_not_a_number_is_not_found(officer_client, url):
    assert officer_client.get(url).status_code == 404


def test_numeric_ids_still_reach_the_pages(officer_client, survey, point):
    assert officer_client.get(reverse("admin:surveys_survey_results", args=[survey.pk])).status_code == 200
    assert officer_client.get(reverse("admin:surveys_survey_export", args=[survey.pk])).status_code == 200
    assert officer_client.get(reverse("admin:surveys_distributionpoint_qr_svg", args=[point.pk])).status_code == 200
    assert officer_client.get(f"/admin/surveys/survey/{survey.pk + 1000}/resultats/").status_code == 404
