"""采购对账 the reconciliation: budget → award → contracts per buyer (+ variations) → delivered → accepted → paid,
per lot and buyer, every figure checked by hand, totals adding up, scope and bounded queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.errors import NotFound
from procurement import reconciliation, services
from procurement.models import ContractVariation, ContractVariationLine
from procurement.money import line_amount

from .conftest import PRICES, ROWS

D = datetime.date
JACKET, SHIRT, CAP = PRICES["DRESS-JACKET"], PRICES["DRESS-SHIRT"], PRICES["CAP-PEAKED"]


def _line(contract, code):
    return contract.lines.get(item__code=code)


def _deliver(contract, number, lines, destination=None):
    return services.delivery_create(
        actor=None,
        contract=contract,
        number=number,
        destination=destination or contract.buyer,
        delivered_on=D(2026, 3, 2),
        lines=[{"contract_line_id": cl.pk, "quantity": q} for cl, q in lines],
    )


def _accept(delivery, certificate, results):
    dls = {dl.contract_line_id: dl for dl in delivery.lines.all()}
    return services.acceptance_record(
        actor=None,
        delivery=delivery,
        inspected_on=D(2026, 3, 3),
        certificate_number=certificate,
        sample_size=5,
        inspectors="张三",
        lines=[
            {"delivery_line_id": dls[cl.pk].pk, "accepted": a, "rejected": r, "reason": "色差" if r else ""}
            for cl, a, r in results
        ],
    )


def variation_add(contract, number, lines):
    """A 补充合同 as the variation service will write it (the same unit prices, amount = Σ lines)."""
    v = ContractVariation.objects.create(
        contract=contract,
        number=number,
        signed_on=D(2026, 3, 10),
        legal_basis="《政府采购法》第四十九条",
        reason="新增人员",
    )
    amount = Decimal("0.00")
    for cl, qty in lines:
        a = line_amount(qty, cl.unit_price)
        ContractVariationLine.objects.create(
            variation=v, contract_line=cl, quantity=qty, unit_price=cl.unit_price, amount=a
        )
        amount += a
    v.amount = amount
    v.save()
    return v


ROWS_WITH_PROVINCE = [
    *ROWS,
    {"city_code": "430000", "item_code": "CAP-PEAKED", "gender": "M", "size": "58", "quantity": 20},
]


@pytest.fixture
def recon(awarded, make_supplier):
    """Lot 1: Changsha's and Zhuzhou's contracts and the province's own (统采分签), a variation of Changsha's,
    deliveries (one accepted with rejects, one awaiting inspection), payments and a returned bond.
    Lot 2: awarded, no contract yet."""
    contracts = services.contracts_create_from_demand(
        actor=None, award=awarded, rows=ROWS_WITH_PROVINCE, unit_prices=PRICES, per_city=True
    )
    for c in contracts:
        services.contract_sign(actor=None, contract=c, signed_on=D(2026, 2, 10))
    by = {c.buyer.code: c for c in contracts}
    cs, zz, prov = by["430100"], by["430200"], by["430000"]
    jacket, shirt = _line(cs, "DRESS-JACKET"), _line(cs, "DRESS-SHIRT")
    variation = variation_add(cs, "BC-1", [(jacket, 3), (shirt, 2)])
    d1 = _deliver(cs, "B-CS-1", [(jacket, 62), (shirt, 50)])
    _accept(d1, "YS-CS-1", [(jacket, 60, 2), (shirt, 50, 0)])
    zz_jacket = _line(zz, "DRESS-JACKET")
    _deliver(zz, "B-ZZ-1", [(zz_jacket, 10)])  # arrived, not yet inspected
    prov_cap = _line(prov, "CAP-PEAKED")
    d3 = _deliver(prov, "B-P-1", [(prov_cap, 5)])
    _accept(d3, "YS-P-1", [(prov_cap, 5, 0)])
    services.payment_record(
        actor=None, contract=cs, kind="advance", amount=Decimal("5000.10"), paid_on=D(2026, 3, 1)
    )
    services.contract_set_bond(actor=None, contract=cs, performance_bond=Decimal("500"))
    services.payment_record(
        actor=None, contract=cs, kind="bond_return", amount=Decimal("100"), paid_on=D(2026, 3, 5)
    )
    services.payment_record(
        actor=None, contract=zz, kind="progress", amount=Decimal("1000"), paid_on=D(2026, 3, 1)
    )
    tender = awarded.lot.tender
    lot2 = services.lot_create(
        actor=None, tender=tender, number=2, title="帽徽", budget=Decimal("200000"), item_codes=["CAP-PEAKED"]
    )
    bid = services.bid_submit(actor=None, lot=lot2, supplier=make_supplier("丙公司"), price_offered=190000)
    services.bid_score(actor=None, bid=bid, other_score=60)
    services.lot_evaluate(actor=None, lot=lot2)
    award2 = services.award_create(actor=None, lot=lot2, decided_on=D(2026, 2, 2))
    for c in contracts:
        c.refresh_from_db()
    return {
        "tender": tender,
        "award": awarded,
        "award2": award2,
        "lot2": lot2,
        "cs": cs,
        "zz": zz,
        "prov": prov,
        "variation": variation,
    }


def _money(x) -> Decimal:
    return Decimal(x).quantize(Decimal("0.01"))


def test_every_figure_per_buyer(recon, province_user):
    rec = reconciliation.reconcile(province_user, tender=recon["tender"])
    assert not rec.restricted
    lot1, lot2 = rec.lots
    assert [r.buyer_code for r in lot1.rows] == ["430000", "430100", "430200"]  # the province first
    assert lot2.rows == [] and lot2.award == Decimal("190000.00") and lot2.budget == Decimal("200000.00")
    assert lot1.budget == Decimal("4000000.00") and lot1.award == recon["award"].amount
    assert lot1.award_ids == [recon["award"].pk]
    prov, cs, zz = (r.figures for r in lot1.rows)
    c = recon["cs"]
    # Changsha: jacket 62, shirt 103 (its share of the margin), +3 jackets and +2 shirts by the variation
    assert (_line(c, "DRESS-JACKET").quantity, _line(c, "DRESS-SHIRT").quantity) == (62, 103)
    variation = _money(3 * JACKET) + _money(2 * SHIRT)
    assert recon["variation"].amount == variation == Decimal("595.37")
    assert cs["original"] == c.total == _money(62 * JACKET) + _money(103 * SHIRT)
    assert cs["variations"] == variation and cs["variation_count"] == 1
    assert cs["contracted"] == c.total + variation
    assert cs["contracted_qty"] == 62 + 103 + 3 + 2
    assert cs["delivered_qty"] == 112 and cs["delivered_value"] == _money(62 * JACKET + 50 * SHIRT)
    assert cs["accepted_qty"] == 110 and cs["accepted_value"] == _money(60 * JACKET + 50 * SHIRT)
    assert cs["rejected_qty"] == 2 and cs["rejected_value"] == _money(2 * JACKET) == Decimal("336.25")
    assert cs["awaiting_qty"] == 0
    assert cs["paid"] == Decimal("5000.10")  # the returned bond is not a payment for goods
    assert cs["outstanding"] == cs["contracted"] - Decimal("5000.10")
    assert (cs["contracts"], cs["deliveries"], cs["acceptances"], cs["payments"]) == (1, 1, 1, 1)
    # Zhuzhou: 10 jackets arrived, not inspected
    z = recon["zz"]
    assert zz["original"] == z.total and zz["variations"] == 0 and zz["contracted"] == z.total
    assert zz["delivered_qty"] == 10 and zz["delivered_value"] == _money(10 * JACKET)
    assert zz["accepted_qty"] == zz["rejected_qty"] == 0 and zz["accepted_value"] == 0
    assert zz["awaiting_qty"] == 10 and (zz["deliveries"], zz["acceptances"]) == (1, 0)
    assert zz["paid"] == Decimal("1000.00") and zz["outstanding"] == z.total - 1000
    # the province's own contract: caps
    p = recon["prov"]
    assert prov["original"] == p.total == _money(_line(p, "CAP-PEAKED").quantity * CAP)
    assert prov["delivered_value"] == prov["accepted_value"] == Decimal("400.00")
    assert prov["paid"] == 0 and prov["outstanding"] == p.total


def test_totals_add_up_exactly(recon, province_user):
    rec = reconciliation.reconcile(province_user, tender=recon["tender"])
    for block in rec.lots:
        for key in reconciliation.FIGURES:
            assert block.totals[key] == sum(r.figures[key] for r in block.rows), key
    for key in reconciliation.FIGURES:
        assert rec.totals[key] == sum(b.totals[key] for b in rec.lots), key
    t = rec.totals
    assert t["contracted"] == t["original"] + t["variations"]
    assert t["outstanding"] == t["contracted"] - t["paid"]
    assert t["delivered_qty"] == t["accepted_qty"] + t["rejected_qty"] + t["awaiting_qty"]
    assert t["original"] == sum(recon[k].total for k in ("cs", "zz", "prov"))
    assert t["paid"] == Decimal("6000.10")
    assert rec.budget == Decimal("5000000.00") and rec.lots_budget == Decimal("4200000.00")
    assert rec.award == recon["award"].amount + Decimal("190000.00")
    assert all(isinstance(t[k], Decimal) for k in reconciliation.MONEY_FIGURES)


def test_a_city_sees_only_its_own_row(recon, changsha_user, zhuzhou_user, county_user):
    rec = reconciliation.reconcile(changsha_user, tender=recon["tender"])
    assert rec.restricted
    lot1 = rec.lots[0]
    assert [r.buyer_code for r in lot1.rows] == ["430100"]
    assert lot1.totals == lot1.rows[0].figures == rec.totals  # lot 2 has nothing of Changsha's
    assert lot1.award == recon["award"].amount  # the award is published
    zz = reconciliation.reconcile(zhuzhou_user, tender=recon["tender"])
    assert [r.buyer_code for r in zz.lots[0].rows] == ["430200"]
    assert zz.totals["paid"] == Decimal("1000.00")
    county = reconciliation.reconcile(county_user, tender=recon["tender"])  # a county signs no contract
    assert all(not b.rows for b in county.lots) and county.totals["contracted"] == 0
    with pytest.raises(NotFound):
        reconciliation.reconcile(changsha_user, tender=recon["tender"], city="430200")


def test_filters_lot_and_city(recon, province_user, auditor_user):
    rec = reconciliation.reconcile(province_user, tender=recon["tender"], city="430200")
    assert [r.buyer_code for b in rec.lots for r in b.rows] == ["430200"] and rec.restricted
    rec = reconciliation.reconcile(province_user, tender=recon["tender"], lot_id=recon["lot2"].pk)
    assert [b.lot.number for b in rec.lots] == [2]
    with pytest.raises(NotFound):
        reconciliation.reconcile(province_user, tender=recon["tender"], lot_id=999999)
    one = reconciliation.reconcile(province_user, tender=recon["tender"], contract_id=recon["cs"].pk)
    assert [r.contract_ids for b in one.lots for r in b.rows] == [[recon["cs"].pk]]
    assert one.totals["variations"] == recon["variation"].amount
    full = reconciliation.reconcile(auditor_user)  # auditors read everything; the current tender by default
    assert full.tender == recon["tender"] and len(full.lots[0].rows) == 3


def test_queries_bounded_as_contracts_grow(recon, province_user):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            reconciliation.reconcile(province_user, tender=recon["tender"])
        return len(ctx.captured_queries)

    count()  # the user's memberships are read once and kept on the user
    before = count()
    more = [
        {"city_code": code, "item_code": "DRESS-SHIRT", "gender": "男", "size": "170/88A", "quantity": 9}
        for code in ("430300", "430400", "430500", "430600")
    ]
    award2 = recon["award2"]
    award2.lot.items.add(*recon["award"].lot.items.all())
    for c in services.contracts_create_from_demand(
        actor=None, award=award2, rows=more, unit_prices=PRICES, per_city=True
    ):
        services.contract_sign(actor=None, contract=c, signed_on=D(2026, 2, 10))
        _deliver(c, f"B-{c.pk}", [(c.lines.first(), 3)])
        services.payment_record(actor=None, contract=c, kind="advance", amount=10, paid_on=D(2026, 3, 1))
    assert count() == before <= 12


# ---- API ---------------------------------------------------------------------------------------------------


def test_api_figures_and_drill_down(recon, api, province_user):
    r = api.as_(province_user).get(f"/procurement/reconciliation?tender={recon['tender'].pk}")
    assert r.status_code == 200, r.content
    body = r.json()
    rec = reconciliation.reconcile(province_user, tender=recon["tender"])
    assert Decimal(body["totals"]["contracted"]) == rec.totals["contracted"]
    lot = body["lots"][0]
    cs = next(row for row in lot["rows"] if row["buyer"] == "430100")
    assert Decimal(cs["figures"]["accepted_value"]) == rec.lots[0].rows[1].figures["accepted_value"]
    assert cs["figures"]["rejected_qty"] == 2 and cs["contract_ids"] == [recon["cs"].pk]
    assert lot["award_of_budget_percent"] is not None
    docs = cs["documents"]
    assert docs["award"] == [f"/api/v1/procurement/awards/{recon['award'].pk}"]
    client = api.as_(province_user)
    for kind, expected in (
        ("contracts", [recon["cs"].number]),
        ("variations", ["BC-1"]),
        ("deliveries", ["B-CS-1"]),
        ("payments", ["5000.10", "100.00"]),
    ):
        got = client.get(docs[kind].removeprefix("/api/v1")).json()
        key = "amount" if kind == "payments" else "number"
        assert sorted(str(i[key]) for i in got["items"]) == sorted(expected), kind
    acc = client.get(docs["acceptances"].removeprefix("/api/v1")).json()
    assert [(a["certificate_number"], a["accepted"], a["rejected"]) for a in acc] == [("YS-CS-1", 110, 2)]
    variations = client.get(docs["variations"].removeprefix("/api/v1")).json()["items"]
    assert variations[0]["quantity"] == 5 and variations[0]["line_count"] == 2
    assert Decimal(variations[0]["amount"]) == Decimal("595.37")


def test_api_queries_bounded(recon, api, province_user):
    client = api.as_(province_user)
    path = f"/procurement/reconciliation?tender={recon['tender'].pk}"
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    assert len(ctx.captured_queries) <= 15


def test_api_scope(recon, api, changsha_user, zhuzhou_user, auditor_user):
    t = recon["tender"].pk
    assert api.get(f"/procurement/reconciliation?tender={t}").status_code == 401
    body = api.as_(zhuzhou_user).get(f"/procurement/reconciliation?tender={t}").json()
    assert body["restricted"] is True
    assert [row["buyer"] for lot in body["lots"] for row in lot["rows"]] == ["430200"]
    assert api.as_(zhuzhou_user).get("/procurement/reconciliation?city=430100").status_code == 404
    zz = api.as_(zhuzhou_user)
    for kind in ("contracts", "variations", "deliveries", "payments"):
        got = zz.get(f"/procurement/{kind}?tender={t}&buyer=430100").json()
        assert got["count"] == 0 and got["items"] == [], kind
    assert zz.get(f"/procurement/acceptances?tender={t}&buyer=430100").json() == []
    body = api.as_(auditor_user).get("/procurement/reconciliation").json()
    assert body["restricted"] is False and len(body["lots"][0]["rows"]) == 3
    assert api.as_(changsha_user).get(f"/procurement/reconciliation?tender={t}&lot=999999").status_code == 404
