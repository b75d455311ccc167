import logging

from celery import current_app as celery_app
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import Prefecture

logger = logging.getLogger(__name__)


def breadcrumb(current, *links):
    """DSFR breadcrumb data: ``links`` are ``(title, url)`` pairs before the current page."""
    return {
        "breadcrumb_data": {
            "root_dir": reverse("home"),
            "links": [{"title": title, "url": url} for title, url in links],
            "current": current,
        }
    }


@require_GET
def home(request):
    prefectures = Prefecture.objects.order_by("department_code")
    return render(request, "qualipref/home.html", {"prefectures": prefectures, "page_title": _("Home")})


@require_GET
def prefecture_home(request, slug):
    prefecture = get_object_or_404(Prefecture, slug=slug)
    sites = prefecture.sites.filter(is_active=True).order_by("kind", "name")
    return render(
        request,
        "qualipref/prefecture_home.html",
        {"prefecture": prefecture, "sites": sites, "page_title": prefecture.name, **breadcrumb(prefecture.name)},
    )


def _static_page(template, title):
    @require_GET
    def view(request):
        return render(request, template, {"page_title": title, **breadcrumb(title)})

    view.__name__ = template.rsplit("/", 1)[-1].removesuffix(".html")
    return view


legal_notice = _static_page("qualipref/legal_notice.html", gettext_lazy("Legal notice"))
personal_data = _static_page("qualipref/personal_data.html", gettext_lazy("Personal data and cookies"))
accessibility = _static_page("qualipref/accessibility.html", gettext_lazy("Accessibility statement"))


@require_GET
def sitemap(request):
    prefectures = Prefecture.objects.order_by("department_code").only("name", "slug", "department_code")
    title = _("Site map")
    return render(
        request, "qualipref/sitemap.html", {"prefectures": prefectures, "page_title": title, **breadcrumb(title)}
    )


@require_GET
def favicon(request):
    """Asked for by browsers and tools wherever a page names no icon: the DSFR's, the one the pages name.

    Not a permanent redirect: the static file's hashed name changes with each release."""
    return redirect(static("dsfr/dist/favicon/favicon.ico"))


def _check(name, probe):
    try:
        probe()
    except Exception:  # a health check reports every failure as "error"
        logger.exception("healthz: %s unavailable", name)
        return "error"
    return "ok"


def _probe_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _probe_cache():
    cache.set("healthz", "ok", 5)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return the value just stored")


def _probe_broker():
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


@never_cache
@require_GET
def healthz(request):
    """Liveness of the database, the cache and the Celery broker, for load balancers and compose."""
    checks = {"database": _check("database", _probe_database), "cache": _check("cache", _probe_cache)}
    checks["broker"] = "eager" if celery_app.conf.task_always_eager else _check("broker", _probe_broker)
    healthy = all(state in {"ok", "eager"} for state in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
