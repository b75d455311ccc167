import datetime

import pytest

from tests.qualipref.factories import PrefectureFactory


@pytest.fixture
def reunion(db):
    return PrefectureFactory(reunion=True)


@pytest.fixture
def mainland(db):
    return PrefectureFactory(department_code="94", name="Val-de-Marne", slug="val-de-marne")


@pytest.fixture
def march():
    from engagements.periods import Period

    return Period.month(datetime.date(2025, 3, 1))
