from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from qualipref import views
from qualipref.preferences import my_preferences

# DSFR error pages in the visitor's language (qualipref/errors.py); CSRF_FAILURE_VIEW is in the settings.
handler400 = "qualipref.errors.bad_request"
handler403 = "qualipref.errors.permission_denied"
handler404 = "qualipref.errors.page_not_found"
handler500 = "qualipref.errors.server_error"

# The URLs whose address is a key (to a case, to an account): whatever follows their fixed part is masked in
# every log (qualipref/log_filters.py). A new secret link is named here, and only here.
secret_urls = [
    "complaints:tracking",
    "complaints:tracking_attachment",
    "complaints:tracking_receipt",
    # FranceConnect's answer carries its one-time code (and the state) in the query.
    "complaints:franceconnect_callback",
    "committee:password_set",
    "surveys:kiosk",
    "surveys:kiosk_thanks",
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    # Before the admin's own addresses: any staff account's page, outside the user model's admin.
    path("admin/mes-preferences/", my_preferences, name="my_preferences"),
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
    path("", include("engagements.urls")),
    path("", include("reports.urls")),
    # Last: a prefecture's slug is the first segment of all its public pages.
    path("<slug:slug>/", views.prefecture_home, name="prefecture_home"),
    prefix_default_language=False,
)
