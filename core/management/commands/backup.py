"""`manage.py backup [--output FILE]`: the database and MEDIA_ROOT as one archive with a manifest (counts
per table, every file's SHA-256). See core/backup.py and the README's "Backup and restore"."""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and MEDIA_ROOT together into one .tar.gz archive with a manifest."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="the archive to write (default: var/backups/quartermaster-<time>.tar.gz); must not exist",
        )

    def handle(self, *args, output=None, **options):
        if not output:
            stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
            output = settings.VAR_DIR / "backups" / f"quartermaster-{stamp}.tar.gz"
        try:
            summary = backup(output=Path(output))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{output}: {summary.tables} tables, {summary.rows} rows, {summary.files} files ({summary.bytes} bytes)"
        )
