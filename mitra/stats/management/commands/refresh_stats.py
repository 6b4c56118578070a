"""`mitra refresh-stats`: bring the dashboards' rollups up to date (cron every few minutes as a
safety net behind the task queue); `--full` rebuilds every row from the raw tables (nightly, and
after bulk loads that bypass the models, such as `mitra seed`)."""

import time

from django.core.management.base import BaseCommand

from mitra.stats import rollups


class Command(BaseCommand):
    help = "Bring the dashboard rollups up to date (--full: rebuild them from the raw tables)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="rebuild every rollup row")

    def handle(self, *args, full=False, **options):
        started = time.perf_counter()
        if full or not rollups.rollups_ready():
            rollups.rebuild_all()
            done = "rebuilt"
        else:
            done = f"{rollups.refresh_dirty()} districts refreshed"
        self.stdout.write(
            self.style.SUCCESS(
                f"Rollups {done} in {time.perf_counter() - started:.1f} s "
                f"({rollups.describe_sizes()})."
            )
        )
