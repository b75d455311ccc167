import pytest

from surveys.enums import QuestionKind
from tests.qualipref.factories import PrefectureFactory

from .factories import DistributionPointFactory, QuestionFactory, SurveyFactory


@pytest.fixture
def reunion(db):
    return PrefectureFactory(reunion=True)


@pytest.fixture
def other(db):
    return PrefectureFactory(department_code="94", name="Val-de-Marne", slug="val-de-marne")


@pytest.fixture
def survey(reunion):
    """An open survey of La Réunion with one question of every kind, in this order."""
    survey = SurveyFactory(prefecture=reunion, slug="accueil", title="Votre avis sur l'accueil")
    QuestionFactory(
        survey=survey, position=1, kind=QuestionKind.SATISFACTION, text="Êtes-vous satisfait de l'accueil ?"
    )
    QuestionFactory(survey=survey, position=2, kind=QuestionKind.RECOMMENDATION, text="Nous recommanderiez-vous ?")
    QuestionFactory(
        survey=survey,
        position=3,
        kind=QuestionKind.SINGLE_CHOICE,
        text="Pour quelle démarche ?",
        choices=["Titre de séjour", "Permis de conduire", "Autre"],
    )
    QuestionFactory(
        survey=survey,
        position=4,
        kind=QuestionKind.MULTIPLE_CHOICE,
        text="Comment avez-vous préparé votre venue ?",
        choices=["Site internet", "Téléphone", "Rien"],
        required=False,
    )
    QuestionFactory(survey=survey, position=5, kind=QuestionKind.YES_NO, text="Votre démarche a-t-elle abouti ?")
    QuestionFactory(
        survey=survey, position=6, kind=QuestionKind.FREE_TEXT, text="Une remarque ?", required=False, is_public=False
    )
    return survey


@pytest.fixture
def point(survey):
    return DistributionPointFactory(survey=survey, name="Guichet 3", site__name="Sous-préfecture de Saint-Pierre")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Officers are created in most tests here; their password's strength is not what is tested."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
