"""`mitra generate-reports --period monthly`: last month's (or year's) report for every region that
asked for it on the reports page. Run it from cron early each month (docs/operations.md)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from mitra.stats.models_reports import ReportKind
from mitra.stats.reports import generate_scheduled


class Command(BaseCommand):
    help = "Generate the scheduled monthly or yearly reports of the last complete period."

    def add_arguments(self, parser):
        parser.add_argument("--period", choices=ReportKind.values, default=ReportKind.MONTHLY)
        parser.add_argument(
            "--today", help="Pretend today is this date (YYYY-MM-DD), to catch up a missed run."
        )

    def handle(self, *args, period, today=None, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError as error:
            raise CommandError(f"--today: {error}") from None
        count = generate_scheduled(period, day, stdout=self.stdout)
        self.stdout.write(f"{count} report(s) generated.")
