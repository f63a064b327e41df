"""A test-only report kind that takes a while: `collect` sleeps `seconds` in steps of `step`, writing its
progress at each, then one small sheet. The killed-worker tests import it in their workers
(`celery worker --include tests.reports.slow_kind`) and in the test process (job_create validates the kind)."""

import time
from pathlib import Path

from django.utils import timezone

from reports.registry import (
    Column,
    ParamsBase,
    Progress,
    ReportData,
    ReportKind,
    Section,
    no_progress,
    register,
)
from reports.xlsx import new_workbook, write_table

KIND = "test-slow"


class SlowParams(ParamsBase):
    seconds: float = 20
    step: float = 0.5
    quiet: bool = False  # no progress at all while it sleeps: only the worker's heartbeat thread beats


def collect(user, params: SlowParams, *, progress: Progress = no_progress, now=None) -> ReportData:
    steps = max(1, int(params.seconds / params.step))
    for i in range(steps):
        if not params.quiet:
            progress(int(90 * i / steps), f"step {i + 1}/{steps}")
        time.sleep(params.step)
    return ReportData(
        kind=KIND,
        title="slow",
        scope_label="test",
        requested_by=user.username,
        requested_at=now or timezone.now(),
        sources=[],
        columns=[Column("n", "n")],
        sections=[Section(key="all", title="all", rows=[(n,) for n in range(3)])],
    )


def render_xlsx(data: ReportData, out: Path, progress: Progress = no_progress) -> None:
    wb = new_workbook()
    write_table(wb.create_sheet("slow"), data.columns, data.sections[0].rows)
    wb.save(out)


register(
    ReportKind(
        kind=KIND,
        title="slow",
        title_en="slow",
        collect=collect,
        renderers={"xlsx": render_xlsx},
        params=SlowParams,
    )
)
