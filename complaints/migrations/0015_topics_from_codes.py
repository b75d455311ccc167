"""Every case, rule and history row keeps its topic: the code it had becomes its prefecture's topic of that code.
Alone in its migration: on PostgreSQL, the foreign keys it fills must be checked before the next one drops the
codes' columns (one transaction per migration)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

# The default topics as they were when topics became each prefecture's data (complaints.enums.DefaultTopic).
DEFAULT_TOPICS = [
    ("counter", "Accueil au guichet", "Reception at the counter"),
    ("phone", "Accueil téléphonique", "Phone reception"),
    ("mail", "Courrier", "Mail"),
    ("email", "Courriel", "E-mail"),
    ("website", "Site internet", "Website"),
    ("processing_time", "Délai de traitement", "Processing time"),
    ("decision", "Décision", "Decision"),
    ("other", "Autre", "Other"),
]
TOPICAL = ("Case", "HistoricalCase", "RoutingRule", "HistoricalRoutingRule")


def topics_from_codes(apps, schema_editor):
    Prefecture = apps.get_model("qualipref", "Prefecture")
    Topic = apps.get_model("complaints", "Topic")
    defaults = [code for code, _name, _name_en in DEFAULT_TOPICS]
    for prefecture_id in Prefecture.objects.values_list("pk", flat=True):
        Topic.objects.bulk_create(
            [
                Topic(prefecture_id=prefecture_id, code=code, name=name, name_en=name_en, position=position)
                for position, (code, name, name_en) in enumerate(DEFAULT_TOPICS, start=1)
            ],
            ignore_conflicts=True,
        )
    # A code outside the defaults (none was possible but for rows written by hand): an archived topic of its own.
    for name in ("Case", "RoutingRule"):
        model = apps.get_model("complaints", name)
        unknown = (
            model._base_manager.exclude(topic_code="")
            .exclude(topic_code__in=defaults)
            .values_list("prefecture_id", "topic_code")
            .distinct()
        )
        for prefecture_id, code in unknown:
            Topic.objects.get_or_create(
                prefecture_id=prefecture_id, code=code, defaults={"name": code, "position": 99, "is_archived": True}
            )
    for name in TOPICAL:
        model = apps.get_model("complaints", name)
        same = Topic.objects.filter(prefecture_id=OuterRef("prefecture_id"), code=OuterRef("topic_code"))
        model._base_manager.exclude(topic_code="").update(topic_id=Subquery(same.values("pk")[:1]))


def codes_from_topics(apps, schema_editor):
    Topic = apps.get_model("complaints", "Topic")
    for name in TOPICAL:
        model = apps.get_model("complaints", name)
        code = Topic.objects.filter(pk=OuterRef("topic_id")).values("code")[:1]
        model._base_manager.filter(topic_id__isnull=False).update(topic_code=Subquery(code))



class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0014_topics'),
    ]

    operations = [
        migrations.RunPython(topics_from_codes, codes_from_topics),
    ]
