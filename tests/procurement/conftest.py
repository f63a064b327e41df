import datetime
import itertools
from decimal import Decimal

import pytest
from stdnum.cn import uscc

from assets.catalog import load_catalog
from procurement import services

_n = itertools.count(1)
D = datetime.date


def credit_code(n: int, region: str = "430100") -> str:
    base = f"91{region}MA4T{n:04d}X"
    return base + uscc.calc_check_digit(base)


@pytest.fixture
def catalog(db):
    load_catalog()


@pytest.fixture
def make_tender(org, catalog):
    def _make(*, year=2026, method="open", budget="1000000", bid_bond="0", **kw):
        return services.tender_create(
            actor=None,
            title=f"测试项目{year}",
            reference=f"T-{year}-{next(_n)}",
            year=year,
            method=method,
            budget=Decimal(budget),
            bid_bond=Decimal(bid_bond),
            procuring_unit=org["430000"],
            **kw,
        )

    return _make


@pytest.fixture
def make_supplier(db):
    def _make(name=None):
        n = next(_n)
        return services.supplier_create(actor=None, name=name or f"供应商{n}", credit_code=credit_code(n))

    return _make


@pytest.fixture
def awarded(make_tender, make_supplier):
    """A tender with one lot (garments DRESS-JACKET, DRESS-SHIRT, CAP-PEAKED), two bids, evaluated and awarded."""
    tender = make_tender(budget="5000000")
    lot = services.lot_create(
        actor=None,
        tender=tender,
        number=1,
        title="服装",
        budget=Decimal("4000000"),
        item_codes=["DRESS-JACKET", "DRESS-SHIRT", "CAP-PEAKED"],
    )
    s1, s2 = make_supplier("甲公司"), make_supplier("乙公司")
    b1 = services.bid_submit(actor=None, lot=lot, supplier=s1, price_offered=Decimal("3500000"))
    b2 = services.bid_submit(actor=None, lot=lot, supplier=s2, price_offered=Decimal("3600000"))
    services.bid_score(actor=None, bid=b1, other_score=60)
    services.bid_score(actor=None, bid=b2, other_score=55)
    services.lot_evaluate(actor=None, lot=lot)
    award = services.award_create(actor=None, lot=lot, decided_on=D(2026, 2, 2))
    return award


PRICES = {"DRESS-JACKET": Decimal("168.123456"), "DRESS-SHIRT": Decimal("45.5"), "CAP-PEAKED": Decimal("80")}
ROWS = [
    {"city_code": "430100", "item_code": "DRESS-JACKET", "gender": "男", "size": "170/88A", "quantity": 60},
    {"city_code": "430200", "item_code": "DRESS-JACKET", "gender": "男", "size": "170/88A", "quantity": 41},
    {"city_code": "430100", "item_code": "DRESS-SHIRT", "gender": "女", "size": "160/84A", "quantity": 100},
    {"city_code": "430200", "item_code": "CAP-PEAKED", "gender": "M", "size": "57", "quantity": 7},
]


@pytest.fixture
def city_contracts(awarded):
    """Per-city contracts (统采分签), signed."""
    contracts = services.contracts_create_from_demand(
        actor=None, award=awarded, rows=ROWS, unit_prices=PRICES, per_city=True
    )
    for c in contracts:
        services.contract_sign(actor=None, contract=c, signed_on=D(2026, 2, 10))
        c.refresh_from_db()
    return {c.buyer.code: c for c in contracts}
