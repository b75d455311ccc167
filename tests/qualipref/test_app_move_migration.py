"""A database of the layout before engagements and reports left the core keeps every row when it migrates.

The database is taken back to that layout (qualipref/0011, the engagements and reports apps unmigrated),
filled through the models of that state, then migrated to the latest: rows, history rows, content types
and the permissions groups and users hold must all be there under the new app labels.
"""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps as current_apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from engagements.models import Engagement, EngagementVersion, ManualMeasure, MonthlyIndicator, WorkingDay
from qualipref.contenttypes import move_content_types
from reports.models import AuditReport
from tests.qualipref.factories import PrefectureFactory, UserFactory

BEFORE_THE_MOVE = [("qualipref", "0011_user_email_login_identity"), ("engagements", None), ("reports", None)]
MOVED = {
    "engagements": [
        "engagement",
        "engagementversion",
        "historicalengagement",
        "historicalmanualmeasure",
        "manualmeasure",
        "monthlyindicator",
        "workingday",
    ],
    "reports": ["auditreport"],
}
GROUP_GRANTS = [("engagement", "view"), ("manualmeasure", "change"), ("auditreport", "view")]
USER_GRANTS = [("monthlyindicator", "view"), ("auditreport", "add"), ("historicalmanualmeasure", "view")]
MONTH = datetime.date(2026, 5, 1)


def _migrate(targets):
    """Migrate the test database to ``targets``; the models of that state."""
    return MigrationExecutor(connection).migrate(targets).apps


def _fill_the_old_layout(old, prefecture, user):
    """Rows in every moved table, and grants of their permissions, written through the models of the old state."""
    engagement = old.get_model("qualipref", "Engagement").objects.create(
        code="MIGRATION-TEST", source="manual", position=999
    )
    old.get_model("qualipref", "HistoricalEngagement").objects.create(
        id=engagement.pk,
        code=engagement.code,
        source="manual",
        position=999,
        history_date=timezone.now(),
        history_type="+",
    )
    version = old.get_model("qualipref", "EngagementVersion").objects.create(
        engagement=engagement, valid_from=MONTH, wording="Mesure de test", target_value=Decimal("80"), unit="percent"
    )
    measure = old.get_model("qualipref", "ManualMeasure").objects.create(
        prefecture_id=prefecture.pk,
        engagement=engagement,
        month=MONTH,
        numerator=Decimal("8"),
        denominator=Decimal("10"),
        value=Decimal("80"),
        evidence="engagements/x/preuve",
        evidence_name="preuve.pdf",
        evidence_sha256="a" * 64,
        entered_by_id=user.pk,
    )
    old.get_model("qualipref", "HistoricalManualMeasure").objects.create(
        id=measure.pk,
        prefecture_id=prefecture.pk,
        engagement_id=engagement.pk,
        month=MONTH,
        value=Decimal("80"),
        evidence="engagements/x/preuve",
        evidence_name="preuve.pdf",
        evidence_sha256="a" * 64,
        entered_at=measure.entered_at,
        history_date=timezone.now(),
        history_type="+",
        history_user_id=user.pk,
    )
    old.get_model("qualipref", "WorkingDay").objects.create(subdivision="ZZ", day=MONTH, ordinal=4242)
    old.get_model("qualipref", "MonthlyIndicator").objects.create(
        prefecture_id=prefecture.pk,
        engagement=engagement,
        version=version,
        month=MONTH,
        value=Decimal("80"),
        target_value=Decimal("80"),
        comparator="gte",
        unit="percent",
        met=True,
        computed_at=timezone.now(),
    )
    old.get_model("qualipref", "AuditReport").objects.create(
        prefecture_id=prefecture.pk, period_kind="month", period_start=MONTH, version=1, requested_by_id=user.pk
    )

    ContentType = old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")

    def permission(model, action):
        content_type, _ = ContentType.objects.get_or_create(app_label="qualipref", model=model)
        return Permission.objects.get_or_create(
            content_type=content_type, codename=f"{action}_{model}", defaults={"name": f"Can {action} {model}"}
        )[0]

    group = old.get_model("auth", "Group").objects.create(name="Relecteurs de la migration")
    group.permissions.set([permission(model, action) for model, action in GROUP_GRANTS])
    old.get_model("qualipref", "User").objects.get(pk=user.pk).user_permissions.set(
        [permission(model, action) for model, action in USER_GRANTS]
    )
    old.get_model("admin", "LogEntry").objects.create(
        user_id=user.pk,
        content_type=ContentType.objects.get(app_label="qualipref", model="engagement"),
        object_id=str(engagement.pk),
        object_repr=engagement.code,
        action_flag=ADDITION,
    )
    return {
        "engagement": engagement.pk,
        "measure": measure.pk,
        "content_types": dict(
            ContentType.objects.filter(app_label="qualipref", model__in=sum(MOVED.values(), [])).values_list(
                "model", "pk"
            )
        ),
    }


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_core_layout_keeps_every_row_and_grant_when_migrated():
    prefecture = PrefectureFactory()
    user = UserFactory()
    old = _migrate(BEFORE_THE_MOVE)
    before = _fill_the_old_layout(old, prefecture, user)

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    engagement = Engagement.objects.get(code="MIGRATION-TEST")
    assert engagement.pk == before["engagement"]
    assert engagement.history.get().history_type == "+"
    version = EngagementVersion.objects.get(engagement=engagement)
    measure = ManualMeasure.objects.get(pk=before["measure"])
    assert (measure.prefecture, measure.engagement, measure.value) == (prefecture, engagement, Decimal("80"))
    assert measure.history.get().history_user == user
    assert WorkingDay.objects.get(subdivision="ZZ").ordinal == 4242
    assert MonthlyIndicator.objects.get(engagement=engagement).version == version
    assert AuditReport.objects.get(prefecture=prefecture).requested_by == user

    # The same content types (same ids), under the new labels; none left under the core's.
    for app_label, models in MOVED.items():
        for model in models:
            assert ContentType.objects.get(app_label=app_label, model=model).pk == before["content_types"][model]
    assert not ContentType.objects.filter(app_label="qualipref", model__in=sum(MOVED.values(), [])).exists()
    assert ContentType.objects.get_for_model(Engagement).app_label == "engagements"

    def held(permissions):
        return {f"{p.content_type.app_label}.{p.codename}" for p in permissions.select_related("content_type")}

    group = Group.objects.get(name="Relecteurs de la migration")
    assert held(group.permissions.all()) == {
        "engagements.view_engagement",
        "engagements.change_manualmeasure",
        "reports.view_auditreport",
    }
    assert held(Permission.objects.filter(user=user)) == {
        "engagements.view_monthlyindicator",
        "reports.add_auditreport",
        "engagements.view_historicalmanualmeasure",
    }
    assert LogEntry.objects.get(object_repr="MIGRATION-TEST").get_edited_object() == engagement


@pytest.mark.django_db
def test_a_content_type_the_new_app_already_has_takes_the_old_ones_grants_and_log_entries():
    # A database migrated in two steps: post_migrate made engagements.engagement before the old one was renamed.
    user = UserFactory()
    old_type = ContentType.objects.create(app_label="qualipref", model="engagement")
    old_view = Permission.objects.create(content_type=old_type, codename="view_engagement", name="Can view")
    old_only = Permission.objects.create(content_type=old_type, codename="audit_engagement", name="Can audit")
    group = Group.objects.create(name="Lecteurs")
    group.permissions.set([old_view, old_only])
    user.user_permissions.set([old_view])
    entry = LogEntry.objects.create(
        user=user, content_type=old_type, object_id="1", object_repr="COURRIERS-15J", action_flag=ADDITION
    )

    move_content_types(current_apps, models=["engagement"], old_label="qualipref", new_label="engagements")

    new_type = ContentType.objects.get(app_label="engagements", model="engagement")
    assert not ContentType.objects.filter(app_label="qualipref", model="engagement").exists()
    assert set(group.permissions.values_list("content_type", "codename")) == {
        (new_type.pk, "view_engagement"),
        (new_type.pk, "audit_engagement"),
    }
    assert list(user.user_permissions.values_list("content_type", "codename")) == [(new_type.pk, "view_engagement")]
    entry.refresh_from_db()
    assert entry.content_type == new_type
