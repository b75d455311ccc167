from django import template

from ..dashboard import officer_dashboard

register = template.Library()


@register.inclusion_tag("admin/engagements/_dashboard.html", takes_context=True)
def dashboard(context):
    user = context["request"].user
    staff = user.is_authenticated and user.is_staff
    return {
        "boards": officer_dashboard(user) if staff else [],
        # Recomputing and entering measures are for officers (the refresh view checks the same permission).
        "may_compute": staff and user.has_perm("engagements.change_manualmeasure"),
        "may_enter": staff and user.has_perm("engagements.add_manualmeasure"),
    }
