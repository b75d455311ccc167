"""Hypothesis for the public forms and the CSV import: modest example counts, no example database on disk.

In CI (``CI=true``) the examples are derandomized, so that a run is reproducible; locally each run
explores new ones.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

from tests.qualipref.factories import PrefectureFactory, ServiceFactory, SiteFactory

settings.register_profile(
    "qualipref",
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=os.environ.get("CI") == "true",
    # Examples share the test's database transaction and client: each example checks what it added.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
# HYPOTHESIS_PROFILE=thorough explores ten times more (a few minutes), for a night or before a release.
settings.register_profile("thorough", parent=settings.get_profile("qualipref"), max_examples=400, derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "qualipref"))


@pytest.fixture
def reunion(db):
    prefecture = PrefectureFactory(reunion=True)
    ServiceFactory(prefecture=prefecture, name="Titres de séjour")
    SiteFactory(prefecture=prefecture, name="Sous-préfecture de Saint-Pierre")
    return prefecture


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    """Hundreds of posts from one address: the limits (tested elsewhere) would answer 429 to most."""
    settings.RATELIMIT_ENABLE = False
