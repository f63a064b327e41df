"""Money that reconciles: award ≤ lot budget, contracts under an award ≤ the award at the award's unit prices,
补充合同 (《政府采购法》第四十九条) ≤ 10 % of the original contract cumulatively, deliveries and payments that
follow the variations."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from core.errors import Conflict, NotFound, QMError
from core.models import ChangeRecord
from procurement import selectors, services
from procurement.models import (
    Award,
    AwardPrice,
    Contract,
    ContractVariation,
    ContractVariationLine,
    Lot,
    Payment,
)

from .conftest import PRICES, ROWS

D = datetime.date
SIGNED = D(2026, 2, 10)

# Changsha: 100 shirts at 45.50 + 10 caps at 0.01 = 4,550.10 (10 % = 455.01); Zhuzhou: 100 shirts = 4,550.00
# (10 % = 455.00 exactly). No spare margin, so the lines are the demand.
SMALL_PRICES = {"DRESS-SHIRT": Decimal("45.5"), "CAP-PEAKED": Decimal("0.01")}
SMALL_ROWS = [
    {"city_code": "430100", "item_code": "DRESS-SHIRT", "gender": "F", "size": "160/84A", "quantity": 100},
    {"city_code": "430100", "item_code": "CAP-PEAKED", "gender": "M", "size": "57", "quantity": 10},
    {"city_code": "430200", "item_code": "DRESS-SHIRT", "gender": "F", "size": "160/84A", "quantity": 100},
]


@pytest.fixture(autouse=True)
def _language_restored(settings):
    """A request with Accept-Language: en leaves English active in this thread; put the default back after."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def small(awarded):
    contracts = services.contracts_create_from_demand(
        actor=None, award=awarded, rows=SMALL_ROWS, unit_prices=SMALL_PRICES, per_city=True, margin_percent=0
    )
    for c in contracts:
        services.contract_sign(actor=None, contract=c, signed_on=SIGNED)
        c.refresh_from_db()
    return {c.buyer.code: c for c in contracts}


def shirt(contract):
    return contract.lines.get(item__code="DRESS-SHIRT")


def cap(contract):
    return contract.lines.get(item__code="CAP-PEAKED")


def vary(contract, number, lines, *, actor=None, signed_on=D(2026, 3, 1), **kw):
    return services.contract_variation_create(
        actor=actor,
        contract=contract,
        number=number,
        signed_on=signed_on,
        lines=[{"contract_line_id": cl.pk, "quantity": q} for cl, q in lines],
        **kw,
    )


# ---- award ≤ lot budget ------------------------------------------------------------------------------------


def _evaluated_lot(make_tender, make_supplier, *, budget, price):
    tender = make_tender(budget="5000000")
    lot = services.lot_create(
        actor=None,
        tender=tender,
        number=1,
        title="服装",
        budget=Decimal(budget),
        item_codes=["DRESS-SHIRT"],
        evaluation_method="lowest_price",
    )
    services.bid_submit(actor=None, lot=lot, supplier=make_supplier(), price_offered=Decimal(price))
    services.lot_evaluate(actor=None, lot=lot)
    return lot


def test_award_of_exactly_the_budget_is_accepted(make_tender, make_supplier):
    lot = _evaluated_lot(make_tender, make_supplier, budget="1000000", price="1000000")
    award = services.award_create(actor=None, lot=lot, decided_on=D(2026, 2, 2))
    assert award.amount == lot.budget == Decimal("1000000.00")


def test_award_over_the_lot_budget_is_refused_naming_both(make_tender, make_supplier):
    lot = _evaluated_lot(make_tender, make_supplier, budget="1000000", price="900000")
    # the budget was cut after the bids (an edit outside the services): the award still may not exceed it
    Lot.objects.filter(pk=lot.pk).update(budget=Decimal("899999.99"))
    lot.refresh_from_db()
    with pytest.raises(QMError) as exc:
        services.award_create(actor=None, lot=lot, decided_on=D(2026, 2, 2))
    assert exc.value.code == "over_budget" and exc.value.details["rule"] == "award_within_budget"
    assert "900000.00" in exc.value.message and "899999.99" in exc.value.message
    assert "第六十三条" in exc.value.message
    assert not Award.objects.exists()


# ---- contracts ≤ award, at the award's unit prices ---------------------------------------------------------


def test_contracts_over_the_award_are_refused_and_nothing_is_written(awarded):
    rows = [{**ROWS[0], "quantity": 30000}]  # 30,900 jackets × 168.12 ≈ 5.2M > the award's 3.5M
    with pytest.raises(QMError) as exc:
        services.contracts_create_from_demand(actor=None, award=awarded, rows=rows, unit_prices=PRICES)
    assert exc.value.code == "over_award"
    assert "3500000.00" in exc.value.message and exc.value.details["existing"] == "0.00"
    assert not Contract.objects.exists() and not AwardPrice.objects.exists()


def test_the_contracts_already_under_the_award_count(awarded):
    def batch(city, quantity):
        row = {**ROWS[0], "city_code": city, "quantity": quantity}
        return services.contracts_create_from_demand(
            actor=None, award=awarded, rows=[row], unit_prices=PRICES, per_city=True, margin_percent=0
        )

    (first,) = batch("430100", 10000)
    assert first.total == Decimal("1681234.56")
    with pytest.raises(QMError) as exc:
        batch("430200", 11000)  # 1,849,358.02 more: 3,530,592.58 > 3,500,000.00
    assert exc.value.code == "over_award"
    assert exc.value.details == {
        "field": "rows",
        "award": "3500000.00",
        "existing": "1681234.56",
        "new": "1849358.02",
    }
    assert "1681234.56" in exc.value.message and "3530592.58" in exc.value.message
    (second,) = batch("430200", 10000)
    assert first.total + second.total <= awarded.amount


def test_every_contract_under_an_award_uses_the_awards_unit_prices(awarded, api, changsha_user):
    first = services.contracts_create_from_demand(
        actor=None, award=awarded, rows=ROWS[:1], unit_prices=PRICES, per_city=True
    )
    fixed = {ap.item.code: ap.unit_price for ap in awarded.unit_prices.select_related("item")}
    assert fixed == {"DRESS-JACKET": Decimal("168.123456")}  # only the items used are fixed
    assert ChangeRecord.objects.filter(content_type__model="awardprice", action="create").count() == 1
    # a second batch at another price is refused, naming both prices
    with pytest.raises(QMError) as exc:
        services.contracts_create_from_demand(
            actor=None,
            award=awarded,
            rows=ROWS[1:2],
            unit_prices={"DRESS-JACKET": Decimal("150")},
            per_city=True,
        )
    assert exc.value.code == "price_not_award"
    assert "150.000000" in exc.value.message and "168.123456" in exc.value.message
    assert "常服上衣" in exc.value.message and "DRESS" not in exc.value.message
    assert Contract.objects.count() == 1
    # the award's price is used when none is given; a new item's price is fixed by this batch
    second = services.contracts_create_from_demand(
        actor=None,
        award=awarded,
        rows=[ROWS[1], ROWS[3]],  # Zhuzhou: jackets and caps
        unit_prices={"CAP-PEAKED": PRICES["CAP-PEAKED"]},
        per_city=True,
    )
    by_buyer = {c.buyer.code: c for c in second}
    assert by_buyer["430200"].lines.get(item__code="DRESS-JACKET").unit_price == Decimal("168.123456")
    assert set(awarded.unit_prices.values_list("item__code", flat=True)) == {"DRESS-JACKET", "CAP-PEAKED"}
    # a city's contract is the award's prices × that city's lines
    for contract in first + second:
        prices = {ap.item_id: ap.unit_price for ap in awarded.unit_prices.all()}
        expected = sum((Decimal(ln.quantity) * prices[ln.item_id] for ln in contract.lines.all()), Decimal(0))
        assert contract.total == expected.quantize(Decimal("0.01"))
    out = api.as_(changsha_user).get(f"/procurement/awards/{awarded.pk}").json()
    assert out["unit_prices"]["DRESS-JACKET"] == "168.123456"


def test_a_price_missing_from_the_award_and_the_request_names_the_item(awarded):
    with pytest.raises(QMError) as exc:
        services.contracts_create_from_demand(actor=None, award=awarded, rows=ROWS, unit_prices={})
    assert exc.value.code == "missing_price" and "DRESS" not in exc.value.message


# ---- 补充合同: the 10 % rule ----------------------------------------------------------------------------------


def test_a_variation_of_exactly_10pct_is_accepted_and_11pct_refused(small):
    zz = small["430200"]  # 4,550.00
    with pytest.raises(QMError) as exc:
        vary(zz, "ZZ-B1", [(shirt(zz), 11)])  # 500.50 = 11 %
    assert exc.value.code == "legal_rule" and exc.value.details["rule"] == "variation_10pct"
    assert not ContractVariation.objects.exists() and not ContractVariationLine.objects.exists()
    v = vary(zz, "ZZ-B1", [(shirt(zz), 10)])  # 455.00 = 10 %
    assert v.amount == Decimal("455.00") and v.lines.get().unit_price == shirt(zz).unit_price
    assert "第四十九条" in v.legal_basis and v.contract == zz
    with pytest.raises(QMError) as exc:
        vary(zz, "ZZ-B2", [(shirt(zz), 1)])  # cumulative 500.50 = 11 %
    d = exc.value.details
    assert (d["original"], d["added"], d["amount"], d["limit"]) == ("4550.00", "455.00", "45.50", "455.00")
    for figure in ("4550.00", "455.00", "45.50"):
        assert figure in exc.value.message
    assert "第四十九条" in exc.value.message
    assert ContractVariation.objects.count() == 1


def test_10pct_split_over_two_variations_then_one_cent_more_is_refused(small):
    cs = small["430100"]  # 4,550.10, limit 455.01
    assert cs.total == Decimal("4550.10")
    vary(cs, "CS-B1", [(shirt(cs), 5)])  # 227.50
    vary(cs, "CS-B2", [(shirt(cs), 5), (cap(cs), 1)], signed_on=D(2026, 3, 2))  # 227.51 → 455.01
    with pytest.raises(QMError) as exc:
        vary(cs, "CS-B3", [(cap(cs), 1)])  # 0.01 more
    assert exc.value.details["added"] == "455.01" and exc.value.details["amount"] == "0.01"
    assert exc.value.details["limit"] == "455.01"
    assert sum(v.amount for v in cs.variations.all()) == Decimal("455.01")


def test_the_limit_error_speaks_chinese_by_default_and_english_when_asked(small):
    zz = small["430200"]
    vary(zz, "ZZ-B1", [(shirt(zz), 10)])
    with translation.override("zh-hans"), pytest.raises(QMError) as zh:
        vary(zz, "ZZ-B2", [(shirt(zz), 1)])
    assert "原合同金额 4550.00" in zh.value.message and "已签补充合同 455.00" in zh.value.message
    with translation.override("en"), pytest.raises(QMError) as en:
        vary(zz, "ZZ-B2", [(shirt(zz), 1)])
    assert "original contract 4550.00" in en.value.message and "already added 455.00" in en.value.message
    assert "this one 45.50" in en.value.message and "limit 455.00" in en.value.message
    assert "补充合同" not in en.value.message


# ---- 补充合同: what is checked -------------------------------------------------------------------------------


def test_variation_lines_are_this_contracts_lines_with_positive_quantities(small):
    cs, zz = small["430100"], small["430200"]
    cases = [
        ([{"contract_line_id": shirt(zz).pk, "quantity": 1}], 1, "contract_line_id"),
        (
            [{"contract_line_id": shirt(cs).pk, "quantity": 1}, {"contract_line_id": 0, "quantity": 1}],
            2,
            None,
        ),
        ([{"contract_line_id": shirt(cs).pk, "quantity": 0}], 1, "quantity"),
        ([{"contract_line_id": shirt(cs).pk, "quantity": True}], 1, "quantity"),
        ([{"contract_line_id": shirt(cs).pk, "quantity": 1.5}], 1, "quantity"),
        (
            [
                {"contract_line_id": cap(cs).pk, "quantity": 1},
                {"contract_line_id": cap(cs).pk, "quantity": 1},
            ],
            2,
            None,
        ),
    ]
    for lines, row, field in cases:
        with pytest.raises(QMError) as exc:
            services.contract_variation_create(
                actor=None, contract=cs, number="CS-X", signed_on=D(2026, 3, 1), lines=lines
            )
        assert exc.value.code == "bad_line" and exc.value.details["row"] == row, lines
        assert f"第{row}行" in exc.value.message
        if field:
            assert exc.value.details["field"] == field
    with pytest.raises(QMError) as exc:
        services.contract_variation_create(actor=None, contract=cs, number="CS-X", signed_on=SIGNED, lines=[])
    assert exc.value.code == "no_lines"
    with pytest.raises(QMError) as exc:
        vary(cs, " ", [(shirt(cs), 1)])
    assert exc.value.code == "required"
    assert not ContractVariation.objects.exists()


def test_only_a_contract_being_performed_takes_a_variation(awarded):
    (draft,) = services.contracts_create_from_demand(
        actor=None, award=awarded, rows=SMALL_ROWS[:1], unit_prices=SMALL_PRICES, margin_percent=0
    )
    with pytest.raises(Conflict) as exc:
        vary(draft, "D-B1", [(shirt(draft), 1)])
    assert exc.value.code == "not_performing"
    services.contract_sign(actor=None, contract=draft, signed_on=SIGNED)
    Contract.objects.filter(pk=draft.pk).update(status="complete")
    with pytest.raises(Conflict):
        vary(draft, "D-B1", [(shirt(draft), 1)])
    assert not ContractVariation.objects.exists()


def test_a_variation_is_not_signed_before_its_contract(small):
    cs = small["430100"]
    with pytest.raises(QMError) as exc:
        vary(cs, "CS-B1", [(shirt(cs), 1)], signed_on=SIGNED - datetime.timedelta(days=1))
    assert exc.value.code == "bad_date" and "2026-02-10" in exc.value.message
    assert vary(cs, "CS-B1", [(shirt(cs), 1)], signed_on=SIGNED).signed_on == SIGNED


def test_variation_bond_at_most_10pct_of_its_amount_by_default_the_contracts_rate(small):
    zz = small["430200"]
    services.contract_set_bond(actor=None, contract=zz, performance_bond=Decimal("227.50"))  # 5 %
    zz.refresh_from_db()
    with pytest.raises(QMError) as exc:
        vary(zz, "ZZ-B1", [(shirt(zz), 10)], performance_bond=Decimal("45.51"))
    assert exc.value.details["rule"] == "performance_bond_10pct" and exc.value.details["limit"] == "45.50"
    assert vary(zz, "ZZ-B1", [(shirt(zz), 2)], performance_bond=Decimal("9.10")).performance_bond == Decimal(
        "9.10"
    )
    assert vary(zz, "ZZ-B2", [(shirt(zz), 2)]).performance_bond == Decimal("4.55")  # 5 % of 91.00


def test_variation_is_idempotent_on_its_number_and_recorded(small):
    cs = small["430100"]
    v = vary(cs, "CS-B1", [(shirt(cs), 3)], reason="新增人员")
    again = vary(cs, "CS-B1", [(shirt(cs), 3)], reason="新增人员")
    assert again.pk == v.pk and ContractVariation.objects.count() == 1
    with pytest.raises(Conflict) as exc:
        vary(cs, "CS-B1", [(shirt(cs), 4)], reason="新增人员")
    assert exc.value.code == "duplicate_number"
    with pytest.raises(Conflict):
        vary(small["430200"], "CS-B1", [(shirt(small["430200"]), 3)], reason="新增人员")
    rec = ChangeRecord.objects.get(content_type__model="contractvariation", object_id=str(v.pk))
    assert rec.action == ChangeRecord.Action.CREATE and "136.50" in rec.note


# ---- deliveries and payments follow the variations ----------------------------------------------------------


def test_a_delivery_may_bring_the_variation_quantities(small):
    zz = small["430200"]
    vary(zz, "ZZ-B1", [(shirt(zz), 10)])
    with pytest.raises(QMError) as exc:
        services.delivery_create(
            actor=None,
            contract=zz,
            number="ZZ-D1",
            destination=zz.buyer,
            lines=[{"contract_line_id": shirt(zz).pk, "quantity": 111}],
        )
    assert exc.value.code == "over_delivery" and exc.value.details["owed"] == 110
    d = services.delivery_create(
        actor=None,
        contract=zz,
        number="ZZ-D1",
        destination=zz.buyer,
        lines=[{"contract_line_id": shirt(zz).pk, "quantity": 110}],
    )
    assert d.lines.get().quantity == 110
    row = selectors.contract_progress(zz)["lines"][0]
    assert (row["ordered"], row["added"], row["delivered"], row["outstanding"]) == (110, 10, 110, 110)


def test_payments_reach_contract_plus_variations_and_not_a_cent_more(small):
    zz = small["430200"]
    services.contract_set_bond(actor=None, contract=zz, performance_bond=Decimal("455.00"))
    vary(zz, "ZZ-B1", [(shirt(zz), 10)], performance_bond=Decimal("45.50"))
    pay = lambda amount, kind="progress": services.payment_record(  # noqa: E731
        actor=None, contract=zz, kind=kind, amount=Decimal(amount), paid_on=D(2026, 3, 5)
    )
    pay("4550.00")
    with pytest.raises(QMError) as exc:
        pay("455.01")
    assert exc.value.code == "over_total" and "5005.01 > 5005.00" in exc.value.message
    pay("455.00")
    with pytest.raises(QMError):
        pay("0.01")
    pay("455.00", "bond_return")
    with pytest.raises(QMError) as exc:
        pay("45.51", "bond_return")
    assert exc.value.code == "over_bond" and "500.50" in exc.value.message
    pay("45.50", "bond_return")
    assert Payment.objects.filter(contract=zz).count() == 4


# ---- the API: the purchaser signs, scope ----------------------------------------------------------------------


def test_a_city_signs_a_variation_of_its_own_contract_through_the_api(
    small, api, changsha_user, province_user
):
    cs, zz = small["430100"], small["430200"]
    body = {
        "number": "CS-B1",
        "signed_on": "2026-03-01",
        "reason": "新增人员",
        "lines": [{"contract_line_id": shirt(cs).pk, "quantity": 5}],
    }
    r = api.as_(changsha_user).post(f"/procurement/contracts/{cs.pk}/variations", body)
    assert r.status_code == 201, r.json()
    out = r.json()
    assert out["amount"] == "227.50" and out["lines"][0]["quantity"] == 5
    assert out["lines"][0]["item_name"] and "第四十九条" in out["legal_basis"]
    assert ContractVariation.objects.get().created_by == changsha_user
    # the same request again returns the same variation
    again = api.as_(changsha_user).post(f"/procurement/contracts/{cs.pk}/variations", body)
    assert again.status_code == 201 and again.json()["id"] == out["id"]
    assert ContractVariation.objects.count() == 1
    listed = api.as_(province_user).get(f"/procurement/contracts/{cs.pk}/variations").json()
    assert [v["number"] for v in listed] == ["CS-B1"]
    c = api.as_(changsha_user).get(f"/procurement/contracts/{cs.pk}").json()
    assert (c["total"], c["variations_total"], c["contracted_total"]) == ("4550.10", "227.50", "4777.60")
    page = api.as_(province_user).get("/procurement/contracts").json()["items"]
    by_number = {x["number"]: x for x in page}
    assert by_number[cs.number]["variations_total"] == "227.50"
    assert by_number[zz.number]["variations_total"] == "0.00"
    # the province signs for any contract
    r = api.as_(province_user).post(
        f"/procurement/contracts/{zz.pk}/variations",
        {**body, "number": "ZZ-B1", "lines": [{"contract_line_id": shirt(zz).pk, "quantity": 1}]},
    )
    assert r.status_code == 201


def test_variation_scope_other_city_404_auditor_403_anonymous_401(
    small, api, zhuzhou_user, auditor_user, county_user
):
    cs = small["430100"]
    url = f"/procurement/contracts/{cs.pk}/variations"
    body = {
        "number": "CS-B1",
        "signed_on": "2026-03-01",
        "lines": [{"contract_line_id": shirt(cs).pk, "quantity": 1}],
    }
    assert api.post(url, body).status_code == 401
    assert api.as_(zhuzhou_user).post(url, body).status_code == 404
    assert api.as_(zhuzhou_user).get(url).status_code == 404
    assert api.as_(auditor_user).post(url, body).status_code == 403
    assert api.as_(auditor_user).get(url).status_code == 200
    assert api.as_(county_user).post(url, body).status_code in (403, 404)
    assert not ContractVariation.objects.exists()


def test_variation_errors_through_the_api_follow_accept_language(small, api, changsha_user):
    cs = small["430100"]
    url = f"/procurement/contracts/{cs.pk}/variations"
    body = {
        "number": "CS-B1",
        "signed_on": "2026-03-01",
        "lines": [{"contract_line_id": shirt(cs).pk, "quantity": 11}],
    }
    zh = api.as_(changsha_user).post(url, body)
    assert zh.status_code == 400 and zh.json()["code"] == "legal_rule"
    assert "原合同金额 4550.10" in zh.json()["message"] and "累计上限 455.01" in zh.json()["message"]
    en = api.as_(changsha_user).post(url, body, headers={"Accept-Language": "en"})
    assert en.status_code == 400
    assert "original contract 4550.10" in en.json()["message"] and "limit 455.01" in en.json()["message"]
    assert not ContractVariation.objects.exists()


def test_contract_over_award_through_the_api(awarded, api, province_user):
    r = api.as_(province_user).post(
        f"/procurement/awards/{awarded.pk}/contracts",
        {"rows": [{**ROWS[0], "quantity": 30000}], "unit_prices": {k: str(v) for k, v in PRICES.items()}},
        headers={"Accept-Language": "en"},
    )
    assert r.status_code == 400 and r.json()["code"] == "over_award"
    assert "more than the award 3500000.00" in r.json()["message"]
    assert not Contract.objects.exists()


def test_variation_service_scope_directly(small, zhuzhou_user, auditor_user):
    from core.errors import Forbidden

    cs = small["430100"]
    with pytest.raises(NotFound):
        vary(cs, "CS-B1", [(shirt(cs), 1)], actor=zhuzhou_user)
    with pytest.raises(Forbidden):
        vary(cs, "CS-B1", [(shirt(cs), 1)], actor=auditor_user)


def test_variations_read_only_in_the_admin_scoped_to_the_buyer(
    small, province_user, changsha_user, zhuzhou_user
):
    from django.test import Client

    cs, zz = small["430100"], small["430200"]
    v_cs = vary(cs, "CS-B1", [(shirt(cs), 1)])
    vary(zz, "ZZ-B1", [(shirt(zz), 1)])

    def client(user):
        user.is_staff = True
        user.save()
        c = Client()
        c.force_login(user)
        return c

    prov = client(province_user)
    page = prov.get(f"/admin/procurement/contract/{cs.pk}/change/").content.decode()
    assert "CS-B1" in page and 'name="variations-0-amount"' not in page
    page = prov.get("/admin/procurement/contractvariation/").content.decode()
    assert "CS-B1" in page and "ZZ-B1" in page
    assert prov.get("/admin/procurement/contractvariation/add/").status_code == 403
    city = client(changsha_user)
    page = city.get("/admin/procurement/contractvariation/").content.decode()
    assert "CS-B1" in page and "ZZ-B1" not in page
    detail = client(zhuzhou_user).get(f"/admin/procurement/contractvariation/{v_cs.pk}/change/")
    assert detail.status_code in (302, 404)
    page = prov.get(f"/admin/procurement/award/{cs.award_id}/change/").content.decode()
    assert "45.500000" in page


def test_the_variation_list_reads_in_a_bounded_number_of_queries(
    small, api, province_user, django_assert_max_num_queries
):
    cs = small["430100"]
    for n in range(1, 6):
        vary(cs, f"CS-B{n}", [(shirt(cs), 1), (cap(cs), 1)])
    client = api.as_(province_user)
    client.get(f"/procurement/contracts/{cs.pk}/variations")  # warm the token and scope caches
    with django_assert_max_num_queries(10):
        r = client.get(f"/procurement/contracts/{cs.pk}/variations")
    assert len(r.json()) == 5 and all(len(v["lines"]) == 2 for v in r.json())


def test_a_later_batch_through_the_api_may_leave_the_prices_to_the_award(awarded, api, province_user):
    url = f"/procurement/awards/{awarded.pk}/contracts"
    first = api.as_(province_user).post(
        url, {"rows": [ROWS[0]], "unit_prices": {"DRESS-JACKET": "168.123456"}, "per_city": True}
    )
    assert first.status_code == 201
    second = api.as_(province_user).post(url, {"rows": [ROWS[1]], "per_city": True})
    assert second.status_code == 201, second.json()
    (contract,) = second.json()
    assert contract["buyer"] == "430200" and contract["contracted_total"] == contract["total"]
    other = api.as_(province_user).post(
        url,
        {
            "rows": [{**ROWS[1], "city_code": "430300"}],
            "unit_prices": {"DRESS-JACKET": "1"},
            "per_city": True,
        },
    )
    assert other.status_code == 400 and other.json()["code"] == "price_not_award"
