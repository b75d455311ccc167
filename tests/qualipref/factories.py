import datetime

import factory

from qualipref.enums import Label, Role, SiteKind
from qualipref.models import Membership, Prefecture, Service, Site, User

PASSWORD = "correct-horse-battery-staple"


class PrefectureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prefecture
        django_get_or_create = ["department_code"]

    department_code = factory.Sequence(lambda n: f"{n % 95 + 1:02d}")
    name = factory.Sequence(lambda n: f"Département {n}")
    slug = factory.Sequence(lambda n: f"departement-{n}")
    label = Label.QUALIPREF
    label_awarded_on = datetime.date(2024, 1, 15)
    certifying_body = "AFNOR Certification"

    class Params:
        reunion = factory.Trait(
            department_code="974",
            name="La Réunion",
            slug="la-reunion",
            time_zone="Indian/Reunion",
            holiday_subdivision="974",
        )


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    prefecture = factory.SubFactory(PrefectureFactory)
    kind = SiteKind.PREFECTURE
    name = factory.Sequence(lambda n: f"Site {n}")
    address = "1 place de la Préfecture"


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    prefecture = factory.SubFactory(PrefectureFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    email = factory.Sequence(lambda n: f"service{n}@example.org")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Agent{n}")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory, is_staff=True)
    prefecture = factory.SubFactory(PrefectureFactory)
    role = Role.QUALITY_OFFICER


def officer_of(prefecture, **user_fields):
    """A quality officer of ``prefecture`` (staff, with the role's permissions)."""
    return MembershipFactory(
        prefecture=prefecture, user__is_staff=True, **{f"user__{k}": v for k, v in user_fields.items()}
    ).user


def coordinator():
    return MembershipFactory(prefecture=None, role=Role.NATIONAL_COORDINATOR).user


def fresh(user):
    """``user`` read again, without the roles, scope and permissions cached on the instance."""
    return type(user).objects.get(pk=user.pk)


class OutgoingEmailFactory(factory.django.DjangoModelFactory):
    """A message waiting in the outbox."""

    class Meta:
        model = "qualipref.OutgoingEmail"

    prefecture = factory.SubFactory(PrefectureFactory)
    purpose = "acknowledgement"
    to = "marie@example.org"
    subject = factory.Sequence(lambda n: f"Votre réclamation {n}")


class ApiClientFactory(factory.django.DjangoModelFactory):
    """An app of the Open311 API, allowed one prefecture of its own (its key: ``qualipref.apiclients``)."""

    class Meta:
        model = "qualipref.ApiClient"
        skip_postgeneration_save = True  # the prefectures are a many-to-many: nothing of the row changes

    name = factory.Sequence(lambda n: f"Application {n}")
    contact_email = "dev@example.org"
    key_fingerprint = factory.Sequence(lambda n: f"{n:064x}")
    key_hint = "abc123"

    @factory.post_generation
    def prefectures(self, create, extracted, **kwargs):
        if create:
            self.prefectures.add(*(extracted or [PrefectureFactory()]))
