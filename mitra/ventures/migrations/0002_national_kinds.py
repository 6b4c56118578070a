"""The national list of kinds of business, in Indonesian (data, like the PMKS categories);
officers extend it for their area."""

from django.db import migrations

KINDS = [
    "Warung sembako",
    "Kuliner dan katering",
    "Pertanian",
    "Peternakan",
    "Perikanan",
    "Kerajinan tangan",
    "Menjahit dan konveksi",
    "Jasa (servis, salon, cuci)",
    "Toko daring",
]


def add(apps, schema_editor):
    VentureKind = apps.get_model("ventures", "VentureKind")
    for name in KINDS:
        VentureKind.objects.get_or_create(name=name, region_code="")


class Migration(migrations.Migration):
    dependencies = [("ventures", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
