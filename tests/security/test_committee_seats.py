"""A seat on a users' committee opens the members' space, nothing more: it never widens what an account sees in
the admin, and it never brings an account that works elsewhere within reach of a prefecture's officers."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from committee.enums import MemberCategory
from committee.services import member_account_invite
from complaints.models import Case
from qualipref.enums import Role
from qualipref.models import User
from qualipref.services import membership_grant
from tests.committee.factories import CommitteeFactory, MemberFactory
from tests.complaints.factories import CaseFactory
from tests.qualipref.factories import MembershipFactory, ServiceFactory, coordinator, fresh, officer_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_immediately")]

NEW_PASSWORD = "Un-mot-de-passe-solide-974"


def test_a_national_account_cannot_be_given_a_seat(client, reunion):
    boss = coordinator()
    member = MemberFactory(committee=CommitteeFactory(prefecture=reunion), email=boss.email.upper())
    with pytest.raises(ValidationError, match="compte national"):
        member_account_invite(member=member)
    assert list(boss.memberships.values_list("role", flat=True)) == [Role.NATIONAL_COORDINATOR]


def test_an_officer_never_reaches_an_account_that_works_elsewhere(client, reunion, other):
    """Even with a committee seat here, the coordinator's or another prefecture's account stays out of reach."""
    officer = officer_of(reunion)
    boss = coordinator()
    neighbour = officer_of(other)
    for account in (boss, neighbour):
        membership_grant(user=account, role=Role.COMMITTEE_MEMBER, prefecture=reunion)  # as a data fix could
    member_only = member_account_invite(
        member=MemberFactory(committee=CommitteeFactory(prefecture=reunion), email="josiane@example.org")
    )
    client.force_login(officer)
    listed = client.get(reverse("admin:qualipref_user_changelist")).context["cl"].result_list
    assert boss not in listed and neighbour not in listed and member_only.user in listed
    for account in (boss, neighbour):
        assert client.get(reverse("admin:qualipref_user_change", args=[account.pk])).status_code in {302, 404}
        password_page = reverse("admin:auth_user_password_change", args=[account.pk])
        assert client.get(password_page).status_code == 404
        response = client.post(password_page, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        assert response.status_code == 404
        assert not fresh(account).check_password(NEW_PASSWORD)


def test_a_superuser_is_out_of_an_officers_reach(client, reunion):
    root = User.objects.create_superuser(email="root@example.org", password="x")
    MembershipFactory(user=root, prefecture=reunion, role=Role.QUALITY_OFFICER)
    client.force_login(officer_of(reunion))
    assert client.get(reverse("admin:auth_user_password_change", args=[root.pk])).status_code == 404


def test_a_service_agent_with_a_seat_still_sees_only_their_service(client, reunion):
    titles, driving = ServiceFactory(prefecture=reunion), ServiceFactory(prefecture=reunion)
    agent = MembershipFactory(prefecture=reunion, role=Role.SERVICE_AGENT, service=titles).user
    own, other = CaseFactory(prefecture=reunion, service=titles), CaseFactory(prefecture=reunion, service=driving)
    seat = MemberFactory(
        committee=CommitteeFactory(prefecture=reunion), email=agent.email, category=MemberCategory.PREFECTURE_STAFF
    )
    member_account_invite(member=seat)
    agent = fresh(agent)
    assert Role.COMMITTEE_MEMBER in agent.roles
    assert list(Case.objects.for_user(agent)) == [own]
    client.force_login(agent)
    assert client.get(reverse("admin:complaints_case_change", args=[other.pk])).status_code in {302, 404}


def test_an_officer_with_a_seat_elsewhere_does_not_see_that_prefectures_cases(client, reunion, other):
    officer = officer_of(other)
    theirs = CaseFactory(prefecture=reunion)
    member_account_invite(member=MemberFactory(committee=CommitteeFactory(prefecture=reunion), email=officer.email))
    officer = fresh(officer)
    assert officer.prefecture_ids == {other.pk}
    assert theirs not in Case.objects.for_user(officer)
    client.force_login(officer)
    assert client.get(reverse("admin:complaints_case_change", args=[theirs.pk])).status_code in {302, 404}
    response = client.post(reverse("admin:complaints_case_transition", args=[theirs.pk]), {"to": "acknowledged"})
    assert response.status_code in {302, 403, 404}
    theirs.refresh_from_db()
    assert theirs.status == "new"
