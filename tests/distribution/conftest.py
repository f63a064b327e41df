import pytest

from assets.catalog import load_catalog
from assets.kit import kit_for
from distribution import services as svc
from tests.personnel.factories import OfficerFactory

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


def receive(province_user, org, lines, doc="YS-1", to="430000"):
    return svc.stock_receive(
        actor=province_user, to_unit=org[to], lines=lines, document=doc, supplier="供应商甲"
    )


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
