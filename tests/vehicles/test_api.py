import pytest

from tests.personnel.factories import OfficerFactory
from vehicles import services

from .conftest import days, next_plate, valid_vin

pytestmark = pytest.mark.usefixtures("allocation")


def test_allocation_readable_by_every_user(
    api, make_vehicle, make_user, changsha_user, county_user, auditor_user, zhuzhou_user, province_user
):
    make_vehicle("430100", in_service=True)
    station_user = make_user("county", "430181")
    for user in (changsha_user, county_user, auditor_user, zhuzhou_user, province_user, station_user):
        r = api.as_(user).get("/vehicles/allocation")
        assert r.status_code == 200
        body = r.json()
        assert body["total"] == 122 and len(body["rows"]) == 14
        cs = next(row for row in body["rows"] if row["city_code"] == "430100")
        assert (cs["quota"], cs["in_service"], cs["registered"], cs["gap"]) == (12, 1, 1, 11)
        assert body["totals"]["quota"] == 122 and body["totals"]["in_service"] == 1
    assert api.get("/vehicles/allocation").status_code == 401
    r = api.as_(zhuzhou_user).get("/vehicles/quota-records")
    assert r.status_code == 200 and r.json()["items"][0]["lines"][0]["city_code"] == "430100"


def test_vehicle_records_stay_in_scope(api, make_vehicle, changsha_user, zhuzhou_user, county_user):
    cs = make_vehicle("430121", registered=True)
    city_own = make_vehicle("430100", registered=True)
    zz = make_vehicle("430200", registered=True)
    items = api.as_(changsha_user).get("/vehicles/vehicles").json()["items"]
    assert {v["id"] for v in items} == {cs.pk, city_own.pk}
    assert {v["id"] for v in api.as_(county_user).get("/vehicles/vehicles").json()["items"]} == {cs.pk}
    assert api.as_(changsha_user).get(f"/vehicles/vehicles/{zz.pk}").status_code == 404
    assert api.as_(county_user).get(f"/vehicles/vehicles/{city_own.pk}").status_code == 404
    for path in ("insurance", "inspections", "maintenance", "odometer", "transfers"):
        assert api.as_(zhuzhou_user).get(f"/vehicles/vehicles/{cs.pk}/{path}").status_code == 404
    r = api.as_(zhuzhou_user).get("/core/history", {"model": "vehicles.vehicle", "object_id": cs.pk})
    assert r.status_code == 404
    r = api.as_(changsha_user).get("/core/history", {"model": "vehicles.vehicle", "object_id": cs.pk})
    assert r.status_code == 200 and r.json()["count"] >= 1


def test_create_and_work_a_vehicle_through_the_api(api, org, changsha_user, province_user):
    client = api.as_(changsha_user)
    vin = valid_vin()
    payload = {
        "owning_unit": "430121",
        "vin": vin,
        "brand": "长城",
        "model": "哈弗H9",
        "purchase_price": "209800",
        "purchase_date": str(days(-30)),
        "funding_source": "city",
        "equipment": ["示警灯具"],
    }
    r = client.post("/vehicles/vehicles", payload)
    assert r.status_code == 201, r.json()
    vid = r.json()["id"]
    assert r.json()["purchase_price"] == "209800.00" and r.json()["city_code"] == "430100"
    assert client.post("/vehicles/vehicles", payload).status_code == 409  # same VIN
    r = client.post("/vehicles/vehicles", {**payload, "vin": vin[:8] + "Z" + vin[9:]})
    assert r.status_code == 400 and r.json()["details"]["field"] == "vin"
    r = client.post("/vehicles/vehicles", {**payload, "purchase_price": "abc"})
    assert r.status_code == 422
    plate = next_plate()
    r = client.post(f"/vehicles/vehicles/{vid}/register", {"plate": plate, "registered_on": str(days(-2))})
    assert r.status_code == 200 and r.json()["plate"] == plate and r.json()["inspection_due"]
    r = client.post(f"/vehicles/vehicles/{vid}/status", {"status": "in_service"})
    assert r.status_code == 409 and r.json()["code"] == "not_ready_for_service"
    r = client.patch(f"/vehicles/vehicles/{vid}", {"livery_fitted": True, "warning_lights_fitted": True})
    assert r.status_code == 200
    assert (
        client.post(f"/vehicles/vehicles/{vid}/status", {"status": "in_service"}).json()["status"]
        == "in_service"
    )
    driver = OfficerFactory(unit=org["430121"])
    r = client.post(f"/vehicles/vehicles/{vid}/assign", {"driver_id": driver.pk})
    assert r.status_code == 200 and r.json()["driver_name"] == driver.name
    r = client.post(
        f"/vehicles/vehicles/{vid}/insurance",
        {
            "kind": "compulsory",
            "insurer": "人保财险",
            "policy_number": "pdza2026",
            "starts_on": str(days(-3)),
            "ends_on": str(days(362)),
        },
    )
    assert r.status_code == 201 and r.json()["policy_number"] == "PDZA2026"
    assert client.get(f"/vehicles/vehicles/{vid}").json()["compulsory_until"] == str(days(362))
    assert (
        client.post(f"/vehicles/vehicles/{vid}/odometer", {"read_on": str(days(-1)), "km": 120}).status_code
        == 201
    )
    r = client.post(f"/vehicles/vehicles/{vid}/odometer", {"read_on": str(days(0)), "km": 100})
    assert r.status_code == 409 and r.json()["code"] == "odometer_decreasing"
    r = client.post(
        f"/vehicles/vehicles/{vid}/maintenance",
        {"date": str(days(0)), "kind": "service", "description": "首保", "cost": "500"},
    )
    assert r.status_code == 201
    r = client.post(
        f"/vehicles/vehicles/{vid}/inspections", {"inspected_on": str(days(-1)), "next_due": str(days(700))}
    )
    assert r.status_code == 201
    r = client.put(f"/vehicles/vehicles/{vid}/inspection-due", {"due": None, "reason": "恢复"})
    assert r.status_code == 200 and r.json()["inspection_due_manual"] is False
    r = client.post(f"/vehicles/vehicles/{vid}/transfer", {"to_unit": "430100", "reason": "调整"})
    assert r.status_code == 201 and r.json()["to_unit_code"] == "430100"
    r = client.post(f"/vehicles/vehicles/{vid}/transfer", {"to_unit": "430200", "reason": "支援"})
    assert r.status_code == 403
    r = client.post(f"/vehicles/vehicles/{vid}/disposal", {"method": "scrap", "reason": "事故"})
    assert r.status_code == 201
    req_id = r.json()["id"]
    assert client.post(f"/vehicles/disposals/{req_id}/approve", {}).status_code == 403
    r = api.as_(province_user).post(
        f"/vehicles/disposals/{req_id}/approve", {"document": "湘交执法〔2026〕2号"}
    )
    assert r.status_code == 200 and r.json()["status"] == "approved"
    detail = client.get(f"/vehicles/vehicles/{vid}").json()
    assert detail["status"] == "disposed" and len(detail["history"]) >= 8


def test_quota_and_purchase_endpoints(api, changsha_user, province_user, auditor_user):
    r = api.as_(changsha_user).post(
        "/vehicles/quota-records",
        {
            "doc_number": "X1",
            "doc_date": str(days(-1)),
            "kind": "total_change",
            "reason": "x",
            "total_change": 2,
        },
    )
    assert r.status_code == 403
    r = api.as_(province_user).post(
        "/vehicles/quota-records",
        {
            "doc_number": "湘交执法〔2026〕7号",
            "doc_date": str(days(-1)),
            "kind": "transfer",
            "reason": "调剂",
            "lines": [{"city_code": "430300", "change": -1}, {"city_code": "431200", "change": 1}],
        },
    )
    assert r.status_code == 201 and r.json()["allocated_after"] == 122
    r = api.as_(province_user).post(
        "/vehicles/quota-records",
        {
            "doc_number": "X2",
            "doc_date": str(days(-1)),
            "kind": "adjustment",
            "reason": "x",
            "lines": [{"city_code": "430100", "change": 1}],
        },
    )
    assert r.status_code == 409 and r.json()["code"] == "over_allocated"
    r = api.as_(province_user).post(
        "/vehicles/quota-exceptions", {"city_code": "430100", "extra": 2, "reason": "应急"}
    )
    assert r.status_code == 201
    assert api.as_(changsha_user).get("/vehicles/quota-exceptions").json()["count"] == 1
    r = api.as_(changsha_user).post(
        "/vehicles/purchases",
        {
            "city_code": "430100",
            "title": "执法车",
            "quantity": 4,
            "stage_date": str(days(-5)),
            "budget_amount": "940000",
        },
    )
    assert r.status_code == 201 and r.json()["events"][0]["stage"] == "budget_approved"
    pid = r.json()["id"]
    r = api.as_(changsha_user).post(
        f"/vehicles/purchases/{pid}/stage", {"stage": "procurement", "date": str(days(-1))}
    )
    assert r.status_code == 200 and len(r.json()["events"]) == 2
    assert api.as_(auditor_user).get(f"/vehicles/purchases/{pid}").status_code == 200
    assert (
        api.as_(auditor_user)
        .post(
            f"/vehicles/purchases/{pid}/stage",
            {"stage": "contract_signed", "date": str(days(0)), "document": "HT"},
        )
        .status_code
        == 403
    )
    r = api.as_(changsha_user).post(
        "/vehicles/purchases",
        {"city_code": "430200", "title": "x", "quantity": 1, "stage_date": str(days(-1))},
    )
    assert r.status_code == 404


def test_papers_filter(api, make_vehicle, changsha_user):
    from .conftest import add_compulsory

    soon = make_vehicle("430100", in_service=True)
    add_compulsory(soon, starts_on=days(-350), ends_on=days(15))
    fine = make_vehicle("430100", in_service=True)
    add_compulsory(fine, starts_on=days(-10), ends_on=days(355))
    services.vehicle_set_inspection_due(actor=None, vehicle=fine, due=days(300), reason="t")
    services.vehicle_set_inspection_due(actor=None, vehicle=soon, due=days(300), reason="t")
    late = make_vehicle("430100", in_service=True)  # no compulsory policy
    client = api.as_(changsha_user)
    assert [v["id"] for v in client.get("/vehicles/vehicles", {"papers": "due"}).json()["items"]] == [soon.pk]
    assert [v["id"] for v in client.get("/vehicles/vehicles", {"papers": "overdue"}).json()["items"]] == [
        late.pk
    ]
    assert client.get("/vehicles/vehicles", {"papers": "x"}).status_code == 400


def test_list_query_counts_are_bounded(api, make_vehicle, province_user, django_assert_max_num_queries):
    for i in range(12):
        make_vehicle("430100" if i % 2 else "430121", registered=True)
    client = api.as_(province_user)
    client.get("/vehicles/vehicles")
    with django_assert_max_num_queries(8):
        r = client.get("/vehicles/vehicles", {"page_size": 50})
    assert r.json()["count"] == 12
    with django_assert_max_num_queries(12):
        assert client.get("/vehicles/allocation").status_code == 200
