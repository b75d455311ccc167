"""Topics are each prefecture's own list, which its officers edit: eight defaults for every prefecture, French and
English wordings, an order, archived rather than deleted once cases use them; the form, Open311, the filters and
the export follow at once."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from complaints.enums import DefaultTopic
from complaints.models import Topic
from complaints.topics import topic_for, topic_save
from qualipref.enums import Role
from tests.qualipref.factories import MembershipFactory, PrefectureFactory, ServiceFactory, officer_of

from .factories import CaseFactory, TopicFactory, topic_of
from .test_public import FORM_URL, form_data

pytestmark = pytest.mark.usefixtures("on_commit_immediately")


def topic_change_url(topic):
    return reverse("admin:complaints_topic_change", args=[topic.pk])


def test_every_new_prefecture_gets_the_eight_default_topics_in_order(db):
    gironde = PrefectureFactory(department_code="33", slug="gironde")
    topics = list(gironde.topics.order_by("position"))
    assert [topic.code for topic in topics] == list(DefaultTopic.values)
    assert (topics[0].name, topics[0].name_en) == ("Accueil au guichet", "Reception at the counter")
    assert not any(topic.is_archived for topic in topics)


def test_an_officer_adds_renames_and_archives_topics_and_the_form_follows_at_once(client, reunion):
    officer = officer_of(reunion)
    assert "Accueil au guichet" in client.get(FORM_URL).content.decode()  # the page's shell is stored now
    client.force_login(officer)
    added = client.post(
        reverse("admin:complaints_topic_add"),
        {
            "prefecture": reunion.pk,
            "name": "Accessibilité des locaux",
            "name_en": "Accessibility of the premises",
            "code": "accessibilite",
            "position": 9,
        },
    )
    assert added.status_code == 302, added.content.decode()[:3000]
    counter = topic_of(reunion, "counter")
    renamed = client.post(
        topic_change_url(counter),
        {"prefecture": reunion.pk, "name": "Accueil physique", "name_en": "", "code": "counter", "position": 1},
    )
    assert renamed.status_code == 302
    phone = topic_of(reunion, "phone")
    client.post(
        topic_change_url(phone),
        {
            "prefecture": reunion.pk,
            "name": phone.name,
            "name_en": phone.name_en,
            "code": "phone",
            "position": phone.position,
            "is_archived": "on",
        },
    )
    client.logout()

    html = client.get(FORM_URL).content.decode()
    assert '<option value="accessibilite">Accessibilité des locaux</option>' in html
    assert '<option value="counter">Accueil physique</option>' in html and "Accueil au guichet" not in html
    assert 'value="phone"' not in html
    assert html.index("Accueil physique") < html.index("Courrier") < html.index("Accessibilité des locaux")
    english = client.get(f"/en{FORM_URL}").content.decode()
    assert "Accessibility of the premises" in english and "Accueil physique" in english  # no English: the French

    # The citizen files about the new topic; an archived one is refused.
    assert client.post(FORM_URL, form_data(reunion, topic="accessibilite")).status_code == 302
    assert reunion.cases.get().topic.name == "Accessibilité des locaux"
    refused = client.post(FORM_URL, form_data(reunion, topic="phone"))
    assert refused.status_code == 200 and reunion.cases.count() == 1


def test_open311_services_are_the_prefectures_current_topics(client, reunion):
    TopicFactory(prefecture=reunion, code="accessibilite", name="Accessibilité", name_en="Accessibility")
    phone = topic_of(reunion, "phone")
    phone.is_archived = True
    phone.save()
    services = client.get("/api/open311/v2/services.json", {"jurisdiction_id": "974"}).json()
    codes = [service["service_code"] for service in services]
    assert "accessibilite" in codes and "phone" not in codes and len(codes) == 8
    assert next(s for s in services if s["service_code"] == "accessibilite")["service_name"] == "Accessibilité"
    english = client.get("/en/api/open311/v2/services.json", {"jurisdiction_id": "974"}).json()
    assert next(s for s in english if s["service_code"] == "accessibilite")["service_name"] == "Accessibility"
    assert client.get("/api/open311/v2/services/phone.json", {"jurisdiction_id": "974"}).status_code == 404
    assert client.get("/api/open311/v2/services/accessibilite.json", {"jurisdiction_id": "974"}).status_code == 200
    # Another prefecture's own topic is not this one's.
    gironde = PrefectureFactory(department_code="33", slug="gironde")
    assert client.get("/api/open311/v2/services/accessibilite.json", {"jurisdiction_id": "33"}).status_code == 404
    assert len(client.get("/api/open311/v2/services.json", {"jurisdiction_id": "33"}).json()) == 8
    assert gironde.topics.count() == 8


def test_a_topic_cases_use_is_archived_not_deleted(client, reunion):
    officer = officer_of(reunion)
    used = topic_of(reunion, "mail")
    CaseFactory(prefecture=reunion, topic="mail")
    unused = TopicFactory(prefecture=reunion)
    client.force_login(officer)
    assert client.get(reverse("admin:complaints_topic_delete", args=[used.pk])).status_code == 403
    assert client.post(reverse("admin:complaints_topic_delete", args=[unused.pk]), {"post": "yes"}).status_code == 302
    assert not Topic.objects.filter(pk=unused.pk).exists() and Topic.objects.filter(pk=used.pk).exists()
    listing = client.get(reverse("admin:complaints_topic_changelist")).content.decode()
    assert "Courrier" in listing


def test_an_officer_sees_and_edits_only_their_prefectures_topics(client, reunion):
    gironde = PrefectureFactory(department_code="33", slug="gironde")
    theirs = TopicFactory(prefecture=gironde, name="Thème girondin")
    client.force_login(officer_of(reunion))
    listing = client.get(reverse("admin:complaints_topic_changelist")).content.decode()
    assert "Thème girondin" not in listing and "Accueil au guichet" in listing
    assert client.get(topic_change_url(theirs)).status_code == 302  # not found: back to the admin's index
    posted = client.post(
        reverse("admin:complaints_topic_add"),
        {"prefecture": gironde.pk, "name": "Intrus", "code": "intrus", "position": 1},
    )
    assert posted.status_code == 200 and not Topic.objects.filter(code="intrus").exists()
    with pytest.raises(PermissionDenied):
        topic_save(topic=Topic(prefecture=gironde, code="x", name="X"), by=officer_of(reunion))


def test_a_service_agent_reads_the_topics_but_does_not_edit_them(client, reunion):
    agent = MembershipFactory(
        prefecture=reunion, role=Role.SERVICE_AGENT, service=ServiceFactory(prefecture=reunion)
    ).user
    client.force_login(agent)
    counter = topic_of(reunion, "counter")
    assert client.get(reverse("admin:complaints_topic_changelist")).status_code == 200
    assert client.get(reverse("admin:complaints_topic_add")).status_code == 403
    client.post(
        topic_change_url(counter),
        {"prefecture": reunion.pk, "name": "Changé", "code": "counter", "position": 1},
    )
    assert topic_of(reunion, "counter").name == "Accueil au guichet"
    with pytest.raises(PermissionDenied):
        topic_save(topic=counter, by=agent)


def test_codes_are_unique_in_a_prefecture_and_wordings_cannot_start_a_formula(reunion):
    with pytest.raises(ValidationError):
        Topic(prefecture=reunion, code="counter", name="Encore").full_clean()
    with pytest.raises(ValidationError):
        Topic(prefecture=reunion, code="formule", name="=HYPERLINK(1)").full_clean()
    Topic(prefecture=PrefectureFactory(department_code="33", slug="gironde"), code="formule", name="Ok").full_clean()


def test_a_case_s_topic_is_found_by_code_and_kept_to_its_prefecture(reunion):
    gironde = PrefectureFactory(department_code="33", slug="gironde")
    assert topic_for(prefecture=reunion, topic="decision") == topic_of(reunion, "decision")
    assert topic_for(prefecture=reunion, topic=DefaultTopic.MAIL) == topic_of(reunion, "mail")
    assert topic_for(prefecture=reunion) == topic_of(reunion, "other")
    with pytest.raises(ValidationError):
        topic_for(prefecture=reunion, topic="astrologie")
    with pytest.raises(ValidationError):
        topic_for(prefecture=reunion, topic=topic_of(gironde, "mail"))


def test_the_case_list_filters_and_exports_by_the_prefectures_topics(client, reunion):
    gironde = PrefectureFactory(department_code="33", slug="gironde")
    TopicFactory(prefecture=gironde, name="Thème girondin")
    mail_case = CaseFactory(prefecture=reunion, topic="mail")
    counter_case = CaseFactory(prefecture=reunion, topic="counter")
    client.force_login(officer_of(reunion))
    listing = client.get(reverse("admin:complaints_case_changelist")).content.decode()
    assert "Thème girondin" not in listing and "Délai de traitement" in listing
    filtered = client.get(
        reverse("admin:complaints_case_changelist"), {"topic__id__exact": topic_of(reunion, "mail").pk}
    )
    html = filtered.content.decode()
    assert mail_case.reference in html and counter_case.reference not in html
    export = client.get(reverse("admin:complaints_case_list_export"))
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert {row[0]: row[3] for row in rows[1:]} == {
        mail_case.reference: "Courrier",
        counter_case.reference: "Accueil au guichet",
    }


def test_national_staff_see_each_topic_with_its_prefecture(client, reunion):
    from tests.qualipref.factories import coordinator

    PrefectureFactory(department_code="33", slug="gironde")
    client.force_login(coordinator())
    html = client.get(reverse("admin:complaints_case_add")).content.decode()
    assert "Accueil au guichet (974)" in html and "Accueil au guichet (33)" in html


def test_each_order_cell_of_the_topics_list_is_labelled_with_its_topic(client, reunion):
    """Django's editable cells have no label: each is named for its row, for screen readers (RGAA, axe)."""
    client.force_login(officer_of(reunion))
    html = client.get(reverse("admin:complaints_topic_changelist")).content.decode()
    for topic in reunion.topics.all():
        assert f'aria-label="Ordre – {topic.name}"' in html
