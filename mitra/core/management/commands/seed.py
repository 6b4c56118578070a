from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from mitra.core.seeding import SCALES, seed
from mitra.regions.models import Village


class Command(BaseCommand):
    help = "Fill the database with realistic synthetic demo data (faker id_ID)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=SCALES,
            default="demo",
            help="demo: one story in DI Yogyakarta; province; national.",
        )

    def handle(self, *args, scale, **options):
        if not Village.objects.exists():
            raise CommandError("Regions are not loaded: run `mitra load-regions` first.")
        with transaction.atomic():
            seed(scale, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Seeded ({scale})."))
