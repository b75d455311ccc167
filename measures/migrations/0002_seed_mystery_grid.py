"""The mystery-shopper barometer's grid, as the national referential ships it (the national coordinator edits it)."""

from django.db import migrations

# code, channel ("" = every channel), label
GRID = [
    ("ACCUEIL-SALUTATION", "", "L'agent salue l'usager et se présente (nom du service ou de l'agent)."),
    ("ACCUEIL-COURTOISIE", "", "L’agent est courtois et disponible pendant tout l’échange."),
    ("REPONSE-COMPREHENSIBLE", "", "La réponse est claire, compréhensible et sans jargon administratif."),
    ("REPONSE-COMPLETE", "", "La réponse est complète et exacte, ou l'usager est orienté vers le bon interlocuteur."),
    ("TELEPHONE-DECROCHE", "phone", "L'appel est décroché avant la cinquième sonnerie."),
    ("TELEPHONE-ATTENTE", "phone", "La mise en attente est annoncée et ne dépasse pas une minute."),
    ("GUICHET-SIGNALETIQUE", "counter", "La signalétique permet de trouver le guichet sans demander son chemin."),
    ("GUICHET-ATTENTE", "counter", "Le temps d'attente est affiché ou annoncé."),
    ("COURRIEL-DELAI", "email", "Le courriel reçoit une réponse dans les cinq jours ouvrés."),
    ("COURRIEL-SIGNATURE", "email", "La réponse est signée et donne un contact pour la suite."),
    ("WEB-INFORMATION", "web", "Le site donne les horaires, l'adresse et les pièces à fournir, à jour."),
]


def seed(apps, schema_editor):
    MysteryCriterion = apps.get_model("measures", "MysteryCriterion")
    for position, (code, channel, label) in enumerate(GRID, start=1):
        MysteryCriterion.objects.get_or_create(
            code=code.lower(), defaults={"label": label, "channel": channel, "position": position * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
