"""An account's admin rights hold in every prefecture it works for. One that is an officer in one prefecture and an
auditor in another must not get the officer's rights in the second: it keeps only what all its roles share, and
memberships refuse to set such an account up."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from complaints.models import Case
from qualipref.enums import Role
from qualipref.models import Membership
from tests.complaints.factories import CaseFactory
from tests.qualipref.factories import MembershipFactory, ServiceFactory, UserFactory, coordinator, fresh, officer_of

pytestmark = pytest.mark.django_db


def test_an_officer_here_and_auditor_there_changes_nothing_anywhere(client, reunion, other):
    account = officer_of(reunion)
    MembershipFactory(user=account, prefecture=other, role=Role.AUDITOR)  # set up before the rule
    audited = CaseFactory(prefecture=other, subject="Sujet d'origine")
    account = fresh(account)
    assert account.has_perm("complaints.view_case") and account.has_perm("delays.view_deliveryimport")
    assert not account.has_perm("complaints.change_case") and not account.has_perm("complaints.delete_case")

    client.force_login(account)
    url = reverse("admin:complaints_case_change", args=[audited.pk])
    assert client.get(url).status_code == 200  # read, as an auditor does
    response = client.post(url, {"subject": "Réécrit"})
    assert response.status_code == 403
    assert Case.objects.get(pk=audited.pk).subject == "Sujet d'origine"
    delete = client.post(reverse("admin:complaints_case_delete", args=[audited.pk]), {"post": "yes"})
    assert delete.status_code == 403 and Case.objects.filter(pk=audited.pk).exists()


def test_the_same_roles_in_several_prefectures_keep_their_rights(reunion, other):
    account = officer_of(reunion)
    MembershipFactory(user=account, prefecture=other, role=Role.QUALITY_OFFICER)
    assert fresh(account).has_perm("complaints.change_case") and fresh(account).has_perm("complaints.delete_case")
    agent_and_officer = officer_of(reunion)  # two roles in one prefecture: what either grants
    MembershipFactory(
        user=agent_and_officer, prefecture=reunion, role=Role.SERVICE_AGENT, service=ServiceFactory(prefecture=reunion)
    )
    assert fresh(agent_and_officer).has_perm("complaints.delete_case")
    national = coordinator()
    MembershipFactory(user=national, prefecture=reunion, role=Role.AUDITOR)
    assert fresh(national).has_perm("delays.change_titletype")


def test_a_committee_seat_elsewhere_takes_no_right_away(reunion, other):
    account = officer_of(reunion)
    MembershipFactory(user=account, prefecture=other, role=Role.COMMITTEE_MEMBER)
    assert fresh(account).has_perm("complaints.change_case")


def test_a_different_staff_role_in_another_prefecture_is_refused(reunion, other):
    account = officer_of(reunion)
    membership = Membership(user=account, prefecture=other, role=Role.AUDITOR)
    with pytest.raises(ValidationError) as refused:
        membership.full_clean()
    message = refused.value.message_dict["role"][0]
    assert "Dans ses autres préfectures, ce compte est\u00a0: Responsable qualité (La Réunion)." in message
    Membership(user=account, prefecture=other, role=Role.QUALITY_OFFICER).full_clean()
    Membership(user=account, prefecture=other, role=Role.COMMITTEE_MEMBER).full_clean()


def test_the_coordinator_sees_the_refusal_in_the_admin(client, reunion, other):
    account = officer_of(reunion)
    client.force_login(coordinator())
    response = client.post(
        reverse("admin:qualipref_membership_add"),
        {"user": account.pk, "prefecture": other.pk, "role": Role.AUDITOR},
    )
    assert response.status_code == 200
    assert "les mêmes rôles dans chaque préfecture où il travaille" in response.content.decode()
    assert not Membership.objects.filter(user=account, prefecture=other).exists()


def user_page_data(account, lines, *, initial=0):
    """The account's change form in the admin, with ``lines`` of memberships ``(id or None, prefecture, role)``."""
    data = {
        "email": account.email,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "is_active": "on",
        "is_staff": "on",
        "memberships-TOTAL_FORMS": str(len(lines)),
        "memberships-INITIAL_FORMS": str(initial),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for n, (membership_id, prefecture, role) in enumerate(lines):
        data |= {
            f"memberships-{n}-id": membership_id or "",
            f"memberships-{n}-user": account.pk,
            f"memberships-{n}-prefecture": prefecture.pk,
            f"memberships-{n}-role": role,
            f"memberships-{n}-service": "",
        }
    return data


def test_two_new_lines_on_the_account_page_are_checked_together(client, reunion, other):
    account = UserFactory(is_staff=True)
    client.force_login(coordinator())
    url = reverse("admin:qualipref_user_change", args=[account.pk])
    lines = [(None, reunion, Role.QUALITY_OFFICER), (None, other, Role.AUDITOR)]
    response = client.post(url, user_page_data(account, lines))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ces rôles diffèrent d’une préfecture à l’autre\u00a0: Auditeur (Val-de-Marne), Responsable qualité" in html
    assert not Membership.objects.filter(user=account).exists()

    lines = [(None, reunion, Role.AUDITOR), (None, other, Role.AUDITOR)]
    assert client.post(url, user_page_data(account, lines)).status_code == 302
    assert fresh(account).staff_role_sets == {frozenset({Role.AUDITOR})}


def test_an_account_may_change_role_everywhere_at_once(client, reunion, other):
    account = officer_of(reunion)
    there = MembershipFactory(user=account, prefecture=other, role=Role.QUALITY_OFFICER)
    here = Membership.objects.get(user=account, prefecture=reunion)
    client.force_login(coordinator())
    lines = [(here.pk, reunion, Role.AUDITOR), (there.pk, other, Role.AUDITOR)]
    url = reverse("admin:qualipref_user_change", args=[account.pk])
    assert client.post(url, user_page_data(account, lines, initial=2)).status_code == 302
    assert fresh(account).staff_role_sets == {frozenset({Role.AUDITOR})}


def test_an_officer_learns_nothing_of_what_an_account_does_elsewhere(client, reunion, other):
    """A committee seat here, an auditor there: the account is out of the officer's reach, and no refusal names
    the other prefecture."""
    account = UserFactory(is_staff=True)
    MembershipFactory(user=account, prefecture=reunion, role=Role.COMMITTEE_MEMBER)
    MembershipFactory(user=account, prefecture=other, role=Role.AUDITOR)
    client.force_login(officer_of(reunion))
    response = client.post(
        reverse("admin:qualipref_membership_add"),
        {"user": account.pk, "prefecture": reunion.pk, "role": Role.QUALITY_OFFICER},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Val-de-Marne" not in html and "autres préfectures" not in html
    assert response.context["adminform"].form.errors["user"]  # not a choice: out of reach
    assert not Membership.objects.filter(user=account, role=Role.QUALITY_OFFICER).exists()
    seat = Membership.objects.get(user=account, prefecture=reunion)
    url = reverse("admin:qualipref_membership_change", args=[seat.pk])
    assert client.get(url).status_code == 200  # shown, read only
    response = client.post(url, {"user": account.pk, "prefecture": reunion.pk, "role": Role.QUALITY_OFFICER})
    assert response.status_code == 403 and "Val-de-Marne" not in response.content.decode()
    assert Membership.objects.get(pk=seat.pk).role == Role.COMMITTEE_MEMBER
