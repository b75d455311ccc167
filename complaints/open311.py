"""The Open311 GeoReport v2 API (https://wiki.open311.org/GeoReport_v2): other public apps file cases for their users
and follow them, in JSON or XML, under ``/api/open311/v2/``, described by OpenAPI at ``openapi/``.

- ``services.json?jurisdiction_id=974``: the prefecture's current topics (``Topic``: their code is the
  ``service_code``, their wording the ``service_name``, in English under ``/en/`` when the prefecture wrote one),
  public; an archived topic leaves the list and is refused on new requests;
- ``services/<code>.json?jurisdiction_id=974``: a topic's definition, with the attributes a request may carry: the
  kind (complaint or suggestion), the prefecture's service and site (their lists), the subject, the consent;
- ``POST requests.json``: a case, checked by the very form of the web page (``CaseForm``) and filed by the same
  service (``case_submit``: reference, deadline, acknowledgement e-mailed to the citizen), channel "API", with the
  app's key (``api_key``, or the ``X-Api-Key`` header); accepted submissions limited per app (``OPEN311_RATE``).
  Media: ``media_url`` is kept as a link on the case, never fetched (``complaints.media_links``: no server-side
  request forgery); files sent as ``media`` (multipart) are the case's documents, checked as the web form's
  (``qualipref.uploads``: type by content, size, sanitising, virus scan);
- ``requests/<reference>.json``: its status, for the app that filed it only, with the key in the ``X-Api-Key``
  header (a query string ends up in logs), with the ``media_url`` it was given.

Errors follow Open311: a list of ``{"code", "description"}`` (``<errors><error>…`` in XML), in French, or in
English under ``/en/``.
"""

import xml.etree.ElementTree as ET

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.urls import path
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from qualipref.apiclients import api_client_for_key
from qualipref.models import Prefecture
from qualipref.openapi import SchemaOnceView
from qualipref.ratelimits import submission_accepted, submission_time_left

from .enums import OPEN_STATUSES, Channel, Kind
from .forms import CaseForm
from .media_links import validate_media_url
from .models import Case
from .services import case_submit

TRUE = {"true", "1", "on", "yes", "oui"}
# The web form's fields that Open311 names otherwise, for the errors' descriptions.
OPEN311_NAMES = {"attachments": "media", "topic": "service_code"}
SCHEMA_SETTINGS = {
    "TITLE": "Qualipref – Open311 GeoReport v2",
    "DESCRIPTION": (
        "Déposer et suivre des réclamations et suggestions auprès d’une préfecture depuis une autre application "
        "publique (Open311 GeoReport v2, JSON ou XML)."
    ),
}


class Open311XMLRenderer(BaseRenderer):
    """Open311's XML: ``<services><service>…``, ``<service_requests><request>…``, ``<errors><error>…``."""

    media_type = "text/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        view = (renderer_context or {}).get("view")
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code >= 400:
            root, item = "errors", "error"
        else:
            root, item = getattr(view, "xml_root", "response"), getattr(view, "xml_item", "item")
        element = ET.Element(root)
        for entry in data if isinstance(data, list) else [data]:
            element.append(_xml_item(item, entry))
        return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="utf-8")


def _xml_item(tag, value):
    element = ET.Element(tag)
    if isinstance(value, dict):
        for key, inner in value.items():
            if isinstance(inner, list):
                group = ET.SubElement(element, key)
                for entry in inner:
                    group.append(_xml_item(key[:-1] if key.endswith("s") else "value", entry))
            else:
                element.append(_xml_item(key, inner))
    elif value is not None:
        element.text = str(value).lower() if isinstance(value, bool) else str(value)
    return element


def error(status, description):
    return Response([{"code": status, "description": str(description)}], status=status)


class Open311View(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, Open311XMLRenderer]
    parser_classes = [FormParser, MultiPartParser]

    def jurisdiction(self, request):
        """The prefecture named by ``jurisdiction_id`` (its department code), or an error response."""
        code = (request.data.get("jurisdiction_id") if request.method == "POST" else None) or request.query_params.get(
            "jurisdiction_id", ""
        )
        prefecture = Prefecture.objects.filter(department_code=code[:3]).first() if code.isalnum() else None
        if prefecture is None:
            return None, error(404, _("Unknown jurisdiction_id: give the prefecture's department code, e.g. 974."))
        return prefecture, None


def _services(prefecture):
    return [
        {
            "service_code": topic.code,
            "service_name": str(topic),
            "description": str(topic),
            "metadata": True,
            "type": "realtime",
            "keywords": "",
            "group": _("Complaints and suggestions"),
        }
        for topic in prefecture.topics.current().order_by("position", "name")
    ]


@extend_schema(
    summary="Services (thèmes)",
    parameters=[OpenApiParameter("jurisdiction_id", OpenApiTypes.STR, description="Code du département : 974.")],
    responses=inline_serializer(
        "Open311Service",
        {
            "service_code": serializers.CharField(),
            "service_name": serializers.CharField(),
            "description": serializers.CharField(),
            "metadata": serializers.BooleanField(),
            "type": serializers.CharField(),
            "keywords": serializers.CharField(),
            "group": serializers.CharField(),
        },
        many=True,
    ),
)
class Services(Open311View):
    xml_root, xml_item = "services", "service"

    def get(self, request, format=None):
        prefecture, refused = self.jurisdiction(request)
        return refused or Response(_services(prefecture))


def _values(pairs):
    return [{"key": str(key), "name": str(name)} for key, name in pairs]


@extend_schema(
    summary="Définition d’un service",
    parameters=[OpenApiParameter("jurisdiction_id", OpenApiTypes.STR, description="Code du département : 974.")],
    responses=OpenApiTypes.OBJECT,
)
class ServiceDefinition(Open311View):
    xml_root, xml_item = "service_definition", "definition"

    def get(self, request, service_code, format=None):
        prefecture, refused = self.jurisdiction(request)
        if refused:
            return refused
        if not prefecture.topics.current().filter(code=service_code).exists():  # (a slug: nothing else gets here)
            return error(404, _("Unknown service_code."))
        attribute = {"variable": True, "datatype_description": ""}
        attributes = [
            {
                **attribute,
                "code": "kind",
                "datatype": "singlevaluelist",
                "required": False,
                "order": 1,
                "description": _("A complaint (the default) or a suggestion."),
                "values": _values(Kind.choices),
            },
            {
                **attribute,
                "code": "subject",
                "datatype": "string",
                "required": False,
                "order": 2,
                "description": _("The subject, 200 characters at most (default: the description's first line)."),
            },
            {
                **attribute,
                "code": "service",
                "datatype": "singlevaluelist",
                "required": False,
                "order": 3,
                "description": _("The prefecture's service concerned, if known."),
                "values": _values(
                    prefecture.services.filter(is_active=True).order_by("name").values_list("pk", "name")
                ),
            },
            {
                **attribute,
                "code": "site",
                "datatype": "singlevaluelist",
                "required": False,
                "order": 4,
                "description": _("The site concerned, if known."),
                "values": _values(
                    prefecture.sites.filter(is_active=True).order_by("kind", "name").values_list("pk", "name")
                ),
            },
            {
                **attribute,
                "code": "consent",
                "datatype": "string",
                "required": False,
                "order": 5,
                "description": _(
                    "true: the citizen agreed that the prefecture processes their data to handle the request "
                    "(required when a name, an e-mail address or a phone number is given)."
                ),
            },
        ]
        return Response({"service_code": service_code, "attributes": attributes})


def _form_data(data):
    """The web form's fields from an Open311 request's."""
    attribute = {key[len("attribute[") : -1]: data.get(key) for key in data if key.startswith("attribute[")}
    description = data.get("description", "")
    first_line = description.strip().splitlines()[0] if description.strip() else ""
    fields = QueryDict(mutable=True)
    fields.update(
        {
            "kind": attribute.get("kind") or Kind.COMPLAINT,
            "topic": data.get("service_code", ""),
            "service": attribute.get("service") or "",
            "site": attribute.get("site") or "",
            "subject": attribute.get("subject") or first_line[:200],
            "description": description,
            "name": " ".join(part for part in (data.get("first_name", ""), data.get("last_name", "")) if part),
            "email": data.get("email", ""),
            "phone": data.get("phone", ""),
        }
    )
    if (attribute.get("consent") or "").lower() in TRUE:
        fields["consent"] = "on"
    return fields


def _request_record(case):
    last_change = case.transitions.order_by("-at").values_list("at", flat=True).first()
    return {
        "service_request_id": case.reference,
        "status": "open" if case.status in OPEN_STATUSES else "closed",
        "status_notes": str(case.citizen_status),
        "service_name": str(case.topic) if case.topic else None,
        "service_code": case.topic.code if case.topic else None,
        "agency_responsible": case.service.name if case.service else case.prefecture.name,
        "requested_datetime": case.created_at.isoformat(timespec="seconds"),
        "updated_datetime": (last_change or case.created_at).isoformat(timespec="seconds"),
        "expected_datetime": case.due_on.isoformat() if case.kind == Kind.COMPLAINT else None,
        "media_url": case.media_url or None,
    }


def _client(request):
    return api_client_for_key(request.headers.get("X-Api-Key") or request.data.get("api_key"))


@extend_schema(
    summary="Déposer une demande",
    request=OpenApiTypes.OBJECT,
    responses=inline_serializer(
        "Open311Created",
        {
            "service_request_id": serializers.CharField(),
            "service_notice": serializers.CharField(),
            "account_id": serializers.CharField(allow_null=True),
        },
        many=True,
    ),
)
class Requests(Open311View):
    xml_root, xml_item = "service_requests", "request"

    def post(self, request, format=None):
        client = _client(request)
        if client is None:
            return error(403, _("Missing, unknown or disabled api_key."))
        prefecture, refused = self.jurisdiction(request)
        if refused:
            return refused
        if not client.prefectures.filter(pk=prefecture.pk).exists():
            return error(403, _("This app may not file cases with this prefecture."))
        limit = {"group": "open311", "rate": settings.OPEN311_RATE, "key": lambda group, request: f"app:{client.pk}"}
        if submission_time_left(request, **limit):
            return error(429, _("Too many requests from this app: try again later."))
        media = MultiValueDict({"attachments": request.FILES.getlist("media")})
        form = CaseForm(_form_data(request.data), media, prefecture=prefecture)
        media_url = (request.data.get("media_url") or "").strip()
        errors = [
            {
                "code": 400,
                "description": f"{OPEN311_NAMES.get(name, name)}: {message}" if name != "__all__" else message,
            }
            for name, messages in form.errors.items()
            for message in messages
        ]
        try:
            if media_url:
                validate_media_url(media_url)
        except ValidationError as refused:
            errors.extend({"code": 400, "description": f"media_url: {message}"} for message in refused.messages)
        if errors:
            return Response(errors, status=400)
        data = {**form.cleaned_data, "channel": Channel.API, "media_url": media_url}
        with transaction.atomic():
            case, _token = case_submit(prefecture=prefecture, data=data, files=form.cleaned_data["attachments"])
            Case.objects.filter(pk=case.pk).update(api_client=client)
        submission_accepted(request, **limit)
        notice = (
            _("Received: the acknowledgement has been e-mailed to the citizen.")
            if case.email
            else _("Received (no e-mail address given: no acknowledgement sent).")
        )
        return Response(
            [{"service_request_id": case.reference, "service_notice": notice, "account_id": None}], status=201
        )


@extend_schema(
    summary="Suivre une demande",
    parameters=[OpenApiParameter("X-Api-Key", OpenApiTypes.STR, location=OpenApiParameter.HEADER, required=True)],
    responses=OpenApiTypes.OBJECT,
)
class RequestStatus(Open311View):
    xml_root, xml_item = "service_requests", "request"

    def get(self, request, service_request_id, format=None):
        if "api_key" in request.query_params:
            return error(
                400, _("Send the api_key in the X-Api-Key header, not in the address (addresses are logged).")
            )
        client = api_client_for_key(request.headers.get("X-Api-Key"))
        if client is None:
            return error(403, _("Missing, unknown or disabled api_key."))
        reference = service_request_id[:20]
        case = (
            Case.objects.select_related("prefecture", "service", "topic")
            .filter(reference=reference, api_client=client)
            .first()
            if reference.replace("-", "").isalnum()
            else None
        )
        if case is None:
            return error(404, _("No request with this id was filed by this app."))
        return Response([_request_record(case)])


def _both_formats(route, view, name):
    """``route.json`` and ``route.xml``: the format as a fixed part of each address (OpenAPI then lists both)."""
    return [path(f"{route}.{fmt}", view, {"format": fmt}, name=f"{name}_{fmt}") for fmt in ("json", "xml")]


API_PATTERNS = [
    *_both_formats("services", Services.as_view(), "open311_services"),
    *_both_formats("services/<slug:service_code>", ServiceDefinition.as_view(), "open311_service"),
    *_both_formats("requests", Requests.as_view(), "open311_requests"),
    *_both_formats("requests/<str:service_request_id>", RequestStatus.as_view(), "open311_request"),
]

urlpatterns = [
    *API_PATTERNS,
    path(
        "openapi/",
        SchemaOnceView.as_view(
            urlconf="complaints.open311_schema_urls",
            schema_settings=SCHEMA_SETTINGS,
            authentication_classes=[],
            permission_classes=[AllowAny],
        ),
        name="open311_schema",
    ),
]
