"""The results' open-data API: the published monthly figures, the referential, OpenAPI, parameters checked."""

import datetime

import pytest
from django.urls import reverse

from engagements.models import Engagement
from tests.qualipref.factories import PrefectureFactory

from .factories import MonthlyIndicatorFactory

MONTHLY = "/api/resultats/v1/mensuel/"


@pytest.fixture
def figures(db):
    reunion = PrefectureFactory(reunion=True)
    gironde = PrefectureFactory(department_code="33", name="Gironde", slug="gironde")
    made = {}
    for prefecture in (reunion, gironde):
        for month in (datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)):
            made[prefecture.department_code, month] = MonthlyIndicatorFactory(prefecture=prefecture, month=month)
    return made


def test_the_monthly_figures_are_those_of_the_open_data_files(client, figures):
    response = client.get(MONTHLY)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["count"] == 4
    first = body["results"][0]
    assert set(first) == {
        "departement", "prefecture", "label", "code_engagement", "engagement", "mois", "numerateur",
        "denominateur", "valeur", "unite", "comparateur", "cible", "atteint", "calcule_le",
        "engagement_local", "cible_locale",
    }  # fmt: skip
    assert [(row["departement"], row["mois"]) for row in body["results"]] == [
        ("33", "2026-01"), ("33", "2026-02"), ("974", "2026-01"), ("974", "2026-02"),
    ]  # fmt: skip
    # The same records as the network's JSON file.
    download = b"".join(client.get("/reseau/resultats.json").streaming_content).decode()
    assert first["calcule_le"] in download


def test_the_figures_narrow_by_department_engagement_and_months(client, figures):
    code = next(iter(figures.values())).engagement.code
    rows = client.get(MONTHLY, {"departement": "974", "depuis": "2026-02", "jusqu_a": "2026-02"}).json()["results"]
    assert [(row["departement"], row["mois"]) for row in rows] == [("974", "2026-02")]
    assert all(
        row["code_engagement"] == code for row in client.get(MONTHLY, {"code_engagement": code}).json()["results"]
    )


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"departement": "999"}, "departement", "Code de département inconnu."),
        ({"departement": "97\x004"}, "departement", "Code de département inconnu."),
        ({"code_engagement": "nope"}, "code_engagement", "Code d’engagement inconnu."),
        ({"depuis": "2026-13"}, "depuis", "Mois attendu au format AAAA-MM."),
    ],
)
def test_a_wrong_parameter_is_a_400_that_names_it(client, figures, params, field, message):
    response = client.get(MONTHLY, params)
    assert response.status_code == 400
    assert response.json() == {field: message}


def test_the_referential_lists_each_engagement_with_its_versions(client, figures, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        engagements = client.get("/api/resultats/v1/engagements/").json()
    codes = {engagement["code"] for engagement in engagements}
    assert codes == set(Engagement.objects.filter(is_active=True).values_list("code", flat=True))
    assert all(engagement["versions"] for engagement in engagements)


def test_the_api_is_described_by_openapi(client, figures):
    schema = client.get(reverse("results:api_schema") + "?format=json").json()
    assert schema["info"]["title"] == "Qualipref – résultats des engagements de qualité de service"
    assert set(schema["paths"]) == {"/api/resultats/v1/mensuel/", "/api/resultats/v1/engagements/"}
