"""Public results pages, the network, open data, the officer dashboard and the evidence downloads."""

import datetime
import json
import zoneinfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaints.enums import Status
from engagements.models import ManualMeasure, MonthlyIndicator
from engagements.periods import results_complete_before
from engagements.services import monthly_indicators_refresh
from qualipref.dates import add_months, month_start
from qualipref.enums import Role
from tests.complaints.factories import PDF_BYTES, CaseFactory
from tests.qualipref.factories import MembershipFactory, PrefectureFactory, coordinator, officer_of

from .factories import ManualMeasureFactory, MonthlyIndicatorFactory, engagement, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def last_month(reunion):
    """The latest month whose results are complete (shown) today in La Réunion."""
    return add_months(results_complete_before(reunion.today()), -1)


@pytest.fixture
def published(reunion, last_month):
    CaseFactory(
        prefecture=reunion,
        received_on=last_month,
        due_on=last_month + datetime.timedelta(days=20),
        answered_at=local(reunion, last_month + datetime.timedelta(days=3)),
        status=Status.ANSWERED,
    )
    CaseFactory(prefecture=reunion, received_on=last_month, due_on=last_month, status=Status.IN_PROGRESS)
    monthly_indicators_refresh(prefecture=reunion)
    return MonthlyIndicator.objects.get(prefecture=reunion, engagement__code="RECLAMATIONS-15J", month=last_month)


def test_results_page_says_in_words_whether_each_target_is_met(client, reunion, published):
    response = client.get(reverse("results:prefecture", kwargs={"slug": reunion.slug}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Objectif non atteint" in html  # 1 of 2 against at least 90 %
    assert "50,0 %" in html
    assert "<svg" in html and "<table" in html
    assert published.version.wording in html


def test_results_page_without_figures(client, reunion):
    response = client.get(reverse("results:prefecture", kwargs={"slug": reunion.slug}))
    assert response.status_code == 200
    assert "Aucun résultat" in response.content.decode()


def test_current_month_is_not_published(client, reunion, published):
    monthly_indicators_refresh(prefecture=reunion)
    current = month_start(reunion.today())
    assert MonthlyIndicator.objects.filter(month=current).exists()
    response = client.get(reverse("results:prefecture_open_data", kwargs={"slug": reunion.slug, "fmt": "json"}))
    data = json.loads(b"".join(response.streaming_content))
    assert data["donnees"]
    assert all(row["mois"] != current.strftime("%Y-%m") for row in data["donnees"])


def test_open_data_csv(client, reunion, published):
    response = client.get(reverse("results:network_open_data", kwargs={"fmt": "csv"}))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("departement;prefecture;label;code_engagement")
    assert "RECLAMATIONS-15J" in text
    assert client.get(reverse("results:open_data")).status_code == 200


def test_network_page_sorts_on_the_server(client, reunion, mainland, published):
    response = client.get(reverse("results:network") + "?tri=-departement")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("La Réunion") < html.index("Val-de-Marne")  # "974" after "94" in text order, reversed
    response = client.get(reverse("results:network") + "?tri=departement")
    html = response.content.decode()
    assert html.index("Val-de-Marne") < html.index("La Réunion")
    assert 'aria-sort="ascending"' in html


def test_network_page_queries_are_bounded(client, reunion, mainland, published, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get(reverse("results:network"))


def test_officer_dashboard_on_the_admin_index(client, reunion, mainland, published, django_assert_max_num_queries):
    CaseFactory(prefecture=mainland, received_on=datetime.date(2024, 1, 1), due_on=datetime.date(2024, 1, 20))
    client.force_login(officer_of(reunion))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("admin:index"))
    html = response.content.decode()
    assert 'id="officer-dashboard"' in html
    assert "La Réunion" in html and "Val-de-Marne" not in html.split('id="officer-dashboard"')[1].split("</table>")[0]
    assert 'id="content-main"' in html  # Django's app list is still there


def test_the_dashboard_offers_recomputing_and_entering_measures_to_officers_only(client, reunion, published):
    refresh = reverse("admin:engagements_monthlyindicator_refresh")
    client.force_login(officer_of(reunion))
    assert refresh in client.get(reverse("admin:index")).content.decode()
    client.force_login(MembershipFactory(prefecture=reunion, role=Role.AUDITOR).user)
    html = client.get(reverse("admin:index")).content.decode()
    assert 'id="officer-dashboard"' in html
    assert refresh not in html and reverse("admin:engagements_manualmeasure_add") not in html


def test_a_history_page_with_an_id_that_is_not_a_number_is_not_found(client, reunion, published):
    client.force_login(officer_of(reunion))
    for url in ("/admin/delays/deliveryimport/abc/history/", "/admin/surveys/survey/abc/history/"):
        assert client.get(url).status_code == 404


def test_records_behind_a_figure_for_the_auditor(client, reunion, published):
    client.force_login(officer_of(reunion))
    response = client.get(reverse("admin:engagements_monthlyindicator_records", args=[published.pk]))
    assert response.status_code == 200
    assert len(response.context["rows"]) == 2


def test_records_of_another_prefecture_are_not_found(client, reunion, mainland, published):
    client.force_login(officer_of(mainland))
    response = client.get(reverse("admin:engagements_monthlyindicator_records", args=[published.pk]))
    assert response.status_code == 404


def test_officer_enters_a_manual_measure_with_evidence(client, reunion, last_month, on_commit_immediately):
    client.force_login(officer_of(reunion))
    response = client.post(
        reverse("admin:engagements_manualmeasure_add"),
        {
            "prefecture": reunion.pk,
            "engagement": engagement("TELEPHONE-5-SONNERIES").pk,
            "month": (last_month + datetime.timedelta(days=9)).strftime("%d/%m/%Y"),
            "numerator": "36",
            "denominator": "40",
            "evidence": SimpleUploadedFile("appels tests.pdf", PDF_BYTES, content_type="application/pdf"),
            "note": "40 appels tests",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    measure = ManualMeasure.objects.get()
    assert measure.month == last_month and measure.value == 90 and measure.evidence_name == "appels-tests.pdf"
    figure = MonthlyIndicator.objects.get(prefecture=reunion, engagement=measure.engagement, month=last_month)
    assert figure.met is True


def test_evidence_that_is_not_a_pdf_or_image_is_refused(client, reunion, last_month):
    client.force_login(officer_of(reunion))
    response = client.post(
        reverse("admin:engagements_manualmeasure_add"),
        {
            "prefecture": reunion.pk,
            "engagement": engagement("TELEPHONE-5-SONNERIES").pk,
            "month": last_month.strftime("%d/%m/%Y"),
            "numerator": "36",
            "denominator": "40",
            "evidence": SimpleUploadedFile(
                "x.pdf", b"<html><script>alert(1)</script>", content_type="application/pdf"
            ),
        },
    )
    assert response.status_code == 200
    assert not ManualMeasure.objects.exists()


def test_evidence_download_is_scoped(client, reunion, mainland):
    measure = ManualMeasureFactory(prefecture=reunion)
    url = reverse("admin:engagements_manualmeasure_evidence", args=[measure.pk])
    client.force_login(officer_of(mainland))
    assert client.get(url).status_code == 404
    client.force_login(officer_of(reunion))
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_officer_may_view_but_not_change_the_referential(client, reunion):
    client.force_login(officer_of(reunion))
    item = engagement("RECLAMATIONS-15J")
    assert client.get(reverse("admin:engagements_engagement_change", args=[item.pk])).status_code == 200
    response = client.post(reverse("admin:engagements_engagement_change", args=[item.pk]), {"code": "PIRATE"})
    assert response.status_code == 403


def test_a_month_is_published_once_complete_in_the_prefecture_time_zone(client, reunion):
    """00:30 in Paris on 15 February: 14 February 19:30 in Guadeloupe, 15 February 03:30 in La Réunion, where
    January's results are complete (``results_complete_before``)."""
    guadeloupe = PrefectureFactory(
        department_code="971", name="Guadeloupe", slug="guadeloupe", time_zone="America/Guadeloupe"
    )
    december, january = datetime.date(2025, 12, 1), datetime.date(2026, 1, 1)
    for prefecture in (reunion, guadeloupe):
        for month in (december, january):
            MonthlyIndicatorFactory(prefecture=prefecture, month=month)
    paris_night = datetime.datetime(2026, 2, 15, 0, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
    with time_machine.travel(paris_night, tick=False):
        response = client.get(reverse("results:network_open_data", kwargs={"fmt": "json"}))
        rows = json.loads(b"".join(response.streaming_content))["donnees"]
        network = client.get(reverse("results:network")).context
    assert sorted((row["departement"], row["mois"]) for row in rows) == [
        ("971", "2025-12"),
        ("974", "2025-12"),
        ("974", "2026-01"),
    ]
    assert network["month"] == january
    judged = {row["prefecture"].department_code: row["judged"] for row in network["rows"]}
    assert judged == {"971": 0, "974": 1}
    assert [item["judged"] for item in network["national"]] == [1]


def test_refreshing_the_figures_needs_the_change_permission(client, reunion):
    url = reverse("admin:engagements_monthlyindicator_refresh")
    client.force_login(MembershipFactory(prefecture=reunion, role=Role.AUDITOR).user)
    assert client.post(url).status_code == 403
    assert not MonthlyIndicator.objects.exists()
    client.force_login(officer_of(reunion))
    assert client.post(url).status_code == 302
    assert MonthlyIndicator.objects.filter(prefecture=reunion).exists()


def test_refresh_says_which_prefectures_it_left_to_the_night(client, reunion, mainland, monkeypatch):
    from django.contrib import messages
    from django.contrib.messages import get_messages
    from django.utils.translation import gettext

    from engagements import admin as engagements_admin

    monkeypatch.setattr(engagements_admin, "REFRESH_NOW_MAX_PREFECTURES", 1)
    client.force_login(coordinator())
    response = client.post(reverse("admin:engagements_monthlyindicator_refresh"))
    assert response.status_code == 302
    assert set(MonthlyIndicator.objects.values_list("prefecture", flat=True)) == {mainland.pk}  # "94" before "974"
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level == messages.WARNING]
    assert warnings == [
        gettext(
            "Only the first %(done)d of your %(total)d prefectures were recomputed now, so that the page "
            "answers in time: the others will be recomputed tonight, as every night."
        )
        % {"done": 1, "total": 2}
    ]
