import datetime

import pytest

from procurement.models import Milestone, RuleOverride, Supplier

from .conftest import PRICES, ROWS, credit_code

D = datetime.date


def test_supplier_api(api, province_user, changsha_user):
    r = api.as_(province_user).post(
        "/procurement/suppliers", {"name": "甲公司", "credit_code": credit_code(3)}
    )
    assert r.status_code == 201 and r.json()["credit_code"] == credit_code(3)
    r = api.as_(province_user).post(
        "/procurement/suppliers", {"name": "乙", "credit_code": "91430100MA4T0003X0"}
    )
    assert r.status_code == 400 and r.json()["code"] == "invalid_credit_code"
    r = api.as_(changsha_user).post("/procurement/suppliers", {"name": "丙", "credit_code": credit_code(4)})
    assert r.status_code == 403
    assert api.as_(changsha_user).get("/procurement/suppliers").json()["count"] == 1
    assert Supplier.objects.count() == 1


def test_tender_and_timeline_api(api, province_user, changsha_user, catalog):
    r = api.as_(province_user).post(
        "/procurement/tenders",
        {
            "title": "2026 服装",
            "reference": "T-API-1",
            "year": 2026,
            "budget": "1000000",
            "bid_bond": "20000",
        },
    )
    assert r.status_code == 201
    tender_id = r.json()["id"]
    assert r.json()["method_label"].startswith("公开招标") and r.json()["target_date"] == "2026-04-30"
    r = api.as_(province_user).post(
        "/procurement/tenders",
        {"title": "x", "reference": "T-API-2", "year": 2026, "budget": "1000000", "bid_bond": "20000.01"},
    )
    assert r.status_code == 400 and r.json()["details"]["rule"] == "bid_bond_2pct"
    ms = {
        m["code"]: m["id"]
        for m in api.as_(province_user).get(f"/procurement/tenders/{tender_id}/milestones").json()
    }
    r = api.as_(province_user).patch(
        f"/procurement/milestones/{ms['award_notice']}", {"planned_date": "2026-02-12"}
    )
    assert r.status_code == 200
    dry = (
        api.as_(changsha_user)
        .post(f"/procurement/milestones/{ms['challenge_end']}/check", {"planned_date": "2026-02-27"})
        .json()
    )
    assert dry["planned"][0]["rule"] == "challenge_7wd" and dry["planned"][0]["limit"] == "2026-03-02"
    r = api.as_(province_user).patch(
        f"/procurement/milestones/{ms['challenge_end']}", {"planned_date": "2026-02-27"}
    )
    body = r.json()
    assert (
        r.status_code == 400 and body["code"] == "legal_rule" and body["details"]["rule"] == "challenge_7wd"
    )
    assert "第五十二条" in body["message"]
    r = api.as_(changsha_user).patch(
        f"/procurement/milestones/{ms['challenge_end']}",
        {"planned_date": "2026-02-27", "override_reason": "x"},
    )
    assert r.status_code == 403
    r = api.as_(province_user).patch(
        f"/procurement/milestones/{ms['challenge_end']}",
        {"planned_date": "2026-02-27", "override_reason": "特殊情况 approved"},
    )
    assert r.status_code == 200 and r.json()["overridden"][0]["rule"] == "challenge_7wd"
    assert Milestone.objects.get(pk=ms["challenge_end"]).planned_date == D(2026, 2, 27)
    assert RuleOverride.objects.count() == 1
    t = api.as_(changsha_user).get(f"/procurement/tenders/{tender_id}/timeline").json()
    assert t["target_date"] == "2026-04-30" and len(t["milestones"]) == 17
    assert {"forecast_end", "slack_days", "critical_milestone"} <= set(t)
    assert api.as_(changsha_user).get(f"/procurement/tenders/{tender_id}/overrides").status_code == 404
    assert len(api.as_(province_user).get(f"/procurement/tenders/{tender_id}/overrides").json()) == 1


def test_full_flow_over_the_api(api, province_user, make_supplier, catalog):
    p = api.as_(province_user)
    tender_id = p.post(
        "/procurement/tenders", {"title": "t", "reference": "T-API-3", "year": 2026, "budget": "5000000"}
    ).json()["id"]
    lot = p.post(
        f"/procurement/tenders/{tender_id}/lots",
        {"number": 1, "title": "服装", "budget": "4000000", "item_codes": list(PRICES)},
    ).json()
    s1, s2 = make_supplier("甲"), make_supplier("乙")
    b1 = p.post(f"/procurement/lots/{lot['id']}/bids", {"supplier_id": s1.pk, "price": "3000000"}).json()
    b2 = p.post(f"/procurement/lots/{lot['id']}/bids", {"supplier_id": s2.pk, "price": "3100000"}).json()
    p.post(f"/procurement/bids/{b1['id']}/score", {"other_score": 50})
    p.post(f"/procurement/bids/{b2['id']}/score", {"other_score": 65})
    ranked = p.post(f"/procurement/lots/{lot['id']}/evaluate").json()
    assert ranked[0]["supplier_id"] == s2.pk  # 29.03 + 65 beats 30 + 50
    award = p.post(f"/procurement/lots/{lot['id']}/award", {"decided_on": "2026-01-28"})
    assert award.status_code == 201
    r = p.post(
        f"/procurement/awards/{award.json()['id']}/contracts",
        {
            "rows": ROWS,
            "unit_prices": {k: str(v) for k, v in PRICES.items()},
            "per_city": True,
            "snapshot_id": None,
        },
    )
    assert r.status_code == 201 and {c["buyer"] for c in r.json()} == {"430100", "430200"}
    contract = next(c for c in r.json() if c["buyer"] == "430100")
    assert contract["snapshot_id"] is None
    assert (
        p.post(f"/procurement/contracts/{contract['id']}/sign", {"signed_on": "2026-02-10"}).status_code
        == 200
    )
    lines = p.get(f"/procurement/contracts/{contract['id']}/lines").json()
    jacket = next(ln for ln in lines if ln["item_code"] == "DRESS-JACKET")
    r = p.post(
        f"/procurement/contracts/{contract['id']}/deliveries",
        {
            "number": "B1",
            "destination": "430100",
            "delivered_on": "2026-03-02",
            "lines": [{"contract_line_id": jacket["id"], "quantity": 10}],
        },
    )
    assert r.status_code == 201
    delivery = r.json()
    r = p.post(
        f"/procurement/deliveries/{delivery['id']}/acceptance",
        {
            "inspected_on": "2026-03-03",
            "certificate_number": "YS-9",
            "sample_size": 2,
            "inspectors": "张三",
            "lines": [
                {
                    "delivery_line_id": delivery["lines"][0]["id"],
                    "accepted": 8,
                    "rejected": 2,
                    "reason": "色差",
                }
            ],
        },
    )
    assert r.status_code == 201 and (r.json()["accepted"], r.json()["rejected"]) == (8, 2)
    progress = p.get(f"/procurement/contracts/{contract['id']}/progress").json()
    row = next(x for x in progress["lines"] if x["item_code"] == "DRESS-JACKET")
    assert (row["ordered"], row["delivered"], row["accepted"], row["rejected"], row["outstanding"]) == (
        62,
        10,
        8,
        2,
        54,
    )
    d = p.get(f"/procurement/deliveries/{delivery['id']}").json()
    assert d["certificate_number"] == "YS-9" and d["lines"][0]["rejection_status"] == "awaiting_return"
    r = p.get(f"/procurement/tenders/{tender_id}/ocds")
    from procurement import ocds

    assert r.status_code == 200 and ocds.validate(r.json()) == []


@pytest.fixture
def scoped(city_contracts, province_user):
    from procurement import services

    contract = city_contracts["430200"]
    line = contract.lines.first()
    delivery = services.delivery_create(
        actor=province_user,
        contract=contract,
        number="Z1",
        destination=contract.buyer,
        delivered_on=D(2026, 3, 2),
        lines=[{"contract_line_id": line.pk, "quantity": 1}],
    )
    return city_contracts, delivery


def test_scope_matrix(api, scoped, changsha_user, zhuzhou_user, county_user, auditor_user, province_user):
    contracts, zz_delivery = scoped
    cs, zz = contracts["430100"], contracts["430200"]
    lot_id = cs.award.lot_id
    # anonymous
    assert api.get("/procurement/contracts").status_code == 401
    assert api.get("/procurement/tenders").status_code == 401
    # another city: 404 on Zhuzhou's contract and delivery, its own listed
    c = api.as_(changsha_user)
    assert [x["number"] for x in c.get("/procurement/contracts").json()["items"]] == [cs.number]
    assert c.get(f"/procurement/contracts/{zz.pk}").status_code == 404
    assert c.get(f"/procurement/contracts/{zz.pk}/progress").status_code == 404
    assert c.get(f"/procurement/deliveries/{zz_delivery.pk}").status_code == 404
    assert c.get("/procurement/deliveries").json()["count"] == 0
    assert c.post(f"/procurement/contracts/{zz.pk}/sign", {"signed_on": "2026-02-10"}).status_code == 404
    # 统采分签: the city acts on its own contract (test_city_contracts.py has the matrix per route)
    assert c.get(f"/procurement/contracts/{cs.pk}").status_code == 200
    assert c.post(f"/procurement/contracts/{cs.pk}/bond", {"performance_bond": "1"}).status_code == 200
    assert c.get(f"/procurement/lots/{lot_id}/bids").status_code == 404  # bids stay with the province
    z = api.as_(zhuzhou_user)
    assert z.get(f"/procurement/deliveries/{zz_delivery.pk}").status_code == 200
    assert z.get("/procurement/deliveries").json()["count"] == 1
    # a county under Changsha does not see the city's contract
    assert api.as_(county_user).get(f"/procurement/contracts/{cs.pk}").status_code == 404
    # auditor: reads everything, writes nothing
    a = api.as_(auditor_user)
    assert a.get("/procurement/contracts").json()["count"] == 2
    assert a.get(f"/procurement/lots/{lot_id}/bids").status_code == 200
    assert a.post(f"/procurement/contracts/{zz.pk}/bond", {"performance_bond": "1"}).status_code == 403
    assert (
        a.post(f"/procurement/deliveries/{zz_delivery.pk}/arrive", {"delivered_on": "2026-03-02"}).status_code
        == 403
    )
    # province: everything
    assert api.as_(province_user).get("/procurement/deliveries").json()["count"] == 1


def test_contract_list_query_count(api, scoped, province_user, django_assert_max_num_queries):
    client = api.as_(province_user)
    client.get("/procurement/contracts")
    with django_assert_max_num_queries(12):
        r = client.get("/procurement/contracts")
    assert r.json()["count"] == 2


def test_list_queries_do_not_grow_with_rows(api, city_contracts, province_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from procurement import services

    client = api.as_(province_user)
    contract = city_contracts["430100"]
    lines = list(contract.lines.all())

    def add_delivery(n):
        services.delivery_create(
            actor=province_user,
            contract=contract,
            number=f"Q{n}",
            destination=contract.buyer,
            delivered_on=D(2026, 3, 2),
            lines=[{"contract_line_id": ln.pk, "quantity": 1} for ln in lines],
        )
        services.payment_record(
            actor=province_user, contract=contract, kind="progress", amount=1, paid_on=D(2026, 3, 2)
        )

    def count(path):
        client.get(path)  # warm the token and membership caches
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(path)
        assert r.status_code == 200
        return len(ctx)

    add_delivery(1)
    few = count("/procurement/deliveries"), count("/procurement/contracts")
    for n in range(2, 6):
        add_delivery(n)
    many = count("/procurement/deliveries"), count("/procurement/contracts")
    assert few == many
    body = client.get("/procurement/contracts?buyer=430100").json()
    assert body["items"][0]["paid"] == "5.00"
