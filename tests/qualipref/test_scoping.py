"""An officer sees and changes only their prefectures' objects, by any admin URL; an officer of one prefecture never
has to pick it in an add form."""

import datetime
import re

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audits.models import Audit, Finding, LabelCycle, SelfAssessment
from committee.models import Comment, Committee, ImprovementAction, Meeting, Member, SuggestionOpinion, WorkingGroup
from complaints.models import AnswerTemplate, Case, Mailbox, RoutingRule, Topic
from delays.models import DeliveryImport, MonthPublication
from engagements.models import LocalEngagement, LocalTarget, ManualMeasure, MonthlyIndicator, SiteMonthlyIndicator
from evidence.models import Document
from measures.models import MeasureImport, MysteryVisit
from qualipref.admin import scope_field_name
from qualipref.enums import Role
from qualipref.mail import OutgoingEmail
from qualipref.models import Membership, Prefecture, Service, Site, User
from qualipref.scoping import check_works_for, is_scoped
from reports.models import AuditReport
from surveys.models import DistributionPoint, Survey
from tests.audits.factories import AuditFactory, FindingFactory, LabelCycleFactory, SelfAssessmentFactory
from tests.committee.factories import (
    CommentFactory,
    CommitteeFactory,
    ImprovementActionFactory,
    MeetingFactory,
    MemberFactory,
    SuggestionOpinionFactory,
    WorkingGroupFactory,
)
from tests.complaints.factories import (
    AnswerTemplateFactory,
    CaseFactory,
    MailboxFactory,
    RoutingRuleFactory,
    TopicFactory,
)
from tests.delays.factories import DeliveryImportFactory, MonthPublicationFactory
from tests.engagements.factories import (
    LocalEngagementFactory,
    LocalTargetFactory,
    ManualMeasureFactory,
    MonthlyIndicatorFactory,
    SiteMonthlyIndicatorFactory,
)
from tests.evidence.factories import document as evidence_document
from tests.measures.factories import MeasureImportFactory, MysteryVisitFactory
from tests.surveys.factories import DistributionPointFactory, SurveyFactory

from .factories import MembershipFactory, PrefectureFactory, ServiceFactory, SiteFactory, coordinator, officer_of

# One way to build an object of a given prefecture, for every scoped model in the admin.
# A later app registering a scoped model adds its factory here (the test below insists).
SCOPED_OBJECT_FACTORIES = {
    Prefecture: lambda prefecture: prefecture,
    Site: lambda prefecture: SiteFactory(prefecture=prefecture),
    Service: lambda prefecture: ServiceFactory(prefecture=prefecture),
    Membership: lambda prefecture: MembershipFactory(prefecture=prefecture),
    User: lambda prefecture: officer_of(prefecture),
    DeliveryImport: lambda prefecture: DeliveryImportFactory(prefecture=prefecture),
    MonthPublication: lambda prefecture: MonthPublicationFactory(prefecture=prefecture),
    Case: lambda prefecture: CaseFactory(prefecture=prefecture),
    AnswerTemplate: lambda prefecture: AnswerTemplateFactory(prefecture=prefecture),
    RoutingRule: lambda prefecture: RoutingRuleFactory(prefecture=prefecture),
    Topic: lambda prefecture: TopicFactory(prefecture=prefecture),
    Mailbox: lambda prefecture: MailboxFactory(prefecture=prefecture),
    Committee: lambda prefecture: CommitteeFactory(prefecture=prefecture),
    Member: lambda prefecture: MemberFactory(committee__prefecture=prefecture),
    WorkingGroup: lambda prefecture: WorkingGroupFactory(committee__prefecture=prefecture),
    Meeting: lambda prefecture: MeetingFactory(committee__prefecture=prefecture),
    Comment: lambda prefecture: CommentFactory(agenda_item__meeting__committee__prefecture=prefecture),
    SuggestionOpinion: lambda prefecture: SuggestionOpinionFactory(committee__prefecture=prefecture),
    ImprovementAction: lambda prefecture: ImprovementActionFactory(prefecture=prefecture),
    Survey: lambda prefecture: SurveyFactory(prefecture=prefecture),
    DistributionPoint: lambda prefecture: DistributionPointFactory(survey__prefecture=prefecture),
    ManualMeasure: lambda prefecture: ManualMeasureFactory(prefecture=prefecture),
    MonthlyIndicator: lambda prefecture: MonthlyIndicatorFactory(prefecture=prefecture),
    SiteMonthlyIndicator: lambda prefecture: SiteMonthlyIndicatorFactory(prefecture=prefecture),
    LocalEngagement: lambda prefecture: LocalEngagementFactory(prefecture=prefecture),
    LocalTarget: lambda prefecture: LocalTargetFactory(prefecture=prefecture),
    MeasureImport: lambda prefecture: MeasureImportFactory(prefecture=prefecture),
    MysteryVisit: lambda prefecture: MysteryVisitFactory(prefecture=prefecture),
    OutgoingEmail: lambda prefecture: OutgoingEmail.objects.create(
        prefecture=prefecture, purpose="acknowledgement", to="marie@example.org", subject=f"{prefecture.pk}-2026-1"
    ),
    LabelCycle: lambda prefecture: LabelCycleFactory(prefecture=prefecture),
    Audit: lambda prefecture: AuditFactory(cycle__prefecture=prefecture),
    Finding: lambda prefecture: FindingFactory(audit__cycle__prefecture=prefecture),
    SelfAssessment: lambda prefecture: SelfAssessmentFactory(prefecture=prefecture),
    Document: lambda prefecture: evidence_document(prefecture),
    AuditReport: lambda prefecture: AuditReport.objects.create(
        prefecture=prefecture, period_kind="month", period_start=datetime.date(2026, 1, 1), version=1
    ),
}


def scoped_admin_models():
    return [model for model in admin.site._registry if is_scoped(model)]


def admin_url(obj, view, *args):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


@pytest.fixture
def reunion():
    return PrefectureFactory(reunion=True)


@pytest.fixture
def other():
    return PrefectureFactory(department_code="94", name="Val-de-Marne", slug="val-de-marne")


@pytest.fixture
def officer_client(client, reunion):
    client.force_login(officer_of(reunion))
    return client


def test_every_scoped_admin_model_has_an_isolation_factory():
    missing = {model.__name__ for model in scoped_admin_models()} - {m.__name__ for m in SCOPED_OBJECT_FACTORIES}
    assert not missing, f"add a factory to SCOPED_OBJECT_FACTORIES for {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(SCOPED_OBJECT_FACTORIES), ids=lambda m: m.__name__)
def test_officer_lists_only_own_prefecture_objects(officer_client, reunion, other, model):
    own = SCOPED_OBJECT_FACTORIES[model](reunion)
    foreign = SCOPED_OBJECT_FACTORIES[model](other)
    response = officer_client.get(admin_url(own, "changelist"))
    assert response.status_code == 200
    listed = set(response.context["cl"].result_list.values_list("pk", flat=True))
    assert own.pk in listed
    assert foreign.pk not in listed


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(SCOPED_OBJECT_FACTORIES), ids=lambda m: m.__name__)
@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_officer_cannot_open_another_prefecture_object(officer_client, reunion, other, model, view):
    own = SCOPED_OBJECT_FACTORIES[model](reunion)
    foreign = SCOPED_OBJECT_FACTORIES[model](other)
    assert officer_client.get(admin_url(own, view, own.pk)).status_code in {200, 403}
    response = officer_client.get(admin_url(foreign, view, foreign.pk), follow=True)
    assert response.status_code in {403, 404} or response.redirect_chain[-1][0] == reverse("admin:index")
    assert str(foreign) not in response.content.decode().replace(str(own), "")


@pytest.mark.django_db
def test_officer_cannot_change_another_prefecture_site_by_post(officer_client, reunion, other):
    foreign = SiteFactory(prefecture=other, name="Sous-préfecture de Nogent")
    officer_client.post(
        admin_url(foreign, "change", foreign.pk),
        {"prefecture": other.pk, "kind": "prefecture", "name": "Piraté", "is_active": "on"},
    )
    foreign.refresh_from_db()
    assert foreign.name == "Sous-préfecture de Nogent"


@pytest.mark.django_db
def test_officer_cannot_create_a_site_in_another_prefecture(officer_client, reunion, other):
    response = officer_client.post(
        reverse("admin:qualipref_site_add"), {"prefecture": other.pk, "kind": "prefecture", "name": "Intrus"}
    )
    assert response.status_code == 200  # the form comes back with an error
    assert "prefecture" in response.context["adminform"].form.errors
    assert not Site.objects.filter(name="Intrus").exists()


@pytest.mark.django_db
def test_foreign_key_choices_offer_only_own_prefecture(officer_client, reunion, other):
    ServiceFactory(prefecture=reunion, name="Titres de séjour 974")
    ServiceFactory(prefecture=other, name="Titres de séjour 94")
    response = officer_client.get(reverse("admin:qualipref_membership_add"))
    form = response.context["adminform"].form
    assert list(form.fields["prefecture"].queryset) == [reunion]
    assert [s.name for s in form.fields["service"].queryset] == ["Titres de séjour 974"]


@pytest.mark.django_db
def test_list_filter_offers_only_own_prefecture_sites(officer_client, reunion, other):
    SiteFactory(prefecture=reunion)
    SiteFactory(prefecture=other)
    response = officer_client.get(reverse("admin:qualipref_site_changelist"))
    assert "Val-de-Marne" not in response.content.decode()


@pytest.mark.django_db
def test_user_autocomplete_returns_only_own_prefecture_users(officer_client, reunion, other):
    colleague = officer_of(reunion, last_name="Payet")
    stranger = officer_of(other, last_name="Payetou")
    response = officer_client.get(
        reverse("admin:autocomplete"),
        {"term": "Payet", "app_label": "qualipref", "model_name": "membership", "field_name": "user"},
    )
    ids = {int(result["id"]) for result in response.json()["results"]}
    assert colleague.pk in ids
    assert stranger.pk not in ids


@pytest.mark.django_db
def test_officer_cannot_grant_the_national_coordinator_role(officer_client, reunion):
    response = officer_client.get(reverse("admin:qualipref_membership_add"))
    roles = [value for value, _label in response.context["adminform"].form.fields["role"].choices]
    assert Role.NATIONAL_COORDINATOR not in roles
    assert Role.SERVICE_AGENT in roles


@pytest.mark.django_db
def test_officer_cannot_change_the_label_of_their_prefecture(officer_client, reunion):
    response = officer_client.get(reverse("admin:qualipref_prefecture_change", args=[reunion.pk]))
    form = response.context["adminform"].form
    assert "label" not in form.fields
    assert "contact_email" in form.fields


@pytest.mark.django_db
def test_national_coordinator_sees_every_prefecture(client, reunion, other):
    client.force_login(coordinator())
    response = client.get(reverse("admin:qualipref_prefecture_changelist"))
    assert set(response.context["cl"].result_list) == {reunion, other}


@pytest.mark.django_db
def test_for_user_is_empty_for_a_user_without_membership(reunion):
    SiteFactory(prefecture=reunion)
    stranger = User.objects.create_user(email="nobody@example.org", password="x")
    assert not Site.objects.for_user(stranger).exists()


@pytest.mark.django_db
def test_committee_member_cannot_use_the_admin(client, reunion):
    member = MembershipFactory(prefecture=reunion, role=Role.COMMITTEE_MEMBER, user__is_staff=False).user
    client.force_login(member)
    response = client.get(reverse("admin:qualipref_site_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.django_db
def test_auditor_may_view_but_not_change(client, reunion):
    auditor = MembershipFactory(prefecture=reunion, role=Role.AUDITOR).user
    site = SiteFactory(prefecture=reunion)
    client.force_login(auditor)
    assert client.get(reverse("admin:qualipref_site_changelist")).status_code == 200
    assert client.get(reverse("admin:qualipref_site_add")).status_code == 403
    client.post(reverse("admin:qualipref_site_change", args=[site.pk]), {"name": "Changé"})
    site.refresh_from_db()
    assert site.name != "Changé"


# --- an officer of one prefecture never has to pick it ------------------------------------------------------

# Scoped models whose admin offers no "add" to an officer (figures computed, comments written by members, the
# outbox, findings: the auditor's, mailboxes: the national coordinator's).
NO_ADD_VIEW = {
    "MonthPublication",
    "MonthlyIndicator",
    "SiteMonthlyIndicator",
    "Comment",
    "OutgoingEmail",
    "Finding",
    "Mailbox",
}
# Scoped models whose add form takes the prefecture from another choice (an opinion: its suggestion’s committee;
# an audit: its label cycle).
PLACED_OTHERWISE = {"SuggestionOpinion", "Audit"}


def models_placed_by_a_field():
    """Every scoped admin model whose add form places the object in a prefecture through one field."""
    return [model for model in scoped_admin_models() if scope_field_name(model)]


def select_options(html, name):
    """``(value, selected)`` of each option of the page's ``<select name=…>``, None without one."""
    found = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    if found is None:
        return None
    return [
        (value, " selected" in attributes)
        for attributes, value in re.findall(r'<option((?:[^>]*?)value="([^"]*)"[^>]*)>', found.group(1))
    ]


def placing_objects(prefecture):
    """What the placing field of each model points at in ``prefecture``: itself, its committee, its one survey."""
    return {
        "prefecture": prefecture,
        "committee": CommitteeFactory(prefecture=prefecture),
        "survey": SurveyFactory(prefecture=prefecture),
    }


def test_the_placing_field_is_found_for_the_main_admin_forms():
    names = {model.__name__: scope_field_name(model) for model in models_placed_by_a_field()}
    assert {
        "Case": "prefecture",
        "Survey": "prefecture",
        "Meeting": "committee",
        "ImprovementAction": "prefecture",
        "DeliveryImport": "prefecture",
        "AnswerTemplate": "prefecture",
        "AuditReport": "prefecture",
        "ManualMeasure": "prefecture",
        "Site": "prefecture",
    }.items() <= names.items()


@pytest.mark.django_db
@pytest.mark.parametrize("model", models_placed_by_a_field(), ids=lambda m: m.__name__)
def test_a_one_prefecture_officer_finds_it_preselected(client, reunion, other, model):
    mine = placing_objects(reunion)
    placing_objects(other)
    client.force_login(officer_of(reunion))
    response = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add"))
    if response.status_code == 403:
        assert model.__name__ in NO_ADD_VIEW
        return
    assert response.status_code == 200
    name = scope_field_name(model)
    options = select_options(response.content.decode(), name)
    if options is None:
        assert model.__name__ in PLACED_OTHERWISE
        return
    assert [value for value, selected in options if selected] == [str(mine[name].pk)]


@pytest.mark.django_db
@pytest.mark.parametrize("model", models_placed_by_a_field(), ids=lambda m: m.__name__)
def test_an_officer_of_two_prefectures_still_picks(client, reunion, other, model):
    placing_objects(reunion)
    placing_objects(other)
    officer = officer_of(reunion)
    MembershipFactory(user=officer, prefecture=other, role=Role.QUALITY_OFFICER)
    client.force_login(officer)
    response = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add"))
    if response.status_code == 403:
        assert model.__name__ in NO_ADD_VIEW
        return
    options = select_options(response.content.decode(), scope_field_name(model))
    if options is None:
        assert model.__name__ in PLACED_OTHERWISE
        return
    assert [value for value, selected in options if selected and value] == []
    assert len([value for value, _selected in options if value]) == 2


@pytest.mark.django_db
def test_the_only_prefecture_is_the_only_choice_and_another_is_still_refused(client, reunion, other):
    client.force_login(officer_of(reunion))
    url = reverse("admin:complaints_answertemplate_add")
    assert select_options(client.get(url).content.decode(), "prefecture") == [(str(reunion.pk), True)]
    response = client.post(url, {"prefecture": other.pk, "title": "Intrus", "body": "Bonjour {nom}", "kind": ""})
    assert response.status_code == 200 and "prefecture" in response.context["adminform"].form.errors


@pytest.mark.django_db
def test_a_service_writes_only_for_the_prefectures_its_caller_works_for(reunion, other):
    """``check_works_for``: the one check the services of every app make on what they write."""
    check_works_for(officer_of(reunion), reunion.pk)
    check_works_for(None, other.pk)  # the portal itself: the demo data, a task
    with pytest.raises(PermissionDenied, match="pas affecté à cette préfecture|do not work for"):
        check_works_for(officer_of(reunion), other.pk)
