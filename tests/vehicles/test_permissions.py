"""One matrix over the endpoints, as NetBox tests it: anonymous (401), a user of another city (404), a
user in scope without the role (403), and a user with the role (2xx)."""

import pytest

from vehicles import services
from vehicles.models import Vehicle

from .conftest import add_compulsory, days, next_plate, valid_vin

pytestmark = pytest.mark.usefixtures("allocation")


@pytest.fixture
def world(org, make_vehicle, changsha_user):
    v = make_vehicle("430121", registered=True)
    plain = make_vehicle("430121")
    policy = add_compulsory(v, starts_on=days(-100), ends_on=days(265))
    purchase = services.purchase_create(
        actor=None, city=org["430100"], title="x", quantity=1, stage_date=days(-9)
    )
    disposal = services.disposal_request(actor=None, vehicle=plain, method="scrap", reason="x")
    return {
        "v": v.pk,
        "plain": plain.pk,
        "policy": policy.pk,
        "purchase": purchase.pk,
        "disposal": disposal.pk,
    }


# (method, path, payload, the in-scope user without the role, the user with the role)
WRITES = [
    ("patch", "/vehicles/vehicles/{v}", {"remarks": "x"}, "county", "city"),
    (
        "post",
        "/vehicles/vehicles/{plain}/register",
        lambda: {"plate": next_plate(), "registered_on": str(days(-1))},
        "county",
        "city",
    ),
    ("post", "/vehicles/vehicles/{v}/status", {"status": "in_service"}, "auditor", "county_ready"),
    ("post", "/vehicles/vehicles/{v}/assign", {"station": None}, "auditor", "county"),
    ("post", "/vehicles/vehicles/{v}/transfer", {"to_unit": "430100", "reason": "x"}, "county", "city"),
    (
        "post",
        "/vehicles/vehicles/{v}/insurance",
        {
            "kind": "commercial",
            "insurer": "人保",
            "policy_number": "P9",
            "starts_on": str(days(-1)),
            "ends_on": str(days(300)),
        },
        "auditor",
        "county",
    ),
    ("post", "/vehicles/insurance/{policy}/cancel", {"reason": "错录"}, "auditor", "county"),
    ("post", "/vehicles/vehicles/{v}/inspections", {"inspected_on": str(days(-1))}, "auditor", "county"),
    (
        "put",
        "/vehicles/vehicles/{v}/inspection-due",
        {"due": str(days(30)), "reason": "x"},
        "auditor",
        "county",
    ),
    (
        "post",
        "/vehicles/vehicles/{v}/maintenance",
        {"date": str(days(-1)), "kind": "service", "description": "x"},
        "auditor",
        "county",
    ),
    ("post", "/vehicles/vehicles/{v}/odometer", {"read_on": str(days(-1)), "km": 10}, "auditor", "county"),
    ("post", "/vehicles/vehicles/{v}/disposal", {"method": "scrap", "reason": "x"}, "county", "city"),
    ("post", "/vehicles/disposals/{disposal}/approve", {}, "city", "province"),
    ("post", "/vehicles/disposals/{disposal}/reject", {"note": "不符合"}, "city", "province"),
    (
        "post",
        "/vehicles/purchases/{purchase}/stage",
        {"stage": "procurement", "date": str(days(-1))},
        "auditor",
        "city",
    ),
]
READS = [
    "/vehicles/vehicles/{v}",
    "/vehicles/vehicles/{v}/insurance",
    "/vehicles/vehicles/{v}/inspections",
    "/vehicles/vehicles/{v}/maintenance",
    "/vehicles/vehicles/{v}/odometer",
    "/vehicles/vehicles/{v}/transfers",
    "/vehicles/purchases/{purchase}",
]


@pytest.fixture
def users(changsha_user, county_user, auditor_user, zhuzhou_user, province_user, make_user):
    return {
        "city": changsha_user,
        "county": county_user,
        "auditor": auditor_user,
        "other": zhuzhou_user,
        "province": province_user,
        "county_ready": county_user,
        "auditor_cs": make_user("auditor", "430100"),
    }


@pytest.mark.parametrize(
    "method, path, payload, without, with_role", WRITES, ids=[f"{w[0]} {w[1]}" for w in WRITES]
)
def test_write_matrix(api, world, users, method, path, payload, without, with_role):
    url = path.format(**world)

    def body():
        return payload() if callable(payload) else payload

    assert getattr(api, method)(url, body()).status_code == 401
    r = getattr(api.as_(users["other"]), method)(url, body())
    assert r.status_code == 404, r.json()
    r = getattr(api.as_(users[without]), method)(url, body())
    assert r.status_code == 403, r.json()
    if with_role == "county_ready":
        services.vehicle_update(
            actor=None,
            vehicle=Vehicle.objects.get(pk=world["v"]),
            livery_fitted=True,
            warning_lights_fitted=True,
        )
    r = getattr(api.as_(users[with_role]), method)(url, body())
    assert r.status_code in (200, 201), r.json()


@pytest.mark.parametrize("path", READS)
def test_read_matrix(api, world, users, path):
    url = path.format(**world)
    assert api.get(url).status_code == 401
    assert api.as_(users["other"]).get(url).status_code == 404
    for who in ("auditor", "auditor_cs", "city", "province"):
        assert api.as_(users[who]).get(url).status_code == 200, who


def test_create_endpoints(api, world, users):
    payload = {"owning_unit": "430121", "vin": valid_vin(), "brand": "大众"}
    assert api.post("/vehicles/vehicles", payload).status_code == 401
    assert api.as_(users["other"]).post("/vehicles/vehicles", payload).status_code == 404
    assert api.as_(users["county"]).post("/vehicles/vehicles", payload).status_code == 403
    assert api.as_(users["auditor"]).post("/vehicles/vehicles", payload).status_code == 403
    assert api.as_(users["city"]).post("/vehicles/vehicles", payload).status_code == 201
    exc = {"city_code": "430100", "extra": 1, "reason": "x"}
    assert api.as_(users["city"]).post("/vehicles/quota-exceptions", exc).status_code == 403
    assert api.as_(users["province"]).post("/vehicles/quota-exceptions", exc).status_code == 201


def test_lists_are_scoped(api, world, users):
    assert api.as_(users["other"]).get("/vehicles/vehicles").json()["count"] == 0
    assert api.as_(users["other"]).get("/vehicles/purchases").json()["count"] == 0
    assert api.as_(users["other"]).get("/vehicles/disposals").json()["count"] == 0
    assert api.as_(users["auditor_cs"]).get("/vehicles/vehicles").json()["count"] == 2
    assert api.as_(users["city"]).get("/vehicles/disposals").json()["count"] == 1
