import pytest

from tests.qualipref.factories import PrefectureFactory

from .factories import CommitteeFactory


@pytest.fixture
def reunion(db):
    return PrefectureFactory(reunion=True, contact_email="courrier@reunion.pref.gouv.fr")


@pytest.fixture
def other(db):
    return PrefectureFactory(department_code="94", name="Val-de-Marne", slug="val-de-marne")


@pytest.fixture
def committee(reunion):
    return CommitteeFactory(prefecture=reunion)


@pytest.fixture
def other_committee(other):
    return CommitteeFactory(prefecture=other)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Members' passwords are hashed many times over; these tests need them set, not strong."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def english():
    """Error messages matched by their English msgid, whatever the French catalogue says."""
    from django.utils import translation

    with translation.override("en"):
        yield
