from django.core.management.base import BaseCommand

from core.cli import DATA_COMMAND_CHECKS
from core.schedules import declared, ensure_schedules


class Command(BaseCommand):
    help = "Create the periodic tasks every app declares (django-celery-beat), leaving edited ones alone."
    requires_system_checks = DATA_COMMAND_CHECKS

    def handle(self, *args, **options):
        n = ensure_schedules()
        self.stdout.write(f"{n} periodic task(s) created; {len(declared())} declared")
