import pytest

from tests.qualipref.factories import PrefectureFactory

from .factories import DistributionPointFactory, survey_of_every_kind


@pytest.fixture
def reunion(db):
    return PrefectureFactory(reunion=True)


@pytest.fixture
def other(db):
    return PrefectureFactory(department_code="94", name="Val-de-Marne", slug="val-de-marne")


@pytest.fixture
def survey(reunion):
    """An open survey of La Réunion with one question of every kind, in this order."""
    return survey_of_every_kind(reunion, first_question="Êtes-vous satisfait de l'accueil ?")


@pytest.fixture
def point(survey):
    return DistributionPointFactory(survey=survey, name="Guichet 3", site__name="Sous-préfecture de Saint-Pierre")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Officers are created in most tests here; their password's strength is not what is tested."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
