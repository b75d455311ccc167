"""A prefecture or a title type renamed (or its address changed) shows on every cached delays page."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from qualipref.models import Prefecture

from .cache import clear_public_cache_on_commit
from .models import TitleType


@receiver([post_save, post_delete], sender=Prefecture)
@receiver([post_save, post_delete], sender=TitleType)
def referential_changed(sender, **kwargs):
    clear_public_cache_on_commit()
