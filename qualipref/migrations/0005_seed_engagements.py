"""Seed the engagements referential with the engagements the Qualipref and Marianne referentials are known for.

Each target can be changed later by the national coordinator (a new version from a given month on).
"""

import datetime

from django.db import migrations

START = datetime.date(2020, 1, 1)

# code, label, source, channel, headline, wording, measurement, target, comparator, unit, deadline
ENGAGEMENTS = [
    (
        "COURRIERS-15J",
        "marianne",
        "cases_within_days",
        "letter",
        False,
        "Nous répondons à vos courriers dans un délai maximum de 15 jours ouvrés.",
        "Part des réclamations reçues par courrier auxquelles une réponse a été apportée en 15 jours ouvrés "
        "au plus (hors jours d'attente d'un complément de l'usager).",
        "90",
        "gte",
        "percent",
        15,
    ),
    (
        "COURRIELS-5J",
        "marianne",
        "cases_within_days",
        "email",
        False,
        "Nous répondons à vos courriels dans un délai maximum de 5 jours ouvrés.",
        "Part des réclamations reçues par courriel auxquelles une réponse a été apportée en 5 jours ouvrés au plus.",
        "90",
        "gte",
        "percent",
        5,
    ),
    (
        "RECLAMATIONS-15J",
        "qualipref",
        "cases_on_time",
        "",
        True,
        "Nous répondons à chacune de vos réclamations dans un délai de 15 jours ouvrés.",
        "Part des réclamations traitées (répondues ou dont l'échéance est passée) auxquelles une réponse a été "
        "apportée au plus tard à leur échéance, suspensions comprises.",
        "90",
        "gte",
        "percent",
        None,
    ),
    (
        "RECLAMATIONS-DELAI-MOYEN",
        "qualipref",
        "cases_mean_days",
        "",
        False,
        "Le délai moyen de réponse à vos réclamations ne dépasse pas 15 jours ouvrés.",
        "Moyenne, sur les réclamations répondues, du nombre de jours ouvrés entre la réception et la réponse.",
        "15",
        "lte",
        "working_days",
        None,
    ),
    (
        "SATISFACTION-REPONSES",
        "qualipref",
        "answer_satisfaction",
        "",
        False,
        "Vous êtes satisfaits de nos réponses à vos réclamations.",
        "Part des notes de 4 ou 5 sur 5 données par les usagers à la réponse reçue.",
        "70",
        "gte",
        "percent",
        None,
    ),
    (
        "TELEPHONE-5-SONNERIES",
        "marianne",
        "manual",
        "",
        False,
        "Nous décrochons votre appel avant la cinquième sonnerie.",
        "Appels tests mensuels : part des appels décrochés en moins de cinq sonneries (saisie mensuelle, preuve jointe).",
        "90",
        "gte",
        "percent",
        None,
    ),
    (
        "APPELS-PERDUS",
        "marianne",
        "manual",
        "",
        False,
        "Moins de 10 % de vos appels restent sans réponse.",
        "Statistiques du standard : part des appels perdus dans le mois (saisie mensuelle, preuve jointe).",
        "10",
        "lte",
        "percent",
        None,
    ),
    (
        "ATTENTE-GUICHET",
        "marianne",
        "manual",
        "",
        False,
        "Nous limitons votre temps d'attente au guichet.",
        "Temps d'attente moyen au guichet en minutes, relevé par le système de gestion de file d'attente.",
        "20",
        "lte",
        "minutes",
        None,
    ),
    (
        "COURTOISIE-VISITE-MYSTERE",
        "marianne",
        "manual",
        "",
        False,
        "Nous vous accueillons avec courtoisie.",
        "Note de courtoisie du baromètre par visites et appels mystères (sur 10, saisie avec le rapport).",
        "7",
        "gte",
        "score_10",
        None,
    ),
    (
        "ENQUETES-SATISFACTION",
        "qualipref",
        "surveys_published",
        "",
        False,
        "Nous mesurons votre satisfaction et affichons les résultats.",
        "Nombre d'enquêtes de satisfaction menées sur les douze derniers mois dont les résultats sont publiés.",
        "1",
        "gte",
        "count",
        None,
    ),
    (
        "SATISFACTION-USAGERS",
        "qualipref",
        "survey_satisfaction",
        "",
        True,
        "Vous êtes satisfaits de notre accueil et de nos services.",
        "Part des réponses de 4 ou 5 sur 5 aux questions de satisfaction publiées des enquêtes.",
        "80",
        "gte",
        "percent",
        None,
    ),
    (
        "COMITE-USAGERS",
        "qualipref",
        "committee_meetings",
        "",
        False,
        "Nous réunissons régulièrement le comité des usagers.",
        "Nombre de réunions du comité des usagers (plénières et groupes de travail) tenues sur douze mois.",
        "2",
        "gte",
        "count",
        None,
    ),
    (
        "ACTIONS-AMELIORATION",
        "qualipref",
        "actions_done",
        "",
        False,
        "Nous mettons en œuvre les actions d'amélioration décidées.",
        "Part des actions d'amélioration arrivées à échéance dans la période qui sont réalisées.",
        "80",
        "gte",
        "percent",
        None,
    ),
    (
        "DELAIS-AFFICHES",
        "qualipref",
        "delays_published",
        "",
        True,
        "Nous affichons nos délais moyens de délivrance pour chaque titre.",
        "Part des titres délivrés dans le mois dont les délais mensuels sont publiés.",
        "100",
        "gte",
        "percent",
        None,
    ),
    (
        "RESULTATS-PUBLIES",
        "qualipref",
        "results_published",
        "",
        False,
        "Nous publions nos résultats au regard de nos engagements.",
        "Part des engagements en vigueur dont le résultat du mois est publié sur le portail.",
        "100",
        "gte",
        "percent",
        None,
    ),
]


def seed(apps, schema_editor):
    Engagement = apps.get_model("qualipref", "Engagement")
    EngagementVersion = apps.get_model("qualipref", "EngagementVersion")
    for position, row in enumerate(ENGAGEMENTS, start=1):
        code, label, source, channel, headline, wording, measurement, target, comparator, unit, deadline = row
        engagement, created = Engagement.objects.get_or_create(
            code=code,
            defaults={
                "label": label,
                "source": source,
                "channel": channel,
                "position": position * 10,
                "is_headline": headline,
            },
        )
        if created:
            EngagementVersion.objects.create(
                engagement=engagement,
                valid_from=START,
                wording=wording,
                measurement=measurement,
                target_value=target,
                comparator=comparator,
                unit=unit,
                deadline_working_days=deadline,
            )


class Migration(migrations.Migration):
    dependencies = [("qualipref", "0004_engagements")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
