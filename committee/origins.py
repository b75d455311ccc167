"""Origins of an improvement action that apps above the committee keep (an audit's finding, …).

The committee cannot import them (layers go one way), so an app that raises actions registers the reverse
accessor of its foreign key to ``ImprovementAction`` (``register_origin("audit_findings", …)``, in its
``AppConfig.ready``). Such an action has an origin although none of the committee's own fields is filled: the
admin's list and trace show it, linked for whoever may view it in the admin, and the public page names it in
public words.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

SHOWN = 50


@dataclass(frozen=True)
class Origin:
    accessor: str  # the reverse accessor on ImprovementAction
    admin_url_name: str  # the origin's admin change page, given its pk
    public_label: str = ""  # what the public page says of such an origin ("" shows nothing)


_ORIGINS = []


def register_origin(accessor, admin_url_name, public_label=""):
    """Count ``action.<accessor>`` (a reverse relation) among an action's origins; idempotent."""
    if all(origin.accessor != accessor for origin in _ORIGINS):
        _ORIGINS.append(Origin(accessor, admin_url_name, public_label))


def prefetch_origins(queryset):
    """``queryset`` of actions with their external origins fetched: one query per registered origin for a whole
    list, whatever its length."""
    return queryset.prefetch_related(*(origin.accessor for origin in _ORIGINS))


def _may_view(user, record):
    opts = record._meta
    return user is not None and user.has_perm(f"{opts.app_label}.view_{opts.model_name}")


def external_origins(action, user=None):
    """``[(admin URL or None, label)]`` of the origins kept by higher apps. The URL is given only to a ``user`` who
    may view such records in the admin (the action, scoped by prefecture, brings only its own prefecture's
    origins). One query per registered origin, none when ``prefetch_origins`` fetched them."""
    if action is None or not action.pk:
        return []
    links = []
    for origin in _ORIGINS:
        for record in getattr(action, origin.accessor).all()[:SHOWN]:
            url = None
            if _may_view(user, record):
                try:
                    url = reverse(origin.admin_url_name, args=[record.pk])
                except NoReverseMatch:
                    url = None
            links.append((url, str(record)))
    return links


def public_origins(action):
    """What the public page says of the external origins of ``action`` (each kind once, in public words)."""
    if action is None or not action.pk:
        return []
    return [
        str(origin.public_label)
        for origin in _ORIGINS
        if origin.public_label and getattr(action, origin.accessor).all()[:1]
    ]


def has_external_origin(action):
    return bool(action is not None and action.pk) and any(
        getattr(action, origin.accessor).exists() for origin in _ORIGINS
    )
