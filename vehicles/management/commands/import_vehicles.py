"""python manage.py import_vehicles PATH [--dry-run] [--user USERNAME]

Exit status: 0 imported (or a clean dry run), 1 refused for row errors (nothing written),
2 the file or the arguments cannot be used."""

import sys

from django.core.management.base import BaseCommand, CommandError

from core.cli import acting_user
from core.errors import QMError
from vehicles.importers import import_vehicles


class Command(BaseCommand):
    help = "Import a city's vehicles from an .xlsx sheet (all or nothing, idempotent on the VIN)."
    requires_system_checks = ["models"]  # core.cli.DATA_COMMAND_CHECKS: not the URL checks

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument(
            "--user", help="act as this user (scope and history); default: provincial logistics"
        )

    def handle(self, *args, path, dry_run, user, **options):
        try:
            actor = acting_user(user)
        except CommandError as exc:
            self.stderr.write(str(exc))
            sys.exit(2)
        try:
            result = import_vehicles(actor=actor, source=path, dry_run=dry_run)
        except FileNotFoundError:
            self.stderr.write(f"no such file: {path}")
            sys.exit(2)
        except QMError as exc:  # an unusable file (ImportFileError) or one over a limit (core.uploads)
            self.stderr.write(exc.message)
            sys.exit(2)
        for e in result.errors:
            self.stderr.write(f"row {e['row']}, {e['column']}, {e['value']}: {e['reason']}")
        for w in result.warnings:
            self.stderr.write(f"warning: row {w['row']}, {w['column']}, {w['value']}: {w['message']}")
        summary = f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}"
        if result.errors:
            self.stdout.write(f"refused: {len(result.errors)} error(s), nothing written")
            sys.exit(1)
        self.stdout.write(("dry run, nothing written: " if dry_run else "") + summary)
