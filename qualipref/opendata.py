"""Open-data downloads, shared by the delays and the results: streamed CSV or JSON under the Etalab licence.

Rows come from a queryset read by chunks, so a file of the whole network never sits in memory. CSV:
semicolons and a byte-order mark, as French spreadsheets expect, written by ``csvfiles`` (no cell runs as
a formula). JSON: a header (title, scope, licence, when generated) and the records under ``donnees``.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse
from django.utils import timezone

from . import csvfiles

LICENCE = "Licence Ouverte / Etalab 2.0"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
CHUNK_SIZE = 2000


def _csv_stream(rows, columns, record_of):
    records = (record_of(row) for row in rows.iterator(chunk_size=CHUNK_SIZE))
    # None is written as an empty field; names that start like a formula are neutralised (csvfiles).
    return csvfiles.lines(columns, ([record[c] for c in columns] for record in records))


def _json_stream(rows, record_of, header):
    header = {**header, "licence": LICENCE, "licence_url": LICENCE_URL}
    header["genere_le"] = timezone.now().isoformat(timespec="seconds")
    yield json.dumps(header, ensure_ascii=False)[:-1] + ', "donnees": ['
    first = True
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        yield ("" if first else ",") + json.dumps(record_of(row), cls=DjangoJSONEncoder, ensure_ascii=False)
        first = False
    yield "]}"


def open_data_response(rows, *, fmt, filename, columns, record_of, header):
    """The download of ``rows`` as ``fmt`` (``csv`` or ``json``): ``record_of(row)`` gives a row's ``{column: value}``,
    ``header`` the JSON file's description (``titre``, ``perimetre``…). Any site may fetch it (CORS)."""
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_stream(rows, columns, record_of), content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(_json_stream(rows, record_of, header), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response
