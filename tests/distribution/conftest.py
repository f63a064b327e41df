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
