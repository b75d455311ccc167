"""Public pages: a prefecture's results against its engagements, the network, and the open data."""

from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from qualipref.models import Prefecture
from qualipref.opendata import LICENCE, LICENCE_URL, open_data_response
from qualipref.views import breadcrumb

from .selectors import OPEN_DATA_COLUMNS, SORTS, network_results, open_data_record, open_data_rows, prefecture_results


@require_GET
def prefecture_results_page(request, slug):
    prefecture = get_object_or_404(Prefecture, slug=slug)
    title = _("Our results")
    results = prefecture_results(prefecture)
    # A summary first, each engagement's details on demand: one DSFR accordion each (django-dsfr's tag).
    details = [
        {
            "id": f"engagement-{entry['engagement'].code.lower()}",
            "title": render_to_string("qualipref/results/_summary.html", {"entry": entry}, request),
            "heading_tag": "h3",
            "content": render_to_string("qualipref/results/_details.html", {"entry": entry}, request),
        }
        for entry in results["engagements"]
    ]
    return render(
        request,
        "qualipref/results/prefecture.html",
        {
            "prefecture": prefecture,
            "page_title": f"{title} – {prefecture.name}",
            "details": details,
            **results,
            **breadcrumb(title, (prefecture.name, prefecture.get_absolute_url())),
        },
    )


@require_GET
def network_page(request):
    sort = request.GET.get("tri", "departement")
    title = _("The network of labelled prefectures")
    overview = network_results(sort)
    columns = [
        ("departement", _("Department")),
        ("nom", _("Prefecture")),
        ("label", _("Label")),
        ("attribution", _("Awarded on")),
        ("audit", _("Next audit")),
        ("respect", _("Engagements met")),
    ]
    current = overview["sort"]
    headers = [
        {
            "key": key,
            "title": label,
            "current": current.lstrip("-") == key,
            "descending": current == f"-{key}",
            "url": "?tri=" + (f"-{key}" if current == key else key),
        }
        for key, label in columns
        if key in SORTS
    ]
    return render(
        request,
        "qualipref/results/network.html",
        {"page_title": title, "headers": headers, **overview, **breadcrumb(title)},
    )


@require_GET
def open_data_page(request):
    title = _("Open data: results against the engagements")
    return render(
        request,
        "qualipref/results/open_data.html",
        {
            "page_title": title,
            "columns": OPEN_DATA_COLUMNS,
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
            "prefectures": Prefecture.objects.order_by("department_code").only("name", "slug", "department_code"),
            **breadcrumb(title, (_("The network"), reverse("results:network"))),
        },
    )


def _download(rows, *, fmt, filename, scope):
    header = {
        "titre": "Résultats des préfectures au regard de leurs engagements de qualité de service",
        "perimetre": scope,
    }
    return open_data_response(
        rows, fmt=fmt, filename=filename, columns=OPEN_DATA_COLUMNS, record_of=open_data_record, header=header
    )


@require_GET
def prefecture_open_data(request, slug, fmt):
    prefecture = get_object_or_404(Prefecture, slug=slug)
    return _download(
        open_data_rows(prefecture=prefecture),
        fmt=fmt,
        filename=f"resultats-{prefecture.department_code}-{prefecture.today().isoformat()}",
        scope=f"{prefecture.department_code} {prefecture.name}",
    )


@require_GET
def network_open_data(request, fmt):
    return _download(
        open_data_rows(),
        fmt=fmt,
        filename=f"resultats-reseau-{timezone.localdate().isoformat()}",
        scope="réseau des préfectures",
    )
