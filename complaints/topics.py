"""A prefecture's topics (``Topic``): the eight defaults every prefecture starts with, and how a case's topic is
found from what a channel gives (a ``Topic``, its code, or nothing)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.signals import post_save
from django.utils.translation import gettext as _

from qualipref.models import Prefecture
from qualipref.scoping import check_works_for

from .enums import DEFAULT_TOPIC_WORDINGS, DefaultTopic
from .models import Topic


def topics_create_defaults(*, prefecture, using=None):
    """Give ``prefecture`` the default topics it lacks (by code): one query, safe to run twice."""
    Topic.objects.db_manager(using).bulk_create(
        [
            Topic(prefecture=prefecture, code=code, name=french, name_en=english, position=position)
            for position, (code, (french, english)) in enumerate(DEFAULT_TOPIC_WORDINGS.items(), start=1)
        ],
        ignore_conflicts=True,
    )


def topic_for(*, prefecture, topic=None):
    """The ``Topic`` of ``prefecture`` a case is about: ``topic`` itself (a ``Topic``), the one with that code
    (``"counter"``, ``DefaultTopic.COUNTER``, an Open311 ``service_code``), or — nothing given — the prefecture's
    "other" topic (None if it has none). An archived topic is found too (an officer may sort into it); a topic of
    another prefecture or an unknown code is refused."""
    if isinstance(topic, Topic):
        if topic.prefecture_id != prefecture.pk:
            raise ValidationError(_("Choose a topic of this prefecture."))
        return topic
    code = topic or DefaultTopic.OTHER
    found = Topic.objects.filter(prefecture=prefecture, code=code).first()
    if found is None and topic:
        raise ValidationError(_("Unknown topic: %(code)s.") % {"code": code})
    return found


@transaction.atomic
def topic_save(*, topic, by):
    """Save ``topic`` (new or edited, already validated), for a quality officer of its prefecture or national staff:
    a service agent reads the list, never edits it."""
    check_works_for(by, topic.prefecture_id)
    if by is not None and by.agent_scope.get(topic.prefecture_id) is not None:
        raise PermissionDenied(_("Only the prefecture's quality officers edit its topics."))
    topic._history_user = by
    topic.save()
    return topic


def _on_prefecture_saved(sender, instance, created, raw=False, using=None, **kwargs):
    if created and not raw:
        topics_create_defaults(prefecture=instance, using=using)


def connect():
    """Called by ``ComplaintsConfig.ready``: every new prefecture gets the default topics."""
    post_save.connect(_on_prefecture_saved, sender=Prefecture, dispatch_uid="complaints_default_topics")
