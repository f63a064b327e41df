"""python manage.py import_roll PATH [--dry-run] [--report OUT.xlsx] [--user USERNAME]  (ROLL_FORMAT.md)

Exit status: 0 imported (or, with --dry-run, would import), 1 refused for row errors (nothing written),
2 the file or the arguments cannot be used.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from core.cli import DATA_COMMAND_CHECKS, acting_user
from core.errors import QMError
from personnel.importers import error_workbook
from personnel.services import roll_import


class Command(BaseCommand):
    help = "Import a roll (花名册) workbook: every row checked, all or nothing, updates recorded in history."
    requires_system_checks = DATA_COMMAND_CHECKS

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .xlsx (or .xls) file")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument("--report", metavar="OUT.xlsx", help="write the sheet with its bad cells marked")
        parser.add_argument(
            "--user", metavar="USERNAME", help="act as this user (default: provincial logistics)"
        )

    def fail(self, message: str, status: int = 2):
        self.stderr.write(message)
        raise SystemExit(status)

    def handle(self, *args, **options):
        # ROLL_FORMAT.md: the command line reports in English, one line per error
        with translation.override("en"):
            return self._handle(*args, **options)

    def _handle(self, *args, path, dry_run, report, user, **options):
        try:
            actor = acting_user(user)
        except CommandError as exc:
            self.fail(str(exc))
        source = Path(path)
        try:
            data = source.read_bytes()
        except OSError as exc:
            self.fail(f"cannot read {path}: {exc.strerror or exc}")
        try:
            result = roll_import(actor=actor, file=data, filename=source.name, dry_run=dry_run)
        except QMError as exc:
            self.fail(exc.message)
        for err in result.errors:
            self.stderr.write(err.line())
        if report:
            message = f"{len(result.errors)} errors, nothing written" if result.errors else "no errors"
            try:
                Path(report).write_bytes(error_workbook(data, source.name, result.errors, message=message))
            except OSError as exc:
                self.fail(f"cannot write {report}: {exc.strerror or exc}")
        if result.errors:
            self.stdout.write(result.summary())
            rows = len({e.row for e in result.errors})
            self.fail(f"refused: {len(result.errors)} errors in {rows} rows, nothing written", 1)
        self.stdout.write(result.summary() + (" (dry run, nothing written)" if dry_run else ""))
        if result.not_in_sheet:
            self.stdout.write(f"not in this sheet: {len(result.not_in_sheet)} officers of its units")
            for o in result.not_in_sheet:
                self.stdout.write(f"  {o['unit_code']} {o['name']} {o['id_number']}")
