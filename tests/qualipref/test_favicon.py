"""Every page names an icon that answers, the administration's included, and /favicon.ico answers too."""

import re
import urllib.request

import pytest

from .factories import PrefectureFactory, officer_of


def icons(html):
    links = re.findall(r"<link\b[^>]*>", html.replace("\n", " "))
    return [
        re.search(r'href="([^"]+)"', link).group(1)
        for link in links
        if re.search(r'rel="(?:shortcut icon|icon|apple-touch-icon|manifest)"', link)
    ]


def answers(live_server, url):
    with urllib.request.urlopen(live_server.url + url) as response:  # follows redirects
        return response.status, len(response.read())


@pytest.mark.parametrize(("url", "logged_in"), [("/", False), ("/admin/login/", False), ("/admin/", True)])
def test_every_icon_a_page_names_answers(client, live_server, transactional_db, url, logged_in):
    if logged_in:
        client.force_login(officer_of(PrefectureFactory(reunion=True), email="nadia@example.org"))
    response = client.get(url)
    assert response.status_code == 200
    names = icons(response.content.decode())
    assert any(name.endswith("favicon.ico") for name in names), names
    for name in names:
        assert answers(live_server, name)[0] == 200, name


def test_favicon_ico_at_the_root_answers(live_server, transactional_db):
    status, size = answers(live_server, "/favicon.ico")
    assert status == 200 and size > 0
