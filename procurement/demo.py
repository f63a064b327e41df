"""The Hunan uniform tender for the demo, told relative to the day the demo is seeded (`today`): the tender
notice about twelve weeks ago, bids, award and per-city contracts signed about six weeks ago, a first
delivery accepted with a rejected line; the deliveries milestone is overdue (planned three days ago, not
all delivered), acceptance is due within three days and distribution is due in six weeks. Every step is
recorded on its own day (core.democlock), so the history, the ledger and the timeline agree.

Every date of the timeline keeps the legal intervals (rules data) on the working-day calendar. For a year
the calendar does not know (chinese-calendar's data ends with 2026) the demo adds assumed holidays: the
2027 list below, else the fixed-date ones (New Year, Labour Day, National Day). They are demo assumptions:
replace them with the State Council's notice in the admin (节假日调整)."""

import datetime
import re
from collections import defaultdict
from decimal import ROUND_CEILING, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from stdnum.cn import uscc

from assets.catalog import load_catalog
from assets.kit import active_items
from core.context import change_source
from core.democlock import demo_clock
from personnel.models import OrgUnit

from . import services
from .models import Holiday, HolidayYear, Tender
from .workdays import WorkCalendar

REFERENCE_PREFIX, REFERENCE_SUFFIX = "HNJT-", "-FZ01"  # HNJT-<year>-FZ01
D = datetime.date
ASSUMPTION = "演示假设，以国务院办公厅通知为准"
ASSUMED_2027 = [
    (D(2027, 1, 1), "holiday", "元旦"),
    *[(D(2027, 2, d), "holiday", "春节") for d in range(6, 15)],
    (D(2027, 2, 20), "workday", "春节调休"),
    *[(D(2027, 4, d), "holiday", "清明节") for d in (3, 4, 5)],
    *[(D(2027, 5, d), "holiday", "劳动节") for d in range(1, 6)],
    (D(2027, 4, 25), "workday", "劳动节调休"),
    (D(2027, 6, 9), "holiday", "端午节"),
    (D(2027, 9, 15), "holiday", "中秋节"),
    *[(D(2027, 10, d), "holiday", "国庆节") for d in range(1, 8)],
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
        actor=None, note=gettext("采购演示")
    )


def _order_values(snap, items) -> dict[str, Decimal]:
    """Per item code: the provincial order at the demo's unit prices — the snapshot's lines with the spare
    margin (what the contracts will order) and the made-to-measure pieces — so that budgets and bids are
    priced from the order, and the contracts under an award stay within it (the award ≤ budget rule and
    the contracts ≤ award rule, 政府采购法 and SIZING.md)."""
    from assets.selectors import snapshot_made_to_measure, snapshot_order_lines

    by_code = {i.code: i for i in items}
    pieces: dict[str, int] = defaultdict(int)
    for line in snapshot_order_lines(snap):
        pieces[line["item_code"]] += line["order_quantity"]
    for entry in snapshot_made_to_measure(snap):
        for it in entry["items"]:
            if it["item_code"] in by_code:
                pieces[it["item_code"]] += by_code[it["item_code"]].qty_per_officer or 1
    return {code: UNIT_PRICES[by_code[code].category] * n for code, n in pieces.items() if code in by_code}


def _budget(value: Decimal, default: Decimal) -> Decimal:
    """A lot's budget: the order's value plus 15 %, rounded up to ¥10,000 (the fixed figure without a roll)."""
    if not value:
        return default
    return (value * Decimal("1.15") / 10000).to_integral_value(rounding=ROUND_CEILING) * 10000


def demo_tender() -> Tender | None:
    """The demo's tender, whichever year it was seeded for."""
    pattern = rf"^{re.escape(REFERENCE_PREFIX)}[0-9]{{4}}{re.escape(REFERENCE_SUFFIX)}$"
    return Tender.objects.filter(reference__regex=pattern).order_by("id").first()


def seed(*, seed: int, stdout, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    if (existing := demo_tender()) is not None:
        stdout.write(f"procurement: {existing.reference} exists")
        return
    with change_source("demo"), transaction.atomic():
        _seed(stdout, today)


def ensure_calendar(first: datetime.date, last: datetime.date) -> list[int]:
    """Working-day data for every year from `first` to `last`: the years neither chinese-calendar nor the
    HolidayYear table knows in full get the demo's assumed holidays, the whole year, with the assumption as
    their source. Returns the years added."""
    cal = WorkCalendar()
    added = []
    for year in range(first.year, last.year + 1):
        if cal.has_data(year):
            continue
        if year == 2027:
            rows = ASSUMED_2027
        else:  # the holidays on fixed dates; the Spring Festival and others move with the lunar calendar
            rows = [
                (D(year, 1, 1), "holiday", "元旦"),
                *[(D(year, 5, d), "holiday", "劳动节") for d in range(1, 6)],
                *[(D(year, 10, d), "holiday", "国庆节") for d in range(1, 8)],
            ]
        for day, kind, name in rows:
            Holiday.objects.get_or_create(
                date=day, defaults={"kind": kind, "name": name, "source": ASSUMPTION}
            )
        HolidayYear.objects.update_or_create(
            year=year, defaults={"source": ASSUMPTION, "covers_until": D(year, 12, 31)}
        )
        added.append(year)
    return added


def story_dates(today: datetime.date, cal: WorkCalendar) -> tuple[dict, dict]:
    """(planned, actual) dates of the milestones for a demo seen on `today`: the notice about twelve weeks
    back (a working day's slip against the plan, carried through), the contract published at least five
    weeks back, deliveries planned three days ago and not done (overdue), acceptance planned in two days
    (due soon), distribution complete in six weeks (pending). Only dates up to today are actual."""
    days = datetime.timedelta
    notice = cal.roll_forward(today - days(84))
    while True:
        plan, actual = _chain(cal, cal.sub_working_days(notice, 1)), _chain(cal, notice, slip=True)
        if actual["contract_published"] <= today - days(35):
            break
        notice = cal.sub_working_days(notice, 5)  # holidays stretched the chain: start earlier
    plan.update(
        deliveries=today - days(3),
        acceptance=today + days(2),
        distribution_complete=today + days(45),
    )
    return plan, actual


def _chain(cal: WorkCalendar, notice: datetime.date, slip: bool = False) -> dict:
    """The milestones up to the contract's publication, from the notice date, within the legal intervals."""
    days = datetime.timedelta
    d = {
        "intention_published": cal.roll_forward(notice - days(40)),  # at least 30 days before the notice
        "plan_filed": cal.roll_forward(notice - days(25 if not slip else 24)),
        "documents_final": cal.roll_forward(notice - days(8 if not slip else 6)),
        "notice_published": notice,
        "documents_on_sale": notice,
    }
    if d["documents_final"] >= notice:
        d["documents_final"] = cal.sub_working_days(notice, 1)
    d["documents_sale_end"] = cal.add_working_days(notice, 5)
    d["bid_opening"] = cal.add_days(d["documents_on_sale"], 21)
    d["last_clarification"] = d["bid_opening"] - days(15 if slip else 16)
    d["evaluation_report"] = cal.add_working_days(d["bid_opening"], 2 if slip else 1)
    d["winner_chosen"] = cal.add_working_days(d["evaluation_report"], 3)
    d["award_notice"] = cal.add_working_days(d["winner_chosen"], 2 if slip else 1)
    d["challenge_end"] = cal.add_working_days(
        d["award_notice"], 1 + 7
    )  # the 1-working-day announcement, then 7
    d["contract_signed"] = cal.add_working_days(d["challenge_end"], 2 if slip else 3)
    d["contract_published"] = cal.add_working_days(d["contract_signed"], 1)
    return d


def _seed(stdout, today: datetime.date) -> None:
    load_catalog()
    days = datetime.timedelta
    ensure_calendar(today - days(160), today + days(90))
    cal = WorkCalendar()
    plan, actual = story_dates(today, cal)
    year = plan["distribution_complete"].year
    province = OrgUnit.objects.get(code="430000")
    items = active_items()
    by_cat = defaultdict(list)
    for item in items:
        by_cat[item.category].append(item.code)
    snap = demand_snapshot()
    values = _order_values(snap, items) if snap.officer_count else {}
    lot_values = [
        sum((values.get(c, Decimal(0)) for c in by_cat[a] + by_cat[b]), Decimal(0))
        for a, b in (("garment", "headwear"), ("footwear", ""), ("insignia", ""))
    ]
    budgets = [
        _budget(v, d)
        for v, d in zip(
            lot_values, (Decimal("26000000"), Decimal("5000000"), Decimal("4500000")), strict=True
        )
    ]
    with demo_clock(cal.sub_working_days(plan["intention_published"], 3), 9):
        tender = services.tender_create(
            actor=None,
            title=f"{year}年度湖南省交通运输综合行政执法制式服装和标志采购",
            reference=f"{REFERENCE_PREFIX}{year}{REFERENCE_SUFFIX}",
            year=year,
            budget=max(sum(budgets), Decimal("36000000")),
            bid_bond=Decimal("300000"),
            procuring_unit=province,
            agency="湖南省政府采购中心（演示）",
            description="全省统一招标，统采分签；公告后约三个月内发放完毕",
            target_date=plan["distribution_complete"] + days(15),
        )
        lots = [
            services.lot_create(
                actor=None,
                tender=tender,
                number=1,
                title="服装及帽类",
                budget=budgets[0],
                item_codes=by_cat["garment"] + by_cat["headwear"],
                price_weight=30,
            ),
            services.lot_create(
                actor=None,
                tender=tender,
                number=2,
                title="鞋类",
                budget=budgets[1],
                item_codes=by_cat["footwear"],
                price_weight=40,
            ),
            services.lot_create(
                actor=None,
                tender=tender,
                number=3,
                title="标志",
                budget=budgets[2],
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
        for m in tender.milestones.order_by("sequence"):
            services.milestone_set(actor=None, milestone=m, planned_date=plan[m.code])

    # Bids price the whole order: the lowest at the demo's unit prices, the others a little above; without a
    # roll, a share of the budget as before.
    price_factor = [Decimal("1.00"), Decimal("1.03"), Decimal("1.06")]
    fallback_factor = [Decimal("0.86"), Decimal("0.91"), Decimal("0.95")]
    awards = []
    # each actual date is recorded on its day; the tender's status and the bids follow the milestones
    for m in tender.milestones.order_by("sequence"):
        if m.code not in actual:
            continue
        with demo_clock(actual[m.code], 16):
            services.milestone_set(actor=None, milestone=m, actual_date=actual[m.code])
            if m.code == "notice_published":
                services.tender_set_status(actor=None, tender=tender, status="active")
            elif m.code == "bid_opening":
                services.tender_set_status(actor=None, tender=tender, status="evaluation")
                for lot in lots:
                    for k, supplier in enumerate(suppliers):
                        bid = services.bid_submit(
                            actor=None,
                            lot=lot,
                            supplier=supplier,
                            submitted_on=actual["bid_opening"],
                            price_offered=(
                                lot_values[lot.number - 1] * price_factor[(k + lot.number) % 3]
                                if lot_values[lot.number - 1]
                                else lot.budget * fallback_factor[(k + lot.number) % 3]
                            ).quantize(Decimal("0.01")),
                        )
                        if lot.evaluation_method == "comprehensive":
                            services.bid_score(
                                actor=None, bid=bid, other_score=Decimal(100) - lot.price_weight - 6 - 3 * k
                            )
            elif m.code == "evaluation_report":
                for lot in lots:
                    services.lot_evaluate(actor=None, lot=lot)
            elif m.code == "winner_chosen":
                for lot in lots:
                    awards.append(
                        services.award_create(actor=None, lot=lot, decided_on=actual["winner_chosen"])
                    )
                services.tender_set_status(actor=None, tender=tender, status="awarded")

    if not snap.officer_count:
        stdout.write("procurement: tender, lots, bids and awards added; no officers, so no contracts")
        return
    cat = {i.code: i.category for i in items}
    contracts = []
    with demo_clock(actual["contract_published"], 11):
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
                delivery_due=plan["deliveries"],
            )
        for contract in contracts:
            services.contract_sign(
                actor=None,
                contract=contract,
                signed_on=actual["contract_signed"],
                published_on=actual["contract_published"],
            )
        services.tender_set_status(actor=None, tender=tender, status="contracted")
    paid_on = cal.add_working_days(actual["contract_published"], 5)
    with demo_clock(paid_on, 15):
        for contract in contracts:
            services.payment_record(
                actor=None,
                contract=contract,
                kind="advance",
                amount=(contract.total * Decimal("0.3")).quantize(Decimal("0.01")),
                paid_on=paid_on,
            )

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
    announced = cal.add_working_days(actual["contract_published"], 1)
    delivered = cal.add_working_days(announced, 3)
    inspected = cal.add_working_days(delivered, 1)
    with demo_clock(delivered, 10):
        lines = list(changsha.lines.filter(kind="standard").order_by("-quantity")[:3])
        delivery = services.delivery_create(
            actor=None,
            contract=changsha,
            number=f"{changsha.number}-B01",
            destination=changsha.buyer,
            planned_on=delivered,
            delivered_on=delivered,
            lines=[{"contract_line_id": ln.pk, "quantity": max(1, ln.quantity // 2)} for ln in lines],
        )
    with demo_clock(inspected, 15):
        dls = list(delivery.lines.order_by("id"))
        results = [{"delivery_line_id": dl.pk, "accepted": dl.quantity, "rejected": 0} for dl in dls]
        bad = dls[-1]
        rejected = max(1, bad.quantity // 10)
        results[-1] = {
            "delivery_line_id": bad.pk,
            "accepted": bad.quantity - rejected,
            "rejected": rejected,
            "reason": "面料色差、缝线开裂",
        }
        services.acceptance_record(
            actor=None,
            delivery=delivery,
            inspected_on=inspected,
            certificate_number=f"YS-{year}-0001",
            sample_size=min(50, sum(d.quantity for d in dls)),
            sample_note="按批抽检（GB/T 2828.1）",
            inspectors="省厅装备处、长沙市支队",
            lines=results,
        )
    stdout.write(
        f"procurement: {tender.reference} with {len(lots)} lots, {len(awards)} awards, {len(contracts)} "
        f"contracts (from demand snapshot {snap.pk}), notice {actual['notice_published']}, 1 delivery "
        f"accepted on {inspected} with a rejected line; as of {today}: deliveries overdue, acceptance due"
    )


def accept_goods(
    *, actor, unit: OrgUnit, lines: list[dict], certificate: str, reference: str = "HNJT-BENCH-STOCK"
):
    """Stock for a benchmark: a signed province contract for `lines` ({item, gender, size, quantity}) under a
    stand-in award, delivered to `unit` and accepted (验收) in full through procurement's services, which
    book it as stock (the only way supplier goods enter the ledger). The tender, award and contract rows are
    written directly: a benchmark times the distribution, not the tender. Not part of the demo's story."""
    from assets.models import ItemType

    from .models import Award, Bid, Contract, ContractLine, Lot, Supplier

    day = timezone.localdate()
    award = Award.objects.filter(lot__tender__reference=reference).select_related("supplier").first()
    if award is None:
        supplier = Supplier.objects.filter(credit_code=credit_code("430100", 9999)).first()
        supplier = supplier or Supplier.objects.create(
            name="基准测试被装有限公司", credit_code=credit_code("430100", 9999)
        )
        tender = Tender.objects.create(
            title="基准测试被装采购",
            reference=reference,
            year=day.year,
            budget=Decimal("100000000"),
            bid_bond=Decimal("0"),
            procuring_unit=OrgUnit.objects.get(code="430000"),
            target_date=day,
        )
        lot = Lot.objects.create(tender=tender, number=1, title="被装", budget=Decimal("100000000"))
        bid = Bid.objects.create(lot=lot, supplier=supplier, price=Decimal("90000000"))
        award = Award.objects.create(
            lot=lot, bid=bid, supplier=supplier, amount=Decimal("90000000"), decided_on=day
        )
    merged: dict[tuple, int] = defaultdict(int)
    for ln in lines:
        merged[(ln["item"], ln["gender"], ln["size"])] += ln["quantity"]
    items = {i.code: i for i in ItemType.objects.filter(code__in={k[0] for k in merged})}
    contract = Contract.objects.create(
        award=award,
        buyer=OrgUnit.objects.get(code="430000"),
        supplier=award.supplier,
        number=f"HT-{certificate}",
        status="signed",
        signed_on=day,
    )
    cls = ContractLine.objects.bulk_create(
        [
            ContractLine(
                contract=contract,
                item=items[code],
                gender=g,
                size=size,
                demand_quantity=q,
                quantity=q,
                unit_price=Decimal("1"),
                amount=Decimal(q),
            )
            for (code, g, size), q in merged.items()
        ],
        batch_size=2000,
    )
    delivery = services.delivery_create(
        actor=actor,
        contract=contract,
        number=f"JH-{certificate}",
        destination=unit,
        delivered_on=day,
        lines=[{"contract_line_id": cl.pk, "quantity": cl.quantity} for cl in cls],
    )
    return services.acceptance_record(
        actor=actor,
        delivery=delivery,
        inspected_on=day,
        certificate_number=certificate,
        sample_size=1,
        inspectors="验收组",
        lines=[{"delivery_line_id": dl.pk, "accepted": dl.quantity} for dl in delivery.lines.all()],
    )
