"""What engagements hears from the apps below it: the months whose measured figures changed are recomputed."""

from django.dispatch import receiver

from measures.signals import measures_changed


@receiver(measures_changed)
def measured_months_changed(sender, *, prefecture_id, months, **kwargs):
    from .services import enqueue_refresh

    enqueue_refresh(prefecture_id, months)
