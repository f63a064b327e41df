import datetime
from decimal import Decimal

import pytest

from core.errors import Conflict, Forbidden, QMError
from core.history import history_for
from procurement import services
from procurement.models import Bid, Lot, Supplier

from .conftest import credit_code

D = datetime.date


def test_supplier_credit_code_validated(province_user):
    code = credit_code(7)
    s = services.supplier_create(actor=province_user, name=" 甲公司 ", credit_code=code, contact_name="周")
    assert s.name == "甲公司" and s.credit_code == code and history_for(s).exists()
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    for value in (bad, code[:-1], ""):
        with pytest.raises(QMError) as exc:
            services.supplier_create(actor=province_user, name="乙", credit_code=value)
        assert exc.value.code == "invalid_credit_code" and exc.value.details["field"] == "credit_code"
    with pytest.raises(Conflict):
        services.supplier_create(actor=province_user, name="丙", credit_code=code)
    assert Supplier.objects.count() == 1


def test_supplier_only_by_province(changsha_user):
    with pytest.raises(Forbidden):
        services.supplier_create(actor=changsha_user, name="甲", credit_code=credit_code(8))


def test_lots_within_budget(make_tender, province_user):
    tender = make_tender(budget="1000")
    services.lot_create(
        actor=province_user, tender=tender, number=1, title="A", budget="600", item_codes=["DRESS-JACKET"]
    )
    with pytest.raises(QMError) as exc:
        services.lot_create(actor=province_user, tender=tender, number=2, title="B", budget="400.01")
    assert exc.value.code == "over_budget"
    services.lot_create(actor=province_user, tender=tender, number=2, title="B", budget="400")
    with pytest.raises(Conflict):
        services.lot_create(actor=province_user, tender=tender, number=2, title="C", budget="0.01")
    with pytest.raises(QMError) as exc:
        services.tender_update(actor=province_user, tender=tender, budget="999")
    assert exc.value.code == "budget_below_lots"
    with pytest.raises(QMError) as exc:
        services.lot_create(
            actor=province_user, tender=make_tender(), number=1, title="X", budget="1", item_codes=["NOPE"]
        )
    assert exc.value.code == "unknown_item"
    with pytest.raises(QMError) as exc:
        services.lot_create(
            actor=province_user, tender=make_tender(), number=1, title="X", budget="1", price_weight=29
        )
    assert exc.value.code == "bad_price_weight"
    assert Lot.objects.count() == 2


def test_comprehensive_scoring(make_tender, make_supplier, province_user):
    tender = make_tender(budget="1000")
    lot = services.lot_create(
        actor=province_user, tender=tender, number=1, title="A", budget="1000", price_weight=30
    )
    a, b, c = make_supplier(), make_supplier(), make_supplier()
    bid_a = services.bid_submit(actor=province_user, lot=lot, supplier=a, price_offered="100")
    bid_b = services.bid_submit(actor=province_user, lot=lot, supplier=b, price_offered="80")
    bid_c = services.bid_submit(actor=province_user, lot=lot, supplier=c, price_offered="1000.01")
    assert bid_c.status == "invalid" and "预算" in bid_c.invalid_reason
    with pytest.raises(QMError) as exc:
        services.lot_evaluate(actor=province_user, lot=lot)
    assert exc.value.code == "unscored_bids"
    with pytest.raises(QMError):
        services.bid_score(actor=province_user, bid=bid_a, other_score="70.01")
    services.bid_score(actor=province_user, bid=bid_a, other_score=60)
    services.bid_score(actor=province_user, bid=bid_b, other_score=50)
    ranked = services.lot_evaluate(actor=province_user, lot=lot)
    # price score = 80 / price × 30: A 24 + 60 = 84, B 30 + 50 = 80
    assert [(x.supplier_id, x.price_score, x.total_score, x.rank) for x in ranked] == [
        (a.pk, Decimal("24.00"), Decimal("84.00"), 1),
        (b.pk, Decimal("30.00"), Decimal("80.00"), 2),
    ]
    award = services.award_create(actor=province_user, lot=lot, decided_on=D(2026, 2, 2))
    assert award.supplier == a and award.amount == Decimal("100.00")
    with pytest.raises(Conflict):
        services.award_create(actor=province_user, lot=lot, decided_on=D(2026, 2, 2))
    with pytest.raises(Conflict):
        services.bid_submit(actor=province_user, lot=lot, supplier=a, price_offered="90")


def test_lowest_price_and_invalid_bids(make_tender, make_supplier, province_user):
    lot = services.lot_create(
        actor=province_user,
        tender=make_tender(budget="1000"),
        number=1,
        title="A",
        budget="1000",
        evaluation_method="lowest_price",
    )
    bids = [
        services.bid_submit(actor=province_user, lot=lot, supplier=make_supplier(), price_offered=p)
        for p in ("300", "250", "280")
    ]
    services.bid_invalidate(actor=province_user, bid=bids[1], reason="资格不符 disqualified")
    ranked = services.lot_evaluate(actor=province_user, lot=lot)
    assert [b.price for b in ranked] == [Decimal("280.00"), Decimal("300.00")]
    assert Bid.objects.get(pk=bids[1].pk).rank is None
    with pytest.raises(QMError) as exc:
        services.award_create(
            actor=province_user, lot=lot, decided_on=D(2026, 2, 2), bid=Bid.objects.get(pk=bids[1].pk)
        )
    assert exc.value.code == "bad_bid"
    award = services.award_create(actor=province_user, lot=lot, decided_on=D(2026, 2, 2))
    assert award.amount == Decimal("280.00")


def test_tender_status_transitions(make_tender, province_user):
    tender = make_tender()
    with pytest.raises(Conflict):
        services.tender_set_status(actor=province_user, tender=tender, status="awarded")
    tender = services.tender_set_status(actor=province_user, tender=tender, status="active")
    assert tender.status == "active"
    with pytest.raises(QMError):
        services.tender_create(
            actor=province_user,
            title="x",
            reference=tender.reference,
            year=2026,
            budget=1,
            procuring_unit=tender.procuring_unit,
        )
    with pytest.raises(QMError) as exc:
        services.tender_create(
            actor=province_user,
            title="x",
            reference="new",
            year=2026,
            budget=1,
            procuring_unit=tender.procuring_unit,
            method="auction",
        )
    assert exc.value.code == "bad_method"
