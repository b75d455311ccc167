import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from delays.enums import ImportStatus
from delays.management.commands.import_deliveries import Command as ImportDeliveries
from delays.models import DeliveryImport, DeliveryRecord

from .factories import csv_bytes

pytestmark = pytest.mark.django_db

GOOD = ("974", "TS-PREMIERE", "", "2026-01-05", "2026-02-09")
BAD = ("974", "TS-PREMIERE", "", "2026-01-05", "31/02/2026")


def run(path, *args):
    out = io.StringIO()
    call_command("import_deliveries", str(path), "--prefecture", "974", *args, stdout=out)
    return out.getvalue()


def test_command_imports_a_clean_file(tmp_path, reunion):
    path = tmp_path / "livraisons.csv"
    path.write_bytes(csv_bytes([GOOD, GOOD], encoding="cp1252"))
    output = run(path)
    assert "Imported 2 deliveries" in output
    assert DeliveryRecord.objects.count() == 2


def test_command_refuses_bad_rows_unless_accepted(tmp_path, reunion):
    path = tmp_path / "livraisons.csv"
    path.write_bytes(csv_bytes([GOOD, BAD]))
    with pytest.raises(CommandError, match="--accept"):
        run(path)
    assert DeliveryImport.objects.get().status == ImportStatus.REJECTED
    assert not DeliveryRecord.objects.exists()
    output = run(path, "--accept")
    assert "line 3: “31/02/2026” in “date_delivrance” is not a date" in output
    assert DeliveryRecord.objects.count() == 1


def test_command_refuses_the_same_file_twice(tmp_path, reunion):
    path = tmp_path / "livraisons.csv"
    path.write_bytes(csv_bytes([GOOD]))
    run(path)
    with pytest.raises(CommandError, match="already been imported"):
        run(path)


def test_command_refuses_an_unknown_prefecture(tmp_path, db):
    path = tmp_path / "livraisons.csv"
    path.write_bytes(csv_bytes([GOOD]))
    with pytest.raises(CommandError, match="974"):
        run(path)


def test_command_speaks_french_as_manage_py_does(tmp_path, reunion):
    path = tmp_path / "livraisons.csv"
    path.write_bytes(csv_bytes([GOOD, BAD, GOOD]))
    with translation.override("fr"):
        with pytest.raises(CommandError, match="Relancez avec --accept"):
            run(path)
        output = run(path, "--accept", "--show", "0")
    assert "livraisons.csv\u00a0: 3 lignes, 2 valides, 1 en erreur (utf-8, séparateur «\u00a0;\u00a0»)." in output
    assert "… et 1 de plus." in output
    assert "2 délivrances importées (import n°\u00a0" in output


def test_command_help_is_in_the_active_language():
    out = io.StringIO()
    with translation.override("fr"):
        parser = ImportDeliveries().create_parser("manage.py", "import_deliveries")
        parser.print_help(out)
    assert "Importe un fichier CSV de délivrances" in out.getvalue()
    assert "Code du département, par exemple 974." in out.getvalue()


def test_command_refuses_to_record_an_import_for_an_officer_of_another_prefecture(tmp_path, reunion, other):
    from tests.qualipref.factories import officer_of

    path = tmp_path / "livraisons.csv"
    path.write_bytes(csv_bytes([GOOD]))
    elsewhere = officer_of(other, email="qualite.94@example.org")
    with pytest.raises(CommandError, match="does not work for the prefecture 974"):
        run(path, "--by", elsewhere.email)
    assert not DeliveryImport.objects.exists()
