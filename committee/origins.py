"""Origins of an improvement action that apps above the committee keep (an audit's finding, …).

The committee cannot import them (layers go one way), so an app that raises actions registers the reverse
accessor of its foreign key to ``ImprovementAction`` (``register_origin("audit_findings", …)``, in its
``AppConfig.ready``). Such an action has an origin although none of the committee's own fields is filled, and
the admin's trace links back to it.
"""

from django.urls import NoReverseMatch, reverse

SHOWN = 50
_ORIGINS = []


def register_origin(accessor, admin_url_name):
    """Count ``action.<accessor>`` (a reverse relation) among an action's origins; idempotent."""
    if (accessor, admin_url_name) not in _ORIGINS:
        _ORIGINS.append((accessor, admin_url_name))


def external_origins(action):
    """``[(admin URL or None, label)]`` of the origins kept by higher apps: one query per registered origin."""
    if action is None or not action.pk:
        return []
    links = []
    for accessor, url_name in _ORIGINS:
        for origin in getattr(action, accessor).all()[:SHOWN]:
            try:
                url = reverse(url_name, args=[origin.pk])
            except NoReverseMatch:
                url = None
            links.append((url, str(origin)))
    return links


def has_external_origin(action):
    return bool(action is not None and action.pk) and any(
        getattr(action, accessor).exists() for accessor, _url in _ORIGINS
    )
