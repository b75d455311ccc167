"""Public pages of published delays, and the open-data files. Pages are cached whole for visitors."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from qualipref.models import Prefecture
from qualipref.opendata import LICENCE, LICENCE_URL, open_data_response
from qualipref.pagecache import cached_page
from qualipref.views import breadcrumb

from . import cache as page_cache
from .charts import trend_chart
from .models import TitleType
from .selectors import (
    OPEN_DATA_COLUMNS,
    is_title_code,
    network_overview,
    open_data_record,
    open_data_rows,
    prefecture_overview,
    titles_with_published_figures,
)


@require_GET
def prefecture_delays(request, slug):
    def build():
        prefecture = get_object_or_404(Prefecture, slug=slug)
        overview = prefecture_overview(prefecture)
        for entry in overview["titles"]:
            entry["chart"] = trend_chart(entry["trend"])
        title = _("Delivery delays")
        return render_to_string(
            "delays/prefecture.html",
            {
                "prefecture": prefecture,
                "page_title": f"{title} – {prefecture.name}",
                **overview,
                **breadcrumb(title, (prefecture.name, prefecture.get_absolute_url())),
            },
            request,
        )

    return cached_page(
        request,
        page_cache.page_key(slug, get_language()),
        build,
        timeout=page_cache.TIMEOUT,
        generation=page_cache.GENERATION,
    )


@require_GET
def network_delays(request):
    code = request.GET.get("titre", "")
    if code and not is_title_code(code):  # never a title (a NUL byte would reach the database): not found
        raise Http404

    def build():
        if code and not TitleType.objects.filter(code=code).exists():
            raise Http404
        titles = list(titles_with_published_figures())
        selected = next((t for t in titles if t.code == code), titles[0] if titles else None)
        overview = network_overview(selected) if selected else {"rows": [], "month": None, "national": None}
        top = max((float(row.mean_days) for row in overview["rows"]), default=0) or 1
        for row in overview["rows"]:
            row.bar = round(100 * float(row.mean_days) / top)
        title = _("Delivery delays across the network")
        return render_to_string(
            "delays/network.html",
            {"titles": titles, "selected": selected, "page_title": title, **overview, **breadcrumb(title)},
            request,
        )

    return cached_page(
        request,
        page_cache.network_key(get_language(), code),
        build,
        timeout=page_cache.TIMEOUT,
        generation=page_cache.GENERATION,
    )


@require_GET
def open_data(request):
    title = _("Open data: delivery delays")
    return HttpResponse(
        render_to_string(
            "delays/open_data.html",
            {
                "page_title": title,
                "columns": OPEN_DATA_COLUMNS,
                "licence": LICENCE,
                "licence_url": LICENCE_URL,
                "prefectures": Prefecture.objects.order_by("department_code").only("name", "slug", "department_code"),
                **breadcrumb(title, (_("Delivery delays"), reverse("delays:network"))),
            },
            request,
        )
    )


def _download(rows, *, fmt, filename, scope):
    header = {
        "titre": "Délais de délivrance des titres publiés par les préfectures",
        "perimetre": scope,
        "unite": "jours calendaires entre le dépôt complet et la délivrance",
    }
    return open_data_response(
        rows, fmt=fmt, filename=filename, columns=OPEN_DATA_COLUMNS, record_of=open_data_record, header=header
    )


@require_GET
def prefecture_open_data(request, slug, fmt):
    prefecture = get_object_or_404(Prefecture, slug=slug)
    stamp = prefecture.today().isoformat()
    return _download(
        open_data_rows(prefecture=prefecture),
        fmt=fmt,
        filename=f"delais-{prefecture.department_code}-{stamp}",
        scope=f"{prefecture.department_code} {prefecture.name}",
    )


@require_GET
def network_open_data(request, fmt):
    stamp = timezone.localdate().isoformat()
    return _download(open_data_rows(), fmt=fmt, filename=f"delais-reseau-{stamp}", scope="réseau des préfectures")
