from django.urls import include, path, re_path

from . import api, views

app_name = "delays"

urlpatterns = [
    path("delais/", views.network_delays, name="network"),
    path("delais/donnees-ouvertes/", views.open_data, name="open_data"),
    re_path(r"^delais/donnees\.(?P<fmt>csv|json)$", views.network_open_data, name="network_open_data"),
    path("<slug:slug>/delais/", views.prefecture_delays, name="prefecture"),
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/delais/donnees\.(?P<fmt>csv|json)$",
        views.prefecture_open_data,
        name="prefecture_open_data",
    ),
    path("api/delais/v1/", include(api.urlpatterns)),
]
