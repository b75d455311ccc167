"""Django's own grants (an account's and its groups') are read in one query, with the roles' grants beside them."""

import pytest
from django.contrib.auth.models import Group, Permission

from qualipref.models import User

from .factories import PrefectureFactory, fresh, officer_of

pytestmark = pytest.mark.django_db


def test_an_account_s_and_its_groups_grants_come_in_one_query(django_assert_num_queries):
    officer = officer_of(PrefectureFactory(reunion=True))
    direct = Permission.objects.get(codename="view_logentry")
    through_group = Permission.objects.get(codename="view_group")
    group = Group.objects.create(name="lecture du journal")
    group.permissions.add(through_group)
    officer.user_permissions.add(direct)
    officer.groups.add(group)

    fresh(officer).get_all_permissions()  # what the roles grant is read once per process
    officer = fresh(officer)
    assert officer.staff_role_sets  # the account's roles, read apart (their own query)
    with django_assert_num_queries(1):
        permissions = officer.get_all_permissions()
    assert {"admin.view_logentry", "auth.view_group"} <= permissions
    assert "complaints.change_case" in permissions  # the officer's role
    assert officer.has_perm("auth.view_group") and not officer.has_perm("auth.change_group")


def test_a_superuser_holds_every_permission():
    superuser = User.objects.create_superuser(email="root@example.org", password=None)
    assert len(superuser.get_all_permissions()) == Permission.objects.count()


def test_a_grant_is_seen_once_django_s_permission_cache_is_dropped():
    """The union of Django's grants and the roles' is kept on the account for the request, and made again when
    either cache is replaced (as Django's own cache is dropped after a grant)."""
    officer = officer_of(PrefectureFactory(reunion=True))
    assert officer.has_perm("complaints.change_case") and not officer.has_perm("auth.change_group")
    officer.user_permissions.add(Permission.objects.get(codename="change_group"))
    assert not officer.has_perm("auth.change_group")  # Django's cache, for the rest of the request
    del officer._perm_cache
    assert officer.has_perm("auth.change_group") and officer.has_perm("complaints.change_case")
    del officer._role_perm_cache
    assert officer.has_perm("auth.change_group") and officer.has_perm("complaints.change_case")
