import datetime
import itertools
from decimal import Decimal

import pytest
from stdnum.cn import uscc

from assets.catalog import load_catalog
from assets.kit import kit_for
from assets.models import ItemType
from distribution import services as svc
from distribution.models import Movement
from procurement import services as procurement
from procurement.models import Acceptance, Award, Bid, Contract, ContractLine, Lot, Supplier, Tender
from tests.personnel.factories import OfficerFactory

D = datetime.date
_n = itertools.count(1)

TOP, BOTTOM = "175/92A", "175/76A"  # the factory officer's sizes (173 cm, chest 92, waist 76)


@pytest.fixture
def catalog(db):
    load_catalog()


def kit_lines(officer, n: int = 1) -> list[dict]:
    """The officer's full kit × n as stock lines (badge-number items included, size '-')."""
    return [
        {"item": k.item.code, "gender": k.gender, "size": k.size.code, "quantity": k.quantity * n}
        for k in kit_for(officer)
        if k.size.code
    ]


def _suite_award(org) -> Award:
    """One awarded lot the suite's contracts hang from (setup rows: the tender's own rules are tested in
    tests/procurement); what moves stock below is the real delivery and acceptance."""
    award = Award.objects.filter(lot__tender__reference="T-STOCK-SUITE").first()
    if award is not None:
        return award
    base = "91430100MA4L9001X"
    supplier = Supplier.objects.create(name="供应商甲", credit_code=base + uscc.calc_check_digit(base))
    tender = Tender.objects.create(
        title="测试被装采购",
        reference="T-STOCK-SUITE",
        year=2026,
        budget=Decimal("100000000"),
        bid_bond=Decimal("0"),
        procuring_unit=org["430000"],
        target_date=D(2026, 4, 30),
    )
    lot = Lot.objects.create(tender=tender, number=1, title="被装", budget=Decimal("100000000"))
    bid = Bid.objects.create(lot=lot, supplier=supplier, price=Decimal("90000000"))
    return Award.objects.create(
        lot=lot, bid=bid, supplier=supplier, amount=Decimal("90000000"), decided_on=D(2026, 2, 2)
    )


def accept_goods(actor, org, lines, *, certificate: str, to: str = "430000", buyer: str = "430000"):
    """Stock comes in the one way it may: a signed contract of `buyer` (the province by default), a delivery
    of `lines` to `to`, accepted (验收) in full under `certificate`. Returns the ledger rows it booked."""
    merged: dict[tuple, int] = {}
    for ln in lines:
        code = ln["item"].code if isinstance(ln["item"], ItemType) else ln["item"]
        merged[(code, ln["gender"], ln["size"])] = (
            merged.get((code, ln["gender"], ln["size"]), 0) + ln["quantity"]
        )
    items = {i.code: i for i in ItemType.objects.filter(code__in={k[0] for k in merged})}
    award, n = _suite_award(org), next(_n)
    contract = Contract.objects.create(
        award=award,
        buyer=org[buyer],
        supplier=award.supplier,
        number=f"HT-{certificate}-{n}",
        status="signed",
        signed_on=D(2026, 2, 10),
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
        ]
    )
    delivery = procurement.delivery_create(
        actor=actor,
        contract=contract,
        number=f"JH-{certificate}-{n}",
        destination=org[to],
        delivered_on=D(2026, 3, 2),
        lines=[{"contract_line_id": cl.pk, "quantity": cl.quantity} for cl in cls],
    )
    acceptance = procurement.acceptance_record(
        actor=actor,
        delivery=delivery,
        inspected_on=D(2026, 3, 3),
        certificate_number=certificate,
        sample_size=1,
        inspectors="验收组",
        lines=[{"delivery_line_id": dl.pk, "accepted": dl.quantity} for dl in delivery.lines.all()],
    )
    return list(Movement.objects.filter(doc_type="acceptance", doc_id=acceptance.pk).order_by("id"))


def receive(province_user, org, lines, doc="YS-1", to="430000"):
    """Goods accepted into `to`'s store (the provincial store by default) through a contract delivery."""
    if Acceptance.objects.filter(certificate_number=doc).exists():
        doc = f"{doc}-{next(_n)}"
    return accept_goods(province_user, org, lines, certificate=doc, to=to)


def ship(actor, org, lines, to, frm="430000"):
    s = svc.shipment_create(actor=actor, from_unit=org[frm], to_unit=org[to], lines=lines)
    return svc.shipment_dispatch(actor=actor, shipment=s)


def confirm_all(actor, shipment, **extra):
    lines = [{"line_id": ln.pk, "received": ln.quantity} for ln in shipment.lines.all()]
    return svc.shipment_confirm(actor=actor, shipment=shipment, lines=lines, **extra)


def bring_to_county(org, province_user, city_user, county_user, lines, county="430121", city="430100"):
    """Stock a county the way it really happens: supplier → store → city → county, all confirmed."""
    receive(province_user, org, lines, doc=f"YS-{county}-{len(lines)}-{sum(x['quantity'] for x in lines)}")
    confirm_all(city_user, ship(province_user, org, lines, city))
    confirm_all(county_user, ship(city_user, org, lines, county, frm=city))


@pytest.fixture
def officers(org, catalog):
    return [OfficerFactory(unit=org["430121"]) for _ in range(3)]


@pytest.fixture
def stocked_county(org, province_user, changsha_user, county_user, officers):
    """长沙县 holding exactly the full kits of its 3 officers."""
    bring_to_county(org, province_user, changsha_user, county_user, kit_lines(officers[0], 3))
    return org["430121"]


CITY, CSX, LY = "430100", "430121", "430181"  # 长沙市, 长沙县, 浏阳市 (a county-level city under 长沙)


def qty(lines) -> int:
    return sum(x["quantity"] for x in lines)


@pytest.fixture
def changsha_midway(org, catalog, province_user, changsha_user, county_user):
    """长沙 as it really is mid-distribution: officers of its own (the city bureau) and in two counties;
    the province shipped every kit plus one spare kit, one piece arrived short; the city kept its own kits and
    the spare, passed 长沙县 its kits (confirmed) and sent 浏阳 its kit (still on the road); the city and 长沙县
    issued to their officers; one 长沙县 officer was measured again after the issue (a new size is needed while
    the old one is held), so per size 长沙县 has a shortfall that 浏阳's need must not hide. The province
    bureau has an officer of its own; 株洲 has one officer and nothing shipped."""
    own = [OfficerFactory(unit=org[CITY]) for _ in range(2)]
    csx = [OfficerFactory(unit=org[CSX]) for _ in range(2)]
    ly = [OfficerFactory(unit=org[LY])]
    OfficerFactory(unit=org["430000"])
    OfficerFactory(unit=org["430200"])
    kit = kit_lines(own[0])
    every = kit_lines(own[0], len(own) + len(csx) + len(ly) + 1)  # every officer's kit and a spare one
    receive(province_user, org, every)
    to_city = ship(province_user, org, every, CITY)
    lines = [{"line_id": ln.pk, "received": ln.quantity} for ln in to_city.lines.all()]
    lines[0].update(received=lines[0]["received"] - 1, reason="missing")
    svc.shipment_confirm(actor=changsha_user, shipment=to_city, lines=lines)
    confirm_all(county_user, ship(changsha_user, org, kit_lines(own[0], len(csx)), CSX, frm=CITY))
    ship(changsha_user, org, kit_lines(own[0], len(ly)), LY, frm=CITY)  # dispatched, not yet confirmed
    svc.kit_issue(actor=changsha_user, unit=org[CITY])
    svc.kit_issue(actor=county_user, unit=org[CSX])
    csx[0].chest_cm = 104  # measured again: a bigger jacket is now needed, the old one is held
    csx[0].save()
    return {"kit": qty(kit), "own": own, "csx": csx, "ly": ly, "shipped": qty(every)}
