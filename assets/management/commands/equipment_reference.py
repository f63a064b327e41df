"""Load the station equipment types and the default standard kit (missing ones only)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy

from assets.equipment_demo import load_reference
from core.cli import DATA_COMMAND_CHECKS
from core.context import set_source


class Command(BaseCommand):
    help = gettext_lazy("载入站所装备类型与标准配置")
    requires_system_checks = DATA_COMMAND_CHECKS

    def handle(self, *args, **options):
        set_source("cli")
        counts = load_reference()
        self.stdout.write(
            f"equipment types added: {counts['types']}; standard kit lines added: {counts['kit_lines']}"
        )
