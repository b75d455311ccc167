"""A prefecture's name after “préfecture”: « de la Gironde », « du Val-de-Marne », never « de Gironde »."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from qualipref.departments import PREPOSITIONS, french_of_name
from tests.complaints.test_public import form_data

from .factories import PrefectureFactory, ServiceFactory, SiteFactory

DEPARTMENTS = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B", "971", "972", "973", "974", "976"]


def test_every_department_has_its_form():
    assert sorted(PREPOSITIONS) == sorted(DEPARTMENTS)


@pytest.mark.parametrize(
    ("code", "name", "expected"),
    [
        ("33", "Gironde", "de la Gironde"),
        ("94", "Val-de-Marne", "du Val-de-Marne"),
        ("01", "Ain", "de l’Ain"),
        ("92", "Hauts-de-Seine", "des Hauts-de-Seine"),
        ("35", "Ille-et-Vilaine", "d’Ille-et-Vilaine"),
        ("77", "Seine-et-Marne", "de Seine-et-Marne"),
        ("974", "La Réunion", "de La Réunion"),
        ("75", "Paris", "de Paris"),
        ("2a", "Corse-du-Sud", "de la Corse-du-Sud"),
        ("988", "Nouvelle-Calédonie", "de Nouvelle-Calédonie"),  # not in the table: by its first letter
        ("987", "Polynésie française", "de Polynésie française"),
        ("986", "Île de Wallis", "d’Île de Wallis"),
    ],
)
def test_french_form(code, name, expected):
    assert french_of_name(code, name) == expected


@pytest.mark.django_db
def test_of_name_follows_the_language_and_a_prefecture_may_set_its_own():
    gironde = PrefectureFactory(department_code="33", name="Gironde", slug="gironde")
    assert gironde.of_name == "de la Gironde"
    with translation.override("en"):
        assert gironde.of_name == "of Gironde"
    gironde.of_name_fr = "de la Gironde et de la Nouvelle-Aquitaine"
    assert gironde.of_name == "de la Gironde et de la Nouvelle-Aquitaine"


@pytest.mark.django_db
def test_pages_and_emails_read_right_in_french_and_english(client, on_commit_immediately):
    gironde = PrefectureFactory(department_code="33", name="Gironde", slug="gironde")
    ServiceFactory(prefecture=gironde, name="Titres de séjour")
    SiteFactory(prefecture=gironde, name="Préfecture de Bordeaux")
    html = client.get(reverse("prefecture_home", kwargs={"slug": gironde.slug})).content.decode()
    assert "Préfecture de la Gironde" in html and "Préfecture de Gironde" not in html
    new_case = reverse("complaints:new", kwargs={"slug": gironde.slug})
    assert "Dites à la préfecture de la Gironde" in client.get(new_case).content.decode()
    response = client.post(new_case, form_data(gironde))
    assert response.status_code == 302
    (acknowledgement,) = mail.outbox
    assert "La préfecture de la Gironde a bien reçu votre réclamation" in acknowledgement.body
    assert "L’équipe qualité de la préfecture de la Gironde" in acknowledgement.body
    with translation.override("en"):
        home = reverse("prefecture_home", kwargs={"slug": gironde.slug})
    html = client.get(home).content.decode()
    assert "Prefecture of Gironde" in html and "of the Gironde" not in html
