from django.core.management.base import BaseCommand

from .seed_demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print how to log in to the demo."

    def handle(self, *args, **options):
        self.stdout.write(
            "\nQuartermaster 后勤装备管理 — demo on http://127.0.0.1:8000/\n"
            f"  password for every demo account: {DEMO_PASSWORD}\n"
            "  province   provincial logistics (everything)\n"
            "  city430100 Changsha city staff (city<code> for each of the 14 cities)\n"
            "  county430121 Changsha County staff (county<code> for each county agency)\n"
            "  auditor    read-only, whole province\n"
            "  API docs: http://127.0.0.1:8000/api/v1/docs   admin: http://127.0.0.1:8000/admin/\n"
            "  API token: .venv/bin/python manage.py issue_token province\n"
        )
