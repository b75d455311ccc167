import datetime

import factory
from django.utils import timezone

from complaints.enums import Channel, DefaultTopic, Kind, MessageKind, Status
from complaints.models import AnswerTemplate, Attachment, Case, Mailbox, Message, Topic
from tests.qualipref.factories import PrefectureFactory, ServiceFactory

# Real files of each accepted type (uploads are decoded and rewritten before they are stored).
from tests.samples import JPEG_BYTES, PDF_BYTES, PNG_BYTES  # noqa: E402, F401


class TopicByCode:
    """``topic="counter"`` (a code) means the prefecture's topic of that code, as ``case_submit`` reads it."""

    @staticmethod
    def _topic(kwargs):
        if isinstance(kwargs.get("topic"), str):
            code = kwargs["topic"]
            kwargs["topic"] = Topic.objects.get(prefecture=kwargs["prefecture"], code=code) if code else None
        return kwargs

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return super()._create(model_class, *args, **cls._topic(kwargs))

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        return super()._build(model_class, *args, **cls._topic(kwargs))


def topic_of(prefecture, code):
    """The prefecture's topic of ``code``."""
    return Topic.objects.get(prefecture=prefecture, code=code)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    prefecture = factory.SubFactory(PrefectureFactory)
    code = factory.Sequence(lambda n: f"theme-{n}")
    name = factory.Sequence(lambda n: f"Thème {n}")
    name_en = factory.Sequence(lambda n: f"Topic {n}")
    position = 20


class CaseFactory(TopicByCode, factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    prefecture = factory.SubFactory(PrefectureFactory)
    reference = factory.Sequence(lambda n: f"999-2026-{n:06d}")
    kind = Kind.COMPLAINT
    channel = Channel.ONLINE
    topic = DefaultTopic.COUNTER
    service = factory.SubFactory(ServiceFactory, prefecture=factory.SelfAttribute("..prefecture"))
    subject = "Attente au guichet"
    description = "J'ai attendu trois heures au guichet des titres de séjour."
    name = "Marie Hoarau"
    email = factory.Sequence(lambda n: f"citoyen{n}@example.org")
    consent_at = factory.LazyFunction(timezone.now)
    status = Status.NEW
    received_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=2))
    due_on = factory.LazyAttribute(lambda case: case.received_on + datetime.timedelta(days=21))

    class Params:
        suggestion = factory.Trait(kind=Kind.SUGGESTION, status=Status.RECEIVED, name="", email="")


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    case = factory.SubFactory(CaseFactory)
    kind = MessageKind.CITIZEN
    body = "Je vous joins le récépissé."


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment

    case = factory.SubFactory(CaseFactory)
    file = factory.django.FileField(filename="recepisse.pdf", data=PDF_BYTES)
    original_name = "recepisse.pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)
    sha256 = "0" * 64


class AnswerTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnswerTemplate

    prefecture = factory.SubFactory(PrefectureFactory)
    title = factory.Sequence(lambda n: f"Réponse type {n}")
    kind = Kind.COMPLAINT
    body = "Bonjour {nom},\n\nVotre demande {reference} a été examinée.\n\n{signature}"


class RoutingRuleFactory(TopicByCode, factory.django.DjangoModelFactory):
    """Cases about the counter, at any site, go to a service of the prefecture."""

    class Meta:
        model = "complaints.RoutingRule"

    prefecture = factory.SubFactory(PrefectureFactory)
    topic = DefaultTopic.COUNTER
    service = factory.SubFactory(ServiceFactory, prefecture=factory.SelfAttribute("..prefecture"))


class MailboxFactory(factory.django.DjangoModelFactory):
    """A prefecture's mailbox on a server nobody runs (the tests that read one use tests/imapserver.py)."""

    class Meta:
        model = Mailbox

    prefecture = factory.SubFactory(PrefectureFactory)
    address = factory.LazyAttribute(lambda mailbox: f"qualite@{mailbox.prefecture.slug}.example.org")
    host = "imap.example.org"
    username = "qualite"
