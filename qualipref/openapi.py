"""OpenAPI schemas generated once per process and language, then served from memory."""

import threading

from django.utils import translation
from drf_spectacular.settings import patched_settings
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response

from .content_language import portal_language


class SchemaOnceView(SpectacularAPIView):
    """drf-spectacular's schema view (JSON or YAML, as asked), its schema generated once per language and served
    from memory afterwards.

    Generating is not thread-safe: it sets each view class's schema inspector in turn, and under gunicorn's threads
    one request found another's half-set and failed ("Schema generation REQUIRES a view instance"). The first
    request of each language generates under a lock; the others wait for it, then read the same schema. The API is
    versioned by its path (``v1``): a ``?version=`` parameter, which only wrote itself into the schema's version,
    is ignored, so what is kept stays bounded (one schema per language of the portal).

    Each API names its own title and description in ``schema_settings`` (not drf-spectacular's
    ``custom_settings``, which patches its global settings for the whole request, where another thread generating
    another API's schema would read them): they are applied under the lock, around the generation only.
    """

    _schemas = {}
    _lock = threading.Lock()
    schema_settings = None

    def _get_version_parameter(self, request):
        return None

    def _get_schema_response(self, request):
        language = portal_language()
        version = self.api_version or request.version  # set by a versioning class, from a bounded list
        key = (repr(self.urlconf), repr(self.patterns), version, self.serve_public, language)
        schema = self._schemas.get(key)
        if schema is None:
            with self._lock:
                schema = self._schemas.get(key)
                if schema is None:
                    with translation.override(language), patched_settings(self.schema_settings):
                        generator = self.generator_class(
                            urlconf=self.urlconf, api_version=version, patterns=self.patterns
                        )
                        schema = generator.get_schema(request=request, public=self.serve_public)
                    self._schemas[key] = schema
        suffix = self.perform_content_negotiation(request, force=True)[0].format
        filename = f"{schema['info']['title']}{f' ({version})' if version else ''}.{suffix}"
        return Response(data=schema, headers={"Content-Disposition": f'inline; filename="{filename}"'})
