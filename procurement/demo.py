"""The Hunan 2027 uniform tender for the demo: notice planned early January, everything done by the end of
April, shown as of 2027-03-22 (award made, per-city contracts signed, a first delivery partly rejected).

The 2027 holidays below are a demo assumption (the chinese-calendar data ends with 2026): replace them with
the State Council's notice in the admin (节假日调整)."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from stdnum.cn import uscc

from assets.catalog import load_catalog
from assets.kit import active_items
from core.context import change_source
from personnel.models import OrgUnit

from . import services
from .models import Holiday, Tender
from .workdays import WorkCalendar

REFERENCE = "HNJT-2027-FZ01"
AS_OF = datetime.date(2027, 3, 22)
D = datetime.date
ASSUMED_2027 = [
    (D(2027, 1, 1), "holiday", "元旦"),
    *[(D(2027, 2, d), "holiday", "春节") for d in range(6, 15)],
    (D(2027, 2, 20), "workday", "春节调休"),
    *[(D(2027, 4, d), "holiday", "清明节") for d in (3, 4, 5)],
    *[(D(2027, 5, d), "holiday", "劳动节") for d in range(1, 6)],
    (D(2027, 4, 25), "workday", "劳动节调休"),
]
SUPPLIERS = [
    ("湖南湘警服饰有限公司", "430100", "长沙市雨花区", "周经理", "0731-85550001"),
    ("株洲制式被装有限公司", "430200", "株洲市天元区", "李经理", "0731-22550002"),
    ("衡阳标志制品有限公司", "430400", "衡阳市蒸湘区", "王经理", "0734-85550003"),
]
UNIT_PRICES = {  # demo prices in yuan (assumption)
    "garment": Decimal("168.50"),
    "headwear": Decimal("85.00"),
    "footwear": Decimal("236.00"),
    "insignia": Decimal("12.80"),
}


def credit_code(region: str, n: int) -> str:
    """A valid 统一社会信用代码 for a demo company (GB 32100 check character from python-stdnum)."""
    base = f"91{region}MA4L{n:04d}X"  # 登记管理部门 9, 类别 1, 行政区划 6, 组织机构代码 9
    return base + uscc.calc_check_digit(base)


def demand_snapshot():
    """The latest demand snapshot (the assets demo takes one), or a new one."""
    from assets.models import DemandSnapshot
    from assets.services import snapshot_create

    return DemandSnapshot.objects.order_by("-created_at", "-id").first() or snapshot_create(
        actor=None, note="采购演示 demo tender"
    )


def seed(*, seed: int, stdout) -> None:
    if Tender.objects.filter(reference=REFERENCE).exists():
        stdout.write(f"procurement: {REFERENCE} exists")
        return
    with change_source("demo"), transaction.atomic():
        _seed(stdout)


def _seed(stdout) -> None:
    load_catalog()
    for day, kind, name in ASSUMED_2027:
        Holiday.objects.get_or_create(
            date=day,
            defaults={
                "kind": kind,
                "name": name,
                "source": "演示假设，以国务院办公厅通知为准 demo assumption",
            },
        )
    province = OrgUnit.objects.get(code="430000")
    items = active_items()
    by_cat = defaultdict(list)
    for item in items:
        by_cat[item.category].append(item.code)
    tender = services.tender_create(
        actor=None,
        title="2027年度湖南省交通运输综合行政执法制式服装和标志采购",
        reference=REFERENCE,
        year=2027,
        budget=Decimal("36000000"),
        bid_bond=Decimal("300000"),
        procuring_unit=province,
        agency="湖南省政府采购中心（演示）",
        description="全省统一招标，统采分签；1月初发布公告，4月底前发放完毕",
    )
    lots = [
        services.lot_create(
            actor=None,
            tender=tender,
            number=1,
            title="服装及帽类",
            budget=Decimal("26000000"),
            item_codes=by_cat["garment"] + by_cat["headwear"],
            price_weight=30,
        ),
        services.lot_create(
            actor=None,
            tender=tender,
            number=2,
            title="鞋类",
            budget=Decimal("5000000"),
            item_codes=by_cat["footwear"],
            price_weight=40,
        ),
        services.lot_create(
            actor=None,
            tender=tender,
            number=3,
            title="标志",
            budget=Decimal("4500000"),
            item_codes=by_cat["insignia"],
            evaluation_method="lowest_price",
        ),
    ]
    suppliers = [
        services.supplier_create(
            actor=None,
            name=name,
            credit_code=credit_code(region, i + 1),
            address=addr,
            contact_name=who,
            contact_phone=phone,
        )
        for i, (name, region, addr, who, phone) in enumerate(SUPPLIERS)
    ]

    cal = WorkCalendar()
    plan = {
        "intention_published": D(2026, 11, 20),
        "plan_filed": D(2026, 12, 10),
        "documents_final": D(2026, 12, 28),
        "notice_published": D(2027, 1, 5),
        "documents_on_sale": D(2027, 1, 5),
    }
    plan["documents_sale_end"] = cal.add_working_days(plan["notice_published"], 5)
    plan["bid_opening"] = cal.add_days(plan["documents_on_sale"], 21)
    plan["last_clarification"] = plan["bid_opening"] - datetime.timedelta(days=16)
    plan["evaluation_report"] = cal.add_working_days(plan["bid_opening"], 1)
    plan["winner_chosen"] = cal.add_working_days(plan["evaluation_report"], 3)
    plan["award_notice"] = cal.add_working_days(plan["winner_chosen"], 1)
    plan["challenge_end"] = cal.add_working_days(plan["award_notice"], 7)
    plan["contract_signed"] = cal.add_working_days(plan["challenge_end"], 3)
    plan["contract_published"] = cal.add_working_days(plan["contract_signed"], 1)
    plan.update(deliveries=D(2027, 3, 31), acceptance=D(2027, 4, 9), distribution_complete=D(2027, 4, 26))
    # what happened: a day's slip at the notice, carried through
    actual = {
        "intention_published": D(2026, 11, 20),
        "plan_filed": D(2026, 12, 11),
        "documents_final": D(2026, 12, 30),
        "notice_published": D(2027, 1, 6),
        "documents_on_sale": D(2027, 1, 6),
    }
    actual["documents_sale_end"] = cal.add_working_days(actual["notice_published"], 5)
    actual["bid_opening"] = cal.add_days(actual["documents_on_sale"], 21)
    actual["last_clarification"] = actual["bid_opening"] - datetime.timedelta(days=15)
    actual["evaluation_report"] = cal.add_working_days(actual["bid_opening"], 2)
    actual["winner_chosen"] = cal.add_working_days(actual["evaluation_report"], 3)
    actual["award_notice"] = cal.add_working_days(actual["winner_chosen"], 2)
    actual["challenge_end"] = cal.add_working_days(actual["award_notice"], 7)
    actual["contract_signed"] = cal.add_working_days(actual["challenge_end"], 2)
    actual["contract_published"] = cal.add_working_days(actual["contract_signed"], 1)
    for m in tender.milestones.order_by("sequence"):
        services.milestone_set(actor=None, milestone=m, planned_date=plan[m.code], today=AS_OF)
    for m in tender.milestones.order_by("sequence"):
        if m.code in actual:
            services.milestone_set(actor=None, milestone=m, actual_date=actual[m.code], today=AS_OF)
    services.tender_set_status(actor=None, tender=tender, status="active")
    services.tender_set_status(actor=None, tender=tender, status="evaluation")

    price_factor = [Decimal("0.86"), Decimal("0.91"), Decimal("0.95")]
    awards = []
    for lot in lots:
        for k, supplier in enumerate(suppliers):
            bid = services.bid_submit(
                actor=None,
                lot=lot,
                supplier=supplier,
                submitted_on=actual["bid_opening"],
                price_offered=lot.budget * price_factor[(k + lot.number) % 3],
            )
            if lot.evaluation_method == "comprehensive":
                services.bid_score(
                    actor=None, bid=bid, other_score=Decimal(100) - lot.price_weight - 6 - 3 * k
                )
        services.lot_evaluate(actor=None, lot=lot)
        awards.append(services.award_create(actor=None, lot=lot, decided_on=actual["winner_chosen"]))
    services.tender_set_status(actor=None, tender=tender, status="awarded")

    snap = demand_snapshot()
    if not snap.officer_count:
        stdout.write("procurement: tender, lots, bids and awards added; no officers, so no contracts")
        return
    cat = {i.code: i.category for i in items}
    contracts = []
    for award in awards:
        codes = set(award.lot.items.values_list("code", flat=True))
        prices = {c: UNIT_PRICES[cat[c]] for c in codes}
        contracts += services.contracts_create_from_snapshot(
            actor=None,
            award=award,
            snapshot=snap,
            unit_prices=prices,
            per_city=award.lot.number == 1,
            performance_bond_percent=Decimal(5),
            delivery_due=D(2027, 4, 15),
        )
    for contract in contracts:
        services.contract_sign(
            actor=None,
            contract=contract,
            signed_on=actual["contract_signed"],
            published_on=actual["contract_published"],
        )
        services.payment_record(
            actor=None,
            contract=contract,
            kind="advance",
            amount=(contract.total * Decimal("0.3")).quantize(Decimal("0.01")),
            paid_on=actual["contract_published"] + datetime.timedelta(days=7),
        )
    services.tender_set_status(actor=None, tender=tender, status="contracted")

    # the first city contract with goods (Changsha in the full demo) gets a delivery with a rejected line
    changsha = next(
        (
            c
            for c in contracts
            if c.award.lot.number == 1
            and c.buyer.code != "430000"
            and c.lines.filter(kind="standard").exists()
        ),
        None,
    )
    if changsha is None:
        stdout.write("procurement: tender and contracts added; no city contract with goods, so no delivery")
        return
    lines = list(changsha.lines.filter(kind="standard").order_by("-quantity")[:3])
    delivery = services.delivery_create(
        actor=None,
        contract=changsha,
        number=f"{changsha.number}-B01",
        destination=changsha.buyer,
        planned_on=D(2027, 3, 15),
        delivered_on=D(2027, 3, 16),
        lines=[{"contract_line_id": ln.pk, "quantity": max(1, ln.quantity // 2)} for ln in lines],
    )
    dls = list(delivery.lines.order_by("id"))
    results = [{"delivery_line_id": dl.pk, "accepted": dl.quantity, "rejected": 0} for dl in dls]
    bad = dls[-1]
    rejected = max(1, bad.quantity // 10)
    results[-1] = {
        "delivery_line_id": bad.pk,
        "accepted": bad.quantity - rejected,
        "rejected": rejected,
        "reason": "面料色差、缝线开裂 colour mismatch and open seams",
    }
    services.acceptance_record(
        actor=None,
        delivery=delivery,
        inspected_on=D(2027, 3, 18),
        certificate_number="YS-2027-0001",
        sample_size=min(50, sum(d.quantity for d in dls)),
        sample_note="按批抽检 sampled per GB/T 2828.1",
        inspectors="省厅装备处、长沙市支队",
        lines=results,
    )
    stdout.write(
        f"procurement: {REFERENCE} with {len(lots)} lots, {len(awards)} awards, {len(contracts)} contracts "
        f"(from demand snapshot {snap.pk}), 1 delivery accepted with a rejected "
        f"line; shown as of {AS_OF}"
    )
