"""Public pages and open data show published months only, cached, in a fixed number of queries."""

import datetime
import gzip
import json
import re
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from delays.models import MonthPublication, TitleType
from delays.selectors import prefecture_overview
from delays.services import month_publish, month_unpublish

from .factories import csv_bytes, delays_pairs, deliveries, run_import

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french(_english_messages):
    """Pages are French at / (``reverse`` follows the active language)."""
    from django.utils import translation

    translation.activate("fr")


DECEMBER, JANUARY, FEBRUARY = datetime.date(2025, 12, 1), datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)


@pytest.fixture
def figures(reunion, other, first_permit):
    """La Réunion: December 2025 (mean 10) and January 2026 (mean 15) published, February (mean 999) not.

    Val-de-Marne: January published with a mean of 45: the national January mean is (15×2 + 45×2) / 4 = 30.
    """
    rows = deliveries(reunion, "TS-PREMIERE", delays_pairs(DECEMBER, [10]))
    rows += deliveries(reunion, "TS-PREMIERE", delays_pairs(JANUARY, [10, 20]))
    rows += deliveries(reunion, "TS-PREMIERE", delays_pairs(FEBRUARY, [999]))
    run_import(reunion, csv_bytes(rows))
    run_import(other, csv_bytes(deliveries(other, "TS-PREMIERE", delays_pairs(JANUARY, [40, 50]))))
    for publication in MonthPublication.objects.exclude(month=FEBRUARY):
        month_publish(publication=publication, by=None)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_prefecture_page_shows_latest_published_figures_trend_and_national_average(client, reunion, figures):
    html = page(client, reverse("delays:prefecture", args=[reunion.slug]))
    assert "Titre de séjour – première demande" in html
    assert "janvier 2026" in html and "décembre 2025" in html
    assert "15,0" in html  # January's mean, in French format
    assert "30,0" in html  # the national January mean
    assert "<svg" in html and 'role="img"' in html
    assert "999" not in html and "février 2026" not in html


def test_unpublished_month_never_shows_in_pages_or_open_data(client, reunion, figures):
    january = MonthPublication.objects.get(prefecture=reunion, month=JANUARY)
    month_unpublish(publication=january, by=None, reason="Chiffres à vérifier")
    html = page(client, reverse("delays:prefecture", args=[reunion.slug]))
    assert "décembre 2025" in html  # now the latest published month
    assert "janvier 2026" not in html and "15,0" not in html
    csv_text = b"".join(client.get(reverse("delays:network_open_data", args=["csv"])).streaming_content).decode()
    assert "2026-01;2;15.00" not in csv_text and "974" in csv_text
    assert "2026-02" not in csv_text


def test_publication_clears_the_cached_page(client, reunion, figures, on_commit_immediately):
    url = reverse("delays:prefecture", args=[reunion.slug])
    assert "février 2026" not in page(client, url)
    month_publish(publication=MonthPublication.objects.get(prefecture=reunion, month=FEBRUARY), by=None)
    assert "999,0" in page(client, url)
    month_unpublish(publication=MonthPublication.objects.get(month=FEBRUARY), by=None, reason="Erreur")
    assert "999,0" not in page(client, url)


def test_a_month_unpublished_while_its_page_is_built_does_not_stay_public(
    client, reunion, figures, on_commit_immediately, monkeypatch
):
    """The page reads January's figures; the officer's unpublishing commits and clears before the page is stored."""
    from delays import views

    def overview_then_unpublished(prefecture):
        overview = prefecture_overview(prefecture)
        january = MonthPublication.objects.get(prefecture=reunion, month=JANUARY)
        month_unpublish(publication=january, by=None, reason="Doublons")
        return overview

    url = reverse("delays:prefecture", args=[reunion.slug])
    monkeypatch.setattr(views, "prefecture_overview", overview_then_unpublished)
    assert "janvier 2026" in page(client, url)  # built from what was published when the visitor asked
    monkeypatch.setattr(views, "prefecture_overview", prefecture_overview)
    html = page(client, url)
    assert "janvier 2026" not in html and "15,0" not in html


def test_renaming_a_prefecture_or_a_title_shows_on_the_cached_pages(client, reunion, figures, on_commit_immediately):
    url = reverse("delays:prefecture", args=[reunion.slug])
    assert "Titre de séjour – première demande" in page(client, url)
    title = TitleType.objects.get(code="TS-PREMIERE")
    title.label = "Premier titre de séjour"
    title.save()
    assert "Premier titre de séjour" in page(client, url)
    reunion.name = "La Réunion (île)"
    reunion.save()
    assert "La Réunion (île)" in page(client, url)
    assert "La Réunion (île)" in page(client, reverse("delays:network"))


def test_the_nightly_next_audit_date_leaves_the_pages_cached_a_name_change_clears_them(
    client, reunion, figures, django_capture_on_commit_callbacks
):
    """Pages are cleared when what they show changes, not on every save of a prefecture: the nightly task saves
    ``next_audit_on`` alone (``prefecture_refresh_next_audit``), which no delays page shows."""
    from qualipref.models import Prefecture

    urls = [reverse("delays:prefecture", args=[reunion.slug]), reverse("delays:network")]
    for url in urls:
        assert "La Réunion" in page(client, url)  # cached
    Prefecture.objects.filter(pk=reunion.pk).update(name="Renommée sans signal")  # would show if rebuilt
    reunion.next_audit_on = datetime.date(2027, 3, 1)
    with django_capture_on_commit_callbacks(execute=True):
        reunion.save(update_fields=["next_audit_on"])
    for url in urls:
        assert "Renommée sans signal" not in page(client, url)  # still the cached page
    reunion.name = "La Réunion (île)"
    with django_capture_on_commit_callbacks(execute=True):
        reunion.save(update_fields=["name"])
    for url in urls:
        assert "La Réunion (île)" in page(client, url)


def test_a_month_missing_inside_the_trend_is_marked_not_published(client, reunion, figures, on_commit_immediately):
    month_unpublish(publication=MonthPublication.objects.get(prefecture=reunion, month=DECEMBER), by=None, reason="x")
    html = page(client, "/en" + reverse("delays:prefecture", args=[reunion.slug]))
    assert "not published" in html


def test_cached_page_loads_its_scripts_from_our_origin_without_a_nonce(client, reunion, figures):
    """Shared by every visitor, a cached page holds no nonce; its scripts are our own files, which the policy's
    script-src 'self' allows, and it holds no inline script."""
    url = reverse("delays:prefecture", args=[reunion.slug])
    first, second = client.get(url), client.get(url)
    assert first.content == second.content
    html = second.content.decode()
    assert "nonce=" not in html
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(re.search(r'\ssrc="/', tag) for tag in scripts)
    assert "script-src 'self'" in second.headers["Content-Security-Policy"]
    zipped = client.get(url, headers={"accept-encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and gzip.decompress(zipped.content) == second.content


def test_prefecture_page_takes_a_fixed_number_of_queries(client, reunion, figures, django_assert_max_num_queries):
    url = reverse("delays:prefecture", args=[reunion.slug])
    with django_assert_max_num_queries(6):
        client.get(url)
    with django_assert_max_num_queries(0):
        client.get(url)  # from the cache


def test_network_page_compares_prefectures(client, reunion, other, figures, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        html = page(client, reverse("delays:network"))
    assert "La Réunion" in html and "Val-de-Marne" in html
    assert "45,0" in html and "15,0" in html


def test_unknown_prefecture_is_not_found_and_never_cached(client, db):
    assert client.get(reverse("delays:prefecture", args=["nulle-part"])).status_code == 404
    assert client.get(reverse("delays:prefecture", args=["nulle-part"])).status_code == 404


def test_network_page_refuses_an_unknown_title(client, figures):
    assert client.get(reverse("delays:network"), {"titre": "NOPE"}).status_code == 404


def test_prefecture_page_without_figures(client, reunion):
    assert "No delay has been published" in page(client, "/en" + reverse("delays:prefecture", args=[reunion.slug]))


def test_open_data_csv_and_json_hold_published_figures(client, reunion, figures):
    response = client.get(reverse("delays:prefecture_open_data", args=[reunion.slug, "csv"]))
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("departement;prefecture;code_titre")
    assert (
        "974;La Réunion;TS-PREMIERE;Titre de séjour – première demande;residence;;2026-01;2;15.00;15.0;20;30"
        in (lines[2])
    )
    assert len(lines) == 3  # header, December, January
    response = client.get(reverse("delays:prefecture_open_data", args=[reunion.slug, "json"]))
    document = json.loads(b"".join(response.streaming_content))
    assert document["licence"] == "Licence Ouverte / Etalab 2.0"
    assert [row["mois"] for row in document["donnees"]] == ["2025-12", "2026-01"]
    assert document["donnees"][1]["delai_moyen_jours"] == "15.00"


def test_api_lists_published_figures_with_filters(client, reunion, figures):
    response = client.get("/api/delais/v1/mensuel/", {"departement": "974", "depuis": "2026-01"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0]["mois"] == "2026-01"
    assert client.get("/api/delais/v1/mensuel/", {"depuis": "janvier"}).status_code == 400
    assert client.get("/api/delais/v1/mensuel/", {"departement": "999"}).status_code == 400


def test_openapi_description_documents_the_api_and_its_licence(client):
    response = client.get("/api/delais/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert "/api/delais/v1/mensuel/" in schema["paths"]
    assert schema["info"]["license"]["name"] == "Licence Ouverte / Etalab 2.0"


def test_open_data_documentation_page(client):
    html = page(client, reverse("delays:open_data"))
    assert "delai_90e_centile_jours" in html and "Etalab" in html


def test_chart_coordinates_keep_a_decimal_point_on_french_pages(client, reunion, figures):
    import re

    html = page(client, reverse("delays:prefecture", args=[reunion.slug]))
    svg = html[html.index("<svg") : html.index("</svg>")]
    coordinates = re.findall(r'\b(?:x|y|x1|x2|y1|y2|cx|cy)="([^"]+)"', svg)
    assert coordinates
    assert all(re.fullmatch(r"-?\d+(\.\d+)?", value) for value in coordinates), coordinates


def test_unpublishing_elsewhere_clears_every_prefecture_page_showing_the_national_mean(
    client, reunion, other, figures, on_commit_immediately
):
    url = reverse("delays:prefecture", args=[reunion.slug])
    assert "30,0" in page(client, url)  # cached with January's national mean, Val-de-Marne's 45 included
    january = MonthPublication.objects.get(prefecture=other, month=JANUARY)
    month_unpublish(publication=january, by=None, reason="Doublons")
    html = page(client, url)
    assert "30,0" not in html  # the national mean is La Réunion's own now
    assert "15,0" in html


def test_a_code_holding_a_nul_byte_is_refused_before_the_database(client, figures, django_assert_max_num_queries):
    """PostgreSQL refuses a NUL byte in a string (a 500): such codes never reach it."""
    with django_assert_max_num_queries(0):
        response = client.get("/api/delais/v1/mensuel/?departement=97%004")
    assert response.status_code == 400
    assert response.json() == {"departement": "Code de département inconnu."}
    with django_assert_max_num_queries(0):
        response = client.get("/api/delais/v1/mensuel/?code_titre=TS%00")
    assert response.status_code == 400
    assert response.json() == {"code_titre": "Code de titre inconnu."}
    with django_assert_max_num_queries(0):
        assert client.get(reverse("delays:network") + "?titre=TS%00").status_code == 404
    assert client.get("/api/delais/v1/mensuel/", {"departement": "974", "code_titre": "TS-PREMIERE"}).json()["count"]


def test_publication_date_is_the_day_in_the_prefecture(client, reunion, other):
    """00:30 in Paris on 1 March, 02:00 in La Réunion on 1 March (22:00 UTC on 28 February): both 1 March."""
    with time_machine.travel(datetime.datetime(2026, 2, 15, 9, tzinfo=datetime.UTC), tick=False):
        run_import(reunion, csv_bytes(deliveries(reunion, "TS-PREMIERE", delays_pairs(JANUARY, [10]))))
        run_import(other, csv_bytes(deliveries(other, "TS-PREMIERE", delays_pairs(JANUARY, [40]))))
    paris_night = datetime.datetime(2026, 3, 1, 0, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
    with time_machine.travel(paris_night, tick=False):
        month_publish(publication=MonthPublication.objects.get(prefecture=other), by=None)
    with time_machine.travel(datetime.datetime(2026, 2, 28, 22, 0, tzinfo=datetime.UTC), tick=False):
        month_publish(publication=MonthPublication.objects.get(prefecture=reunion), by=None)
    results = client.get("/api/delais/v1/mensuel/").json()["results"]
    assert {row["departement"]: row["publie_le"] for row in results} == {"94": "2026-03-01", "974": "2026-03-01"}
    response = client.get(reverse("delays:network_open_data", args=["json"]))
    document = json.loads(b"".join(response.streaming_content))
    assert {row["publie_le"] for row in document["donnees"]} == {"2026-03-01"}
    for prefecture in (reunion, other):  # the page says the same day
        html = page(client, reverse("delays:prefecture", args=[prefecture.slug]))
        assert "Dernière mise à jour le 1er mars 2026" in html


def test_a_national_mean_of_some_prefectures_only_says_how_many(
    client, reunion, other, figures, on_commit_immediately
):
    html = page(client, reverse("delays:network"))
    assert "Moyenne nationale en janvier 2026\u00a0: 30,0 jours." in html and "sur 2" not in html
    month_publish(publication=MonthPublication.objects.get(prefecture=reunion, month=FEBRUARY), by=None)
    html = page(client, reverse("delays:network"))
    assert "février 2026\u00a0: 999,0 jours." in html
    assert "moyenne de 1 préfecture sur 2\u00a0: les autres n’ont pas encore publié ce mois" in html


def test_a_title_type_reads_its_english_label_under_en(client, reunion, figures):
    html = page(client, "/en/la-reunion/delais/")
    assert "Residence permit – first application" in html
    assert "Titre de séjour – première demande" not in html
    TitleType.objects.filter(code="TS-PREMIERE").update(label_en="")
    html = page(client, "/en/delais/")
    assert '<h2><span lang="fr">Titre de séjour – première demande</span></h2>' in html
    assert 'lang="fr">Titre de séjour – première demande</option>' in html


def test_the_prefecture_page_says_when_its_national_mean_covers_some_prefectures_only(
    client, reunion, other, figures, on_commit_immediately
):
    url = reverse("delays:prefecture", args=[reunion.slug])
    assert "préfecture sur 2" not in page(client, url)  # January: both published
    month_publish(publication=MonthPublication.objects.get(prefecture=reunion, month=FEBRUARY), by=None)
    assert "moyenne de 1 préfecture sur 2" in page(client, url)  # February: La Réunion alone so far
