"""Whatever an officer changes in a survey clears its prefecture's cached public results (``surveys.cache``).

Signals rather than calls in each service: the admin's forms and inlines save surveys, questions,
choices and points directly, and a missed path would show stale figures for ten minutes. They only
note what changed: the prefectures are found once, after the commit.
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .cache import clear_results_cache
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
