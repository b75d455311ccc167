"""The citizen's side: the form, the confirmation, the tracking page, lost links, downloads."""

import hashlib
import io
import re
from html.parser import HTMLParser

import pikepdf
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from complaints.enums import Status
from complaints.models import Attachment, Case
from complaints.services import case_answer, case_transition
from tests.qualipref.factories import PrefectureFactory, ServiceFactory, officer_of

from .factories import JPEG_BYTES, PDF_BYTES, PNG_BYTES

pytestmark = pytest.mark.usefixtures("on_commit_immediately")

FORM_URL = "/la-reunion/reclamations/nouvelle/"


def form_data(prefecture, **overrides):
    data = {
        "kind": "complaint",
        "service": prefecture.services.get().pk,
        "site": prefecture.sites.get().pk,
        "topic": "counter",
        "subject": "Trois heures d'attente",
        "description": "J'ai attendu trois heures au guichet sans information.",
        "name": "Marie Hoarau",
        "email": "marie@example.org",
        "phone": "0692 12 34 56",
        "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def pdf(name="recepisse.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_form_page_is_french_accessible_and_mobile_ready(client, reunion):
    html = client.get(FORM_URL).content.decode()
    assert '<html lang="fr"' in html and 'name="viewport"' in html
    assert "Titres de séjour" in html and "Sous-préfecture de Saint-Pierre" in html
    assert 'enctype="multipart/form-data"' in html
    assert 'for="id_subject"' in html and 'class="fr-fieldset' in html
    assert reverse("personal_data") in html  # the consent links to the privacy notice
    assert 'maxlength="5000"' in html


def test_filing_a_complaint_shows_reference_due_date_and_private_link(client, reunion):
    response = client.post(FORM_URL, form_data(reunion, attachments=[pdf(), pdf("photo.jpg", JPEG_BYTES)]))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    case = Case.objects.get()
    assert case.reference in page
    assert case.due_on.strftime("%Y") in page
    token = re.search(r"/suivi/([A-Za-z0-9_-]+)/", page).group(1)
    assert case.tracking_tokens.get().token_hash != token
    assert case.attachments.count() == 2
    assert set(case.attachments.values_list("content_type", flat=True)) == {"application/pdf", "image/jpeg"}
    assert len(mail.outbox) == 1 and case.reference in mail.outbox[0].subject
    assert case.email not in response["Location"]


def test_confirmation_page_link_follows_the_request_and_the_email_link_the_base_url(client, reunion, settings):
    settings.QUALIPREF_BASE_URL = "https://qualipref.example.gouv.fr"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    host = {"HTTP_HOST": "localhost:8790"}  # e.g. PORT=8790 make run
    response = client.post(FORM_URL, form_data(reunion), **host)
    page = client.get(response["Location"], **host).content.decode()
    shown = re.search(r'href="([^"]+)" id="tracking-link"', page).group(1)
    assert shown.startswith("http://localhost:8790/suivi/")
    [acknowledgement] = mail.outbox
    token = shown.rstrip("/").rsplit("/", 1)[-1]
    assert f"https://qualipref.example.gouv.fr/suivi/{token}/" in acknowledgement.body
    assert "localhost" not in acknowledgement.body


def test_a_suggestion_may_be_anonymous(client, reunion):
    response = client.post(FORM_URL, form_data(reunion, kind="suggestion", name="", email="", phone=""))
    assert response.status_code == 302
    assert Case.objects.get().status == Status.RECEIVED


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "name"),
        ({"email": ""}, "email", "e-mail"),
        ({"email": "pas-une-adresse"}, "email", "valid"),
        ({"subject": ""}, "subject", "required"),
        ({"description": "x" * 5001}, "description", "5000"),
        ({"consent": None}, "consent", "required"),
        ({"topic": "astrology"}, "topic", "valid choice"),
        ({"phone": "call me maybe"}, "phone", "digits"),
        ({"service": "999999"}, "service", "valid choice"),
    ],
)
def test_bad_input_gets_a_clear_error_and_keeps_what_was_typed(client, reunion, overrides, field, message):
    # Posted to the English page, whose messages are the source strings.
    response = client.post("/en" + FORM_URL, form_data(reunion, **overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message.lower() in " ".join(errors[field]).lower()
    html = response.content.decode()
    assert f"id_{field}-desc-error" in html or f"{field}-desc-error" in html
    if field != "subject":
        assert "Trois heures d&#x27;attente" in html or "Trois heures d'attente" in html
    assert not Case.objects.exists()


def test_service_of_another_prefecture_is_refused(client, reunion):
    foreign = ServiceFactory(prefecture=PrefectureFactory(department_code="94", slug="val-de-marne"))
    response = client.post(FORM_URL, form_data(reunion, service=foreign.pk))
    assert "service" in response.context["form"].errors
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ([pdf("virus.pdf", b"MZ\x90\x00" + b"\x00" * 100)], "PDF, JPEG"),
        ([pdf("big.pdf", PDF_BYTES + b"0" * (5 * 1024 * 1024))], "5"),
        ([pdf("a.pdf"), pdf("b.pdf"), pdf("c.pdf"), pdf("d.pdf")], "3"),
        ([pdf("cut.png", PNG_BYTES[:40])], "incomplet"),
    ],
)
def test_refused_uploads_are_explained_next_to_the_field(client, reunion, files, expected):
    response = client.post(FORM_URL, form_data(reunion, attachments=files))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["attachments"])
    assert expected in errors
    html = response.content.decode()
    assert "id_attachments-desc-error" in html
    assert "marie@example.org" in html  # the rest stays filled in
    assert not Case.objects.exists() and not Attachment.objects.exists()


def test_honeypot_catches_robots_without_saving(client, reunion):
    response = client.post(FORM_URL, form_data(reunion, hp_website="http://spam.example"))
    assert response.status_code == 200
    assert not Case.objects.exists()
    assert mail.outbox == []


def test_past_the_limit_the_form_comes_back_with_the_text_and_when_to_send_it(client, reunion, settings):
    settings.COMPLAINTS_SUBMIT_RATE = "2/h"
    for _ in range(2):
        assert client.post(FORM_URL, form_data(reunion)).status_code == 302
    typed = form_data(reunion, subject="Dossier égaré", description="Mon dossier a été perdu deux fois.")
    response = client.post(FORM_URL, {**typed, "attachments": [pdf()]})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    # Nothing stored, everything typed still in the form, and at the top what happened and when to send it.
    assert Case.objects.count() == 2
    assert 'value="Dossier égaré"' in html and "Mon dossier a été perdu deux fois.</textarea>" in html
    assert 'value="Marie Hoarau"' in html and 'value="marie@example.org"' in html
    alert = re.search(r'<div class="fr-alert fr-alert--warning[^"]*" role="alert".*?</div>', html, re.S).group(0)
    assert html.index(alert) < html.index("<form")
    assert "Votre demande n’a pas encore été envoyée" in alert
    assert re.search(r"après \d{1,2}:\d{2}", alert)
    assert "Ce que vous avez saisi est conservé" in alert
    assert "choisissez-les à nouveau" in alert  # the document could not be kept
    assert "Nothing you sent before has been lost" not in html and "Rien de ce que vous avez" not in html


def test_form_errors_do_not_count_towards_the_rate_limit(client, reunion, settings):
    settings.COMPLAINTS_SUBMIT_RATE = "1/h"
    for _ in range(3):
        assert client.post(FORM_URL, form_data(reunion, email="")).status_code == 200
    assert client.post(FORM_URL, form_data(reunion)).status_code == 302
    assert client.post(FORM_URL, form_data(reunion)).status_code == 429


def test_the_lost_link_form_past_the_limit_keeps_what_was_typed(client, reunion, settings):
    settings.COMPLAINTS_SUBMIT_RATE = "1/h"
    url = "/la-reunion/reclamations/lien-perdu/"
    for _ in range(3):  # a reference typed wrong is not a request sent
        assert client.post(url, {"reference": "", "email": "marie@example.org"}).status_code == 200
    assert client.post(url, {"reference": "974-2026-000001", "email": "marie@example.org"}).context["sent"]
    response = client.post(url, {"reference": "974-2026-000002", "email": "marie@example.org"})
    assert response.status_code == 429
    html = response.content.decode()
    assert 'value="974-2026-000002"' in html and 'value="marie@example.org"' in html
    assert "Votre demande n’a pas encore été envoyée" in html


def test_unknown_prefecture_form_is_404(client, db):
    assert client.get("/atlantide/reclamations/nouvelle/").status_code == 404


def test_confirmation_without_a_submission_goes_back_to_the_form(client, reunion):
    response = client.get("/la-reunion/reclamations/confirmation/")
    assert response.status_code == 302 and response["Location"].endswith(FORM_URL)


def file_and_follow(client, reunion, **overrides):
    response = client.post(FORM_URL, form_data(reunion, **overrides))
    page = client.get(response["Location"]).content.decode()
    return Case.objects.latest("pk"), re.search(r"(/suivi/[A-Za-z0-9_-]+/)", page).group(1)


def latest_link():
    """The tracking link of the citizen's latest e-mail: each replaces the previous one."""
    return re.search(r"(/suivi/[A-Za-z0-9_-]+/)", mail.outbox[-1].body).group(1)


def test_tracking_page_shows_status_timeline_and_answers_but_no_internal_note(client, reunion):
    from complaints.services import case_note

    case, url = file_and_follow(client, reunion)
    officer = officer_of(reunion)
    case_note(case=case, by=officer, text="Note interne : usager connu")
    case_answer(case=case, by=officer, text="Votre titre est disponible au guichet 4.")
    html = client.get(latest_link()).content.decode()
    assert case.reference in html
    assert "guichet 4" in html
    assert "usager connu" not in html
    assert "Réponse envoyée" in html  # the citizen's status label, in French


def test_wrong_or_expired_token_is_a_404(client, reunion):
    from django.utils import timezone

    case, url = file_and_follow(client, reunion)
    assert client.get("/suivi/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/").status_code == 404
    case.tracking_tokens.update(expires_at=timezone.now())
    assert client.get(url).status_code == 404


def test_a_robot_filling_the_hidden_field_of_the_reply_form_sends_nothing(client, reunion):
    case, url = file_and_follow(client, reunion)
    client.post(
        url, {"sent_form": "reply", "reply-text": "Achetez maintenant", "reply-hp_website": "http://spam.example"}
    )
    assert not case.messages.exists()


def test_citizen_adds_a_message_and_a_document(client, reunion):
    case, url = file_and_follow(client, reunion)
    response = client.post(url, {"reply-text": "Voici mon récépissé.", "reply-attachments": [pdf()]})
    assert response.status_code == 302
    assert case.messages.get().body == "Voici mon récépissé."
    attachment = case.attachments.get()
    download = client.get(reverse("complaints:tracking_attachment", args=[url.split("/")[2], attachment.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    # What was stored: the PDF as rewritten on upload (qualipref/uploads.py), its page intact.
    served = b"".join(download.streaming_content)
    assert len(served) == attachment.size and hashlib.sha256(served).hexdigest() == attachment.sha256
    with pikepdf.open(io.BytesIO(served)) as stored:
        assert b"Recepisse de depot" in stored.pages[0].Contents.read_bytes()


def test_a_reply_past_the_limit_comes_back_unsent_with_its_text(client, reunion, monkeypatch):
    from complaints.views import tracking

    monkeypatch.setitem(tracking.TRACKING_LIMIT, "rate", "1/h")
    case, url = file_and_follow(client, reunion)
    assert client.post(url, {"reply-text": ""}).status_code == 200  # an empty reply is not a message sent
    assert client.post(url, {"reply-text": "Voici mon récépissé."}).status_code == 302
    response = client.post(url, {"reply-text": "J’ai oublié de préciser le guichet."})
    assert response.status_code == 429
    assert "J’ai oublié de préciser le guichet.</textarea>" in response.content.decode()
    assert list(case.messages.values_list("body", flat=True)) == ["Voici mon récépissé."]


def test_citizen_rates_the_answer(client, reunion):
    case, url = file_and_follow(client, reunion)
    assert "rating-rating" not in client.get(url).content.decode()
    case_answer(case=case, by=officer_of(reunion), text="Réponse")
    url = latest_link()
    assert "rating-rating" in client.get(url).content.decode()
    assert client.post(url, {"rating-rating": "5", "rating-comment": "Très bien"}).status_code == 302
    case.refresh_from_db()
    assert case.rating == 5
    response = client.post(url, {"rating-rating": "6"})
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.rating == 5


class _PageForms(HTMLParser):
    """The page's POST forms as a browser sends them: hidden values, and the names of the other fields."""

    def __init__(self):
        super().__init__()
        self.forms, self._form = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "").lower() == "post":
            self._form = {"hidden": {}, "fields": set()}
            self.forms.append(self._form)
        elif self._form is not None and tag in {"input", "textarea", "select"} and attrs.get("name"):
            if attrs.get("type") == "hidden" and attrs["name"] != "csrfmiddlewaretoken":
                self._form["hidden"][attrs["name"]] = attrs.get("value", "")
            self._form["fields"].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def form_with(client, url, field):
    """The hidden values of the tracking page's form that holds ``field``."""
    parser = _PageForms()
    parser.feed(client.get(url).content.decode())
    [form] = [form for form in parser.forms if field in form["fields"]]
    return form["hidden"]


@pytest.mark.parametrize("closed", [False, True], ids=["answered", "closed-but-rateable"])
def test_a_rating_sent_without_a_score_says_so_and_keeps_the_comment(client, reunion, closed):
    case, url = file_and_follow(client, reunion)
    officer = officer_of(reunion)
    case_answer(case=case, by=officer, text="Votre titre est prêt au guichet 4.")
    url = latest_link()
    if closed:
        case_transition(case=case, to=Status.CLOSED, by=officer)
        reunion.reopen_days = 0  # no reopening: the page has no reply form (test_reopening.py has the others)
        reunion.save()
    comment = "Réponse claire, mais j’ai dû rappeler deux fois."
    data = {**form_with(client, url, "rating-comment"), "rating-comment": comment}
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    error = gettext("Choose a score from 1 to 5 to rate the answer.")
    assert escape(error) in html
    assert escape(comment) in html
    assert response.context["rating_form"].errors == {"rating": [error]}
    assert not response.context["reply_form"].is_bound
    assert ('name="reply-text"' in html) is not closed
    case.refresh_from_db()
    assert (case.rating, case.rated_at) == (None, None)
    assert not case.messages.filter(kind="citizen").exists()


def test_a_reply_is_still_taken_for_a_reply_when_a_rating_is_possible(client, reunion):
    case, url = file_and_follow(client, reunion)
    case_answer(case=case, by=officer_of(reunion), text="Votre titre est prêt au guichet 4.")
    url = latest_link()
    hidden = form_with(client, url, "reply-text")
    response = client.post(url, {**hidden, "reply-text": ""})
    assert response.status_code == 200
    assert response.context["reply_form"].errors["text"]
    assert not response.context["rating_form"].is_bound
    response = client.post(url, {**hidden, "reply-text": "Le guichet 4 était fermé."})
    assert response.status_code == 302
    assert case.messages.filter(kind="citizen").get().body == "Le guichet 4 était fermé."
    case.refresh_from_db()
    assert case.status == Status.REOPENED


def test_attachment_of_another_case_is_not_served_through_a_token(client, reunion):
    first, first_url = file_and_follow(client, reunion, attachments=[pdf()])
    second, second_url = file_and_follow(client, reunion)
    attachment = first.attachments.get()
    token = second_url.split("/")[2]
    assert client.get(reverse("complaints:tracking_attachment", args=[token, attachment.pk])).status_code == 404


def test_lost_link_answers_the_same_whether_or_not_the_case_exists(client, reunion):
    case, _url = file_and_follow(client, reunion)
    mail.outbox.clear()
    url = "/la-reunion/reclamations/lien-perdu/"
    unknown = client.post(url, {"reference": "974-2026-999999", "email": "x@example.org"})
    known = client.post(url, {"reference": case.reference, "email": "marie@example.org"})
    assert unknown.status_code == known.status_code == 200
    strip = lambda html: re.sub(r'value="[^"]+"|breadcrumb-[a-z]+', "", html)  # noqa: E731
    assert strip(unknown.content.decode()) == strip(known.content.decode())
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["marie@example.org"]


def test_staff_download_is_scoped_to_the_officer_prefecture(client, reunion):
    case, _url = file_and_follow(client, reunion, attachments=[pdf()])
    attachment = case.attachments.get()
    url = reverse("complaints:attachment_download", args=[attachment.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    other = PrefectureFactory(department_code="94", slug="val-de-marne")
    client.force_login(officer_of(other))
    assert client.get(url).status_code == 404
    client.force_login(officer_of(reunion))
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")


def test_citizen_text_is_escaped_on_the_tracking_page(client, reunion):
    case, url = file_and_follow(client, reunion, subject="<script>alert('x')</script>")
    html = client.get(url).content.decode()
    assert "<script>alert('x')</script>" not in html
    assert "&lt;script&gt;" in html


def test_rejection_note_stays_internal(client, reunion):
    from complaints.services import case_transition

    case, url = file_and_follow(client, reunion)
    case_transition(case=case, to=Status.REJECTED, by=officer_of(reunion), note="Usager procédurier, spam")
    html = client.get(url).content.decode()
    assert "procédurier" not in html
