"""`mitra backup FILE`: the database and the uploaded files in one archive (see mitra/core/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mitra.core.backup import BackupError, backup


class Command(BaseCommand):
    # A data command: the URL and template checks import the whole web API (a second or more at
    # every start) and prove nothing here; `mitra check` and the server run them.
    requires_system_checks: list[str] = []

    help = (
        "Write the whole database and the uploaded files (MEDIA_ROOT) to one .tar.gz archive, "
        "with a checksum of every table. Safe while the site runs. The archive holds personal "
        "data: keep it encrypted and off the server."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", type=Path, help="the archive to write, e.g. mitra-2026-01-31.tar.gz"
        )

    def handle(self, *args, file: Path, **options):
        if file.exists():
            raise CommandError(f"{file} already exists; choose a new name.")
        try:
            summary = backup(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Backup written to {file}: {summary.vendor}, {summary.tables} tables, "
            f"{summary.rows} rows, {summary.media_files} uploaded files."
        )
