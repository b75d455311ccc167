from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

# French pages live at the root, their English versions under /en/.
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("mentions-legales/", views.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", views.personal_data, name="personal_data"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("plan-du-site/", views.sitemap, name="sitemap"),
    path("", include("complaints.urls")),
    path("", include("committee.urls")),
    path("", include("surveys.urls")),
    path("", include("delays.urls")),
    path("", include("qualipref.results_urls")),
    path("", include("qualipref.reports.urls")),
    # Last: a prefecture's slug is the first segment of all its public pages.
    path("<slug:slug>/", views.prefecture_home, name="prefecture_home"),
    prefix_default_language=False,
)
