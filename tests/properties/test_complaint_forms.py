"""Random text, sizes and encodings at the complaint form, the lost-link form and the tracking page:
never a 500, and every valid submission ends up in the database exactly once."""

import urllib.parse

import pytest
from django.conf import settings
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from complaints.enums import DefaultTopic, Kind
from complaints.models import Case, Message
from complaints.services import case_answer, case_submit
from complaints.tracking_links import tracking_token_issue
from qualipref.mail import OutgoingEmail

from .strategies import ANY_TEXT, EMAIL, valid_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_immediately")]

CASE_FIELDS = ["kind", "service", "site", "topic", "subject", "description", "name", "email", "phone", "consent"]


def answered(response, data):
    """The form's answer; 413 only for a body past ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (the request size limits)."""
    if response.status_code == 413:
        assert sum(len(str(value).encode()) for value in data.values()) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return False
    assert response.status_code in {200, 302}
    return True


PHONE = st.from_regex(r"\+?[0-9][0-9 .()-]{5,18}[0-9]", fullmatch=True)


def new_case(prefecture, **data):
    fields = {"kind": "complaint", "topic": "counter", "subject": "Attente", "description": "Trois heures."}
    fields.update({"name": "Marie Hoarau", "email": "marie@example.org", **data})
    return case_submit(prefecture=prefecture, data=fields)


@given(
    kind=st.sampled_from(Kind.values),
    topic=st.sampled_from(DefaultTopic.values),
    subject=valid_text(200),
    description=valid_text(5000),
    name=valid_text(150),
    email=EMAIL,
    phone=st.one_of(st.just(""), PHONE),
    with_service=st.booleans(),
)
def test_every_valid_complaint_is_recorded_exactly_once(
    client, reunion, kind, topic, subject, description, name, email, phone, with_service
):
    before = Case.objects.count()
    data = {
        "kind": kind,
        "topic": topic,
        "subject": subject,
        "description": description,
        "name": name,
        "email": email,
        "phone": phone,
        "consent": "on",
        "service": reunion.services.get().pk if with_service else "",
    }
    response = client.post(reverse("complaints:new", args=[reunion.slug]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert Case.objects.count() == before + 1
    case = Case.objects.order_by("-pk").first()
    assert (case.subject, case.description, case.name) == (subject.strip(), description.strip(), name.strip())
    assert case.email == email and case.kind == kind
    page = client.get(response["Location"])
    assert page.status_code == 200 and case.reference in page.content.decode()


@given(data=st.dictionaries(st.sampled_from([*CASE_FIELDS, "hp_website", "attachments"]), ANY_TEXT))
def test_any_input_to_the_complaint_form_is_answered_never_a_500(client, reunion, data):
    before = Case.objects.count()
    response = client.post(reverse("complaints:new", args=[reunion.slug]), data)
    answered(response, data)
    assert Case.objects.count() == before + (response.status_code == 302)


@given(
    body=st.one_of(st.binary(max_size=3000), ANY_TEXT.map(lambda text: text.encode("utf-8", "surrogatepass"))),
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded; charset=utf-8",
            "application/x-www-form-urlencoded; charset=latin-1",
            "application/x-www-form-urlencoded; charset=utf-16",
            "application/x-www-form-urlencoded; charset=shift_jis",
            "application/x-www-form-urlencoded; charset=not-a-charset",
            "multipart/form-data; boundary=qualipref",
            "multipart/form-data",
            "text/plain",
            "application/json",
        ]
    ),
)
def test_any_body_in_any_encoding_is_answered_never_a_500(client, reunion, body, content_type):
    before = Case.objects.count()
    response = client.generic("POST", reverse("complaints:new", args=[reunion.slug]), body, content_type=content_type)
    assert response.status_code in {200, 302, 400}
    assert Case.objects.count() == before + (response.status_code == 302)


@given(reference=ANY_TEXT, email=ANY_TEXT, hp=st.sampled_from(["", "x"]))
def test_any_input_to_the_lost_link_form_is_answered_never_a_500(client, reunion, reference, email, hp):
    before = OutgoingEmail.objects.count()
    data = {"reference": reference, "email": email, "hp_website": hp}
    response = client.post(reverse("complaints:lost_link", args=[reunion.slug]), data)
    assert answered(response, data) is False or response.status_code == 200
    assert OutgoingEmail.objects.count() == before  # no such case: nothing sent


@given(email=EMAIL, spaces=st.sampled_from(["", " ", "  "]), upper=st.booleans())
def test_a_valid_lost_link_request_sends_exactly_one_new_link(client, reunion, email, spaces, upper):
    case, _token = new_case(reunion, email=email)
    before = OutgoingEmail.objects.filter(purpose="tracking_link", to=email).count()
    reference = case.reference.lower() if upper else case.reference
    response = client.post(
        reverse("complaints:lost_link", args=[reunion.slug]),
        {"reference": f"{spaces}{reference}{spaces}", "email": email.upper() if upper else email},
    )
    assert response.status_code == 200
    assert OutgoingEmail.objects.filter(purpose="tracking_link", to=email).count() == before + 1


@given(token=ANY_TEXT.filter(lambda text: text and "/" not in text))
def test_any_tracking_token_is_a_404_never_a_500(client, reunion, token):
    response = client.get("/suivi/" + urllib.parse.quote(token[:2000], safe="") + "/")
    assert response.status_code == 404


@given(
    data=st.dictionaries(
        st.sampled_from(["reply-text", "reply-hp_website", "rating-rating", "rating-comment"]), ANY_TEXT
    )
)
def test_any_input_to_the_tracking_page_is_answered_never_a_500(client, reunion, data):
    case, _token = new_case(reunion)
    case_answer(case=case, by=None, text="Voici notre réponse.")
    token = tracking_token_issue(case=case)  # the answer's link replaced the first one
    messages = Message.objects.count()
    response = client.post(reverse("complaints:tracking", args=[token]), data)
    answered(response, data)
    case.refresh_from_db()
    if response.status_code != 302:
        assert Message.objects.count() == messages and case.rated_at is None


@given(text=valid_text(5000))
def test_every_valid_reply_is_recorded_exactly_once(client, reunion, text):
    case, token = new_case(reunion)
    response = client.post(reverse("complaints:tracking", args=[token]), {"reply-text": text})
    assert response.status_code == 302
    assert list(case.messages.values_list("body", flat=True)) == [text.strip()]


@given(rating=st.integers(1, 5), comment=st.one_of(st.just(""), valid_text(2000)))
def test_every_valid_rating_is_recorded_once(client, reunion, rating, comment):
    case, _token = new_case(reunion)
    case_answer(case=case, by=None, text="Voici notre réponse.")
    url = reverse("complaints:tracking", args=[tracking_token_issue(case=case)])  # the answer replaced the first link
    assert client.post(url, {"rating-rating": str(rating), "rating-comment": comment}).status_code == 302
    assert client.post(url, {"rating-rating": "1", "rating-comment": "Encore"}).status_code == 200  # once only
    case.refresh_from_db()
    assert (case.rating, case.rating_comment) == (rating, comment.strip())
