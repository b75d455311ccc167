"""A prefecture or a title type renamed (or its address changed) shows on every cached delays page.

Only a change of what the pages show clears them: the nightly save of a prefecture's next audit date
(``update_fields=["next_audit_on"]``) leaves them cached.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from qualipref.models import Prefecture
from qualipref.pagecache import shows_change

from .cache import clear_public_cache_on_commit
from .models import TitleType

# What the delays pages show of each: a name, an address, a label, the day of publication where the
# prefecture is, a title's labels and its place in the lists.
PREFECTURE_FIELDS_SHOWN = {"name", "of_name_fr", "slug", "department_code", "label", "time_zone"}
TITLE_TYPE_FIELDS_SHOWN = {"code", "label", "label_en", "category", "position"}


@receiver([post_save, post_delete], sender=Prefecture)
def prefecture_changed(sender, **kwargs):
    if shows_change(PREFECTURE_FIELDS_SHOWN, **kwargs):
        clear_public_cache_on_commit()


@receiver([post_save, post_delete], sender=TitleType)
def title_type_changed(sender, **kwargs):
    if shows_change(TITLE_TYPE_FIELDS_SHOWN, **kwargs):
        clear_public_cache_on_commit()
