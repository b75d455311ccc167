"""The API's own URLs, at their public paths, for drf-spectacular to describe them (and nothing else)."""

from django.urls import include, path

from .api import API_PATTERNS

urlpatterns = [path("api/resultats/v1/", include(API_PATTERNS))]
