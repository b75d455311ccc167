import pytest

from tests.qualipref.factories import PrefectureFactory, ServiceFactory, SiteFactory, officer_of


@pytest.fixture
def reunion(db):
    prefecture = PrefectureFactory(reunion=True)
    ServiceFactory(prefecture=prefecture, name="Titres de séjour")
    SiteFactory(prefecture=prefecture, name="Sous-préfecture de Saint-Pierre")
    return prefecture


@pytest.fixture
def other(db):
    return PrefectureFactory(department_code="94", name="Val-de-Marne", slug="val-de-marne")


@pytest.fixture
def officer(reunion):
    return officer_of(reunion, email="nadia@reunion.example.org")


@pytest.fixture
def foreign_officer(other):
    return officer_of(other, email="paul@val-de-marne.example.org")
