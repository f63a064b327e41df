"""API: catalog and standard (read all, write provincial logistics), officer sizes and skirts, demand per
city (scoped), snapshots and their comparison, and the size table download."""

import io

import pytest
from openpyxl import load_workbook

from assets.models import DemandSnapshot, ItemType, SkirtChoice, StandardVersion
from core.history import history_for
from tests.personnel.factories import OfficerFactory

# ---- catalog and standard ----------------------------------------------------------------------------


def test_catalog_readable_by_every_role(api, catalog, changsha_user, county_user, auditor_user):
    for user in (changsha_user, county_user, auditor_user):
        r = api.as_(user).get("/assets/items")
        assert r.status_code == 200
        items = {i["code"]: i for i in r.json()}
        assert len(items) == 26
    cap = items["CAP-PEAKED"]
    assert (cap["name_men"], cap["name_women"]) == ("大檐帽", "卷檐帽")
    assert items["INS-CAP-BADGE"]["name_women"] == "小帽徽"
    assert items["DRESS-JACKET"]["name_women"] == "常服上衣（女）"
    assert items["SHOES-LEATHER"]["is_assumption"] is True and items["TROUSERS"]["is_assumption"] is False
    assert api.get("/assets/items").status_code == 401


def test_patch_quantity_makes_a_new_version_and_records_it(api, catalog, province_user):
    r = api.as_(province_user).patch("/assets/items/SHIRT-SHORT", {"qty_per_officer": 4, "reason": "湿热"})
    assert r.status_code == 200 and r.json()["qty_per_officer"] == 4
    std = api.as_(province_user).get("/assets/standard").json()
    assert std["number"] == 2
    line = next(ln for ln in std["lines"] if ln["item_code"] == "SHIRT-SHORT")
    assert line["qty_per_officer"] == 4
    v1 = api.as_(province_user).get("/assets/standard/versions/1").json()
    assert next(ln for ln in v1["lines"] if ln["item_code"] == "SHIRT-SHORT")["qty_per_officer"] == 3
    item = ItemType.objects.get(code="SHIRT-SHORT")
    assert history_for(item).first().changes["qty_per_officer"] == [3, 4]
    versions = api.as_(province_user).get("/assets/standard/versions").json()
    assert [(v["number"], v["is_current"]) for v in versions] == [(2, True), (1, False)]


def test_renaming_does_not_make_a_version(api, catalog, province_user):
    r = api.as_(province_user).patch("/assets/items/INS-TIE", {"name_women": "女式领带"})
    assert r.status_code == 200 and r.json()["name_women"] == "女式领带"
    assert StandardVersion.objects.count() == 1


@pytest.mark.parametrize(
    "payload,code",
    [
        ({"qty_per_officer": -1}, "bad_quantity"),
        ({"qty_per_officer": 500}, "bad_quantity"),
        ({"service_life_years": 0}, "bad_service_life"),
        ({"source": " "}, "bad_source"),
        ({"size_system": "xxl"}, "bad_size_system"),
        ({"category": "food"}, "bad_category"),
    ],
)
def test_bad_item_change_is_refused_and_changes_nothing(api, catalog, province_user, payload, code):
    r = api.as_(province_user).patch("/assets/items/TROUSERS", payload)
    assert r.status_code == 400 and r.json()["code"] == code
    item = ItemType.objects.get(code="TROUSERS")
    assert (item.qty_per_officer, item.service_life_years, item.size_system) == (2, 2, "bottom")
    assert StandardVersion.objects.count() == 1


def test_only_provincial_logistics_writes_the_catalog(api, catalog, changsha_user, auditor_user):
    for user in (changsha_user, auditor_user):
        assert api.as_(user).patch("/assets/items/TROUSERS", {"qty_per_officer": 3}).status_code == 403
        assert (
            api.as_(user)
            .post(
                "/assets/standard",
                {"note": "x", "changes": [{"item_code": "TROUSERS", "qty_per_officer": 3}]},
            )
            .status_code
            == 403
        )
    assert ItemType.objects.get(code="TROUSERS").qty_per_officer == 2


def test_create_item(api, catalog, province_user):
    payload = {
        "code": "RAINCOAT",
        "name_zh": "雨衣",
        "name_en": "raincoat",
        "name_men": "雨衣（男）",
        "name_women": "雨衣（女）",
        "category": "garment",
        "size_system": "top",
        "qty_per_officer": 1,
        "service_life_years": 3,
        "source": "assumption",
    }
    r = api.as_(province_user).post("/assets/items", payload)
    assert r.status_code == 201
    std = api.as_(province_user).get("/assets/standard").json()
    assert std["number"] == 2 and "RAINCOAT" in {ln["item_code"] for ln in std["lines"]}
    again = api.as_(province_user).post("/assets/items", payload)
    assert again.status_code == 409
    bad = api.as_(province_user).post("/assets/items", {**payload, "code": "bad code"})
    assert bad.status_code == 400 and bad.json()["details"]["field"] == "code"


def test_standard_revision_all_or_nothing(api, catalog, province_user):
    r = api.as_(province_user).post(
        "/assets/standard",
        {
            "note": "修订",
            "changes": [
                {"item_code": "INS-TIE", "qty_per_officer": 3},
                {"item_code": "NOPE", "qty_per_officer": 1},
            ],
        },
    )
    assert r.status_code == 400 and r.json()["details"]["row"] == 2
    assert StandardVersion.objects.count() == 1
    assert ItemType.objects.get(code="INS-TIE").qty_per_officer == 2
    r = api.as_(province_user).post(
        "/assets/standard", {"note": "", "changes": [{"item_code": "INS-TIE", "qty_per_officer": 3}]}
    )
    assert r.status_code == 400 and r.json()["code"] == "note_required"
    r = api.as_(province_user).post(
        "/assets/standard",
        {
            "note": "修订",
            "changes": [{"item_code": "INS-TIE", "qty_per_officer": 3, "service_life_years": 5}],
        },
    )
    assert r.status_code == 201 and r.json()["number"] == 2
    r = api.as_(province_user).post(
        "/assets/standard", {"note": "same", "changes": [{"item_code": "INS-TIE", "qty_per_officer": 3}]}
    )
    assert r.status_code == 400 and r.json()["code"] == "no_changes"


# ---- sizes and skirts ----------------------------------------------------------------------------------


def test_officer_sizes_with_what_is_missing(api, roll, changsha_user, zhuzhou_user, province_user):
    r = api.as_(changsha_user).get(f"/assets/officers/{roll['a'].pk}/sizes")
    assert r.status_code == 200
    codes = {s["size_system"]: s["code"] for s in r.json()["sizes"]}
    assert codes == {"top": "175/92A", "bottom": "175/76A", "shoe_mm": "255", "hat_cm": "57"}
    assert r.json()["complete"] is True and r.json()["missing"] == []
    e = api.as_(province_user).get(f"/assets/officers/{roll['e'].pk}/sizes").json()
    assert e["complete"] is False and any("缺少测量：腰围" in m for m in e["missing"])
    f = api.as_(province_user).get(f"/assets/officers/{roll['f'].pk}/sizes").json()
    assert f["complete"] is True and f["made_to_measure"]
    # another city's officer is out of scope
    assert api.as_(zhuzhou_user).get(f"/assets/officers/{roll['a'].pk}/sizes").status_code == 404


def test_skirt_choice(api, roll, county_user, zhuzhou_user):
    woman, man = roll["c"], roll["a"]
    r = api.as_(county_user).put(f"/assets/officers/{woman.pk}/skirts", {"skirts": 2})
    assert r.status_code == 200 and r.json()["skirts"] == 2
    assert SkirtChoice.objects.get(officer=woman).skirts == 2
    bad = api.as_(county_user).put(f"/assets/officers/{woman.pk}/skirts", {"skirts": 3})
    assert bad.status_code == 400 and bad.json()["code"] == "bad_skirts"
    assert SkirtChoice.objects.get(officer=woman).skirts == 2
    assert api.as_(county_user).put(f"/assets/officers/{man.pk}/skirts", {"skirts": 1}).status_code == 404
    assert api.as_(zhuzhou_user).put(f"/assets/officers/{woman.pk}/skirts", {"skirts": 1}).status_code == 404
    a_man_in_scope = OfficerFactory(unit=woman.unit)
    r = api.as_(county_user).put(f"/assets/officers/{a_man_in_scope.pk}/skirts", {"skirts": 1})
    assert r.status_code == 400 and r.json()["code"] == "not_female"


# ---- demand --------------------------------------------------------------------------------------------


def test_demand_scope(api, roll, province_user, changsha_user, zhuzhou_user, county_user, auditor_user):
    everything = api.as_(province_user).get("/assets/demand").json()
    assert {r["city_code"] for r in everything["rows"]} == {"430000", "430100", "430200"}
    assert everything["standard_version"] == 1 and everything["officer_count"] == 7
    assert api.as_(auditor_user).get("/assets/demand").json()["officer_count"] == 7
    cs = api.as_(changsha_user).get("/assets/demand").json()
    assert {r["city_code"] for r in cs["rows"]} == {"430100"} and cs["officer_count"] == 5
    assert api.as_(changsha_user).get("/assets/demand", {"city": "430200"}).status_code == 404
    assert api.as_(zhuzhou_user).get("/assets/demand", {"city": "430200"}).json()["officer_count"] == 1
    # the county's staff see their own officers (b and c), under their city
    county = api.as_(county_user).get("/assets/demand").json()
    assert county["officer_count"] == 2 and {r["city_code"] for r in county["rows"]} == {"430100"}
    bad = api.as_(province_user).get("/assets/demand", {"city": "430121"})
    assert bad.status_code == 400 and bad.json()["code"] == "bad_city"
    assert api.get("/assets/demand").status_code == 401


def test_demand_order_lines_with_margin(api, roll, province_user):
    body = api.as_(province_user).get("/assets/demand", {"margin": 5}).json()
    arm = next(ln for ln in body["order_lines"] if ln["item_code"] == "INS-ARMBAND" and ln["gender"] == "M")
    assert (arm["quantity"], arm["order_quantity"]) == (36, 38)  # ⌈36 × 1.05⌉ = ⌈37.8⌉
    assert api.as_(province_user).get("/assets/demand", {"margin": -1}).status_code == 400


# ---- snapshots ----------------------------------------------------------------------------------------


def test_snapshot_endpoints(api, roll, org, province_user, changsha_user, zhuzhou_user):
    r = api.as_(province_user).post("/assets/snapshots", {"note": "第一版"})
    assert r.status_code == 201
    first = r.json()["id"]
    assert r.json()["standard_version"] == 1 and r.json()["officer_count"] == 7
    assert api.as_(changsha_user).post("/assets/snapshots", {}).status_code == 403
    OfficerFactory(unit=org["430200"])
    second = api.as_(province_user).post("/assets/snapshots", {}).json()["id"]
    page = api.as_(changsha_user).get("/assets/snapshots").json()
    assert page["count"] == 2 and page["items"][0]["id"] == second
    detail = api.as_(changsha_user).get(f"/assets/snapshots/{first}").json()
    assert {r["city_code"] for r in detail["rows"]} == {"430100"}
    assert [m["name"] for m in detail["made_to_measure"]] == ["己"]
    assert api.as_(zhuzhou_user).get(f"/assets/snapshots/{first}").json()["made_to_measure"] == []
    assert api.as_(changsha_user).get(f"/assets/snapshots/{first}", {"city": "430200"}).status_code == 404
    cmp = api.as_(province_user).get("/assets/snapshots/compare", {"a": first, "b": second}).json()
    assert cmp["changes"] and {c["city_code"] for c in cmp["changes"]} == {"430200"}
    assert all(c["delta"] > 0 for c in cmp["changes"])
    assert (
        api.as_(changsha_user).get("/assets/snapshots/compare", {"a": first, "b": second}).json()["changes"]
        == []
    )
    assert api.as_(province_user).get("/assets/snapshots/999999").status_code == 404
    assert DemandSnapshot.objects.count() == 2


def test_size_table_download(api, roll, province_user, changsha_user):
    r = api.as_(province_user).get("/assets/demand/size-table.xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["男", "女"]
    men = wb["男"]
    cells = {(c.row, c.column): c for row in men.iter_rows() for c in row if c.value is not None}
    # the tops block: find the row of DRESS-JACKET and the column of 175/92A
    jacket_row = next(r for (r, c), cell in cells.items() if c == 1 and cell.value == "DRESS-JACKET")
    header_row = max(
        r for (r, c), cell in cells.items() if c == 1 and cell.value == "代码" and r < jacket_row
    )
    col = next(c for (r, c), cell in cells.items() if r == header_row and cell.value == "175/92A")
    assert men.cell(jacket_row, col).value == 3  # a b i (Changsha) — d is 180/100A
    col180 = next(c for (r, c), cell in cells.items() if r == header_row and cell.value == "180/100A")
    assert men.cell(jacket_row, col180).value == 1
    total_col = next(c for (r, c), cell in cells.items() if r == header_row and cell.value == "合计")
    assert men.cell(jacket_row, total_col).value == 4
    # the one-size column '-' is text, not a formula
    dash = [cell for cell in cells.values() if cell.value == "-"]
    assert dash and all(cell.data_type == "s" for cell in dash)
    assert men.cell(jacket_row, 2).value == "常服上衣（男）"
    women = wb["女"]
    assert any(c.value == "常服上衣（女）" for row in women.iter_rows() for c in row)
    # a city's staff get their city; a snapshot's table too
    assert api.as_(changsha_user).get("/assets/demand/size-table.xlsx", {"city": "430200"}).status_code == 404
    snap = api.as_(province_user).post("/assets/snapshots", {}).json()["id"]
    r = api.as_(changsha_user).get("/assets/demand/size-table.xlsx", {"snapshot": snap})
    assert r.status_code == 200 and f"snapshot-{snap}" in r["Content-Disposition"]


def test_formula_like_text_is_written_as_text(catalog):
    from openpyxl import Workbook

    from assets.exporters import put

    ws = Workbook().active
    for i, text in enumerate(["=SUM(A1)", "+1", "-", "@x", "normal"], start=1):
        put(ws, i, 1, text)
    assert [ws.cell(i, 1).data_type for i in range(1, 6)] == ["s"] * 5
    assert ws.cell(1, 1).value == "=SUM(A1)"


def test_openapi_lists_the_assets_endpoints(client, db):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in (
        "/api/v1/assets/items",
        "/api/v1/assets/standard",
        "/api/v1/assets/demand",
        "/api/v1/assets/snapshots/compare",
        "/api/v1/assets/officers/{officer_id}/sizes",
    ):
        assert path in paths
