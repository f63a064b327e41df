"""python manage.py export_roll [--city CODE] --out PATH [--user USERNAME]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.cli import DATA_COMMAND_CHECKS, acting_user
from core.errors import QMError
from personnel import selectors
from personnel.exporters import export_roll


class Command(BaseCommand):
    help = "Export the roll (花名册) of the province, or of one city or unit, to .xlsx (streamed)."
    requires_system_checks = DATA_COMMAND_CHECKS

    def add_arguments(self, parser):
        parser.add_argument("--city", metavar="CODE", help="only this unit's subtree (e.g. 430100)")
        parser.add_argument("--out", metavar="PATH", required=True)
        parser.add_argument(
            "--user", metavar="USERNAME", help="act as this user (default: provincial logistics)"
        )

    def handle(self, *args, city, out, user, **options):
        actor = acting_user(user)
        try:
            unit = selectors.unit_get(actor, city) if city else None
        except QMError:
            raise CommandError(
                f"no unit {city} in the scope of {actor.get_username()}", returncode=2
            ) from None
        with open(Path(out), "wb") as fh:
            rows = export_roll(fh, user=actor, unit=unit, door="command", where="export_roll")
        self.stdout.write(f"wrote {out}: {rows} officers")
