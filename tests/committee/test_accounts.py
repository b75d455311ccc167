"""Members' accounts: invitation e-mail, single-use and expiring password links, login to the members' space."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from committee.services import member_account_invite
from qualipref.enums import Role
from qualipref.models import User
from tests.qualipref.factories import officer_of

from .factories import MemberFactory, member_with_account

pytestmark = pytest.mark.usefixtures("on_commit_immediately")

NEW_PASSWORD = "Un-mot-de-passe-solide-974"


def link_in(message):
    return re.search(r"http://127\.0\.0\.1:8000(/comite/mot-de-passe/[^/\s]+/[^/\s]+/)", message.body).group(1)


def set_password(client, link, password=NEW_PASSWORD):
    """Open the link and press its button as a member does (Django moves the token into the session), then post
    the form."""
    response = client.get(link)
    if not response.context.get("confirm"):
        return response
    response = client.post(link, follow=True)
    if not response.context.get("validlink"):
        return response
    return client.post(
        response.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}, follow=True
    )


def test_inviting_a_member_creates_a_non_staff_account_and_emails_a_link(committee):
    member = MemberFactory(committee=committee, email="Josiane.Techer@Example.org", first_name="Josiane")
    member_account_invite(member=member)
    member.refresh_from_db()
    user = member.user
    assert user.email == "josiane.techer@example.org"
    assert not user.has_usable_password() and not user.is_staff
    assert user.roles_in(committee.prefecture) == {Role.COMMITTEE_MEMBER}
    assert member.account_invited_at is not None
    (message,) = mail.outbox
    assert message.to == ["josiane.techer@example.org"]
    assert link_in(message)


def test_the_link_sets_the_password_logs_in_and_works_only_once(client, committee):
    member = MemberFactory(committee=committee)
    member_account_invite(member=member)
    link = link_in(mail.outbox[0])

    response = set_password(client, link)
    assert response.redirect_chain[-1][0] == reverse("committee:space")
    assert response.status_code == 200 and response.context["user"].email == member.email
    assert User.objects.get(email=member.email).check_password(NEW_PASSWORD)

    client.logout()
    again = set_password(client, link, password="Un-autre-mot-de-passe-974")
    assert again.context["validlink"] is False
    assert User.objects.get(email=member.email).check_password(NEW_PASSWORD)


def test_the_link_expires_after_seven_days(client, committee):
    member = MemberFactory(committee=committee)
    with time_machine.travel(datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.UTC), tick=False):
        member_account_invite(member=member)
    link = link_in(mail.outbox[0])
    with time_machine.travel(datetime.datetime(2026, 3, 8, 7, 0, tzinfo=datetime.UTC), tick=False):
        assert client.get(link, follow=True).context["validlink"] is True
    with time_machine.travel(datetime.datetime(2026, 3, 8, 9, 0, tzinfo=datetime.UTC), tick=False):
        response = set_password(client, link)
        assert response.context["validlink"] is False
    assert not User.objects.get(email=member.email).has_usable_password()


def test_a_password_reset_token_of_the_admin_does_not_open_the_committee_link(client, committee):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    member = member_with_account(committee)
    uid = urlsafe_base64_encode(force_bytes(member.user.pk))
    token = default_token_generator.make_token(member.user)
    response = client.get(reverse("committee:password_set", args=[uid, token]), follow=True)
    assert response.context["validlink"] is False


def test_a_member_without_address_or_inactive_cannot_be_invited(committee, english):
    with pytest.raises(ValidationError, match="no e-mail"):
        member_account_invite(member=MemberFactory(committee=committee, email=""))
    with pytest.raises(ValidationError, match="no longer"):
        member_account_invite(member=MemberFactory(committee=committee, is_active=False))
    assert not mail.outbox


def test_members_log_in_at_their_own_page_and_land_in_their_space(client, committee):
    member = member_with_account(committee)
    page = client.get(reverse("committee:login"))
    assert page.status_code == 200 and 'autocomplete="email"' in page.content.decode()
    response = client.post(
        reverse("committee:login"), {"username": member.email.upper(), "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("committee:space")
    assert client.get(reverse("committee:space")).status_code == 200


def test_the_members_space_requires_login(client, committee):
    response = client.get(reverse("committee:space"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("committee:login"))


def test_an_officer_without_a_seat_is_told_so(client, committee):
    client.force_login(officer_of(committee.prefecture))
    response = client.get(reverse("committee:space"))
    assert response.status_code == 403


def test_a_member_whose_term_ended_loses_access(client, committee):
    member = member_with_account(committee, term_end=datetime.date(2025, 1, 1))
    client.force_login(member.user)
    assert client.get(reverse("committee:space")).status_code == 403


def test_a_term_starts_at_midnight_in_the_committees_prefecture(committee):
    """At 23:30 in Paris on 31 December it is already New Year's Day in La Réunion."""
    from committee.models import Member
    from tests.qualipref.factories import PrefectureFactory

    from .factories import CommitteeFactory

    paris = CommitteeFactory(prefecture=PrefectureFactory(department_code="75", name="Paris", slug="paris"))
    new_year = datetime.date(2027, 1, 1)
    in_reunion = MemberFactory(committee=committee, term_start=new_year)
    in_paris = MemberFactory(committee=paris, term_start=new_year)
    with time_machine.travel(datetime.datetime(2026, 12, 31, 22, 30, tzinfo=datetime.UTC), tick=False):
        assert set(Member.objects.sitting().filter(term_start=new_year)) == {in_reunion}
    assert in_paris in Member.objects.sitting(on=new_year)


def test_forgotten_password_sends_a_link_to_members_only(client, committee):
    member = member_with_account(committee)
    officer_of(committee.prefecture, email="agent@example.org")
    for address in (member.email, "agent@example.org", "inconnu@example.org"):
        response = client.post(reverse("committee:password_forgotten"), {"email": address})
        assert response.status_code == 200 and response.context["sent"] is True  # says the same either way
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert set_password(client, link_in(mail.outbox[0])).redirect_chain[-1][0] == reverse("committee:space")


def test_forgotten_password_past_the_limit_keeps_the_address_and_counts_only_links_asked(
    client, committee, monkeypatch
):
    from committee.views import accounts

    monkeypatch.setattr(accounts, "LINK_RATE", "1/h")
    url = reverse("committee:password_forgotten")
    for _ in range(3):  # an address typed wrong is not a link asked for
        assert client.post(url, {"email": "pas-une-adresse"}).context["sent"] is False
    assert client.post(url, {"email": "inconnu@example.org"}).context["sent"] is True
    response = client.post(url, {"email": "membre@example.org"})
    assert response.status_code == 429
    html = response.content.decode()
    assert 'value="membre@example.org"' in html and "Votre demande n’a pas encore été envoyée" in html
