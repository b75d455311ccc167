"""Whatever an officer changes in a survey clears its prefecture's cached public results (``surveys.cache``).

Signals rather than calls in each service: the admin's forms and inlines save surveys, questions,
choices and points directly, and a missed path would show stale figures for ten minutes. They only
note what changed: the prefectures are found once, after the commit.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from qualipref.models import Prefecture
from qualipref.pagecache import generation_bump

from .cache import clear_results_cache, results_generation
from .models import Choice, DistributionPoint, Question, Survey


@receiver(pre_save, sender=Survey)
def _remember_prefecture(sender, instance, **kwargs):
    """A survey moved to another prefecture leaves the first one's page too."""
    if instance.pk is not None:
        instance._prefecture_before = (
            Survey.objects.filter(pk=instance.pk).values_list("prefecture_id", flat=True).first()
        )


@receiver([post_save, post_delete], sender=Survey)
def _survey_changed(sender, instance, **kwargs):
    clear_results_cache(prefectures=[instance.prefecture_id, getattr(instance, "_prefecture_before", None)])


@receiver([post_save, post_delete], sender=Question)
@receiver([post_save, post_delete], sender=DistributionPoint)
def _part_changed(sender, instance, **kwargs):
    clear_results_cache(surveys=[instance.survey_id])


@receiver([post_save, post_delete], sender=Choice)
def _choice_changed(sender, instance, **kwargs):
    clear_results_cache(questions=[instance.question_id])


@receiver(pre_save, sender=Prefecture)
def _remember_slug(sender, instance, **kwargs):
    if instance.pk is not None:
        instance._slug_before = Prefecture.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()


@receiver([post_save, post_delete], sender=Prefecture)
def _prefecture_changed(sender, instance, **kwargs):
    """A prefecture renamed shows on its page; its old address serves no cached page."""
    slugs = {instance.slug, getattr(instance, "_slug_before", None)} - {None}
    transaction.on_commit(lambda: [generation_bump(results_generation(slug)) for slug in slugs])
