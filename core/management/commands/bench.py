import os
import subprocess
import sys
from importlib import import_module, util
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.bench import Bench
from core.cli import DATA_COMMAND_CHECKS
from core.context import set_source

CHILD = "QM_BENCH_CHILD"
APPS = ["personnel", "assets", "procurement", "distribution", "vehicles", "reports", "core"]


class Command(BaseCommand):
    help = "Run the benchmarks of every app (each app's benchmarks.py) and print figures, medians and ratios."
    requires_system_checks = DATA_COMMAND_CHECKS

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument("--only", nargs="*", help="apps to run (default: all)")
        parser.add_argument("--quick", action="store_true", help="smaller sizes, one run (smoke test)")
        parser.add_argument(
            "--in-process",
            action="store_true",
            help="run the apps one after another in this process (default: a fresh process each)",
        )

    def handle(self, *args, runs, only, quick, in_process, **options):
        set_source("cli")
        apps = [a for a in (only or APPS) if util.find_spec(f"{a}.benchmarks") is not None]
        if len(apps) > 1 and not in_process:
            # Each app in a fresh interpreter: what one benchmark leaves behind (a 500 MB heap after the
            # 100,000-row import, objects the collector must walk) must not slow the next one or swell the
            # render processes it forks; the figures are the ones `--only APP` gives.
            manage = str(Path(settings.BASE_DIR) / "manage.py")
            for app in apps:
                cmd = [sys.executable, manage, "bench", "--only", app, "--runs", str(runs)]
                self.stdout.flush()
                env = {**os.environ, CHILD: "1"}  # the parent says when all are done
                done = subprocess.run([*cmd, *(["--quick"] if quick else [])], check=False, env=env)
                if done.returncode:
                    raise CommandError(f"the {app} benchmark failed (exit status {done.returncode})")
        else:
            bench = Bench(runs=1 if quick else runs, stdout=self.stdout, quick=quick)
            for app in apps:
                import_module(f"{app}.benchmarks").run(bench)
        if not os.environ.get(CHILD):
            self.stdout.write("\ndone.")
