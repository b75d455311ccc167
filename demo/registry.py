"""The demo loaders, in the order they run: each app's after the apps it depends on."""

from django.utils.translation import gettext_lazy as _

from audits import demo as audits_demo
from committee import demo as committee_demo
from complaints import demo as complaints_demo
from delays import demo as delays_demo
from engagements import demo as engagements_demo
from evidence import demo as evidence_demo
from measures import demo as measures_demo
from qualipref import demo as core_demo
from reports import demo as reports_demo
from surveys import demo as surveys_demo

LOADERS = [
    (_("prefectures, sites and services"), core_demo.load_prefectures),
    (_("demo accounts"), core_demo.load_accounts),
    (_("an app of the Open311 API, with the demo key"), core_demo.load_api_client),
    (_("complaints and suggestions"), complaints_demo.load_cases),
    (_("a mailbox for complaints by e-mail (La Réunion)"), complaints_demo.load_mailbox),
    (_("a citizen logged in with FranceConnect and her requests (La Réunion)"), complaints_demo.load_citizen),
    (_("delivery delays (three years, published but the last month)"), delays_demo.load_delays),
    (_("satisfaction surveys (an open reception survey with answers)"), surveys_demo.load_surveys),
    (
        _("phone and counter measures (a month of calls and tickets) and mystery-shopper visits (La Réunion)"),
        measures_demo.load_measures,
    ),
    (
        _("users' committees (La Réunion: two years of meetings, working groups, actions)"),
        committee_demo.load_committees,
    ),
    (_("engagements: manual measures and two years of monthly results"), engagements_demo.load_engagements),
    (
        _("the evidence library (La Réunion: procedures, posters, photos, one lapsing soon)"),
        evidence_demo.load_evidence,
    ),
    (
        _("the label's audit cycle (La Réunion: awarded, renewed, an audit with two findings)"),
        audits_demo.load_audits,
    ),
    (_("a label covering only some sites (Gironde)"), audits_demo.load_network_cycles),
    (
        _("self-assessments (La Réunion: two campaigns submitted before audits, one line flagged)"),
        audits_demo.load_self_assessments,
    ),
    (_("an audit report: La Réunion's last complete quarter (built once)"), reports_demo.load_reports),
]
