import pytest

from tests.qualipref.factories import PrefectureFactory, ServiceFactory, SiteFactory


@pytest.fixture
def reunion(db):
    """La Réunion with one service and one site, as the complaint form offers them."""
    prefecture = PrefectureFactory(reunion=True)
    ServiceFactory(prefecture=prefecture, name="Titres de séjour")
    SiteFactory(prefecture=prefecture, name="Sous-préfecture de Saint-Pierre")
    return prefecture
