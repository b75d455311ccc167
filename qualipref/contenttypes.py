"""Models that move to another app keep their content types, so nothing keyed by them is lost.

Permissions hang on content types, and groups, users and the admin's log entries on permissions and
content types: renaming a content type's ``app_label`` carries all of them over. A migration that moves
models (state only, tables kept) calls ``move_content_types`` forwards, and backwards with the labels swapped.
"""

from django.conf import settings


def move_content_types(apps, *, models, old_label, new_label):
    """Give the content types of ``models`` (model names, lower case) the app label ``new_label``.

    Where the new label already has one (Django's ``post_migrate`` creates it when the app was migrated in
    two steps), the old one is merged into it: its permissions' groups and users and its log entries move to
    the new one's, then it is deleted.
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    grants = [
        (apps.get_model("auth", "Group").permissions.through, "group_id"),
        (apps.get_model(settings.AUTH_USER_MODEL).user_permissions.through, "user_id"),
    ]
    try:
        LogEntry = apps.get_model("admin", "LogEntry")
    except LookupError:
        LogEntry = None
    for model in models:
        old = ContentType.objects.filter(app_label=old_label, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label=new_label, model=model).first()
        if new is None:
            old.app_label = new_label
            old.save(update_fields=["app_label"])
            continue
        for permission in Permission.objects.filter(content_type=old):
            twin = Permission.objects.filter(content_type=new, codename=permission.codename).first()
            if twin is None:
                permission.content_type = new
                permission.save(update_fields=["content_type"])
                continue
            for through, holder in grants:
                already = set(through.objects.filter(permission_id=twin.pk).values_list(holder, flat=True))
                holders = through.objects.filter(permission_id=permission.pk).values_list(holder, flat=True)
                through.objects.bulk_create(
                    [through(**{holder: pk, "permission_id": twin.pk}) for pk in holders if pk not in already]
                )
            permission.delete()
        if LogEntry is not None:
            LogEntry.objects.filter(content_type=old).update(content_type=new)
        old.delete()
    ContentType.objects.clear_cache()
