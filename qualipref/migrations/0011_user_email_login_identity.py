"""Accounts' addresses stored as their login identity (``qualipref.models.login_identity``).

They were stored lower-cased; logins now look an account up by the identity of the address typed, and the
lockout counts failures under it. For addresses in ASCII nothing changes; one with another character that
NFKC or case folding changes is rewritten, unless another account already holds the result (left as is: an
administrator then decides which account keeps the address).
"""

from django.db import migrations

from qualipref.models import login_identity


def store_identities(apps, schema_editor):
    User = apps.get_model("qualipref", "User")
    for pk, email in User.objects.values_list("pk", "email").iterator():
        identity = login_identity(email)
        if identity != email and not User.objects.filter(email=identity).exists():
            User.objects.filter(pk=pk).update(email=identity)


class Migration(migrations.Migration):
    dependencies = [("qualipref", "0010_names_never_start_like_a_formula")]

    operations = [migrations.RunPython(store_identities, migrations.RunPython.noop, elidable=True)]
