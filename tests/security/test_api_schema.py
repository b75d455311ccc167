"""The open-data API's OpenAPI schema answers every request, however many arrive at once: drf-spectacular's
generation is not thread-safe, so the schema is generated once per language, under a lock, and served from memory
(``qualipref.openapi.SchemaOnceView``) — the same JSON or YAML as drf-spectacular generates."""

import json
import threading

import pytest
import yaml
from django.test import Client
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator

from qualipref.openapi import SchemaOnceView

# Every schema URL of the project (grep -rn Spectacular), in each language and format.
SCHEMA_URLS = [
    "/api/delais/v1/schema/?format=json",
    "/api/delais/v1/schema/?format=yaml",
    "/en/api/delais/v1/schema/?format=json",
    "/api/delais/v1/schema/?format=json&lang=en",
    "/api/delais/v1/schema/",
    "/api/resultats/v1/schema/?format=json",
    "/en/api/resultats/v1/schema/?format=yaml",
]
THREADS = 12
ROUNDS = 3


@pytest.fixture
def fresh_schemas():
    """As in a process that has served no schema yet (each test, and gunicorn's each worker)."""
    SchemaOnceView._schemas.clear()
    yield
    SchemaOnceView._schemas.clear()


def _get_all_at_once(urls):
    """Each URL fetched by THREADS threads released together, ROUNDS times: [(url, status, body)]."""
    answers, lock = [], threading.Lock()
    barrier = threading.Barrier(THREADS * len(urls))

    def fetch(url):
        client = Client(raise_request_exception=False)
        barrier.wait()
        response = client.get(url)
        with lock:
            answers.append((url, response.status_code, response.content))

    for _round in range(ROUNDS):
        SchemaOnceView._schemas.clear()  # every round starts as a fresh process: all threads want the first schema
        threads = [threading.Thread(target=fetch, args=(url,)) for url in urls for _thread in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return answers


def test_the_schema_answers_many_requests_at_once_with_one_content(fresh_schemas):
    answers = _get_all_at_once(SCHEMA_URLS)
    failed = sorted({(url, status) for url, status, _body in answers if status != 200})
    assert failed == []
    for url in SCHEMA_URLS:
        bodies = {body for answered, _status, body in answers if answered == url}
        assert len(bodies) == 1, url


def test_the_schema_is_drf_spectacular_s_in_each_language_and_format(fresh_schemas):
    client = Client()
    for language, prefix in (("fr", ""), ("en", "/en")):
        with translation.override(language):
            expected = SchemaGenerator(urlconf="delays.api_schema_urls").get_schema(request=None, public=True)
        as_json = client.get(f"{prefix}/api/delais/v1/schema/", {"format": "json"})
        as_yaml = client.get(f"{prefix}/api/delais/v1/schema/", {"format": "yaml"})
        assert json.loads(as_json.content) == expected
        assert yaml.safe_load(as_yaml.content) == expected
        assert "/api/delais/v1/mensuel/" in expected["paths"]
    assert json.loads(client.get("/api/delais/v1/schema/", {"lang": "en", "format": "json"}).content) == expected


def test_each_api_keeps_its_own_title_when_both_are_generated_at_once(fresh_schemas):
    answers = _get_all_at_once(["/api/delais/v1/schema/?format=json", "/api/resultats/v1/schema/?format=json"])
    titles = {(url, json.loads(body)["info"]["title"]) for url, _status, body in answers}
    assert titles == {
        ("/api/delais/v1/schema/?format=json", "Qualipref – délais de délivrance des titres"),
        ("/api/resultats/v1/schema/?format=json", "Qualipref – résultats des engagements de qualité de service"),
    }
