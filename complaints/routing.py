"""Routing a case the citizen filed without knowing the service: the prefecture's rules (``RoutingRule``), the
most precise one that matches — topic and site, then the site alone, then the topic alone, then a rule for
everything. One query."""

from django.db.models import Q

from .models import RoutingRule


def routed_service(*, prefecture, topic, site=None):
    """The service the prefecture's rules send a case about ``topic`` (a ``Topic``, or None) at ``site`` to, or
    None."""
    rules = RoutingRule.objects.filter(
        Q(topic=topic) | Q(topic__isnull=True) if topic is not None else Q(topic__isnull=True),
        Q(site=site) | Q(site__isnull=True) if site is not None else Q(site__isnull=True),
        prefecture=prefecture,
        service__is_active=True,
    ).select_related("service")

    def precision(rule):
        return (rule.site_id is not None, rule.topic_id is not None)

    best = max(rules, key=precision, default=None)
    return best.service if best is not None else None
