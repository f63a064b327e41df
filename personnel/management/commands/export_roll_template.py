"""python manage.py export_roll_template [--city CODE] [--out PATH] [--user USERNAME]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.cli import DATA_COMMAND_CHECKS, acting_user
from core.errors import QMError
from personnel import selectors
from personnel.exporters import export_template


class Command(BaseCommand):
    help = (
        "Write the roll template (花名册模板), prefilled with a city's officers and their measurements "
        "so the city can correct and complete it and upload it back."
    )
    requires_system_checks = DATA_COMMAND_CHECKS

    def add_arguments(self, parser):
        parser.add_argument("--city", metavar="CODE", help="prefill with this unit's officers (e.g. 430100)")
        parser.add_argument("--out", metavar="PATH", help="default: roll-template-<CODE>.xlsx")
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
        path = Path(out or f"roll-template-{city or 'blank'}.xlsx")
        with open(path, "wb") as fh:
            rows = export_template(fh, user=actor, city=unit, door="command", where="export_roll_template")
        self.stdout.write(f"wrote {path}: {rows} officers")
