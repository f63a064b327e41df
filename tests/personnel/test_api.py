import pytest

from core.auth import token_revoke
from personnel import services

from .factories import OfficerFactory


@pytest.fixture
def officers(org):
    return {
        "cs": OfficerFactory(unit=org["430121"], name="长沙甲"),
        "cs2": OfficerFactory(unit=org["430100"], name="长沙乙"),
        "zz": OfficerFactory(unit=org["430211"] if "430211" in org else org["430200"], name="株洲甲"),
    }


def test_anonymous_gets_401_json(api, org):
    r = api.get("/personnel/officers")
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"


def test_city_user_sees_only_own_city(api, officers, changsha_user):
    r = api.as_(changsha_user).get("/personnel/officers", {"page_size": 500})
    names = {o["name"] for o in r.json()["items"]}
    assert {"长沙甲", "长沙乙"} <= names and "株洲甲" not in names
    assert all(o["city_code"] == "430100" for o in r.json()["items"])
    assert api.as_(changsha_user).get(f"/personnel/officers/{officers['zz'].pk}").status_code == 404
    assert api.as_(changsha_user).get("/personnel/officers", {"q": "株洲甲"}).json()["count"] == 0
    assert api.as_(changsha_user).get("/personnel/officers", {"unit": "430200"}).status_code == 404


def test_each_item_carries_unit_code_and_full_id_for_keepers(api, officers, changsha_user):
    item = api.as_(changsha_user).get("/personnel/officers", {"q": "长沙甲"}).json()["items"][0]
    assert item["unit_code"] == "430121" and item["id_number"] == officers["cs"].id_number


def test_auditor_sees_masked_ids_and_history(api, officers, auditor_user, changsha_user):
    services.officer_update(actor=changsha_user, officer=officers["cs"], post="中队长")
    client = api.as_(auditor_user)
    detail = client.get(f"/personnel/officers/{officers['cs'].pk}").json()
    assert detail["id_number"] == officers["cs"].id_number[:6] + "********" + officers["cs"].id_number[-4:]
    assert detail["history"][0]["changes"]["post"][1] == "中队长"
    sizes = {s["size_system"]: s["code"] for s in detail["sizes"]}
    assert sizes["top"] == "175/92A" and sizes["bottom"] == "175/76A" and detail["sizes_missing"] == []
    h = client.get("/core/history", {"model": "personnel.officer", "object_id": officers["cs"].pk}).json()
    assert h["count"] == 1 and h["items"][0]["actor"] == changsha_user.username


def test_auditor_cannot_patch(api, officers, auditor_user):
    r = api.as_(auditor_user).patch(f"/personnel/officers/{officers['cs'].pk}", {"post": "x"})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_patch_validation_names_field(api, officers, changsha_user):
    r = api.as_(changsha_user).patch(f"/personnel/officers/{officers['cs'].pk}", {"chest_cm": "abc"})
    assert r.status_code == 422 and r.json()["details"]["fields"][0]["field"] == "chest_cm"


def test_other_city_cannot_patch_or_transfer(api, officers, zhuzhou_user):
    client = api.as_(zhuzhou_user)
    assert client.patch(f"/personnel/officers/{officers['cs'].pk}", {"post": "x"}).status_code == 404
    r = client.post(f"/personnel/officers/{officers['cs'].pk}/transfer", {"to_unit": "430200"})
    assert r.status_code == 404


def test_unit_tree_scoped_with_staffing(api, officers, changsha_user, province_user):
    tree = api.as_(changsha_user).get("/personnel/units").json()
    assert [n["code"] for n in tree] == ["430100"]
    assert tree[0]["officers_in_post_total"] == 2 and tree[0]["authorised_posts_total"] > 0
    full = api.as_(province_user).get("/personnel/units").json()
    assert full[0]["code"] == "430000" and len(full[0]["children"]) == 14
    assert full[0]["authorised_posts_total"] == 12484


def test_revoked_token_and_deactivated_user_stop_at_once(api, officers, changsha_user, province_user):
    client = api.as_(changsha_user)
    assert client.get("/personnel/officers").status_code == 200
    services.account_deactivate(actor=province_user, user=changsha_user)
    assert client.get("/personnel/officers").status_code == 401
    client2 = api.as_(province_user)
    token_revoke(user=province_user)
    assert client2.get("/personnel/officers").status_code == 401


def test_session_auth(api, officers, changsha_user):
    from django.test import Client

    c = Client()
    assert c.login(username=changsha_user.username, password="pw-test-123")
    assert c.get("/api/v1/personnel/officers").json()["count"] == 2


def test_list_query_count_is_bounded(api, org, province_user, django_assert_max_num_queries):
    for _ in range(30):
        OfficerFactory(unit=org["430121"])
    client = api.as_(province_user)
    client.get("/personnel/officers")  # warm the token's last_used_at
    with django_assert_max_num_queries(8):
        r = client.get("/personnel/officers", {"page_size": 30})
    assert len(r.json()["items"]) == 30


def test_openapi_served(api, org):
    r = api.client.get("/api/v1/openapi.json")
    assert r.status_code == 200 and "/api/v1/personnel/officers" in r.json()["paths"]
