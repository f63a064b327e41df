"""Where a supplier may deliver (统采分签, issue 15 part 3): the provincial store, the buyer city's store or a
county agency in the buyer's subtree; the receiving unit accepts (验收) and the goods become its stock."""

import datetime

import pytest

from core.errors import QMError
from distribution import services as svc
from distribution.models import Movement, StockBalance
from procurement import services
from procurement.models import Delivery

D = datetime.date


def _deliver(contract, number, destination, quantity=1):
    jacket = contract.lines.get(item__code="DRESS-JACKET")
    return services.delivery_create(
        actor=None,
        contract=contract,
        number=number,
        destination=destination,
        delivered_on=D(2026, 3, 2),
        lines=[{"contract_line_id": jacket.pk, "quantity": quantity}],
    )


def _county_of(org, city):
    return next(u for u in org.values() if u.level == "county" and u.parent_id == org[city].pk)


def test_a_city_contract_delivers_to_the_store_the_city_or_its_counties(city_contracts, org):
    cs = city_contracts["430100"]
    for n, dest in enumerate([org["430000"], org["430100"], org["430121"]]):
        assert _deliver(cs, f"OK{n}", dest).destination == dest
    for n, dest in enumerate([org["430200"], _county_of(org, "430200")]):
        with pytest.raises(QMError) as e:
            _deliver(cs, f"BAD{n}", dest)
        assert e.value.code == "bad_destination" and e.value.details == {"field": "destination"}
    assert Delivery.objects.count() == 3


def test_a_province_contract_delivers_to_any_city_or_county_but_not_a_station(awarded, org, province_user):
    rows = [
        {"city_code": "430000", "item_code": "DRESS-JACKET", "gender": "M", "size": "170/88A", "quantity": 20}
    ]
    (contract,) = services.contracts_create_from_demand(
        actor=None, award=awarded, rows=rows, unit_prices={"DRESS-JACKET": 100}, per_city=False
    )
    services.contract_sign(actor=None, contract=contract, signed_on=D(2026, 2, 10))
    county = _county_of(org, "430200")
    delivery = _deliver(contract, "P1", county, quantity=5)
    station = next((u for u in org.values() if u.level == "station"), None)
    if station is not None:
        with pytest.raises(QMError) as e:
            _deliver(contract, "P2", station)
        assert e.value.code == "bad_destination"
    dl = delivery.lines.get()
    services.acceptance_record(
        actor=province_user,
        delivery=delivery,
        inspected_on=D(2026, 3, 3),
        certificate_number="YS-COUNTY",
        sample_size=1,
        inspectors="县级验收组",
        lines=[{"delivery_line_id": dl.pk, "accepted": 5}],
    )
    store = svc.unit_location(county)
    assert StockBalance.objects.get(location=store).quantity == 5  # booked to the receiving county
    m = Movement.objects.get()
    assert (m.doc_type, m.doc_ref, m.from_location.kind) == ("acceptance", "YS-COUNTY", "supplier")
    assert svc.ledger_verify() == []
