import datetime

import factory
from django.utils import timezone

from surveys.enums import QuestionKind, SurveyStatus
from surveys.models import Answer, Choice, DistributionPoint, Question, Response, Survey
from surveys.tally import tally_answers
from tests.qualipref.factories import PrefectureFactory, SiteFactory


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    prefecture = factory.SubFactory(PrefectureFactory)
    title = factory.Sequence(lambda n: f"Enquête d'accueil {n}")
    slug = factory.Sequence(lambda n: f"accueil-{n}")
    introduction = "Deux minutes pour nous aider à mieux vous accueillir."
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    status = SurveyStatus.OPEN

    class Params:
        draft = factory.Trait(status=SurveyStatus.DRAFT)
        closed = factory.Trait(status=SurveyStatus.CLOSED)
        published = factory.Trait(results_public=True)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question
        skip_postgeneration_save = True

    survey = factory.SubFactory(SurveyFactory)
    position = factory.Sequence(lambda n: n + 1)
    kind = QuestionKind.SATISFACTION
    text = factory.Sequence(lambda n: f"Question {n} : êtes-vous satisfait ?")
    required = True

    @factory.post_generation
    def choices(question, create, labels, **kwargs):
        """``QuestionFactory(kind=…, choices=["Oui", "Non"])``: the choices, in this order."""
        if create and labels:
            Choice.objects.bulk_create(
                Choice(question=question, position=n, label=label) for n, label in enumerate(labels, start=1)
            )


class DistributionPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DistributionPoint

    survey = factory.SubFactory(SurveyFactory)
    name = factory.Sequence(lambda n: f"Guichet {n}")
    site = factory.SubFactory(SiteFactory, prefecture=factory.SelfAttribute("..survey.prefecture"))


def survey_of_every_kind(prefecture, *, first_question="Êtes-vous satisfait ?"):
    """An open survey with one question of every kind, in this order (the last two questions optional)."""
    survey = SurveyFactory(prefecture=prefecture, slug="accueil", title="Votre avis sur l'accueil")
    QuestionFactory(survey=survey, position=1, kind=QuestionKind.SATISFACTION, text=first_question)
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
    QuestionFactory(survey=survey, position=6, kind=QuestionKind.FREE_TEXT, text="Une remarque ?", required=False)
    return survey


def respond(survey, answers, *, point=None, on=None):
    """Record one response directly: ``answers`` maps a question to a value, a choice, a list of choices or a text.

    Counted into the tally as the answering service does (``surveys.tally``)."""
    on = on or timezone.localdate()
    response = Response.objects.create(survey=survey, point=point, submitted_on=on)
    rows = []
    for question, answer in answers.items():
        common = {"response": response, "question": question, "point": point, "submitted_on": on}
        if isinstance(answer, Choice):
            rows.append(Answer(choice=answer, **common))
        elif isinstance(answer, list):
            rows.extend(Answer(choice=choice, **common) for choice in answer)
        elif isinstance(answer, str):
            rows.append(Answer(text=answer, **common))
        else:
            rows.append(Answer(value=answer, **common))
    Answer.objects.bulk_create(rows)
    tally_answers([response], rows, questions={q.pk: (q.survey_id, q.kind) for q in answers})
    return response


def questions_of(survey):
    """``{kind: question}`` (the fixture has one question of each kind)."""
    return {q.kind: q for q in survey.questions.prefetch_related("choices")}


def days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)
