"""Print the needs against the standard kit under a unit, in priority order."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy

from assets.equipment_selectors import gap_list, gap_report
from core.cli import DATA_COMMAND_CHECKS, acting_user


class Command(BaseCommand):
    help = gettext_lazy("站所装备缺口")
    requires_system_checks = DATA_COMMAND_CHECKS

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="unit code (default: the whole province)")
        parser.add_argument("--user")
        parser.add_argument("--limit", type=int, default=30)

    def handle(self, *args, unit, user, limit, **options):
        actor = acting_user(user)
        report = gap_report(actor, unit_code=unit)
        self.stdout.write(
            f"{report['unit_name']}: {report['stations']} stations, need {report['need']} items, "
            f"estimated ¥{report['cost']}; {report['stations_without_required']} stations lack a "
            "required type entirely"
        )
        for c in report["children"]:
            self.stdout.write(f"  {c['unit_code']} {c['unit_name']}: need {c['need']}, ¥{c['cost']}")
        self.stdout.write("priority list:")
        for row in gap_list(actor, unit_code=unit)[:limit]:
            self.stdout.write(
                f"  P{row.priority} {row.station_code} {row.station_name} · {row.type_name}: "
                f"need {row.need} ¥{row.cost} — {row.reason}"
            )
