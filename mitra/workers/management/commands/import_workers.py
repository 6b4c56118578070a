"""`mitra import-workers FILE`: check a worker spreadsheet and write its valid rows."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from mitra.core.current import acting_as
from mitra.core.scope import code_in_scope, format_code, normalize_code
from mitra.regions.models import region_exists

HELP = """Import workers from a spreadsheet (xlsx, xls, ods or csv), as the import page does.

Every row is checked first; rows with problems are skipped and listed in the report. Then the valid
rows are written in ONE transaction (all of them or, on any failure, none); workers whose NIK is
already registered are never changed, so running the same file again writes nothing new.

The author of the rows (created_by/updated_by and the change history) is --as-user, an active user
with the workers.import_worker permission; the import's area is that user's scope, or the narrower
--scope. Rows whose village lies outside the area are refused. --dry-run checks without writing and
needs no user (the area is then --scope, or national).

Exit status: 0 when rows were written (or every row was already registered unchanged);
1 when nothing could be written; 2 when the file cannot be read or its columns not recognised.
"""


class Command(BaseCommand):
    # A data command: the URL and template checks import the whole web API (a second or more at
    # every start) and prove nothing here; `mitra check` and the server run them.
    requires_system_checks: list[str] = []

    help = HELP

    def create_parser(self, prog_name, subcommand, **kwargs):
        from argparse import RawDescriptionHelpFormatter

        kwargs["formatter_class"] = RawDescriptionHelpFormatter
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("file", help="the spreadsheet: .xlsx, .xls, .ods or .csv")
        parser.add_argument(
            "--as-user",
            metavar="USERNAME",
            help="the officer the rows are recorded as written by (required unless --dry-run)",
        )
        parser.add_argument(
            "--scope",
            metavar="CODE",
            help="region code of the import's area (34.02 or 3402); default: the user's scope",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument(
            "--report",
            metavar="REPORT.csv",
            help="write the per-row report (row, column, reason) to this CSV file",
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help=(
                "correct the column mapping: a header (or column letter) and a field, e.g. "
                "--map 'Nama Panggilan=-' (not imported) or --map 'E=birth_date'. Fields: "
                "full_name nik sex birth_place birth_date birth_place_date address village_code "
                "village_name district_name phone education occupation joined_on kind"
            ),
        )

    def handle(self, *args, file, as_user, scope, dry_run, report, map, **options):
        from mitra.workers.importing.service import import_file
        from mitra.workers.importing.sources import FileProblem

        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}", returncode=2)
        user = self._user(as_user, required=not dry_run)
        area = self._scope(scope, user)
        overrides = {}
        for item in map:
            header, sep, field = item.partition("=")
            if not sep:
                raise CommandError(f"--map needs COLUMN=FIELD, not {item!r}", returncode=2)
            overrides[header.strip()] = field.strip()
        report_path = Path(report) if report else None
        self.stderr.write(
            f"Checking {path.name} for area {format_code(area) if area else 'national'}…"
        )
        try:
            with acting_as(user):
                outcome = import_file(
                    path,
                    scope=area,
                    actor=user,
                    dry_run=dry_run,
                    report_path=report_path,
                    overrides=overrides,
                )
        except FileProblem as exc:
            raise CommandError(str(exc), returncode=2) from None
        counts = outcome.check.counts
        mapping = outcome.inspection.mapping
        lines = [
            f"Header row:        {mapping.header_row}"
            + (f" (sheet {mapping.sheet})" if mapping.sheet else ""),
            f"Rows read:         {counts.read}",
            f"Valid (new):       {counts.valid}",
            f"Unchanged:         {counts.unchanged}  (NIK registered with the same data)",
            f"Registered:        {counts.registered}  (NIK registered with other data or elsewhere: skipped)",
            f"Duplicates:        {counts.duplicates}  (NIK repeated in the file: skipped)",
            f"Invalid:           {counts.invalid}",
            f"Written:           {counts.written}" + ("  (dry run)" if dry_run else ""),
        ]
        self.stdout.write("\n".join(lines))
        if report_path:
            self.stdout.write(
                f"Report:            {report_path} ({outcome.check.problem_count} problems)"
            )
        elif outcome.check.problem_count:
            for row, column, reason in outcome.check.problems[:10]:
                self.stdout.write(f"  row {row}, {column}: {reason}")
            if outcome.check.problem_count > 10:
                self.stdout.write(f"  … {outcome.check.problem_count - 10} more (use --report)")
        nothing_needed = counts.valid == 0 and counts.unchanged == counts.read
        if (dry_run and counts.valid) or counts.written or (nothing_needed and counts.read):
            return
        raise CommandError("Nothing could be written.", returncode=1)

    def _user(self, username, *, required):
        if not username:
            if required:
                raise CommandError(
                    "--as-user USERNAME is required to write (the rows record who wrote them).",
                    returncode=2,
                )
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active user {username!r}.", returncode=2)
        if not user.has_perm("workers.import_worker"):
            raise CommandError(f"User {username!r} may not import workers.", returncode=2)
        return user

    def _scope(self, raw, user) -> str:
        base = (user.scope_code or "") if user else ""
        if not raw:
            return base
        try:
            code = normalize_code(raw)
        except ValueError:
            raise CommandError(f"--scope {raw!r} is not a region code.", returncode=2) from None
        if code and not region_exists(code):
            raise CommandError(f"--scope {raw!r}: no such region.", returncode=2)
        if user and not code_in_scope(code, base):
            raise CommandError(
                f"--scope {format_code(code)} lies outside {user.username}'s area "
                f"({format_code(base) if base else 'national'}).",
                returncode=2,
            )
        return code
