"""`manage.py restore ARCHIVE [--force]`: checks every checksum, refuses a target that holds data unless
--force, restores the database and MEDIA_ROOT, then counts again against the manifest. Stop the web server
and the workers first."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a `manage.py backup` archive into the configured database and MEDIA_ROOT, verified."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database and MEDIA_ROOT that hold data (the old media folder is kept beside it)",
        )

    def handle(self, *args, archive, force, **options):
        try:
            result = restore(archive=Path(archive), force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"restored {result['tables']} tables, {result['rows']} rows, {result['files']} files; "
            "counts and checksums match the manifest"
            + (f"; the former media folder is kept at {result['kept_media']}" if result["kept_media"] else "")
        )
