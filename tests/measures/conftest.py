import datetime
import io
from pathlib import Path

import pytest

from measures.services import measure_import_check, measure_import_create
from qualipref.enums import SiteKind
from tests.qualipref.factories import PrefectureFactory, SiteFactory, officer_of

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
TODAY = datetime.date(2026, 3, 10)
FEBRUARY = datetime.date(2026, 2, 1)


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    from qualipref.models import Prefecture

    monkeypatch.setattr(Prefecture, "today", lambda self: TODAY)


@pytest.fixture
def reunion(db):
    return PrefectureFactory(reunion=True)


@pytest.fixture
def saint_denis(reunion):
    return SiteFactory(prefecture=reunion, name="Préfecture de Saint-Denis")


@pytest.fixture
def saint_pierre(reunion):
    return SiteFactory(prefecture=reunion, name="Sous-préfecture de Saint-Pierre", kind=SiteKind.SUB_PREFECTURE)


@pytest.fixture
def sites(saint_denis, saint_pierre):
    return saint_denis, saint_pierre


@pytest.fixture
def officer(reunion):
    return officer_of(reunion)


def sample(name):
    return (SAMPLES / name).read_bytes()


def run_import(prefecture, kind, data, *, name="export.csv", by=None):
    """Create and check an import from bytes, as the admin's upload and its Celery task do."""
    created = measure_import_create(prefecture=prefecture, kind=kind, fileobj=io.BytesIO(data), name=name, by=by)
    return measure_import_check(import_id=created.pk)
