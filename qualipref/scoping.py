"""Prefecture scoping: the one mechanism that limits what a user sees to their prefectures.

A model opts in by declaring ``prefecture_lookup``, the ORM path from the model to its
prefecture (``"prefecture"``, ``"case__prefecture"``…, ``"pk"`` for the prefecture itself)
and by using ``PrefectureScopedQuerySet`` (or a subclass) as its manager. Then:

* ``Model.objects.for_user(user)`` is the only way views read it;
* ``PrefectureScopedAdmin`` (``qualipref.admin``) applies it to the admin's lists, object
  pages, foreign-key choices, filters and autocomplete.

A model without ``prefecture_lookup`` is national (a referential shared by all prefectures).

A model whose rows belong to one service also declares ``service_lookup``, the ORM path to that service
(``"service"``, ``"case__service"``…): in a prefecture where the user is only a service agent they see the rows
of their own services, nowhere else (``User.agent_scope``); where they hold another staff role, the whole
prefecture.
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _


def check_works_for(by, prefecture_id):
    """Raise ``PermissionDenied`` unless ``by`` works for the prefecture ``prefecture_id``.

    The check every service makes on what it writes, whoever calls it; ``by=None`` is the portal itself (the demo
    data, a shell, a Celery task).
    """
    if by is not None and prefecture_id not in by.prefecture_ids:
        raise PermissionDenied(_("You do not work for this prefecture."))


def is_scoped(model):
    return getattr(model, "prefecture_lookup", None) is not None


def scope_queryset(queryset, user):
    """Limit ``queryset`` to the prefectures of ``user``; unscoped (national) models pass through."""
    model = queryset.model
    if not is_scoped(model):
        return queryset
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.sees_all_prefectures:
        return queryset
    lookup = model.prefecture_lookup
    if "__" in lookup and lookup.split("__")[0] in {
        f.name for f in model._meta.get_fields() if f.many_to_many or f.one_to_many
    }:
        # Multi-valued path (a user's memberships): filter through a subquery, no duplicate rows.
        inner = model._base_manager.filter(**{f"{lookup}__in": user.prefecture_ids}).values("pk")
        return queryset.filter(pk__in=inner)
    service_lookup = getattr(model, "service_lookup", None)
    if service_lookup and user.agent_scope:
        return queryset.filter(agent_rule(user, lookup, service_lookup))
    return queryset.filter(**{f"{lookup}__in": user.prefecture_ids})


def agent_rule(user, prefecture_lookup, service_lookup):
    """The rows ``user`` may see, reached by the two paths: whole prefectures, and their own services in the
    prefectures where they are only a service agent (a row without a service is not theirs)."""
    limited = user.agent_scope
    rule = Q(**{f"{prefecture_lookup}__in": user.prefecture_ids - limited.keys()})
    for prefecture, services in limited.items():
        rule |= Q(**{prefecture_lookup: prefecture, f"{service_lookup}__in": services})
    return rule


class PrefectureScopedQuerySet(models.QuerySet):
    def for_user(self, user):
        return scope_queryset(self, user)

    def for_prefecture(self, prefecture):
        return self.filter(**{self.model.prefecture_lookup: prefecture})
