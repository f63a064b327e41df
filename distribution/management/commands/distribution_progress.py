"""python manage.py distribution_progress [--city CODE] [--format csv|json] [--user NAME]"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import pgettext_lazy

from core.cli import acting_user
from core.errors import QMError

from ... import selectors
from ...exporters import progress_csv


class Command(BaseCommand):
    help = pgettext_lazy(
        "distribution progress per unit × item × gender × size: needed, allocated, shipped, in transit, received, short, excess, issued, outstanding (shipped = received + in_transit + short)",
        "配发进度",
    )
    requires_system_checks = ["models"]  # core.cli.DATA_COMMAND_CHECKS: not the URL checks

    def add_arguments(self, parser):
        parser.add_argument("--city", help="one city's code (it and its counties)")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--user", help="act as this user (scope); default the provincial account")

    def handle(self, *args, city, format, user, **options):
        actor = acting_user(user)
        try:
            rows = selectors.progress_rows(selectors.progress_units(actor, city))
        except QMError as exc:
            raise CommandError(exc.message) from None
        if format == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
        else:
            self.stdout.write(progress_csv(rows), ending="")
