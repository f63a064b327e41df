"""python manage.py render_report KIND [--city CODE] [--county CODE] [--format pdf|xlsx] --out PATH [--user NAME]

Synchronous, with a progress bar on stderr; the same service code path as the Celery task."""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext, pgettext
from tqdm import tqdm

from core.cli import DATA_COMMAND_CHECKS, acting_user
from core.errors import QMError
from reports.registry import kinds
from reports.services import render_to_path


class Command(BaseCommand):
    help = "Render a report synchronously (PDF or Excel) to a file, acting as --user (default: province)."
    requires_system_checks = DATA_COMMAND_CHECKS

    def add_arguments(self, parser):
        parser.add_argument(
            "kind", help=gettext("报表类型：{kinds}").format(kinds=", ".join(sorted(kinds())))
        )
        parser.add_argument("--city", help=gettext("市州代码"))
        parser.add_argument("--county", help=gettext("县级机构代码"))
        parser.add_argument("--shipment", type=int, help=pgettext("id (receipt-form)", "发运单"))
        parser.add_argument("--officer", type=int, help=pgettext("id (kit-card)", "人员"))
        parser.add_argument(
            "--snapshot", type=int, help=pgettext("id (size-table; default the latest)", "需求快照")
        )
        parser.add_argument(
            "--tender", type=int, help=pgettext("id (tender-timeline; default the latest)", "招标项目")
        )
        parser.add_argument("--format", default="pdf", choices=["pdf", "xlsx"])
        parser.add_argument("--out", required=True, help="output file")
        parser.add_argument(
            "--language",
            default="zh-hans",
            choices=["zh-hans", "en"],
            help="the report's one language (default zh-hans)",
        )
        parser.add_argument("--user", help="act as this user (scope and 'requested by'); default province")
        parser.add_argument(
            "--param",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="a kind's own parameter (repeatable), e.g. --param include_ineligible=true",
        )

    def handle(self, *args, kind, city, county, format, out, user, param, language, **options):
        actor = acting_user(user)
        params = {k: v for k, v in (("city", city), ("county", county)) if v}
        params.update(
            {
                k: options[k]
                for k in ("shipment", "officer", "snapshot", "tender")
                if options.get(k) is not None
            }
        )
        for item in param:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--param {item!r}: expected KEY=VALUE")
            params[key] = value
        bar = tqdm(total=100, file=sys.stderr, unit="%", desc=kind, leave=True)

        def progress(pct: int, message: str) -> None:
            bar.set_postfix_str(message[:60], refresh=False)
            bar.update(max(0, pct - bar.n))

        t0 = time.perf_counter()
        try:
            data = render_to_path(
                user=actor,
                kind=kind,
                fmt=format,
                params=params,
                out=Path(out),
                progress=progress,
                language=language,
            )
        except QMError as exc:
            bar.close()
            raise CommandError(f"{exc.message} {exc.details or ''}".strip()) from None
        progress(100, "done")
        bar.close()
        self.stdout.write(
            f"{out}: {data.row_count} rows, {len(data.sections)} sections, "
            f"{Path(out).stat().st_size / 1024:.0f} KB in {time.perf_counter() - t0:.1f} s"
        )
