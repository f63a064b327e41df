"""Benchmarks of station equipment: the gap computation, survey progress, the Excel import and QR labels.

Everything runs inside one transaction that is rolled back, so the database is left as it was.
Wire-up: assets/benchmarks.py calls `run(bench)` from here (see the report to the lead).
"""

import datetime
import io
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from personnel import reference
from personnel.choices import Level
from personnel.models import OrgUnit

from .equipment_choices import Condition, StationClass, SurveyStatus
from .equipment_demo import load_reference
from .equipment_importers import COLUMNS, import_inventory
from .equipment_labels import label_svg
from .equipment_models import EquipmentItem, EquipmentType, Survey, SurveyReturn
from .equipment_selectors import gap_report, gap_rows, survey_progress


class _Rollback(Exception):
    pass


def _stations(n: int, rng: random.Random) -> list[OrgUnit]:
    counties = list(OrgUnit.objects.filter(level=Level.COUNTY).order_by("code"))
    objs = []
    for i in range(n):
        county = counties[i % len(counties)]
        unit = OrgUnit(
            code=f"BENCH{i:05d}",
            name=f"基准站{i}",
            level=Level.STATION,
            parent=county,
            city_id=county.city_id,
            station_class=rng.choice(list(StationClass)),
        )
        unit.path = unit.compute_path()
        objs.append(unit)
    OrgUnit.objects.bulk_create(objs, batch_size=1000)
    return list(OrgUnit.objects.filter(code__startswith="BENCH"))


def _items(stations, per_station: int, rng: random.Random) -> int:
    types = list(EquipmentType.objects.all())
    today = datetime.date.today()
    objs = [
        EquipmentItem(
            asset_tag=f"{s.code}-{k:04d}",
            equipment_type=rng.choice(types),
            station=s,
            acquired_on=today - datetime.timedelta(days=rng.randrange(30, 4000)),
            acquired_value=Decimal("1000.00"),
            condition=rng.choice(Condition.values),
        )
        for s in stations
        for k in range(per_station)
    ]
    EquipmentItem.objects.bulk_create(objs, batch_size=2000)
    return len(objs)


def _workbook(stations, rows: int) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append([h for h, _k, _r in COLUMNS])
    for i in range(rows):
        s = stations[i % len(stations)]
        ws.append(
            [s.code, f"IMPBENCH-{i:06d}", "BODYCAM", f"SNB{i:07d}", "2022-01-01", "1800", "完好", "在用", ""]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def run(bench) -> None:
    n_stations = 100 if bench.quick else 1000
    per_station = 20 if bench.quick else 40
    import_rows = 500 if bench.quick else 5000
    bench.header(f"station equipment ({n_stations} stations × {per_station} items, rolled back afterwards)")
    rng = random.Random(7)
    try:
        with transaction.atomic():
            reference.load_org_tree()
            load_reference()
            user = get_user_model().objects.create(username="bench-equipment-province")
            from personnel.models import Membership

            Membership.objects.create(
                user=user, unit=OrgUnit.objects.get(level=Level.PROVINCE), role="province"
            )
            stations = _stations(n_stations, rng)
            n_items = _items(stations, per_station, rng)

            r = bench.measure(lambda: gap_rows(stations))
            with CaptureQueriesContext(connection) as q:
                rows = gap_rows(stations)
            bench.report(
                f"gap rows for {n_stations} stations ({n_items} items)",
                f"{r['median'] * 1000:.0f} ms, {len(q.captured_queries)} queries, {len(rows)} rows",
                "< 1 s, queries constant",
            )
            r = bench.measure(lambda: gap_report(user))
            bench.report("gap report, province roll-up", f"{r['median'] * 1000:.0f} ms", "< 1 s")

            survey = Survey.objects.create(
                name="bench",
                opened_on=datetime.date.today(),
                deadline=datetime.date.today(),
                status=SurveyStatus.CLOSED,
            )
            SurveyReturn.objects.bulk_create([SurveyReturn(survey=survey, station=s) for s in stations])
            r = bench.measure(lambda: survey_progress(user, survey))
            bench.report("survey progress, province", f"{r['median'] * 1000:.0f} ms", "< 0.5 s")

            data = _workbook(stations, import_rows)

            def do_import():
                with transaction.atomic():
                    import_inventory(actor=user, unit=OrgUnit.objects.get(level=Level.PROVINCE), data=data)
                    transaction.set_rollback(True)

            r = bench.measure(do_import, runs=1 if bench.quick else 2)
            m = bench.measure(do_import, runs=1, memory=True)  # traced separately: tracing slows it 2–3×
            bench.report(
                f"Excel import {import_rows} new rows (checked, written, recorded)",
                f"{r['median']:.2f} s, {import_rows / r['median']:.0f} rows/s, {m['peak_mb']:.0f} MB",
                "≥ 1,000 rows/s",
            )
            items = list(EquipmentItem.objects.select_related("equipment_type", "station")[:100])
            r = bench.measure(lambda: [label_svg(i) for i in items])
            bench.report("QR labels (SVG)", f"{r['median'] / len(items) * 1000:.1f} ms per label", "< 20 ms")
            raise _Rollback
    except _Rollback:
        pass
