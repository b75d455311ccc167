from surveys import kiosk
from surveys.demo import RESPONSES_PER_PREFECTURE, kiosk_points, load_surveys
from surveys.enums import SurveyStatus
from surveys.models import Answer, Response, Survey
from surveys.results import published_results
from tests.qualipref.factories import PrefectureFactory, SiteFactory


def test_demo_gives_each_prefecture_an_open_reception_survey_with_answers_once(db):
    reunion = PrefectureFactory(reunion=True)
    for name in ("Préfecture de Saint-Denis", "Sous-préfecture de Saint-Pierre"):
        SiteFactory(prefecture=reunion, name=name)
    load_surveys()
    survey = Survey.objects.get(prefecture=reunion, slug="accueil")
    assert survey.status == SurveyStatus.OPEN and survey.state(reunion.today()) == "open"
    assert survey.responses.count() == RESPONSES_PER_PREFECTURE
    assert Answer.objects.filter(question__survey=survey).count() > 8 * RESPONSES_PER_PREFECTURE
    assert survey.points.count() == 2
    months = set(Response.objects.filter(survey=survey).values_list("submitted_on__month", flat=True))
    assert len(months) >= 10
    [published] = published_results(reunion)
    assert published.survey == survey and all(result.answers for result in published.questions)

    # The préfecture's own reception has a counter tablet, whose link opens the survey.
    [tablet] = kiosk_points()
    assert tablet.survey == survey and tablet.site.name == "Préfecture de Saint-Denis"
    assert kiosk.point_for(kiosk.token(tablet)) == tablet

    load_surveys()  # idempotent
    assert Response.objects.count() == RESPONSES_PER_PREFECTURE
    assert list(kiosk_points()) == [tablet]
