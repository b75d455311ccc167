"""Demo data: an open "accueil" satisfaction survey for each demo prefecture, with realistic answers.

About 1,200 responses (some 11,000 answers) per prefecture, spread over the sites' distribution points
and the last eleven months, with a quality that differs by site and improves over the year. Inserted
with ``bulk_create`` (a few seconds on SQLite); a survey that already has responses is left alone.
"""

import datetime
import random

from django.db import transaction

from qualipref.models import Prefecture

from .enums import QuestionKind, SurveyStatus
from .models import Answer, Choice, DistributionPoint, Question, Response, Survey
from .services import point_kiosk_enable
from .tally import tally_rebuild

RESPONSES_PER_PREFECTURE = 1200
SLUG = "accueil"

# (kind, text, hint, required, public, choices)
QUESTIONS = [
    (QuestionKind.SINGLE_CHOICE, "Pour quelle démarche êtes-vous venu aujourd’hui ?", "", True, True,
     ["Titre de séjour", "Permis de conduire", "Certificat d’immatriculation", "Naturalisation", "Autre démarche"]),
    (QuestionKind.SATISFACTION, "Dans l’ensemble, êtes-vous satisfait de l’accueil reçu ?", "", True, True, []),
    (QuestionKind.SATISFACTION, "Êtes-vous satisfait du temps d’attente ?", "", True, True, []),
    (QuestionKind.SATISFACTION, "Comment jugez-vous la courtoisie et l’écoute de l’agent ?", "", True, True, []),
    (QuestionKind.SATISFACTION, "Les informations reçues étaient-elles claires ?", "", True, True, []),
    (QuestionKind.YES_NO, "Votre démarche a-t-elle pu aboutir aujourd’hui ?", "", True, True, []),
    (QuestionKind.MULTIPLE_CHOICE, "Comment avez-vous préparé votre venue ?", "Plusieurs réponses possibles.",
     False, False,
     ["Site internet de la préfecture", "Prise de rendez-vous en ligne", "Appel téléphonique", "Aucune préparation"]),
    (QuestionKind.RECOMMENDATION, "Recommanderiez-vous ce service à un proche ?", "", True, True, []),
    (QuestionKind.FREE_TEXT, "Avez-vous une remarque ou une suggestion ?", "", False, False, []),
]  # fmt: skip

PRAISE = [
    "Accueil très agréable, merci à l’agent du guichet.",
    "Rapide et efficace, rien à redire.",
    "Personnel souriant et patient, explications claires.",
    "Le rendez-vous en ligne a bien simplifié les choses.",
    "Très bien organisé, je suis ressorti avec mon récépissé.",
]
COMPLAINTS = [
    "Trop d’attente avant d’être reçu, plus d’une heure.",
    "Il manque des chaises dans la salle d’attente.",
    "Difficile de joindre le service par téléphone avant de venir.",
    "La liste des pièces à fournir sur le site n’était pas à jour.",
    "Pas assez de guichets ouverts le lundi matin.",
    "La signalétique pour trouver le bon bureau n’est pas claire.",
]
SUGGESTIONS = [
    "Un écran indiquant le numéro appelé serait utile.",
    "Proposer des rendez-vous l’après-midi.",
    "Un point d’eau dans la salle d’attente serait bienvenu.",
]


def _survey_for(prefecture, today):
    opens_on = (today - datetime.timedelta(days=330)).replace(day=1)
    survey, created = Survey.objects.get_or_create(
        prefecture=prefecture,
        slug=SLUG,
        defaults={
            "title": "Votre avis sur l’accueil de la préfecture",
            "introduction": (
                "Vous venez d’être reçu dans l’un de nos accueils. Aidez-nous à nous améliorer : "
                "ce questionnaire prend deux minutes."
            ),
            "opens_on": opens_on,
            "closes_on": today + datetime.timedelta(days=60),
            "status": SurveyStatus.OPEN,
            "results_public": True,
        },
    )
    if created:
        for position, (kind, text, hint, required, public, choices) in enumerate(QUESTIONS, start=1):
            question = Question.objects.create(
                survey=survey,
                position=position,
                kind=kind,
                text=text,
                help_text=hint,
                required=required,
                is_public=public and kind != QuestionKind.FREE_TEXT,
            )
            Choice.objects.bulk_create(
                Choice(question=question, position=n, label=label) for n, label in enumerate(choices, start=1)
            )
        for site in prefecture.sites.filter(is_active=True).order_by("kind", "name"):
            DistributionPoint.objects.create(survey=survey, name=f"Accueil – {site.name}", site=site)
        # The préfecture's own reception has a tablet at the counter (``surveys.kiosk``).
        if counter := survey.points.order_by("site__kind", "name").first():
            point_kiosk_enable(point=counter, by=None)
    return survey


def kiosk_points():
    """The demo's counter tablets: their point, survey and prefecture, by department."""
    return (
        DistributionPoint.objects.exclude(kiosk_key="")
        .filter(survey__slug=SLUG)
        .select_related("survey__prefecture")
        .order_by("survey__prefecture__department_code")
    )


def _clamp(value, low, high):
    return max(low, min(high, round(value)))


def _answers(rng, questions, mu):
    """One person's answers, drawn around ``mu``, their satisfaction on a 1–5 scale."""
    answers = []
    for question in questions:
        kind = question.kind
        if kind == QuestionKind.SATISFACTION:
            offset = -0.6 if "attente" in question.text else 0.0
            answers.append((question, {"value": _clamp(mu + offset + rng.gauss(0, 0.6), 1, 5)}))
        elif kind == QuestionKind.RECOMMENDATION:
            answers.append((question, {"value": _clamp(mu * 2.2 - 1.2 + rng.gauss(0, 1.5), 0, 10)}))
        elif kind == QuestionKind.YES_NO:
            answers.append((question, {"value": int(rng.random() < 0.55 + 0.1 * mu)}))
        elif kind == QuestionKind.SINGLE_CHOICE:
            choice = rng.choices(question.demo_choices, weights=[40, 20, 18, 9, 13][: len(question.demo_choices)])[0]
            answers.append((question, {"choice": choice}))
        elif kind == QuestionKind.MULTIPLE_CHOICE:
            if rng.random() < 0.15:
                continue
            ticked = [
                c for c, p in zip(question.demo_choices, (0.5, 0.6, 0.25, 0.15), strict=False) if rng.random() < p
            ]
            answers.extend((question, {"choice": choice}) for choice in ticked or question.demo_choices[-1:])
        elif kind == QuestionKind.FREE_TEXT and rng.random() < 0.09:
            pool = PRAISE if mu >= 4 else COMPLAINTS if mu < 3.3 else SUGGESTIONS
            answers.append((question, {"text": rng.choice(pool)}))
    return answers


@transaction.atomic
def load_surveys():
    for prefecture in Prefecture.objects.order_by("department_code"):
        today = prefecture.today()
        survey = _survey_for(prefecture, today)
        if survey.responses.exists():
            continue
        questions = list(survey.questions.prefetch_related("choices"))
        for question in questions:
            question.demo_choices = list(question.choices.all())
        points = list(survey.points.order_by("site__kind", "name"))
        rng = random.Random(f"qualipref-demo-{prefecture.department_code}")
        # The préfecture's own reception is the busiest and the most crowded; sub-prefectures do better.
        weights = [3] + [1] * (len(points) - 1) if points else []
        quality = {point.pk: (-0.35 if n == 0 else 0.15 * (n % 3)) for n, point in enumerate(points)}
        days = (today - survey.opens_on).days
        drawn = []
        for _ in range(RESPONSES_PER_PREFECTURE):
            day = survey.opens_on + datetime.timedelta(days=rng.randrange(days + 1))
            point = rng.choices(points, weights=weights)[0] if points and rng.random() < 0.9 else None
            trend = 0.4 * (day - survey.opens_on).days / max(days, 1)  # the action plan pays off over the year
            mu = 3.7 + trend + (quality[point.pk] if point else 0) + rng.gauss(0, 0.7)
            drawn.append((Response(survey=survey, point=point, submitted_on=day), _answers(rng, questions, mu)))
        Response.objects.bulk_create([response for response, _answers_ in drawn], batch_size=500)
        Answer.objects.bulk_create(
            (
                Answer(
                    response=response,
                    question=question,
                    point=response.point,
                    submitted_on=response.submitted_on,
                    **fields,
                )
                for response, answers in drawn
                for question, fields in answers
            ),
            batch_size=2000,
        )
        tally_rebuild(survey)  # the answers went in by bulk SQL, past the service that keeps the tally
