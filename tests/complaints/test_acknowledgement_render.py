"""The acknowledgement is rendered before the reference is taken (so that submissions do not wait for its templates
on the sequence's lock), then given its real reference: the outbox row is the one rendering with the reference
would give, written in the submission's transaction (complaints/services.py, ``case_submit``)."""

import pytest
from django.db import transaction

from complaints.enums import DefaultTopic, Kind
from complaints.models import Case
from complaints.services import ACKNOWLEDGEMENT, _with_reference, case_submit
from complaints.tracking_links import tracking_url
from qualipref.mail import email_render
from qualipref.models import OutgoingEmail

DATA = {
    "kind": Kind.COMPLAINT,
    "topic": DefaultTopic.COUNTER,
    "subject": "Attente",
    "description": "Trois heures d'attente.",
    "name": "Marie Hoarau",
    "email": "marie@example.org",
    "consent": True,
}


@pytest.mark.parametrize("kind", [Kind.COMPLAINT, Kind.SUGGESTION])
def test_the_queued_acknowledgement_is_rendered_as_with_its_real_reference(reunion, kind):
    case, token = case_submit(prefecture=reunion, data={**DATA, "kind": kind, "service": reunion.services.get()})
    email = OutgoingEmail.objects.get(purpose="acknowledgement")  # not sent: the test's transaction never commits
    case = Case.objects.get(pk=case.pk)
    subject, body_text, body_html = email_render(
        template=ACKNOWLEDGEMENT,
        context={"case": case, "tracking_url": tracking_url(token), "prefecture": reunion},
        prefecture=reunion,
    )
    assert (email.subject, email.body_text, email.body_html) == (subject[:200], body_text, body_html)
    assert case.reference in email.subject and case.reference in email.body_text and case.reference in email.body_html
    assert "tmp-" not in email.subject + email.body_text + email.body_html
    assert email.to == "marie@example.org" and email.prefecture == reunion
    # The early path is the one taken: the templates show the placeholder as is, and give the same e-mail.
    reference, case.reference = case.reference, "tmp-0123456789abcdef"
    context = {"case": case, "tracking_url": tracking_url(token), "prefecture": reunion}
    early = email_render(template=ACKNOWLEDGEMENT, context=context, prefecture=reunion)
    assert _with_reference(early, "tmp-0123456789abcdef", reference) == (subject, body_text, body_html)


def test_the_acknowledgement_is_written_in_the_submission_transaction(reunion):
    with pytest.raises(RuntimeError), transaction.atomic():
        case_submit(prefecture=reunion, data=DATA)
        assert OutgoingEmail.objects.filter(purpose="acknowledgement").count() == 1
        raise RuntimeError  # the case, its reference and its e-mail go together
    assert not Case.objects.exists() and not OutgoingEmail.objects.exists()


def test_no_address_no_acknowledgement(reunion):
    case_submit(prefecture=reunion, data={**DATA, "kind": Kind.SUGGESTION, "email": "", "name": "", "consent": False})
    assert not OutgoingEmail.objects.exists()


def test_a_template_that_does_not_show_the_placeholder_as_is_is_rendered_again():
    placeholder = "tmp-0123456789abcdef"
    rendered = (f"Accusé {placeholder}", f"Référence : {placeholder}", f"<b>{placeholder}</b>")
    assert _with_reference(rendered, placeholder, "974-2026-000001") == (
        "Accusé 974-2026-000001",
        "Référence : 974-2026-000001",
        "<b>974-2026-000001</b>",
    )
    transformed = (f"Accusé {placeholder.upper()}", *rendered[1:])
    assert _with_reference(transformed, placeholder, "974-2026-000001") is None  # email_queue renders it again
