from django.db import migrations


def seed(apps, schema_editor):
    from mitra.training.catalogue import seed_courses

    seed_courses(apps.get_model("training", "Course"))


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
