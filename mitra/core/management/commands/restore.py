"""`mitra restore FILE`: load a backup into a new, empty database and verify every table."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mitra.core.backup import BackupError, restore


class Command(BaseCommand):
    # A data command: the URL and template checks import the whole web API (a second or more at
    # every start) and prove nothing here; `mitra check` and the server run them.
    requires_system_checks: list[str] = []

    help = (
        "Load an archive written by `mitra backup` into the database named by DATABASE_URL, which "
        "must be new and empty, and the uploads into MEDIA_ROOT; then compare every table's "
        "checksum with the backup's. Run migrations only after a restore, never before."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="an archive written by `mitra backup`")

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"{file} does not exist.")
        try:
            summary = restore(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Restored from {file}: {summary.tables} tables, {summary.rows} rows, "
            f"{summary.media_files} uploaded files; every checksum matches."
        )
