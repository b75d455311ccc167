import pytest
from django.urls import reverse

from .factories import PrefectureFactory, SiteFactory


@pytest.fixture
def reunion(db):
    prefecture = PrefectureFactory(reunion=True)
    SiteFactory(prefecture=prefecture, name="Sous-préfecture de Saint-Pierre", opening_hours="Lundi 8 h – 12 h")
    return prefecture


def test_network_home_lists_prefectures_with_their_labels(client, reunion):
    PrefectureFactory(department_code="57", name="Moselle", slug="moselle", label="none", label_awarded_on=None)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr"' in html
    assert 'class="fr-header"' in html and "fr-logo" in html
    assert reunion.get_absolute_url() in html and "Moselle" in html


def test_prefecture_home_shows_its_sites(client, reunion):
    response = client.get("/la-reunion/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "La Réunion" in html and "Sous-préfecture de Saint-Pierre" in html and "Lundi 8 h – 12 h" in html


def test_unknown_prefecture_is_404(client, db):
    assert client.get("/atlantide/").status_code == 404


def test_english_version_under_en(client, reunion):
    response = client.get("/en/la-reunion/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en"' in html
    assert "Prefecture of La Réunion" in html


def test_root_stays_french_whatever_the_browser_asks(client, reunion):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="fr"' in response.content.decode()


def test_language_switch_links_to_the_same_page_in_the_other_language(client, reunion):
    html = client.get("/la-reunion/").content.decode()
    assert 'hreflang="en"' in html and 'href="/en/la-reunion/"' in html
    html = client.get("/en/la-reunion/").content.decode()
    assert 'href="/la-reunion/"' in html


def test_pages_have_skip_links_and_footer_links(client, reunion):
    html = client.get("/").content.decode()
    assert 'href="#content"' in html and 'id="content"' in html
    for name in ["legal_notice", "personal_data", "accessibility", "sitemap"]:
        assert f'href="{reverse(name)}"' in html


def test_sitemap_lists_every_prefecture(client, reunion):
    html = client.get(reverse("sitemap")).content.decode()
    assert reunion.get_absolute_url() in html


def test_user_text_is_escaped(client, db):
    prefecture = PrefectureFactory(department_code="75", slug="paris", name="<script>alert(1)</script>")
    html = client.get(prefecture.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_public_pages_run_a_bounded_number_of_queries(client, reunion, django_assert_max_num_queries):
    for n in range(20):
        PrefectureFactory(department_code=f"{n + 10}", slug=f"dep-{n}")
    with django_assert_max_num_queries(3):
        client.get("/")
    with django_assert_max_num_queries(3):
        client.get("/la-reunion/")
