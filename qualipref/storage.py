"""Static files in production: whitenoise's compressed manifest storage, django-dsfr's files left as shipped.

The manifest storage rewrites every ``url()`` of a stylesheet to the hashed name of its target. django-dsfr
links its stylesheets and scripts with Subresource Integrity checksums of the files as it ships them: a single
byte changed and the browser refuses the file ("Failed to find a valid digest in the 'integrity' attribute"),
so every page loses the State's design. Those files are copied byte for byte (under their hashed name all the
same, so they are still cached for ever); the fonts and icons they point at keep their plain names, which
whitenoise serves too.
"""

from dsfr.constants import DsfrStaticAssets
from whitenoise.storage import CompressedManifestStaticFilesStorage

# The files django-dsfr's tags (dsfr_css, dsfr_js) link with an ``integrity`` attribute.
WITH_INTEGRITY = frozenset(
    {
        DsfrStaticAssets.DSFR_CSS,
        DsfrStaticAssets.DSFR_UTILITY_CSS,
        DsfrStaticAssets.DSFR_MODULE_JS,
        DsfrStaticAssets.DSFR_NOMODULE_JS,
    }
)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def url_converter(self, name, hashed_files, template=None):
        if name.replace("\\", "/") in WITH_INTEGRITY:
            return lambda match: match.group(0)
        return super().url_converter(name, hashed_files, template)
