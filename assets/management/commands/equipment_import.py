"""Import a station's or a county's equipment inventory from an Excel file (all or nothing)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy

from assets.equipment_importers import import_inventory, template_workbook
from core.cli import DATA_COMMAND_CHECKS, acting_user
from core.errors import QMError
from personnel.models import OrgUnit


class Command(BaseCommand):
    help = gettext_lazy("从 Excel 导入站所装备台账")
    requires_system_checks = DATA_COMMAND_CHECKS

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx to import, or where to write the template with --template")
        parser.add_argument("--unit", help="code of the station, county agency or city the file covers")
        parser.add_argument("--user", help="acting account (default: the provincial account)")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--template", action="store_true", help="write the empty template to FILE")

    def handle(self, *args, file, unit, user, dry_run, template, **options):
        if template:
            Path(file).write_bytes(template_workbook())
            self.stdout.write(f"template written to {file}")
            return
        if not unit:
            raise CommandError("--unit is required")
        target = OrgUnit.objects.filter(code=unit).first()
        if target is None:
            raise CommandError(f"no unit {unit}")
        actor = acting_user(user)
        try:
            result = import_inventory(actor=actor, unit=target, data=Path(file).read_bytes(), dry_run=dry_run)
        except QMError as exc:
            for e in exc.details.get("errors", []):
                self.stderr.write(
                    f"row {e.get('row')} · {e.get('column')} · {e.get('value')!r}: {e.get('reason')}"
                )
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"{'dry run: ' if dry_run else ''}{result['rows']} rows: {result['created']} created, "
            f"{result['updated']} updated, {result['unchanged']} unchanged"
        )
