"""统采分签 through the API: each city signs, pays, announces, receives and accepts (验收) its own contract's
deliveries; provincial logistics acts on all of them; another city gets 404, an auditor 403, anonymous 401.
What a city accepts is booked into that city's store and nowhere else."""

import datetime
import itertools

import pytest

from distribution import selectors as stock
from procurement import services
from procurement.models import Acceptance, Contract, Delivery, Payment
from tests.procurement.conftest import PRICES, ROWS

D = datetime.date
_n = itertools.count(1)


@pytest.fixture
def drafts(awarded):
    """Per-city contracts under one award, not yet signed: Changsha's (430100) and Zhuzhou's (430200)."""
    contracts = services.contracts_create_from_demand(
        actor=None, award=awarded, rows=ROWS, unit_prices=PRICES, per_city=True
    )
    return {c.buyer.code: c for c in contracts}


def _sign(contract):
    services.contract_sign(actor=None, contract=contract, signed_on=D(2026, 2, 10))
    contract.refresh_from_db()
    return contract


def _delivery(contract, *, arrived=True, quantity=2):
    line = contract.lines.order_by("id").first()
    return services.delivery_create(
        actor=None,
        contract=contract,
        number=f"CD-{next(_n)}",
        destination=contract.buyer,
        delivered_on=D(2026, 3, 2) if arrived else None,
        lines=[{"contract_line_id": line.pk, "quantity": quantity}],
    )


def _accept_body(delivery, *, rejected=0):
    dl = delivery.lines.get()
    return {
        "inspected_on": "2026-03-03",
        "certificate_number": f"YS-{next(_n)}",
        "sample_size": 1,
        "inspectors": "王五",
        "lines": [
            {
                "delivery_line_id": dl.pk,
                "accepted": dl.quantity - rejected,
                "rejected": rejected,
                "reason": "色差" if rejected else "",
            }
        ],
    }


@pytest.fixture
def users(changsha_user, zhuzhou_user, county_user, auditor_user, province_user):
    return {
        "own": changsha_user,
        "other": zhuzhou_user,
        "county": county_user,
        "auditor": auditor_user,
        "province": province_user,
    }


def _matrix(api, users, call, *, ok: int, fresh):
    """Run one route as anonymous, another city, a county of the city, an auditor, the city itself and the
    province. `fresh()` gives a new target (a contract, a delivery…) for each call that may succeed; `call(client,
    target)` returns the response."""
    target = fresh()
    assert call(api, target).status_code == 401
    assert call(api.as_(users["other"]), target).status_code == 404
    assert call(api.as_(users["county"]), target).status_code == 404
    assert call(api.as_(users["auditor"]), target).status_code == 403
    r = call(api.as_(users["own"]), target)
    assert r.status_code == ok, r.content
    r = call(api.as_(users["province"]), fresh())
    assert r.status_code == ok, r.content


def test_sign_matrix(api, users, drafts):
    pool = iter([drafts["430100"], drafts["430200"]])
    _matrix(
        api,
        users,
        lambda c, contract: c.post(f"/procurement/contracts/{contract.pk}/sign", {"signed_on": "2026-02-10"}),
        ok=200,
        fresh=lambda: next(pool),
    )
    assert set(Contract.objects.filter(status="signed").values_list("buyer__code", flat=True)) == {
        "430100",
        "430200",
    }


def test_bond_and_payment_matrix(api, users, drafts):
    contract = _sign(drafts["430100"])
    _matrix(
        api,
        users,
        lambda c, k: c.post(f"/procurement/contracts/{k.pk}/bond", {"performance_bond": "10"}),
        ok=200,
        fresh=lambda: contract,
    )
    _matrix(
        api,
        users,
        lambda c, k: c.post(
            f"/procurement/contracts/{k.pk}/payments",
            {"kind": "progress", "amount": "100.00", "paid_on": "2026-03-01"},
        ),
        ok=201,
        fresh=lambda: contract,
    )
    assert [p.amount for p in Payment.objects.filter(contract=contract)] == [100, 100]
    listed = api.as_(users["own"]).get(f"/procurement/contracts/{contract.pk}/payments")
    assert listed.status_code == 200 and len(listed.json()) == 2
    assert api.as_(users["other"]).get(f"/procurement/contracts/{contract.pk}/payments").status_code == 404


def test_delivery_arrive_accept_and_return_matrix(api, users, drafts):
    contract = _sign(drafts["430100"])
    line = contract.lines.order_by("id").first()
    _matrix(
        api,
        users,
        lambda c, k: c.post(
            f"/procurement/contracts/{k.pk}/deliveries",
            {
                "number": f"API-{next(_n)}",
                "destination": "430100",
                "lines": [{"contract_line_id": line.pk, "quantity": 1}],
            },
        ),
        ok=201,
        fresh=lambda: contract,
    )
    _matrix(
        api,
        users,
        lambda c, d: c.post(f"/procurement/deliveries/{d.pk}/arrive", {"delivered_on": "2026-03-02"}),
        ok=200,
        fresh=lambda: _delivery(contract, arrived=False),
    )
    bodies = {}

    def accept(c, d):
        body = bodies.setdefault(d.pk, _accept_body(d, rejected=1))
        return c.post(f"/procurement/deliveries/{d.pk}/acceptance", body)

    _matrix(api, users, accept, ok=201, fresh=lambda: _delivery(contract))
    accepted = list(Acceptance.objects.filter(delivery__contract=contract).order_by("id"))
    assert [a.actor for a in accepted] == [users["own"], users["province"]]
    first = accepted[0]
    assert api.as_(users["own"]).get(f"/procurement/acceptances/{first.pk}").status_code == 200
    assert api.as_(users["other"]).get(f"/procurement/acceptances/{first.pk}").status_code == 404
    assert api.as_(users["other"]).get("/procurement/acceptances").json() == []
    assert len(api.as_(users["auditor"]).get("/procurement/acceptances").json()) == 2
    returns = iter([a.lines.get() for a in accepted])
    _matrix(
        api,
        users,
        lambda c, al: c.post(
            f"/procurement/acceptance-lines/{al.pk}/returned", {"returned_on": "2026-03-04"}
        ),
        ok=200,
        fresh=lambda: next(returns),
    )
    assert {a.lines.get().rejection_status for a in accepted} == {"returned"}


def test_cities_sign_pay_and_accept_only_their_own_contracts(api, users, drafts):
    """Changsha on Zhuzhou's contract: every write is 404 and changes nothing; its lists hold only its own."""
    zz = _sign(drafts["430200"])
    delivery = _delivery(zz)
    c = api.as_(users["own"])
    calls = [
        c.post(f"/procurement/contracts/{drafts['430100'].pk}/sign", {"signed_on": "2026-02-10"}),
        c.post(f"/procurement/contracts/{zz.pk}/sign", {"signed_on": "2026-02-10"}),
        c.post(f"/procurement/contracts/{zz.pk}/bond", {"performance_bond": "1"}),
        c.post(
            f"/procurement/contracts/{zz.pk}/payments",
            {"kind": "progress", "amount": "1", "paid_on": "2026-03-01"},
        ),
        c.post(f"/procurement/deliveries/{delivery.pk}/arrive", {"delivered_on": "2026-03-02"}),
        c.post(f"/procurement/deliveries/{delivery.pk}/acceptance", _accept_body(delivery)),
    ]
    assert [r.status_code for r in calls] == [200, 404, 404, 404, 404, 404]
    zz.refresh_from_db()
    assert zz.performance_bond == 0 and not zz.payments.exists() and not Acceptance.objects.exists()
    numbers = [x["number"] for x in c.get("/procurement/contracts").json()["items"]]
    assert numbers == [drafts["430100"].number]
    assert c.get("/procurement/deliveries").json()["count"] == 0
    assert c.get("/procurement/acceptances").json() == []
    z = api.as_(users["other"])
    assert z.get("/procurement/deliveries").json()["count"] == 1
    assert api.as_(users["auditor"]).get("/procurement/contracts").json()["count"] == 2


def test_a_city_acceptance_books_stock_into_its_own_store(api, users, drafts):
    contract = _sign(drafts["430100"])
    delivery = _delivery(contract, quantity=5)
    r = api.as_(users["own"]).post(
        f"/procurement/deliveries/{delivery.pk}/acceptance", _accept_body(delivery, rejected=2)
    )
    assert r.status_code == 201, r.content
    line = delivery.lines.get().contract_line
    own = stock.stock_of(users["own"], "430100")
    assert own == [{"item": line.item.code, "gender": line.gender, "size": line.size, "quantity": 3}]
    assert stock.stock_of(users["province"], "430000") == []
    assert stock.stock_of(users["province"], "430200") == []
    # the other city cannot book stock without an acceptance of its own contract: the free receipt is the province's
    r = api.as_(users["other"]).post(
        "/distribution/receipts",
        {
            "to_unit": "430200",
            "supplier": contract.supplier.name,
            "document": "FREE-1",
            "lines": [{"item": line.item.code, "gender": line.gender, "size": line.size, "quantity": 1}],
        },
    )
    assert r.status_code in (403, 404, 405, 422) and stock.stock_of(users["province"], "430200") == []


def test_the_receiving_units_staff_act_on_a_delivery_to_their_store(api, users, drafts, make_user):
    """A delivery to a county inside the buyer's subtree (the stock branch lets counties receive): the county's
    staff record arrival, the buyer city too; another county of the same city does not see it."""
    contract = _sign(drafts["430100"])
    line = contract.lines.order_by("id").first()
    delivery = Delivery.objects.create(
        contract=contract, number="TO-COUNTY", destination=users["county"].memberships.get().unit
    )
    delivery.lines.create(contract_line=line, quantity=1)
    other_county = make_user("county", "430181")
    body = {"delivered_on": "2026-03-02"}
    assert (
        api.as_(other_county).post(f"/procurement/deliveries/{delivery.pk}/arrive", body).status_code == 404
    )
    assert (
        api.as_(users["county"]).post(f"/procurement/deliveries/{delivery.pk}/arrive", body).status_code
        == 200
    )
    delivery.refresh_from_db()
    assert delivery.status == "arrived"


def test_creating_contracts_stays_with_the_province(api, users, awarded):
    r = api.as_(users["own"]).post(
        f"/procurement/awards/{awarded.pk}/contracts",
        {"rows": ROWS, "unit_prices": {k: str(v) for k, v in PRICES.items()}, "per_city": True},
    )
    assert r.status_code == 403 and not Contract.objects.exists()


def test_a_city_accepts_goods_the_provinces_contract_delivers_to_its_store(api, users, awarded):
    """A provincial contract delivering straight to Changsha: Changsha's staff (the receiving unit) accept it
    into their store; they cannot sign or pay the province's contract; Zhuzhou does not see the delivery."""
    (contract,) = services.contracts_create_from_demand(
        actor=None, award=awarded, rows=ROWS, unit_prices=PRICES
    )
    _sign(contract)
    assert contract.buyer.code == "430000"
    line = contract.lines.order_by("id").first()
    delivery = services.delivery_create(
        actor=None,
        contract=contract,
        number="PROV-TO-CS",
        destination=users["own"].memberships.get().unit,
        delivered_on=D(2026, 3, 2),
        lines=[{"contract_line_id": line.pk, "quantity": 4}],
    )
    c = api.as_(users["own"])
    assert (
        c.post(
            f"/procurement/contracts/{contract.pk}/payments",
            {"kind": "advance", "amount": "1", "paid_on": "2026-03-01"},
        ).status_code
        == 404
    )
    assert (
        api.as_(users["other"])
        .post(f"/procurement/deliveries/{delivery.pk}/acceptance", _accept_body(delivery))
        .status_code
        == 404
    )
    r = c.post(f"/procurement/deliveries/{delivery.pk}/acceptance", _accept_body(delivery, rejected=1))
    assert r.status_code == 201, r.content
    assert stock.stock_of(users["own"], "430100") == [
        {"item": line.item.code, "gender": line.gender, "size": line.size, "quantity": 3}
    ]
    assert stock.stock_of(users["province"], "430000") == []
