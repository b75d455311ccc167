"""From the gathered figures to the PDF: Django templates make the HTML, WeasyPrint the PDF (French, A4).

WeasyPrint reads only what ``StaticOnlyFetcher`` serves: our stylesheet and fonts from disk, and the
charts, embedded as ``data:`` SVG images.
"""

import io

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from engagements.enums import PeriodKind, Unit
from qualipref import csvfiles
from qualipref.dates import quarter_of
from qualipref.pdf import static_url

from .charts import bar_chart, trend_chart
from .data import CSV_COLUMNS, case_rows


def period_title(period):
    """« mars 2026 », « 3e trimestre 2026 », « année 2026 » in the active language."""
    start = period["start"]
    if period["kind"] == PeriodKind.MONTH:
        return formats.date_format(start, "F Y")
    if period["kind"] == PeriodKind.QUARTER:
        ordinal = {1: _("1st"), 2: _("2nd"), 3: _("3rd"), 4: _("4th")}[quarter_of(start)]
        return _("%(ordinal)s quarter %(year)s") % {"ordinal": ordinal, "year": start.year}
    return _("year %(year)s") % {"year": start.year}


def chapters():
    return [
        ("engagements", "1. " + _("Our engagements against their targets")),
        ("complaints", "2. " + _("Complaints and suggestions")),
        ("delays", "3. " + _("Published delivery delays")),
        ("surveys", "4. " + _("Satisfaction surveys")),
        ("committee", "5. " + _("The users' committee")),
        ("actions", "6. " + _("Improvement actions")),
        ("audits", "7. " + _("Label audits: findings and corrective actions")),
        ("annex", _("Annex: method and data sources")),
    ]


def _charts(data):
    trend = []
    for row in data["engagements"]["rows"]:
        if not any(value is not None for _month, value in row["trend"]):
            continue
        trend.append(
            {
                "title": row["wording"],
                "uri": trend_chart(
                    row["trend"], target=row["target"], ceiling=100 if row["unit"] == Unit.PERCENT else None
                ),
            }
        )
    topics = [(line["label"], line["count"], line["previous"]) for line in data["complaints"]["by_topic"]]
    sites = [
        (site["site"] or _("Direct link (no site)"), site["satisfaction"], None)
        for site in data["surveys"]["sites"]
        if site["satisfaction"] is not None
    ]
    return {
        "trend_charts": trend,
        "topic_chart": bar_chart(topics) if topics else None,
        "survey_chart": bar_chart(sites, unit=" %") if sites else None,
    }


def render_html(data, *, version=None, requested_by=None, time_zone="", language=None):
    """The report's HTML, in ``language`` (French, the label's language, by default), from ``gather``'s dict (gathered
    in the same language); its times in the prefecture's ``time_zone``."""
    with translation.override(language or settings.LANGUAGE_CODE), timezone.override(time_zone or None):
        context = {
            "d": data,
            "version": version,
            "requested_by": requested_by,
            "time_zone": time_zone,
            "period_title": period_title(data["period"]),
            "previous_title": period_title(data["previous"]),
            "period_short": data["period"]["label"],
            "previous_short": data["previous"]["label"],
            "chapters": chapters(),
            "css_url": static_url("reports/report.css"),
            **_charts(data),
        }
        return render_to_string("reports/report.html", context)


def render_csv(prefecture, period, *, today=None):
    """The detailed CSV (``;``-separated, UTF-8 with BOM for spreadsheets), as bytes."""
    buffer = io.StringIO()
    buffer.write(csvfiles.BOM)
    writer = csvfiles.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(case_rows(prefecture, period, today=today))
    return buffer.getvalue().encode()
