"""Load the Hunan demo: org tree, authorised posts, demo accounts and N officers, then each app's demo.
Idempotent. The story is told relative to `--today` (default: today): the roll was loaded about four and a
half months before it, the tender, deliveries and distribution follow (see each app's demo.py)."""

import datetime

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from core.cli import DATA_COMMAND_CHECKS
from core.context import set_source
from core.democlock import demo_clock
from core.history import build_record, record_changes
from core.models import ChangeRecord
from personnel import reference
from personnel.demo import officer_rows
from personnel.models import Officer, OrgUnit
from personnel.services import account_create

DEMO_PASSWORD = "hunan-demo-2026"
ROLL_DAYS_AGO = 135  # the cities' rolls and measurements came in before the demand was frozen


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today 须为 YYYY-MM-DD 格式的日期：{value}") from None


def demo_accounts():
    """[(username, unit code, role)] for the demo: province, auditor, one per city and per county agency."""
    rows = [("province", "430000", "province"), ("auditor", "430000", "auditor")]
    for unit in OrgUnit.objects.filter(level__in=["city", "county"]).order_by("path"):
        rows.append((f"{unit.level}{unit.code}", unit.code, unit.level))
    return rows


class Command(BaseCommand):
    help = "Load the Hunan demo data (org tree, accounts, officers). Safe to run again."
    requires_system_checks = DATA_COMMAND_CHECKS

    def add_arguments(self, parser):
        parser.add_argument("--officers", type=int, default=9843)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--today",
            type=_day,
            default=None,
            help="tell the story as seen on this day (YYYY-MM-DD; default: today, Beijing time)",
        )

    def handle(self, *args, officers, seed, today=None, **options):
        set_source("cli")
        if isinstance(today, str):  # call_command(today="…") skips the parser
            today = _day(today)
        if today is None or today == timezone.localdate():
            self._seed(officers, seed, timezone.localdate())
        else:  # a day other than today: everything not dated by a story step happens on that day
            with demo_clock(today, timezone.localtime().hour, timezone.localtime().minute):
                self._seed(officers, seed, today)

    def _seed(self, officers, seed, today):
        created = reference.load_org_tree()
        units = {u.code: u for u in OrgUnit.objects.all()}
        hashed = make_password(DEMO_PASSWORD)
        for username, code, role in demo_accounts():
            account_create(
                actor=None,
                username=username,
                password=None,
                password_hash=hashed,
                unit=units[code],
                role=role,
                full_name=f"演示 {units[code].name}",
            )
        n_new = 0
        if officers and not Officer.objects.exists():
            with demo_clock(today - datetime.timedelta(days=ROLL_DAYS_AGO), 9):
                n_new = self._officers(officers, seed, units, today)
        self.stdout.write(
            f"org tree: {created['units']} units and {created['divisions']} divisions added; "
            f"officers added: {n_new}; officers on the roll: {Officer.objects.count()}"
        )
        for hook in self.extra_steps():
            hook(seed=seed, stdout=self.stdout, today=today)
        from core.schedules import ensure_schedules

        ensure_schedules()

    def extra_steps(self):
        """Other apps' demo steps, in app order: each app may define demo.seed(seed=, stdout=)."""
        from importlib import import_module

        steps = []
        for app in ("assets", "procurement", "distribution", "vehicles", "reports"):
            try:
                module = import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            steps.append(module.seed)
        return steps

    @transaction.atomic
    def _officers(self, n, seed, units, today):
        holders = [u for u in units.values() if u.level in ("province", "city", "county")]
        codes = [u.code for u in holders]
        weights = [u.authorised_posts for u in holders]
        objs = []
        measured = today - datetime.timedelta(days=ROLL_DAYS_AGO)
        for row in officer_rows(n, codes, weights, seed=seed, measured_before=measured):
            row["unit"] = units[row["unit"]]
            objs.append(Officer(**row))
        Officer.objects.bulk_create(objs, batch_size=1000)
        saved = Officer.objects.filter(id_number__in=[o.id_number for o in objs]).select_related("unit")
        record_changes(
            build_record(actor=None, obj=o, action=ChangeRecord.Action.CREATE, note="demo data")
            for o in saved
        )
        return len(objs)
