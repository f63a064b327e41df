"""Leave the demo midway through a distribution, so every page and report has something real to show,
each step on its own day before `today` (after the contracts of procurement.demo, about five weeks back):
the provincial store received the first deliveries (stock_receive, four weeks ago); plans approved for five
cities; shipments to Changsha, Zhuzhou and Xiangtan dispatched and confirmed (Changsha and Xiangtan in
full, Zhuzhou with a shortage: an open case); Hengyang and Yiyang dispatched two days ago, still in
transit; the other nine cities not yet shipped; Changsha passed stock to three counties, which issued kits
to their officers after receiving them; one officer who was issued a kit has left since and owes it back
(an open recovery task). Idempotent: does nothing when the demo's first delivery is already booked."""

import datetime
import time
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from assets.catalog import load_catalog
from core.democlock import demo_clock
from personnel.models import Officer, OrgUnit
from personnel.services import officer_set_status

from . import services as svc
from .models import Movement

CITIES = ["430100", "430200", "430300", "430400", "430900"]  # 长沙 株洲 湘潭 衡阳 益阳
CONFIRMED = ["430100", "430300"]
SHORT_CITY = "430200"
COUNTIES = ["430121", "430112", "430181"]  # 长沙县 望城区 浏阳市
DOC = "DEMO-YS-0001"
IN_TRANSIT = ["430400", "430900"]  # dispatched two days ago
# days before today of each step
RECEIVED, PLANNED, DISPATCHED, CONFIRMED_DAYS, TO_COUNTIES, ISSUED, LEFT = (
    28,
    27,
    26,
    (24, 23, 22),
    20,
    (15, 12, 8),
    4,
)


def _user(name):
    return get_user_model().objects.filter(username=name).first()


def _supplier():
    """The winner of the demo tender's garment lot when procurement.demo ran, else a plain name."""
    from procurement.models import Award

    award = Award.objects.filter(lot__number=1).select_related("supplier").order_by("id").first()
    return award.supplier if award else "湖南湘警服饰有限公司"


def seed(*, seed: int, stdout, today: datetime.date | None = None) -> None:
    load_catalog()
    today = today or timezone.localdate()

    def ago(days: int, hour: int = 10):
        return demo_clock(today - datetime.timedelta(days=days), hour)

    if Movement.objects.filter(doc_type="delivery", doc_ref__endswith=DOC).exists():
        stdout.write("distribution: demo already seeded")
        return
    t0 = time.perf_counter()
    province = _user("province")
    if province is None or not Officer.objects.exists():
        stdout.write("distribution: no provincial account or roll, demo skipped")
        return
    units = {u.code: u for u in OrgUnit.objects.all()}
    cities = [units[c] for c in CITIES if c in units]
    counties = [units[c] for c in COUNTIES if c in units]
    known, _ = svc.needed_by_unit()
    codes = svc._items_by_code()
    code_of = {i.pk: c for c, i in codes.items()}
    city_of = dict(OrgUnit.objects.values_list("id", "city__code"))
    per_city = defaultdict(lambda: defaultdict(int))
    per_unit = defaultdict(lambda: defaultdict(int))
    for (unit_id, item_id, g, s), q in known.items():
        per_city[city_of[unit_id]][(code_of[item_id], g, s)] += q
        per_unit[unit_id][(code_of[item_id], g, s)] += q

    def lines(qty: dict, factor=1.0):
        return [
            {"item": i, "gender": g, "size": s, "quantity": max(1, round(q * factor))}
            for (i, g, s), q in sorted(qty.items())
            if q > 0
        ]

    cities = [c for c in cities if per_city[c.code]]  # a small roll may leave a city without officers
    if not cities:
        stdout.write("distribution: no eligible officers in the demo cities, demo skipped")
        return
    total = defaultdict(int)
    for c in cities:
        for k, q in per_city[c.code].items():
            total[k] += q
    with transaction.atomic():
        with ago(RECEIVED, 15):
            svc.stock_receive(
                actor=province,
                to_unit=units["430000"],
                lines=lines(total, 1.05),
                document=DOC,
                supplier=_supplier(),
            )
            svc.badge_assign(actor=province)
        shipments = {}
        for c in cities:
            rows = [
                {
                    "city_code": c.code,
                    "item_code": ln["item"],
                    "gender": ln["gender"],
                    "size": ln["size"],
                    "quantity": ln["quantity"],
                }
                for ln in lines(per_city[c.code])
            ]
            with ago(PLANNED):
                plan = svc.plan_build(actor=province, city=c, rows=rows, spare_share="0.03", note="演示")
                svc.plan_approve(actor=province, plan=plan)
            with ago(2 if c.code in IN_TRANSIT else DISPATCHED, 9):
                s = svc.shipment_create(
                    actor=province,
                    from_unit=units["430000"],
                    to_unit=c,
                    lines=lines(per_city[c.code]),
                    plan=plan,
                    note="第一批",
                )
                shipments[c.code] = svc.shipment_dispatch(actor=province, shipment=s)
        confirm_days = iter(CONFIRMED_DAYS)
        for code in [c for c in CONFIRMED if c in shipments]:
            s = shipments[code]
            with ago(next(confirm_days), 16):
                svc.shipment_confirm(
                    actor=_user(f"city{code}") or province,
                    shipment=s,
                    lines=[{"line_id": ln.pk, "received": ln.quantity} for ln in s.lines.all()],
                )
        s = shipments.get(SHORT_CITY) or next(iter(shipments.values()))
        conf = []
        for n, ln in enumerate(s.lines.order_by("-quantity")):
            if n == 0:
                conf.append(
                    {
                        "line_id": ln.pk,
                        "received": ln.quantity - 5,
                        "reason": "missing",
                        "note": "外箱破损，少5件",
                    }
                )
            elif n == 1:
                conf.append(
                    {
                        "line_id": ln.pk,
                        "received": ln.quantity - 2,
                        "reason": "wrong",
                        "note": "2件错发为大一号",
                    }
                )
            else:
                conf.append({"line_id": ln.pk, "received": ln.quantity})
        with ago(CONFIRMED_DAYS[-1], 16):
            svc.shipment_confirm(
                actor=_user(f"city{s.to_unit.code}") or province,
                shipment=s,
                lines=conf,
                note="有差异",
            )
        changsha = units["430100"]
        city_user = _user("city430100") or province
        issued = 0
        issue_days = iter(ISSUED)
        for county in counties:
            need = per_unit[county.pk]
            if not need:
                continue
            county_user = _user(f"county{county.code}") or province
            with ago(TO_COUNTIES, 9):
                cs = svc.shipment_create(
                    actor=city_user, from_unit=changsha, to_unit=county, lines=lines(need)
                )
                svc.shipment_dispatch(actor=city_user, shipment=cs)
            with ago(TO_COUNTIES - 1, 15):
                svc.shipment_confirm(
                    actor=county_user,
                    shipment=cs,
                    lines=[{"line_id": ln.pk, "received": ln.quantity} for ln in cs.lines.all()],
                )
            with ago(next(issue_days, ISSUED[-1]), 10):
                issued += svc.kit_issue(actor=county_user, unit=county)["officers"]
    leaver = (
        Officer.objects.filter(unit__code=COUNTIES[0], issues__isnull=False, status="serving")
        .order_by("id")
        .first()
    )
    if leaver is not None:
        with ago(LEFT):
            officer_set_status(actor=province, officer=leaver, status="left", reason="辞职")
    stdout.write(
        f"distribution: {len(cities)} cities shipped, {len(CONFIRMED) + 1} confirmed (one short), "
        f"{issued} officers issued kits, {Movement.objects.count()} ledger rows "
        f"({time.perf_counter() - t0:.1f} s)"
    )
