import pytest

from tests.qualipref.factories import PrefectureFactory, ServiceFactory, SiteFactory


@pytest.fixture
def reunion(db):
    """La Réunion with one service and one site, as the complaint form offers them."""
    prefecture = PrefectureFactory(reunion=True)
    ServiceFactory(prefecture=prefecture, name="Titres de séjour")
    SiteFactory(prefecture=prefecture, name="Sous-préfecture de Saint-Pierre")
    return prefecture


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """The test OpenID Connect provider standing in for FranceConnect, for the portal at ``http://testserver``."""
    from .oidc import running_provider

    with running_provider("http://testserver", tmp_path=tmp_path_factory.mktemp("oidc")) as provider:
        yield provider


@pytest.fixture
def franceconnect(db, settings, oidc_provider):
    """FranceConnect on, with the test provider."""
    for name, value in oidc_provider.settings().items():
        setattr(settings, name, value)
    settings.QUALIPREF_BASE_URL = "http://testserver"
    return oidc_provider
