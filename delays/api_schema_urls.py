"""The API's own URLs, at their public paths, for drf-spectacular to describe them (and nothing else)."""

from django.urls import include, path

from .api import MonthlyFigures, TitleTypes

urlpatterns = [
    path(
        "api/delais/v1/",
        include([path("mensuel/", MonthlyFigures.as_view()), path("types-de-titre/", TitleTypes.as_view())]),
    )
]
