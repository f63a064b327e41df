import secrets

from django.core.management.base import BaseCommand

from core.cli import acting_user
from personnel.models import OrgUnit
from personnel.services import account_create


class Command(BaseCommand):
    help = "Create one account per city and county agency (city<code>, county<code>) with its membership."

    def add_arguments(self, parser):
        parser.add_argument("--user", help="acting provincial account (default: province)")
        parser.add_argument(
            "--password", help="one password for all new accounts (default: a random one each)"
        )

    def handle(self, *args, user=None, password=None, **options):
        actor = acting_user(user)
        for unit in OrgUnit.objects.filter(level__in=["city", "county"], is_active=True).order_by("path"):
            username = f"{unit.level}{unit.code}"
            pw = password or secrets.token_urlsafe(9)
            existed = type(actor).objects.filter(username=username).exists()
            account_create(
                actor=actor, username=username, password=pw, unit=unit, role=unit.level, full_name=unit.name
            )
            self.stdout.write(f"{username}\t{unit.name}\t{'(exists)' if existed else pw}")
