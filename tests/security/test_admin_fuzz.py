"""No URL a logged-in officer can type makes the administration fail (500): every registered changelist — ours and
the third-party apps' (django-axes, auth's groups, django-dsfr) — is fuzzed with hostile values in each of its list
filters' parameters, field lookups, date hierarchy, ordering, page and search, and every object URL of every
registered ModelAdmin with hostile ids, as the national coordinator, a quality officer and (for the models only
superusers see) a superuser. A fixed list of values, not random ones: the same requests on every run, on PostgreSQL
(NUL bytes and integer overflows fail there) as on SQLite.

A hostile lookup is answered as Django answers a wrong one: the list redirected with ``?e=1``; a hostile id, as an
object that does not exist (``qualipref.admin.HostileLookupsMixin``)."""

import re
from urllib.parse import quote, urlencode

import pytest
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.db import models, transaction
from django.test import Client, RequestFactory
from django.urls import URLPattern, reverse

from qualipref.admin import HostileLookupsMixin
from qualipref.enums import Role
from qualipref.models import Prefecture
from tests.qualipref.factories import MembershipFactory, UserFactory, coordinator
from tests.security.test_admin_actions import _factories

# Values nobody types by mistake, all of them typed by somebody: a NUL byte (PostgreSQL refuses it in text), a very
# long number (past 64 bits, past any year), zero and a negative, a word with a non-ASCII letter, an impossible date.
HOSTILE_VALUES = ["\x00", "9" * 300, "0", "-1", "a☃", "2026-02-30"]
# Lookups beyond the list filters' own parameters, by the kind of field a filter is on.
DATE_LOOKUPS = ["year", "month"]
NUMBER_LOOKUPS = ["in"]
TEXT_LOOKUPS = []
# Django lets a URL filter a list on any field of its model: each field gets the values its kind cannot hold.
FIELD_PROBES = {
    "date": (["year", "month"], ["0", "9" * 300, "\x00"]),
    "number": (["exact", "in"], ["9" * 300, "\x00"]),
    "text": (["exact"], ["\x00"]),
}
# What a list understands besides its filters: ordering, page, search, facets.
LIST_PARAMETERS = ["o", "p", "q", "_facets"]
# Hostile object ids; "_00" is how the admin quotes a NUL byte in a URL.
HOSTILE_IDS = ["_00", "\x00", "9" * 30, "a☃"]


def _kind(field):
    if isinstance(field, models.DateField):  # DateTimeField too
        return "date"
    if isinstance(field, (models.IntegerField, models.ForeignKey, models.ManyToManyField, models.DecimalField)):
        return "number"
    return "text"


def _lookups(field):
    return {"date": DATE_LOOKUPS, "number": NUMBER_LOOKUPS, "text": TEXT_LOOKUPS}[_kind(field)]


def _field_probes(model):
    """``name=value`` of each field of ``model`` with the values its kind cannot hold."""
    for field in model._meta.concrete_fields:
        lookups, values = FIELD_PROBES[_kind(field)]
        yield from ({f"{field.name}__{lookup}": value} for lookup in lookups for value in values)


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _parameters(model_admin, request):
    """Every query parameter the changelist understands: its filters' own, lookups on their fields, the date
    hierarchy's, ordering, page, search."""
    names = set(LIST_PARAMETERS)
    changelist = model_admin.get_changelist_instance(request)
    for spec in changelist.filter_specs:
        names.update(spec.expected_parameters())
    for item in model_admin.get_list_filter(request):
        path = item[0] if isinstance(item, (tuple, list)) else item
        if isinstance(path, str):
            field = get_fields_from_path(model_admin.model, path)[-1]
            names.update(f"{path}__{lookup}" for lookup in _lookups(field))
    if model_admin.date_hierarchy:
        names.update(f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month"))
    return sorted(names)


def _object_urls(model_admin, request, hostile):
    """The ModelAdmin's URLs that take an id (change, history, delete, custom views…), with one slot hostile and
    the others holding an object the user reaches."""
    model = model_admin.model
    base = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    obj = model_admin.get_queryset(request).order_by("pk").first()
    real = str(obj.pk) if obj else "1"
    for pattern in model_admin.get_urls():
        if not isinstance(pattern, URLPattern):
            continue
        route = str(pattern.pattern).lstrip("^").rstrip("$")
        slots = re.findall(r"<[^>]+>|\([^)]*\)", route)
        for index in range(len(slots)):
            url = route
            for position, slot in enumerate(slots):
                url = url.replace(slot, quote(hostile if position == index else real, safe=""), 1)
            yield base + url


def _fuzz(user, models_seen, share):
    """(url, status, exception) of every fuzzed request of ``share`` (index, of how many) that failed."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    request = _request(user)
    failures, count = [], 0
    for model, model_admin in admin.site._registry.items():
        if model not in models_seen or not model_admin.has_view_or_change_permission(request):
            continue
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        urls = [
            f"{changelist}?{urlencode({name: value})}"
            for name in _parameters(model_admin, request)
            for value in HOSTILE_VALUES
        ]
        urls += [f"{changelist}?{urlencode(probe)}" for probe in _field_probes(model)]
        urls += [url for hostile in HOSTILE_IDS for url in _object_urls(model_admin, request, hostile)]
        for url in urls[share[0] :: share[1]]:
            count += 1
            savepoint = transaction.savepoint()  # a request that fails on PostgreSQL must not spoil the next ones
            response = client.get(url)
            if response.status_code >= 500:
                transaction.savepoint_rollback(savepoint)
                error = getattr(response, "exc_info", None)
                failures.append(f"{url[:160]!r}: {response.status_code} {error[1]!r:.200}" if error else url)
            else:
                transaction.savepoint_commit(savepoint)
    return failures, count


@pytest.fixture
def objects(db):
    """One object of each model that has a factory, each in its own prefecture."""
    return [factory() for factory in _factories().values()]


def _officer_of_every_prefecture():
    user = UserFactory(is_staff=True)
    for prefecture in Prefecture.objects.all():
        MembershipFactory(user=user, prefecture=prefecture, role=Role.QUALITY_OFFICER)
    return user


def test_every_registered_model_admin_turns_hostile_lookups_away():
    missing = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, HostileLookupsMixin)
    ]
    assert missing == []


# To keep the module within a minute, the coordinator and the officer share each list's requests (every other one);
# the superuser makes all of those of the models only superusers see.
SHARES = {"coordinator": (0, 2), "officer": (1, 2), "superuser": (0, 1)}


@pytest.mark.parametrize("who", SHARES)
def test_no_hostile_admin_url_fails(objects, who):
    if who == "coordinator":
        user = coordinator()
    elif who == "officer":
        user = _officer_of_every_prefecture()
    else:
        user = UserFactory(is_staff=True, is_superuser=True)
    registered = set(admin.site._registry)
    if who == "superuser":  # only the models neither the coordinator nor an officer sees
        staff = [coordinator(), _officer_of_every_prefecture()]
        registered = {
            model
            for model in registered
            if not any(admin.site._registry[model].has_view_or_change_permission(_request(u)) for u in staff)
        }
        assert registered  # django-axes' logs and auth's groups
    failures, count = _fuzz(user, registered, share=SHARES[who])
    assert count > 250
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/complaints/case/?status__exact=%00",
        "/admin/complaints/case/?received_on__year=99999999999999999999",
        "/admin/delays/monthpublication/?month__year=0",
        "/admin/axes/accesslog/?logout_time__year=-1",
    ],
)
def test_the_reported_urls_get_the_incorrect_lookup_answer(objects, url):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == url.split("?")[0] + "?e=1"


def test_the_autocomplete_takes_hostile_terms(objects):
    client = Client(raise_request_exception=False)
    client.force_login(coordinator())
    query = {"app_label": "qualipref", "model_name": "membership", "field_name": "user"}
    for hostile in HOSTILE_VALUES:
        for name in ("term", "page"):
            response = client.get("/admin/autocomplete/", {**query, name: hostile})
            assert response.status_code < 500, (name, hostile)
    assert client.get("/admin/autocomplete/", {**query, "term": "\x00"}).json()["results"] == []
