from importlib import import_module

from django.core.management.base import BaseCommand

from core.bench import Bench
from core.context import set_source

APPS = ["personnel", "assets", "procurement", "distribution", "vehicles", "reports"]


class Command(BaseCommand):
    help = "Run the benchmarks of every app (each app's benchmarks.py) and print figures, medians and ratios."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument("--only", nargs="*", help="apps to run (default: all)")
        parser.add_argument("--quick", action="store_true", help="smaller sizes, one run (smoke test)")

    def handle(self, *args, runs, only, quick, **options):
        set_source("cli")
        bench = Bench(runs=1 if quick else runs, stdout=self.stdout, quick=quick)
        for app in only or APPS:
            try:
                module = import_module(f"{app}.benchmarks")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.benchmarks":
                    raise
                continue
            module.run(bench)
        self.stdout.write("\ndone.")
