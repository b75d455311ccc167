"""Script and template injection in every citizen text field: shown as text in public pages, the admin,
e-mails (text and HTML), exports and PDFs — and never compiled as a template."""

import datetime
import io
import re

import pytest
import time_machine
from django.core import mail
from django.template import base as template_base
from django.urls import reverse
from pypdf import PdfReader

from committee.models import Comment
from complaints.answers import fill_placeholders
from complaints.models import Case
from complaints.reminders import digest_send
from complaints.services import case_answer
from surveys.enums import QuestionKind
from tests.committee.factories import AgendaItemFactory, CommitteeFactory, MeetingFactory, member_with_account
from tests.complaints.factories import AnswerTemplateFactory
from tests.surveys.factories import DistributionPointFactory, QuestionFactory, SurveyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_immediately")]

MARKER = "qp-evil-7c1"
EVIL = (
    f'<script>alert(1)</script> "><img src=x onerror=alert(1)> javascript:alert(1) {{{{ 7*7 }}}} '
    f'{{% now "Y" %}} {{reference}} {{nom}} {MARKER}'
)
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def assert_harmless(html, *, shown=True):
    """No live markup from the payload; when ``shown``, the payload is there as visible text."""
    assert "<script>alert(1)" not in html
    assert not re.search(r"<img[^>]*onerror", html, re.IGNORECASE)
    assert not re.search(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", html, re.IGNORECASE)
    if shown:
        assert ESCAPED_SCRIPT in html
        assert "{{ 7*7 }}" in html and "{% now" in html and "{reference}" in html  # not evaluated


@pytest.fixture(autouse=True)
def compiled_templates(monkeypatch):
    """The source of every template compiled during the test: citizens' text must never be one."""
    sources = []
    original = template_base.Template.__init__

    def record(self, template_string, *args, **kwargs):
        sources.append(str(template_string))
        original(self, template_string, *args, **kwargs)

    monkeypatch.setattr(template_base.Template, "__init__", record)
    yield sources
    assert not [source for source in sources if MARKER in source], "user text was compiled as a template"


@pytest.fixture
def evil_case(client, reunion, officer):
    """A complaint filed through the public form with the payload in every free text field."""
    response = client.post(
        reverse("complaints:new", args=[reunion.slug]),
        {
            "kind": "complaint",
            "topic": "counter",
            "subject": EVIL,
            "description": EVIL,
            "name": EVIL,
            "email": "marie@example.org",
            "phone": "0692 12 34 56",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    case.assignee = officer
    case.save(update_fields=["assignee"])
    case.token = re.search(r"/suivi/([\w-]+)/", client.get(response["Location"]).content.decode()).group(
        1
    )  # shown once
    return case


def test_public_pages_show_the_citizen_text_as_text(client, evil_case):
    confirmation = client.get(reverse("complaints:confirmation", args=[evil_case.prefecture.slug]))
    assert_harmless(confirmation.content.decode(), shown=False)
    tracking = reverse("complaints:tracking", args=[evil_case.token])
    assert_harmless(client.get(tracking).content.decode())
    client.post(tracking, {"reply-text": EVIL})
    page = client.get(tracking).content.decode()
    assert_harmless(page)
    assert page.count(ESCAPED_SCRIPT) >= 2  # the subject and the reply


def test_the_answer_from_a_template_never_fills_placeholders_twice(client, evil_case, officer):
    template = AnswerTemplateFactory(prefecture=evil_case.prefecture, body="Bonjour {nom}, dossier {reference}.")
    filled = fill_placeholders(template.body, evil_case, officer)
    assert filled == f"Bonjour {EVIL}, dossier {evil_case.reference}."  # the name's "{reference}" stays as typed

    client.force_login(officer)
    page = client.get(reverse("admin:complaints_case_answer", args=[evil_case.pk]), {"template": template.pk})
    assert_harmless(page.content.decode())


def test_admin_pages_show_the_citizen_text_as_text(client, evil_case, officer):
    client.post(reverse("complaints:tracking", args=[evil_case.token]), {"reply-text": EVIL})
    case_answer(case=evil_case, by=officer, text="Réponse.")
    answer_link = re.search(r"/suivi/[\w-]+/", mail.outbox[-1].body).group(0)  # it replaces the first one
    client.post(answer_link, {"rating-rating": "1", "rating-comment": EVIL})
    assert Case.objects.get().rating_comment == EVIL

    client.force_login(officer)
    change = client.get(reverse("admin:complaints_case_change", args=[evil_case.pk])).content.decode()
    assert_harmless(change)
    assert change.count(ESCAPED_SCRIPT) >= 3  # subject, description, reply, rating comment
    changelist = client.get(reverse("admin:complaints_case_changelist")).content.decode()
    assert_harmless(changelist, shown=False)  # the list shortens subjects
    assert "&lt;script&gt;alert(1)" in changelist


@pytest.fixture
def on_a_working_day():
    """Digests go out on working days only: a Wednesday morning in La Réunion, whatever day the tests run."""
    with time_machine.travel(datetime.datetime(2026, 11, 25, 6, tzinfo=datetime.UTC), tick=True):
        yield


def test_emails_carry_the_citizen_text_as_text(on_a_working_day, evil_case, officer):
    evil_case.due_on = evil_case.received_on  # overdue, so the officer's digest lists it
    evil_case.save(update_fields=["due_on"])
    mail.outbox.clear()
    assert digest_send(user_id=officer.pk, day=evil_case.received_on)
    case_answer(case=evil_case, by=officer, text="Réponse.")
    digest, answer = mail.outbox
    html = digest.alternatives[0][0]
    assert_harmless(html)
    assert EVIL in digest.body  # plain text: the subject as typed, nothing interprets it
    for message in (answer,):  # the citizen's own e-mails hold a link, not their text
        assert MARKER not in message.body and MARKER not in message.alternatives[0][0]


def test_the_acknowledgement_holds_none_of_the_citizen_text(evil_case):
    [acknowledgement] = mail.outbox
    assert MARKER not in acknowledgement.subject + acknowledgement.body + acknowledgement.alternatives[0][0]


def test_survey_free_text_is_text_in_the_officer_results_and_csv_export(client, reunion, officer):
    survey = SurveyFactory(prefecture=reunion, slug="accueil")
    question = QuestionFactory(survey=survey, kind=QuestionKind.FREE_TEXT, text="Une remarque ?")
    url = reverse("surveys:answer", args=[reunion.slug, survey.slug])
    assert client.post(url, {f"q{question.pk}": EVIL}).status_code == 302
    formula = SurveyFactory(prefecture=reunion, slug="formule")
    formula_question = QuestionFactory(survey=formula, kind=QuestionKind.FREE_TEXT, text="Une remarque ?")
    client.cookies.clear()
    formula_url = reverse("surveys:answer", args=[reunion.slug, formula.slug])
    assert client.post(formula_url, {f"q{formula_question.pk}": '=HYPERLINK("http://x","y")'}).status_code == 302

    client.force_login(officer)
    assert_harmless(client.get(reverse("admin:surveys_survey_results", args=[survey.pk])).content.decode())
    export = client.get(reverse("admin:surveys_survey_export", args=[formula.pk]))
    lines = b"".join(export.streaming_content).decode().splitlines()
    assert lines[1].endswith(';"\'=HYPERLINK(""http://x"",""y"")"')  # a spreadsheet shows it, runs nothing


def test_members_space_shows_suggestions_and_comments_as_text(client, reunion):
    committee = CommitteeFactory(prefecture=reunion)
    client.post(
        reverse("complaints:new", args=[reunion.slug]),
        {"kind": "suggestion", "topic": "other", "subject": EVIL, "description": EVIL, "consent": "on"},
    )
    Case.objects.update(status="forwarded_to_committee")
    member = member_with_account(committee)
    item = AgendaItemFactory(meeting=MeetingFactory(committee=committee))
    client.force_login(member.user)
    assert_harmless(client.get(reverse("committee:space")).content.decode())
    client.post(reverse("committee:comment_add", args=[item.meeting_id, item.pk]), {"body": EVIL})
    assert Comment.objects.get().body == EVIL
    assert_harmless(client.get(reverse("committee:meeting", args=[item.meeting_id])).content.decode())


def test_lost_link_form_gives_the_typed_reference_back_escaped(client, reunion):
    typed = '"><svg onload=alert(1)>'
    page = client.post(
        reverse("complaints:lost_link", args=[reunion.slug]), {"reference": typed, "email": "not an address"}
    ).content.decode()
    assert "<svg onload" not in page
    assert "&quot;&gt;&lt;svg onload=alert(1)&gt;" in page


def test_pdf_poster_prints_markup_as_text(client, reunion, officer):
    point = DistributionPointFactory(survey=SurveyFactory(prefecture=reunion, title="<script>alert(1)</script>"))
    client.force_login(officer)
    pdf = client.get(reverse("admin:surveys_distributionpoint_poster", args=[point.pk])).content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "<script>alert(1)</script>" in text  # printed, not swallowed as an element
