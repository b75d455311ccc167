from functools import lru_cache

from django.apps import apps
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

from .roles import role_allows


@lru_cache(maxsize=64)
def _permissions_of_roles(roles):
    """``{"app.codename", …}`` granted by ``roles`` (see ``qualipref.roles``).

    Cached per set of roles: the permission table only changes with a deployment's migrations.
    """
    granted = set()
    rows = Permission.objects.values_list("content_type__app_label", "content_type__model", "codename")
    for app_label, model_name, codename in rows:
        action = codename.split("_", 1)[0]
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        national = getattr(model, "national_referential", False)
        if any(role_allows(role, app_label, model_name, action, national_referential=national) for role in roles):
            granted.add(f"{app_label}.{codename}")
    return frozenset(granted)


@lru_cache(maxsize=64)
def _permissions_everywhere(role_sets):
    """The permissions that every one of ``role_sets`` (the roles held in each prefecture) grants."""
    granted = [_permissions_of_roles(roles) for roles in role_sets]
    return frozenset.intersection(*granted) if granted else frozenset()


class RoleBackend(ModelBackend):
    """Django's model backend, plus the permissions that the user's roles grant.

    Django's permissions hold for every object the admin shows, and scoping decides which prefectures those are.
    So an account gets only what its roles grant in each of its prefectures: an officer in one prefecture who is
    an auditor in another reads both and changes neither. (Memberships refuse to set such accounts up.)
    """

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_role_perm_cache"):
            user_obj._role_perm_cache = _permissions_everywhere(user_obj.staff_role_sets)
        return super().get_all_permissions(user_obj) | user_obj._role_perm_cache


# django-axes' AccessAttempt.username column.
AXES_USERNAME_MAX_LENGTH = 255


def axes_username(request, credentials=None):
    """The name django-axes counts failures under: as typed, cut to what its table holds.

    Django's login forms do not bound the name's length: a longer one made PostgreSQL refuse axes'
    row, and the login page answered 500. No account has such a name, so cutting changes no lockout.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    name = credentials.get(field) if credentials else getattr(request, "data", request.POST).get(field)
    return name[:AXES_USERNAME_MAX_LENGTH] if isinstance(name, str) else name
