import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from qualipref.enums import Label, Role
from qualipref.models import Membership, Prefecture
from qualipref.services import membership_grant, prefecture_refresh_next_audit

from .factories import PrefectureFactory, ServiceFactory, UserFactory

D = datetime.date


@pytest.mark.parametrize(
    ("label", "awarded", "today", "expected"),
    [
        (Label.QUALIPREF, D(2012, 7, 1), D(2026, 11, 26), D(2027, 7, 1)),
        (Label.QUALIPREF, D(2012, 7, 1), D(2026, 3, 1), D(2026, 7, 1)),
        (Label.QUALIPREF, D(2026, 2, 1), D(2026, 3, 1), D(2027, 2, 1)),
        (Label.MARIANNE, D(2025, 3, 10), D(2026, 1, 1), D(2026, 9, 10)),  # follow-up at 18 months
        (Label.MARIANNE, D(2025, 3, 10), D(2026, 11, 26), D(2028, 3, 10)),  # renewal at three years
        (Label.MARIANNE, D(2020, 3, 10), D(2026, 11, 26), D(2023, 3, 10)),  # expired: overdue renewal
    ],
)
def test_scheduled_next_audit_follows_from_the_label(label, awarded, today, expected):
    prefecture = Prefecture(label=label, label_awarded_on=awarded)
    assert prefecture.scheduled_next_audit(today) == expected


def test_no_label_means_no_audit():
    assert Prefecture(label=Label.NONE).scheduled_next_audit(D(2026, 1, 1)) is None


@pytest.mark.django_db
def test_refresh_next_audit_stores_the_date_and_is_idempotent():
    prefecture = PrefectureFactory(label=Label.QUALIPREF, label_awarded_on=D(2012, 7, 1), next_audit_on=None)
    assert prefecture_refresh_next_audit(prefecture_id=prefecture.pk, today=D(2026, 11, 26)) == D(2027, 7, 1)
    assert prefecture_refresh_next_audit(prefecture_id=prefecture.pk, today=D(2026, 11, 26)) == D(2027, 7, 1)
    prefecture.refresh_from_db()
    assert prefecture.next_audit_on == D(2027, 7, 1)
    assert prefecture.history.count() == 2  # created, then one change: the second run wrote nothing


@pytest.mark.django_db
def test_reserved_slug_is_refused():
    prefecture = PrefectureFactory.build(slug="admin")
    with pytest.raises(ValidationError) as error:
        prefecture.full_clean()
    assert "slug" in error.value.message_dict


@pytest.mark.django_db
def test_labelled_prefecture_needs_an_award_date():
    with pytest.raises(IntegrityError):
        PrefectureFactory(label=Label.MARIANNE, label_awarded_on=None)


@pytest.mark.django_db
def test_reunion_today_follows_its_time_zone(time_machine):
    # 22:30 in Paris on 31 December is already 1 January in La Réunion (UTC+4).
    time_machine.move_to(datetime.datetime(2026, 12, 31, 21, 30, tzinfo=datetime.UTC))
    reunion = PrefectureFactory(reunion=True)
    assert reunion.today() == D(2027, 1, 1)


@pytest.mark.django_db
def test_service_agent_membership_needs_a_service():
    prefecture = PrefectureFactory()
    with pytest.raises(IntegrityError):
        Membership.objects.create(user=UserFactory(), prefecture=prefecture, role=Role.SERVICE_AGENT)


@pytest.mark.django_db
def test_national_coordinator_membership_has_no_prefecture():
    with pytest.raises(IntegrityError):
        Membership.objects.create(user=UserFactory(), prefecture=PrefectureFactory(), role=Role.NATIONAL_COORDINATOR)


@pytest.mark.django_db
def test_service_of_another_prefecture_is_refused():
    prefecture, other = PrefectureFactory(), PrefectureFactory()
    membership = Membership(
        user=UserFactory(), prefecture=prefecture, role=Role.SERVICE_AGENT, service=ServiceFactory(prefecture=other)
    )
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert "service" in error.value.message_dict


@pytest.mark.django_db
def test_membership_grant_is_idempotent_and_opens_the_admin():
    user, prefecture = UserFactory(is_staff=False), PrefectureFactory()
    membership_grant(user=user, role=Role.QUALITY_OFFICER, prefecture=prefecture)
    membership_grant(user=user, role=Role.QUALITY_OFFICER, prefecture=prefecture)
    user.refresh_from_db()
    assert user.is_staff
    assert user.memberships.count() == 1


@pytest.mark.django_db
def test_committee_member_gets_no_admin_access():
    user = UserFactory(is_staff=False)
    membership_grant(user=user, role=Role.COMMITTEE_MEMBER, prefecture=PrefectureFactory())
    user.refresh_from_db()
    assert not user.is_staff


@pytest.mark.django_db
def test_users_log_in_with_their_email_case_insensitively(rf):
    from django.contrib.auth import authenticate

    from qualipref.models import User

    User.objects.create_user(email="Nadia.Payet@Example.org", password="a-long-password-1")
    request = rf.post("/admin/login/")
    assert authenticate(request, email="NADIA.payet@example.org", password="a-long-password-1") is not None


@pytest.mark.django_db
def test_role_permissions():
    prefecture = PrefectureFactory()
    officer = UserFactory()
    membership_grant(user=officer, role=Role.QUALITY_OFFICER, prefecture=prefecture)
    agent = UserFactory()
    membership_grant(
        user=agent, role=Role.SERVICE_AGENT, prefecture=prefecture, service=ServiceFactory(prefecture=prefecture)
    )
    auditor = UserFactory()
    membership_grant(user=auditor, role=Role.AUDITOR, prefecture=prefecture)
    assert officer.has_perm("qualipref.change_site")
    assert not officer.has_perm("qualipref.add_prefecture")
    assert agent.has_perm("qualipref.view_service") and not agent.has_perm("qualipref.change_service")
    assert auditor.has_perm("qualipref.view_site") and not auditor.has_perm("qualipref.change_site")


def _first_segments(patterns, prefix=""):
    """The literal first segment of every public address (``reclamations`` of ``reclamations/lien-perdu/``)."""
    from django.urls import URLPattern, URLResolver

    for pattern in patterns:
        route = prefix + str(pattern.pattern).lstrip("^")
        if isinstance(pattern, URLResolver) and not route:
            yield from _first_segments(pattern.url_patterns)
        elif isinstance(pattern, URLPattern | URLResolver) and route:
            segment = route.split("/", 1)[0]
            if segment and not segment.startswith(("<", "(")) and "\\" not in segment:
                yield segment.rstrip("$")


def test_every_first_segment_of_the_portals_addresses_is_a_reserved_slug():
    from django.urls import get_resolver

    from qualipref.models import RESERVED_SLUGS

    segments = {segment for segment in _first_segments(get_resolver().url_patterns) if "." not in segment}
    assert segments - RESERVED_SLUGS == set(), "a prefecture with such a slug would lose its pages"
