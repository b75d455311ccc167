from functools import lru_cache

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q, Sum

from .models import login_identity
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
        if not hasattr(user_obj, "_perm_cache"):
            # Django's own grants (the account's and its groups'), in one query where ModelBackend makes two.
            granted = Permission.objects.all()  # a superuser's, as ModelBackend gives them
            if not user_obj.is_superuser:
                granted = granted.filter(Q(user=user_obj) | Q(group__user=user_obj))
            pairs = granted.order_by().values_list("content_type__app_label", "codename").distinct()
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in pairs}
        # The union, made once per pair of grants: the admin asks for some two hundred permissions on every page
        # (its menu), and a union per question cost more than the rest of each question. Made again if either
        # cache is replaced (as tests do, deleting them after a grant).
        own, roles = super().get_all_permissions(user_obj), user_obj._role_perm_cache
        cached = getattr(user_obj, "_all_perm_cache", None)
        if cached is None or cached[0] is not own or cached[1] is not roles:
            cached = user_obj._all_perm_cache = (own, roles, frozenset(own | roles))
        return cached[2]


# django-axes' AccessAttempt.username column.
AXES_USERNAME_MAX_LENGTH = 255


def axes_username(request, credentials=None):
    """The name django-axes counts failures under: the identity the login looks the account up by.

    ``login_identity``, as ``User.objects.get_by_natural_key`` (the backend's lookup) applies it: however an
    address is typed (case, blanks around it, full-width letters), every spelling that can log into an account
    is counted as that account, on ``/admin/`` and ``/comite/connexion/`` alike.

    Cut to what axes' table holds: Django's login forms do not bound the name's length, and a longer one made
    PostgreSQL refuse axes' row (the login page answered 500). No account has such a name, so cutting changes
    no lockout.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    name = credentials.get(field) if credentials else getattr(request, "data", request.POST).get(field)
    name = login_identity(name)
    return name[:AXES_USERNAME_MAX_LENGTH] if isinstance(name, str) else name


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler, plus a limit per connection across the addresses it tries.

    Axes counts the failures of one identity from one address (``AXES_LOCKOUT_PARAMETERS``) against
    ``AXES_FAILURE_LIMIT``. A connection that tries one or two passwords on each of many addresses never meets
    that limit, so the failures of every identity from the address within the cool-off are added up too, and past
    ``AXES_IP_FAILURE_LIMIT`` every login from it is refused with the same lockout page, until they are an hour
    old. A successful login still wipes only its own identity's failures from that address (axes' reset, kept): an
    account of one's own cannot be used to wipe the count against another's.
    """

    def get_failures(self, request, credentials=None):
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        if failures < limit and self.connection_failures(request) >= settings.AXES_IP_FAILURE_LIMIT:
            return limit
        return failures

    @staticmethod
    def connection_failures(request):
        """Failed logins from the request's address within the cool-off, whatever the identity tried."""
        attempts = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
        )
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
