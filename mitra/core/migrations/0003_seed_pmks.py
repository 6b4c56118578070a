from django.db import migrations


def seed(apps, schema_editor):
    from mitra.core.categories import PMKS

    PmksCategory = apps.get_model("core", "PmksCategory")
    for number, name in PMKS:
        PmksCategory.objects.update_or_create(number=number, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("core", "0002_pmks_category")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
