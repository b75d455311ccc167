"""The main menu: each entry opens the page its name announces, and says which one is open."""

import re

import pytest

pytestmark = pytest.mark.django_db


def menu(html):
    nav = html.split('id="fr-navigation"')[1].split("</nav>")[0]
    return {
        re.sub(r"\s+", " ", text).strip(): (href, "aria-current" in attrs)
        for href, attrs, text in re.findall(r'<a class="fr-nav__link" href="([^"]+)"([^>]*)>([^<]+)</a>', nav)
    }


def test_the_network_entry_opens_the_network_page_and_home_opens_home(client):
    entries = menu(client.get("/").content.decode())
    assert entries["Accueil"] == ("/", True)
    assert entries["Le réseau"] == ("/reseau/", False)
    assert entries["Délais de délivrance"] == ("/delais/", False)
    network = client.get("/reseau/").content.decode()
    assert "<h1>Le réseau des préfectures labellisées</h1>" in network
    assert menu(network)["Le réseau"] == ("/reseau/", True)
