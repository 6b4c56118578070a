import time

from django.core.management.base import BaseCommand, CommandError

from mitra.regions.loader import RegionFileError, load_regions


class Command(BaseCommand):
    help = "Load or update the official region tree from the bundled files (idempotent)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            summary = load_regions()
        except (RegionFileError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        self.stdout.write(f"{summary.as_text()}")
        self.stdout.write(self.style.SUCCESS(f"Regions loaded in {elapsed:.2f} s."))
