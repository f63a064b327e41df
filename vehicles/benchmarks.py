"""Vehicle figures for `manage.py bench`: the allocation table, the register list, the daily reminder and
an import of a city's sheet. All data is made inside one transaction that is rolled back at the end."""

import datetime
import io
import random
import uuid

from django.db import transaction
from django.test import Client
from django.utils import timezone

N_VEHICLES = 1_000  # eight times the 122 posts: headroom for years of disposals and transfers


class _Rollback(Exception):
    pass


def run(bench) -> None:
    bench.header("vehicles")
    try:
        with transaction.atomic():
            _run(bench)
            raise _Rollback
    except _Rollback:
        pass


def _run(bench) -> None:
    from openpyxl import Workbook

    from core.auth import token_issue
    from personnel import reference
    from personnel.models import OrgUnit
    from personnel.services import account_create

    from . import services, vin
    from .importers import import_vehicles
    from .models import InsurancePolicy, Vehicle
    from .selectors import allocation_table

    reference.load_org_tree()
    rng = random.Random(7)
    today = timezone.localdate()
    cities = list(OrgUnit.objects.filter(level="city").order_by("code"))
    tag = uuid.uuid4().hex[:6]
    services.quota_record_create(
        actor=None,
        doc_number=f"BENCH-{tag}",
        doc_date=today,
        kind="total_change",
        reason="bench",
        total_change=N_VEHICLES + 200,
        lines=[{"city_code": c.code, "change": N_VEHICLES // len(cities) + 5} for c in cities],
    )
    chars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    vehicles = []
    for i in range(N_VEHICLES):
        body = "LBV" + "".join(rng.choice(chars) for _ in range(14))
        status = rng.choice(["on_order", "in_service", "in_service", "under_repair"])
        vehicles.append(
            Vehicle(
                vin=vin.with_check_character(body),
                plate="" if status == "on_order" else f"湘Z{i:05d}",
                brand="大众",
                owning_unit=cities[i % len(cities)],
                status=status,
                registered_on=today - datetime.timedelta(400),
                inspection_due=today + datetime.timedelta(days=rng.randrange(-10, 400)),
            )
        )
    Vehicle.objects.bulk_create(vehicles, batch_size=500)
    saved = list(Vehicle.objects.exclude(plate="").filter(plate__startswith="湘Z"))
    InsurancePolicy.objects.bulk_create(
        [
            InsurancePolicy(
                vehicle=v,
                kind="compulsory",
                insurer="bench",
                policy_number=f"B{tag}{v.pk}",
                starts_on=today - datetime.timedelta(300),
                ends_on=today + datetime.timedelta(days=rng.randrange(-5, 120)),
            )
            for v in saved
        ],
        batch_size=500,
    )
    user = account_create(
        actor=None,
        username=f"bench-province-{tag}",
        password=None,
        unit=OrgUnit.objects.get(code="430000"),
        role="province",
    )
    city_user = account_create(
        actor=None, username=f"bench-city-{tag}", password=None, unit=cities[8], role="city"
    )

    r = bench.measure(allocation_table, runs=5)
    bench.report(
        f"allocation table, {N_VEHICLES} vehicles (selector)", f"{r['median'] * 1000:.1f} ms", "< 100 ms"
    )

    client, token = Client(HTTP_HOST="localhost"), token_issue(user=user, name="bench")
    headers = {"Authorization": f"Bearer {token}"}
    r = bench.measure(lambda: client.get("/api/v1/vehicles/allocation", headers=headers), runs=5)
    bench.report("GET /vehicles/allocation (whole request)", f"{r['median'] * 1000:.1f} ms", "< 200 ms")
    r = bench.measure(lambda: client.get("/api/v1/vehicles/vehicles?page_size=100", headers=headers), runs=5)
    bench.report("GET /vehicles/vehicles, page of 100", f"{r['median'] * 1000:.1f} ms", "< 300 ms")

    def remind():
        with transaction.atomic():
            out = services.papers_remind(today=today)
            transaction.set_rollback(True)
        return out

    r = bench.measure(remind, runs=3)
    bench.report(
        f"daily papers reminder over {N_VEHICLES} vehicles", f"{r['median']:.2f} s", "< 30 s (nightly)"
    )

    wb = Workbook()
    ws = wb.active
    ws.append(
        [
            "车辆识别代号",
            "号牌号码",
            "品牌",
            "型号",
            "所属单位",
            "状态",
            "注册登记日期",
            "标志涂装",
            "示警灯具",
        ]
    )
    for i in range(122):
        body = "LGW" + "".join(rng.choice(chars) for _ in range(14))
        ws.append(
            [
                vin.with_check_character(body),
                f"湘H{50000 + i}",
                "长城",
                "哈弗H9",
                cities[8].code,
                "在用",
                today - datetime.timedelta(30),
                "是",
                "是",
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    services.quota_exception_grant(actor=None, city=cities[8], extra=200, reason="bench")

    def do_import(dry_run):
        def go():
            with transaction.atomic():
                result = import_vehicles(actor=city_user, source=io.BytesIO(data), dry_run=dry_run)
                assert result.ok, result.errors[:3]
                transaction.set_rollback(True)

        return go

    r = bench.measure(do_import(True), runs=3)
    bench.report("import 122 vehicles, dry run (all checks)", f"{r['median']:.2f} s", "< 10 s")
    r = bench.measure(do_import(False), runs=3)
    bench.report("import 122 vehicles, written (rolled back)", f"{r['median']:.2f} s", "< 10 s")
    r = bench.measure(do_import(False), runs=1, memory=True)
    bench.report("  its peak traced memory", f"{r['peak_mb']:.1f} MB", "< 100 MB")
