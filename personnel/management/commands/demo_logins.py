from django.core.management.base import BaseCommand

from core.cli import DATA_COMMAND_CHECKS

from .seed_demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print how to log in to the demo."
    requires_system_checks = DATA_COMMAND_CHECKS

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="where the demo is served")

    def handle(self, *args, url, **options):
        url = url.rstrip("/")
        self.stdout.write(
            f"\nQuartermaster — demo on {url}/\n"
            f"  password for every demo account: {DEMO_PASSWORD}\n"
            "  province   provincial logistics (everything)\n"
            "  city430100 Changsha city staff (city<code> for each of the 14 cities)\n"
            "  county430121 Changsha County staff (county<code> for each county agency)\n"
            "  auditor    read-only, whole province\n"
            f"  API docs: {url}/api/v1/docs   admin: {url}/admin/\n"
            "  API token: .venv/bin/python manage.py issue_token province\n"
        )
