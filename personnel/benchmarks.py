"""Roll import benchmark (`manage.py bench --only personnel`).

Runs in a scratch database (the test database of the configured backend: a file var/bench_personnel.sqlite3
on SQLite, test_<name> on PostgreSQL), created and dropped here, so the dev data is never touched.
Measures, for a generated 9,843-row roll: the first import into an empty roll and the re-import that changes
nothing, through roll_import and through django-import-export (a ModelResource keyed on id_number, the
library a Django team would otherwise use); then memory at 10k and 100k rows.
Memory is measured two ways: tracemalloc's peak of Python allocations, and the peak rise of the process's
resident set (VmRSS sampled every 5 ms by a thread), which also sees python-calamine's native buffers.
"""

import datetime
import io
import os
import threading
import time
import tracemalloc
from pathlib import Path

from django.conf import settings
from django.db import connection

ROWS = 9_843
REGIONS = ["431399", "431398", "431397", "431396", "431395", "431394", "431393", "431392"]


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0


class RssPeak:
    """Peak rise of the resident set during the block, sampled by a thread."""

    def __enter__(self):
        self.base = self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, _rss_mb())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())
        self.rise = self.peak - self.base


def roll_workbook(n: int, *, titles: bool = True, seed: int = 11) -> bytes:
    """A roll of n officers as cities send it (title rows, then the header) or plain (header on row 1)."""
    from openpyxl import Workbook

    from .demo import officer_rows
    from .exporters import FIELDS, RollWriter
    from .importers import HEADERS
    from .models import OrgUnit

    units = list(OrgUnit.objects.filter(level__in=["province", "city", "county"]))
    names = {u.code: u.name for u in units}
    rows = officer_rows(
        n, [u.code for u in units], [max(u.authorised_posts, 1) for u in units], seed=seed, regions=REGIONS
    )
    today = datetime.date.today()
    rows = ({**r, "measured_on": min(r["measured_on"], today)} if r.get("measured_on") else r for r in rows)
    out = io.BytesIO()
    if titles:
        writer = RollWriter()
        for r in rows:
            r.setdefault("shoe_eu", None)
            values = tuple(r.get(f) for f in FIELDS)
            writer.officer(values, names[r["unit"]], full_id=True)
        writer.save(out)
    else:
        from .exporters import GENDER_LABEL, STATUS_LABEL, _number

        book = Workbook(write_only=True)
        ws = book.create_sheet("roll")
        ws.append(HEADERS)
        for r in rows:
            ws.append(
                [
                    r["name"],
                    GENDER_LABEL[r["gender"]],
                    r["id_number"],
                    r["certificate_number"] or None,
                    names[r["unit"]],
                    r["post"],
                    STATUS_LABEL[r["status"]],
                    _number(r.get("height_cm")),
                    _number(r.get("chest_cm")),
                    _number(r.get("waist_cm")),
                    _number(r.get("head_cm")),
                    _number(r.get("foot_mm")),
                    r.get("measured_on"),
                    r["phone"],
                    "无",
                ]
            )
        book.save(out)
    return out.getvalue()


def officer_resource():
    """A django-import-export resource for the same sheet: Chinese headers, labels to values, unit by name,
    birth date from the ID number, id_number as the import key."""
    from import_export import fields, resources, widgets

    from . import ids
    from .choices import STATUS_BY_LABEL
    from .models import Officer, OrgUnit

    class LabelWidget(widgets.Widget):
        def __init__(self, mapping):
            super().__init__()
            self.mapping = mapping

        def clean(self, value, row=None, **kwargs):
            return self.mapping.get(value, value) if value else None

    class FootWidget(widgets.DecimalWidget):
        def clean(self, value, row=None, **kwargs):
            from assets.sizes import foot_mm_from_input

            value = super().clean(value, row, **kwargs)
            return None if value is None else foot_mm_from_input(value)

    decimal = widgets.DecimalWidget

    class OfficerResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="姓名")
        gender = fields.Field(
            attribute="gender", column_name="性别", widget=LabelWidget({"男": "M", "女": "F"})
        )
        id_number = fields.Field(attribute="id_number", column_name="身份证号")
        certificate_number = fields.Field(attribute="certificate_number", column_name="执法证号")
        unit = fields.Field(
            attribute="unit", column_name="所属单位", widget=widgets.ForeignKeyWidget(OrgUnit, "name")
        )
        post = fields.Field(attribute="post", column_name="岗位")
        status = fields.Field(attribute="status", column_name="人员状态", widget=LabelWidget(STATUS_BY_LABEL))
        height_cm = fields.Field(attribute="height_cm", column_name="身高(cm)", widget=decimal())
        chest_cm = fields.Field(attribute="chest_cm", column_name="胸围(cm)", widget=decimal())
        waist_cm = fields.Field(attribute="waist_cm", column_name="腰围(cm)", widget=decimal())
        head_cm = fields.Field(attribute="head_cm", column_name="头围(cm)", widget=decimal())
        foot_mm = fields.Field(attribute="foot_mm", column_name="脚长(mm)", widget=FootWidget())
        measured_on = fields.Field(
            attribute="measured_on", column_name="测量日期", widget=widgets.DateWidget()
        )
        phone = fields.Field(attribute="phone", column_name="联系电话")
        remarks = fields.Field(attribute="remarks", column_name="备注")

        class Meta:
            model = Officer
            import_id_fields = ("id_number",)
            fields = (
                "name",
                "gender",
                "id_number",
                "certificate_number",
                "unit",
                "post",
                "status",
                "height_cm",
                "chest_cm",
                "waist_cm",
                "head_cm",
                "foot_mm",
                "measured_on",
                "phone",
                "remarks",
            )
            skip_unchanged = True
            clean_model_instances = True

        def import_instance(self, instance, row, **kwargs):
            super().import_instance(instance, row, **kwargs)
            instance.id_number, instance.birth_date, _gender = ids.parse(instance.id_number)
            instance.certificate_number = instance.certificate_number or ""
            instance.post = instance.post or ""
            instance.phone = instance.phone or ""
            instance.remarks = instance.remarks or ""

    return OfficerResource()


def import_export_run(data: bytes):
    from import_export.formats.base_formats import XLSX

    dataset = XLSX().create_dataset(data)
    result = officer_resource().import_data(dataset, dry_run=False, raise_errors=False, use_transactions=True)
    if result.has_errors() or result.has_validation_errors():
        raise RuntimeError("django-import-export refused the roll")
    return result


class ScratchDatabase:
    """The configured backend's test database, created empty and migrated, dropped afterwards."""

    def __enter__(self):
        self.old_name = connection.settings_dict["NAME"]
        if connection.vendor == "sqlite":
            path = Path(settings.BASE_DIR) / "var" / "bench_personnel.sqlite3"
            path.parent.mkdir(exist_ok=True)
            connection.settings_dict.setdefault("TEST", {})["NAME"] = str(path)
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        return self

    def __exit__(self, *exc):
        connection.creation.destroy_test_db(self.old_name, verbosity=0)


def _timed(fn, *, setup=None, runs: int) -> dict:
    """Median wall seconds and median CPU seconds of this process over `runs` calls (setup untimed). CPU
    time is given because the machine is shared: wall time grows with the other processes' load."""
    import gc
    import statistics

    walls, cpus = [], []
    for _ in range(runs):
        if setup is not None:
            setup()
        gc.collect()
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus), "runs": len(walls)}


def _fmt(result: dict, n: int) -> str:
    return (
        f"{result['wall']:.2f} s wall ({n / result['wall']:,.0f} rows/s), {result['cpu']:.2f} s CPU "
        f"({n / result['cpu']:,.0f} rows/s)"
    )


def run(bench) -> None:
    from django.contrib.auth import get_user_model

    from core.models import ChangeRecord

    from . import reference
    from .models import Officer
    from .services import account_create, roll_import

    bench.header("personnel: roll import (花名册导入)")
    n = 2_000 if bench.quick else ROWS
    big = 20_000 if bench.quick else 100_000
    bench.say(f"  load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with ScratchDatabase():
        reference.load_org_tree()
        user = account_create(
            actor=None,
            username="bench-province",
            password=None,
            unit=reference.OrgUnit.objects.get(code="430000"),
            role="province",
        )
        user = get_user_model().objects.get(pk=user.pk)
        bench.say(f"  scratch database {connection.settings_dict['NAME']} ({connection.vendor})")
        t0 = time.perf_counter()
        data = roll_workbook(n)
        plain = roll_workbook(n, titles=False)
        bench.say(
            f"  generated a {n:,}-row roll in {time.perf_counter() - t0:.1f} s ({len(data) / 2**20:.1f} MB)"
        )

        def clear():
            ChangeRecord.objects.all().delete()
            Officer.objects.all().delete()

        def ours():
            report = roll_import(actor=user, file=data, filename="bench.xlsx")
            assert report.imported, report.errors[:3]
            return report

        first = _timed(ours, setup=clear, runs=bench.runs)
        bench.report(
            f"roll_import, first import of {n:,} rows (median of {first['runs']})",
            _fmt(first, n),
            "target < 3 s",
        )
        again = _timed(ours, runs=bench.runs)
        assert Officer.objects.count() == n and ours().unchanged == n
        bench.report(f"roll_import, unchanged re-import (median of {again['runs']})", _fmt(again, n))

        def theirs():
            import_export_run(plain)

        # one run each: django-import-export takes tens of seconds a run on this machine
        their_first = _timed(theirs, setup=clear, runs=1)
        bench.report("django-import-export, first import (1 run)", _fmt(their_first, n))
        their_again = _timed(theirs, runs=1)
        assert Officer.objects.count() == n
        bench.report("django-import-export, unchanged re-import (1 run)", _fmt(their_again, n))
        for label, theirs_, ours_ in (
            ("first import", their_first, first),
            ("unchanged re-import", their_again, again),
        ):
            bench.report(
                f"ratio import-export / ours, {label}",
                f"{theirs_['wall'] / ours_['wall']:.1f}× wall, {theirs_['cpu'] / ours_['cpu']:.1f}× CPU",
                "target ≥ 5×",
            )

        clear()
        peak = _memory(ours)
        bench.report(
            f"peak memory, first import of {n:,} rows", f"{peak[0]:.0f} MB traced, {peak[1]:.0f} MB RSS"
        )
        peak = _memory(ours)
        bench.report(
            f"peak memory, unchanged re-import of {n:,} rows",
            f"{peak[0]:.0f} MB traced, {peak[1]:.0f} MB RSS",
        )

        # memory against size: a first import at n and at `big` rows, one run each
        t0 = time.perf_counter()
        big_data = roll_workbook(big, seed=12)
        bench.say(f"  generated a {big:,}-row roll in {time.perf_counter() - t0:.1f} s")
        sizes = {}
        for rows, book in ((n, data), (big, big_data)):
            clear()
            t0 = time.perf_counter()
            sizes[rows] = _memory(lambda book=book: roll_import(actor=user, file=book, filename="size.xlsx"))
            assert Officer.objects.count() == rows
            bench.report(
                f"first import of {rows:,} rows, one run under tracemalloc",
                f"{sizes[rows][0]:.0f} MB traced, {sizes[rows][1]:.0f} MB RSS",
                f"({time.perf_counter() - t0:.0f} s with tracing)",
            )
        # the RSS rise of the smaller run is often ~0 (it reuses memory freed by the runs before): no ratio then
        rss = (
            f"{sizes[big][1] / sizes[n][1]:.1f}× RSS" if sizes[n][1] >= 5 else "RSS ratio n/a (memory reused)"
        )
        bench.report(
            f"memory growth {n:,} → {big:,} rows ({big / n:.1f}× the rows)",
            f"{sizes[big][0] / sizes[n][0]:.1f}× traced, {rss}",
            "target ≤ the rows' growth",
        )
        clear()
        bench.say(f"  load average at end: {os.getloadavg()[0]:.1f}")


def _memory(fn) -> tuple[float, float]:
    """(tracemalloc peak MB, RSS peak rise MB) of one call."""
    import gc

    gc.collect()
    tracemalloc.start()
    with RssPeak() as rss:
        fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak, rss.rise
