"""The site map lists every public page of every prefecture; every page it lists has « <page> – Qualipref » as title;
the home page leads to the complaint form of a chosen prefecture."""

import html as markup
import re

import pytest
from django.urls import reverse

from .factories import PrefectureFactory
from .test_typography import faults

PUBLIC_PAGES_OF_A_PREFECTURE = [
    "complaints:new",
    "complaints:lost_link",
    "surveys:list",
    "surveys:results",
    "delays:prefecture",
    "results:prefecture",
    "committee:public",
]
NETWORK_PAGES = [
    "home",
    "results:network",
    "delays:network",
    "results:open_data",
    "delays:open_data",
    "committee:login",
    "complaints:lost_link",
    "legal_notice",
    "personal_data",
    "accessibility",
    "sitemap",
]


@pytest.fixture
def prefectures(db):
    return [PrefectureFactory(reunion=True), PrefectureFactory(department_code="33", name="Gironde", slug="gironde")]


def links(html):
    main = html[html.index('<main id="content"') :]
    return set(re.findall(r'<a [^>]*href="(/[^"#]*)"', main[: main.index("</main>")]))


def title(html):
    return " ".join(re.search(r"<title>(.*?)</title>", html, re.S).group(1).split())


def test_site_map_lists_every_public_page_of_every_prefecture(client, prefectures):
    listed = links(client.get("/plan-du-site/").content.decode())
    expected = {reverse(name) for name in NETWORK_PAGES}
    for prefecture in prefectures:
        expected |= {prefecture.get_absolute_url()}
        expected |= {reverse(name, kwargs={"slug": prefecture.slug}) for name in PUBLIC_PAGES_OF_A_PREFECTURE}
    assert expected <= listed, expected - listed


@pytest.mark.parametrize("language", ["", "/en"])
def test_every_page_of_the_site_map_is_titled_page_then_qualipref(client, prefectures, language):
    html = client.get(f"{language}/plan-du-site/").content.decode()
    pages = {url for url in links(html) if "." not in url.rsplit("/", 1)[-1]}  # CSV and JSON files aside
    assert len(pages) > 20
    site_map_title = "Plan du site – Qualipref" if not language else "Site map – Qualipref"
    assert title(html) == site_map_title
    titles = {}
    for url in sorted(pages):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        titles[url] = title(response.content.decode())
    wrong = {url: found for url, found in titles.items() if not re.fullmatch(r"\S.* – Qualipref", found)}
    assert wrong == {}
    assert "—" not in "".join(titles.values())


def test_home_page_leads_to_the_complaint_form_of_the_chosen_prefecture(client, prefectures):
    html = client.get("/").content.decode()
    form = re.search(r'<form method="get" action="([^"]+)".*?</form>', html, re.S)
    assert form and "Choisissez votre préfecture" in form.group(0) and 'value="gironde"' in form.group(0)
    assert "Adresser une réclamation ou une suggestion" in html[: html.index(form.group(0))]
    response = client.get(form.group(1), {"prefecture": "gironde"})
    assert response.status_code == 302 and response["Location"] == "/gironde/reclamations/nouvelle/"
    assert client.get(form.group(1), {"prefecture": "atlantide"})["Location"] == "/#deposer"


def visible_text(html):
    main = html[html.index('<main id="content"') : html.index("</main>")]
    main = re.sub(r"<(script|style|svg)\b.*?</\1>", "", main, flags=re.S)
    return markup.unescape(re.sub(r"<[^>]*>", "", main))


def test_every_page_of_the_site_map_reads_with_french_typography(client, prefectures):
    wrong = []
    for url in sorted(links(client.get("/plan-du-site/").content.decode())):
        if "." not in url.rsplit("/", 1)[-1]:
            text = visible_text(client.get(url, follow=True).content.decode())
            wrong += [f"{url}: {fault}: {line.strip()!r}" for line in text.splitlines() for fault in faults(line)]
    assert wrong == [], "\n".join(wrong)
