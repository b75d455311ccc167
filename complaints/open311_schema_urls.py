"""The Open311 API's own URLs, at their public paths, for drf-spectacular to describe them (and nothing else)."""

from django.urls import include, path

from .open311 import API_PATTERNS

urlpatterns = [path("api/open311/v2/", include(API_PATTERNS))]
