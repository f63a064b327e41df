import datetime
from decimal import Decimal

import pytest

from core.errors import Conflict, Forbidden, QMError
from procurement import services
from procurement.models import Contract, ContractLine, Payment
from procurement.money import line_amount, money, price, with_margin
from tests.personnel.factories import OfficerFactory

from .conftest import PRICES, ROWS

D = datetime.date


def test_margin_rounds_up_in_integers():
    assert [with_margin(n) for n in (0, 1, 33, 100, 101, 200)] == [0, 2, 34, 103, 105, 206]
    assert with_margin(100, 0) == 100 and with_margin(50, 10) == 55


def test_rounding_helper():
    assert price("168.1234565") == Decimal("168.123457")
    assert money("0.005") == Decimal("0.01")
    assert line_amount(105, Decimal("168.123456")) == Decimal("17652.96")


def test_one_province_contract_sums_cities_then_applies_margin(awarded, province_user):
    (contract,) = services.contracts_create_from_demand(
        actor=province_user, award=awarded, rows=ROWS, unit_prices=PRICES, snapshot_id=None
    )
    assert contract.buyer.code == "430000" and contract.snapshot_id is None
    lines = {(ln.item.code, ln.gender, ln.size): ln for ln in contract.lines.all()}
    jacket = lines[("DRESS-JACKET", "M", "170/88A")]
    assert (jacket.demand_quantity, jacket.quantity) == (101, 105)  # ⌈101 × 103 / 100⌉, not 62 + 43
    assert jacket.unit_price == Decimal("168.123456") and jacket.amount == Decimal("17652.96")
    shirt = lines[("DRESS-SHIRT", "F", "160/84A")]
    assert (shirt.quantity, shirt.amount) == (103, Decimal("4686.50"))
    cap = lines[("CAP-PEAKED", "M", "57")]
    assert (cap.quantity, cap.amount) == (8, Decimal("640.00"))
    assert contract.total == Decimal("22979.46")
    assert contract.total == sum(ln.amount for ln in lines.values())


def test_per_city_contracts_apply_margin_per_city(awarded, province_user):
    contracts = services.contracts_create_from_demand(
        actor=province_user, award=awarded, rows=ROWS, unit_prices=PRICES, per_city=True
    )
    by_city = {c.buyer.code: c for c in contracts}
    assert set(by_city) == {"430100", "430200"}
    cs = {ln.item.code: ln for ln in by_city["430100"].lines.all()}
    zz = {ln.item.code: ln for ln in by_city["430200"].lines.all()}
    assert cs["DRESS-JACKET"].quantity == 62 and zz["DRESS-JACKET"].quantity == 43
    assert by_city["430100"].total == line_amount(62, PRICES["DRESS-JACKET"]) + line_amount(
        103, PRICES["DRESS-SHIRT"]
    )
    assert all(c.supplier_id == awarded.supplier_id and c.award_id == awarded.pk for c in contracts)


def test_made_to_measure_one_line_per_officer_and_item(awarded, province_user, org):
    officer = OfficerFactory(unit=org["430121"], gender="M", height_cm=198)
    (contract,) = services.contracts_create_from_demand(
        actor=province_user,
        award=awarded,
        rows=ROWS[:1],
        unit_prices=PRICES,
        per_city=True,
        made_to_measure=[
            {"officer_id": officer.pk, "item_code": "DRESS-JACKET", "measurements": {"height_cm": 198}}
        ],
    )
    mtm = contract.lines.get(kind="mtm")
    assert contract.buyer.code == "430100"  # the county officer's city
    assert (mtm.officer_id, mtm.size, mtm.quantity, mtm.measurements) == (
        officer.pk,
        "定制",
        1,
        {"height_cm": "198"},
    )
    assert contract.total == line_amount(62, PRICES["DRESS-JACKET"]) + line_amount(1, PRICES["DRESS-JACKET"])
    with pytest.raises(QMError) as exc:
        services.contracts_create_from_demand(
            actor=province_user,
            award=awarded,
            rows=[],
            unit_prices=PRICES,
            made_to_measure=[
                {"officer_id": officer.pk, "item_code": "DRESS-SHIRT"},
                {"officer_id": officer.pk, "item_code": "DRESS-SHIRT"},
            ],
        )
    assert exc.value.details == {"row": 2, "field": "item_code"}


@pytest.mark.parametrize(
    "bad,field",
    [
        ({"item_code": "NOPE"}, "item_code"),
        ({"city_code": "999999"}, "city_code"),
        ({"gender": "X"}, "gender"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": "5"}, "quantity"),
        ({"size": " "}, "size"),
    ],
)
def test_bad_row_names_row_and_field_and_writes_nothing(awarded, province_user, bad, field):
    rows = [dict(ROWS[0]), {**ROWS[2], **bad}]
    with pytest.raises(QMError) as exc:
        services.contracts_create_from_demand(
            actor=province_user, award=awarded, rows=rows, unit_prices=PRICES
        )
    assert exc.value.details["row"] == 2 and exc.value.details["field"] == field
    assert "第2行" in exc.value.message
    assert not Contract.objects.exists() and not ContractLine.objects.exists()


def test_other_refusals(awarded, province_user):
    with pytest.raises(QMError) as exc:
        services.contracts_create_from_demand(
            actor=province_user, award=awarded, rows=[ROWS[0], ROWS[0]], unit_prices=PRICES
        )
    assert exc.value.message.endswith("重复行")
    with pytest.raises(QMError) as exc:
        services.contracts_create_from_demand(
            actor=province_user, award=awarded, rows=ROWS, unit_prices={"DRESS-JACKET": 1}
        )
    assert exc.value.code == "missing_price"
    row = {**ROWS[0], "item_code": "SHOES-LEATHER"}
    with pytest.raises(QMError) as exc:
        services.contracts_create_from_demand(
            actor=province_user, award=awarded, rows=[row], unit_prices={"SHOES-LEATHER": 1}
        )
    assert exc.value.code == "item_not_in_lot"
    with pytest.raises(QMError) as exc:
        services.contracts_create_from_demand(
            actor=province_user,
            award=awarded,
            rows=ROWS,
            unit_prices=PRICES,
            performance_bond_percent=Decimal("10.01"),
        )
    assert exc.value.details["rule"] == "performance_bond_10pct"
    assert not Contract.objects.exists()


def test_retry_does_not_duplicate(awarded, province_user):
    services.contracts_create_from_demand(actor=province_user, award=awarded, rows=ROWS, unit_prices=PRICES)
    with pytest.raises(Conflict):
        services.contracts_create_from_demand(
            actor=province_user, award=awarded, rows=ROWS, unit_prices=PRICES
        )
    assert Contract.objects.count() == 1


def test_city_cannot_create_contracts(awarded, changsha_user):
    with pytest.raises(Forbidden):
        services.contracts_create_from_demand(
            actor=changsha_user, award=awarded, rows=ROWS, unit_prices=PRICES
        )


def test_performance_bond_at_most_ten_percent(awarded, province_user):
    (contract,) = services.contracts_create_from_demand(
        actor=province_user, award=awarded, rows=ROWS, unit_prices=PRICES, performance_bond_percent=10
    )
    assert contract.performance_bond == Decimal(
        "2297.94"
    )  # 10% of 22979.46, rounded down: never above the cap
    services.contract_set_bond(actor=province_user, contract=contract, performance_bond=Decimal("2297.90"))
    with pytest.raises(QMError) as exc:
        services.contract_set_bond(
            actor=province_user, contract=contract, performance_bond=Decimal("2297.95")
        )
    assert exc.value.details["rule"] == "performance_bond_10pct" and "第四十八条" in exc.value.message
    contract.refresh_from_db()
    assert contract.performance_bond == Decimal("2297.90")


def test_bid_bond_at_most_two_percent(make_tender):
    make_tender(budget="1000000", bid_bond="20000")
    with pytest.raises(QMError) as exc:
        make_tender(budget="1000000", bid_bond="20000.01")
    assert exc.value.details["rule"] == "bid_bond_2pct" and "第三十三条" in exc.value.message


def test_signing_within_thirty_days_of_the_award_notice(awarded, province_user):
    tender = awarded.lot.tender
    notice = tender.milestones.get(code="award_notice")
    notice.actual_date = D(2026, 1, 17)
    notice.save()
    (contract,) = services.contracts_create_from_demand(
        actor=province_user, award=awarded, rows=ROWS, unit_prices=PRICES
    )
    with pytest.raises(QMError) as exc:
        services.contract_sign(actor=province_user, contract=contract, signed_on=D(2026, 2, 25))
    assert exc.value.details["rule"] == "contract_30d"
    with pytest.raises(QMError) as exc:
        services.contract_sign(
            actor=province_user, contract=contract, signed_on=D(2026, 2, 13), published_on=D(2026, 2, 25)
        )
    assert exc.value.details["rule"] == "contract_published_2wd"
    contract = services.contract_sign(actor=province_user, contract=contract, signed_on=D(2026, 2, 24))
    assert contract.status == "signed"


def test_payments_never_exceed_the_total(city_contracts, province_user):
    contract = city_contracts["430200"]
    services.payment_record(
        actor=province_user,
        contract=contract,
        kind="advance",
        amount=contract.total - 1,
        paid_on=D(2026, 2, 20),
    )
    with pytest.raises(QMError) as exc:
        services.payment_record(
            actor=province_user,
            contract=contract,
            kind="final",
            amount=Decimal("1.01"),
            paid_on=D(2026, 3, 20),
        )
    assert exc.value.code == "over_total"
    services.payment_record(
        actor=province_user, contract=contract, kind="final", amount=1, paid_on=D(2026, 3, 20)
    )
    assert Payment.objects.filter(contract=contract).count() == 2
