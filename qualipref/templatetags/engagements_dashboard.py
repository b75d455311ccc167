from django import template

from ..engagements.dashboard import officer_dashboard

register = template.Library()


@register.inclusion_tag("admin/qualipref/_dashboard.html", takes_context=True)
def dashboard(context):
    user = context["request"].user
    return {"boards": officer_dashboard(user) if user.is_authenticated and user.is_staff else []}
