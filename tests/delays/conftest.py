import datetime

import pytest

from delays.models import TitleType
from tests.qualipref.factories import PrefectureFactory, SiteFactory

# A fixed "today" in the past of every test's dates, far from month ends.
TODAY = datetime.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    from qualipref.models import Prefecture

    monkeypatch.setattr(Prefecture, "today", lambda self: TODAY)


@pytest.fixture
def reunion(db):
    return PrefectureFactory(reunion=True)


@pytest.fixture
def other(db):
    return PrefectureFactory(department_code="94", name="Val-de-Marne", slug="val-de-marne")


@pytest.fixture
def saint_denis(reunion):
    return SiteFactory(prefecture=reunion, name="Préfecture de Saint-Denis")


@pytest.fixture
def first_permit(db):
    return TitleType.objects.get(code="TS-PREMIERE")


@pytest.fixture
def renewal(db):
    return TitleType.objects.get(code="TS-RENOUVELLEMENT")


@pytest.fixture(autouse=True)
def _english_messages(_default_language):
    """Messages built outside a request are asserted in English, the msgids (pages set their own language)."""
    from django.utils import translation

    translation.activate("en")
    yield
