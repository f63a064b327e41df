"""Leave the demo midway through a distribution, so every page and report has something real to show,
each step on its own day before `today` (after the contracts of procurement.demo, about five weeks back):
the provincial store received the first deliveries about four weeks ago — the five cities' own garment
contracts (统采分签) and the province's shoe and insignia contracts, delivered to the store and accepted
there (验收), which is the only way supplier goods become stock; plans approved for five
cities; shipments to Changsha, Zhuzhou and Xiangtan dispatched and confirmed (Changsha and Xiangtan in
full, Zhuzhou with a shortage: an open case); Hengyang and Yiyang dispatched two days ago, still in
transit; the other nine cities not yet shipped; Changsha passed stock to three counties, which issued kits
to their officers after receiving them; one officer who was issued a kit has left since and owes it back
(an open recovery task). Idempotent: does nothing when the store's first acceptance is already recorded."""

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
STORE_BATCH = "PS01"  # the store's delivery batch of each contract (省级仓库), accepted as YS-<year>-PS<nn>
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


def _accept_into_store(province, store, per_city: dict, codes: dict, today, stdout) -> dict | None:
    """The goods the store ships in the first round come the one way supplier goods may: each demo city's
    own contract (统采分签; what the city still has owed, spare share included) and the province's contracts
    for the demo cities' needs plus 3 % spare deliver to the provincial store, which accepts them (验收) in
    full four weeks ago, on a working day after the contracts were signed. Returns what the store accepted,
    per (item code, gender, size), or None without the demo's contracts."""
    import math

    from procurement import services as procurement
    from procurement.demo import demo_tender
    from procurement.models import Contract, DeliveryLine
    from procurement.workdays import WorkCalendar

    tender = demo_tender()
    contracts = list(
        Contract.objects.filter(award__lot__tender=tender, status="signed").select_related("buyer")
        if tender
        else []
    )
    demo_codes = set(per_city)
    per_city_awards = {c.award_id for c in contracts if c.buyer.level == "city"}
    # the demo cities' own contracts; the province's where it bought for everyone (not its own staff's share)
    contracts = [
        c
        for c in contracts
        if c.buyer.code in demo_codes or (c.buyer.level == "province" and c.award_id not in per_city_awards)
    ]
    if not contracts:
        return None
    wanted = defaultdict(int)  # the demo cities' needs, for the province's own contracts
    for qty in per_city.values():
        for k, q in qty.items():
            wanted[k] += q
    cal = WorkCalendar()
    day = cal.roll_forward(today - datetime.timedelta(days=30))
    signed = max(c.signed_on for c in contracts if c.signed_on)
    day = max(day, signed + datetime.timedelta(days=1))
    code_of = {i.pk: c for c, i in codes.items()}
    accepted = defaultdict(int)
    for n, contract in enumerate(sorted(contracts, key=lambda c: c.number), start=1):
        lines = list(contract.lines.filter(kind="standard"))
        done = defaultdict(int)  # delivered − rejected so far (e.g. Changsha's first batch to the city)
        for dl in DeliveryLine.objects.filter(contract_line__contract=contract).select_related(
            "acceptance_line"
        ):
            al = getattr(dl, "acceptance_line", None)
            done[dl.contract_line_id] += dl.quantity - (al.rejected if al else 0)
        batch = []
        for cl in lines:
            owed = cl.quantity - done[cl.pk]
            if contract.buyer.level == "province":
                owed = min(owed, math.ceil(wanted[(code_of[cl.item_id], cl.gender, cl.size)] * 1.03))
            if owed > 0:
                batch.append({"contract_line_id": cl.pk, "quantity": owed})
        if not batch:
            continue
        with demo_clock(day, 9):
            delivery = procurement.delivery_create(
                actor=province,
                contract=contract,
                number=f"{contract.number}-{STORE_BATCH}",
                destination=store,
                planned_on=day,
                delivered_on=day,
                lines=batch,
                note="省级仓库集中收货",
            )
        with demo_clock(day, 15):
            dls = list(delivery.lines.select_related("contract_line"))
            procurement.acceptance_record(
                actor=province,
                delivery=delivery,
                inspected_on=day,
                certificate_number=f"YS-{tender.year}-PS{n:02d}",
                sample_size=min(80, sum(d.quantity for d in dls)),
                sample_note="按批抽检（GB/T 2828.1）",
                inspectors="省厅装备处、省级仓库",
                lines=[{"delivery_line_id": d.pk, "accepted": d.quantity} for d in dls],
            )
        for d in dls:
            cl = d.contract_line
            accepted[(code_of[cl.item_id], cl.gender, cl.size)] += d.quantity
    stdout.write(f"distribution: the store accepted {sum(accepted.values())} pieces on {day}")
    return accepted


def seed(*, seed: int, stdout, today: datetime.date | None = None) -> None:
    load_catalog()
    today = today or timezone.localdate()

    def ago(days: int, hour: int = 10):
        return demo_clock(today - datetime.timedelta(days=days), hour)

    if Movement.objects.filter(doc_type="acceptance", doc_ref__contains=f"-{STORE_BATCH[:2]}").exists():
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
    with transaction.atomic():
        store_stock = _accept_into_store(
            province, units["430000"], {c.code: per_city[c.code] for c in cities}, codes, today, stdout
        )
        if store_stock is None:
            stdout.write("distribution: no signed contracts of the demo tender, so no stock: demo skipped")
            transaction.set_rollback(True)
            return
        with ago(RECEIVED, 15):
            svc.badge_assign(actor=province)

        def from_store(qty: dict) -> list[dict]:
            """What the store can send of `qty`: every line it holds, never more than it accepted."""
            out = {}
            for k, q in qty.items():
                q = min(q, store_stock.get(k, 0))
                if q > 0:
                    out[k] = q
                    store_stock[k] -= q
            return lines(out)

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
            to_ship = from_store(per_city[c.code])
            with ago(PLANNED):
                plan = svc.plan_build(actor=province, city=c, rows=rows, spare_share="0.03", note="演示")
                svc.plan_approve(actor=province, plan=plan)
            with ago(2 if c.code in IN_TRANSIT else DISPATCHED, 9):
                s = svc.shipment_create(
                    actor=province,
                    from_unit=units["430000"],
                    to_unit=c,
                    lines=to_ship,
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
