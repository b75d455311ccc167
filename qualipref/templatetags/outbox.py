from django import template
from django.urls import reverse

from ..mail import OutgoingEmail

register = template.Library()


@register.inclusion_tag("admin/qualipref/_outbox_failures.html", takes_context=True)
def outbox_failures(context):
    """On the admin index: how many e-mails of the user's prefectures could not be sent, linked to their list."""
    user = context["request"].user
    if not (user.is_authenticated and user.is_staff and user.has_perm("qualipref.view_outgoingemail")):
        return {"count": 0}
    return {
        "count": OutgoingEmail.objects.for_user(user).failed().count(),
        "url": reverse("admin:qualipref_outgoingemail_changelist") + "?status=failed",
    }
