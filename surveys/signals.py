"""Whatever an officer changes in a survey clears its prefecture's cached public results (``surveys.cache``).

Signals rather than calls in each service: a survey's questions, choices and points are written by several
services (and by the demo data, a shell), and a missed path would show stale figures for ten minutes. They only
note what changed: the prefectures are found once, after the commit (``qualipref.pagecache.clear_after_commit``).
A save that changes nothing the page shows (``update_fields`` naming none of the fields below, as the services
do when an officer changes a question's hint or a survey's introduction) clears nothing.
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from qualipref.models import Prefecture
from qualipref.pagecache import shows_change

from .cache import clear_results_cache, clear_results_cache_of_slugs
from .models import Choice, DistributionPoint, Question, Survey

# What the results page shows of a prefecture, a survey, its questions, their choices and its points.
PREFECTURE_FIELDS_SHOWN = {"name", "of_name_fr", "slug", "department_code", "label"}
SURVEY_FIELDS_SHOWN = {"prefecture", "prefecture_id", "title", "opens_on", "closes_on", "status", "results_public"}
QUESTION_FIELDS_SHOWN = {"survey", "survey_id", "position", "kind", "text", "is_public"}
POINT_FIELDS_SHOWN = {"survey", "survey_id", "name", "site", "site_id"}
CHOICE_FIELDS_SHOWN = {"question", "question_id", "position", "label"}


@receiver(pre_save, sender=Survey)
def _remember_prefecture(sender, instance, update_fields=None, **kwargs):
    """A survey moved to another prefecture leaves the first one's page too."""
    instance._prefecture_before = None  # not moved: a save that leaves the prefecture out needs no query
    if instance.pk is not None and shows_change({"prefecture", "prefecture_id"}, update_fields):
        instance._prefecture_before = (
            Survey.objects.filter(pk=instance.pk).values_list("prefecture_id", flat=True).first()
        )


@receiver([post_save, post_delete], sender=Survey)
def _survey_changed(sender, instance, **kwargs):
    if shows_change(SURVEY_FIELDS_SHOWN, **kwargs):
        clear_results_cache(prefectures=[instance.prefecture_id, getattr(instance, "_prefecture_before", None)])


@receiver([post_save, post_delete], sender=Question)
def _question_changed(sender, instance, **kwargs):
    if shows_change(QUESTION_FIELDS_SHOWN, **kwargs):
        clear_results_cache(surveys=[instance.survey_id])


@receiver([post_save, post_delete], sender=DistributionPoint)
def _point_changed(sender, instance, **kwargs):
    if shows_change(POINT_FIELDS_SHOWN, **kwargs):
        clear_results_cache(surveys=[instance.survey_id])


@receiver([post_save, post_delete], sender=Choice)
def _choice_changed(sender, instance, **kwargs):
    if shows_change(CHOICE_FIELDS_SHOWN, **kwargs):
        clear_results_cache(questions=[instance.question_id])


@receiver(pre_save, sender=Prefecture)
def _remember_slug(sender, instance, update_fields=None, **kwargs):
    instance._slug_before = None  # as above
    if instance.pk is not None and shows_change({"slug"}, update_fields):
        instance._slug_before = Prefecture.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()


@receiver([post_save, post_delete], sender=Prefecture)
def _prefecture_changed(sender, instance, **kwargs):
    """A prefecture renamed shows on its page; its old address serves no cached page."""
    if shows_change(PREFECTURE_FIELDS_SHOWN, **kwargs):
        clear_results_cache_of_slugs({instance.slug, getattr(instance, "_slug_before", None)} - {None})
