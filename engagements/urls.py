from django.urls import include, path, re_path

from . import api, views

app_name = "results"

urlpatterns = [
    path("reseau/", views.network_page, name="network"),
    path("api/resultats/v1/", include(api.urlpatterns)),
    path("reseau/donnees-ouvertes/", views.open_data_page, name="open_data"),
    re_path(r"^reseau/resultats\.(?P<fmt>csv|json)$", views.network_open_data, name="network_open_data"),
    path("<slug:slug>/resultats/", views.prefecture_results_page, name="prefecture"),
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/resultats/donnees\.(?P<fmt>csv|json)$",
        views.prefecture_open_data,
        name="prefecture_open_data",
    ),
]
