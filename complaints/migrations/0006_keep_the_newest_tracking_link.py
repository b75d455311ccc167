"""One live tracking link per case (issue 14, finding 4; the constraint follows in 0007), and no raw token left in a
session (finding 3).

Before, every notice and every "lost my link" request added a link and none was revoked: each case keeps only its
newest one — the link of the citizen's latest e-mail — and the others stop working. The confirmation page used to
keep the raw token in the session for 14 days: it is taken out of every session that still holds one.
"""

from django.conf import settings
from django.db import migrations
from django.db.models import OuterRef, Subquery

SESSION_KEY = "complaints:last_submission"  # as complaints.views.public.SESSION_KEY


def keep_the_newest_link(apps, schema_editor):
    TrackingToken = apps.get_model("complaints", "TrackingToken")
    newest = TrackingToken.objects.filter(case_id=OuterRef("case_id")).order_by("-created_at", "-pk").values("pk")
    TrackingToken.objects.exclude(pk=Subquery(newest[:1])).delete()


def forget_tokens_in_sessions(apps, schema_editor):
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    Session = apps.get_model("sessions", "Session")
    for session in Session.objects.iterator(chunk_size=500):
        data = store.decode(session.session_data)
        if SESSION_KEY in data:
            del data[SESSION_KEY]
            session.session_data = store.encode(data)
            session.save(update_fields=["session_data"])


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0005_field_labels_translated"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(keep_the_newest_link, migrations.RunPython.noop),
        migrations.RunPython(forget_tokens_in_sessions, migrations.RunPython.noop),
    ]
