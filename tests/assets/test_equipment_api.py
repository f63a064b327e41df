"""The station equipment API: shapes, the scope matrix (anonymous, other city, auditor, role holder), QR labels."""

import io
import xml.etree.ElementTree as ET

import pytest
import segno
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from assets import equipment_services as services
from assets.equipment_labels import label_svg

from .equipment_fixtures import add_item, media, reference, stations  # noqa: F401

P = "/assets"


@pytest.fixture
def world(reference, stations, province_user):
    item = add_item(stations["cs1"], reference["BODYCAM"], "API-CAM-1", serial="SN-API-1")
    zz_item = add_item(stations["zz"], reference["BODYCAM"], "API-ZZ-1")
    survey = services.survey_open(
        actor=province_user, name="API 清查", deadline=__import__("datetime").date(2099, 1, 1)
    )
    return {"item": item, "zz_item": zz_item, "survey": survey, **stations}


def _matrix_reads(w):
    cs1 = w["cs1"].code
    return [
        f"/stations/{cs1}",
        f"/equipment/items/{w['item'].pk}",
        f"/equipment/items/{w['item'].pk}/label",
        f"/equipment/surveys/{w['survey'].pk}/stations/{cs1}",
    ]


def _matrix_writes(w):
    cs1, cs2 = w["cs1"].code, w["cs2"].code
    item = w["item"].pk
    return [
        ("patch", f"/stations/{cs1}", {"address": "新地址"}),
        ("patch", f"/equipment/items/{item}", {"note": "备注"}),
        ("post", f"/equipment/items/{item}/status", {"status": "in_repair"}),
        ("post", f"/equipment/items/{item}/transfer", {"to_station": cs2, "reason": "调剂"}),
        (
            "post",
            f"/equipment/surveys/{w['survey'].pk}/stations/{cs1}/grades",
            {"grades": [{"item_id": item, "condition": "fair"}]},
        ),
    ]


def test_scope_matrix(api, world, county_user, zhuzhou_user, auditor_user, changsha_user):
    for path in _matrix_reads(world):
        assert api.get(P + path).status_code == 401, path
        assert api.as_(zhuzhou_user).get(P + path).status_code == 404, path
        assert api.as_(auditor_user).get(P + path).status_code == 200, path
        assert api.as_(county_user).get(P + path).status_code == 200, path
    for method, path, data in _matrix_writes(world):
        assert getattr(api, method)(P + path, data).status_code == 401, path
        assert getattr(api.as_(auditor_user), method)(P + path, data).status_code == 403, path
        r = getattr(api.as_(zhuzhou_user), method)(P + path, data)
        assert r.status_code == 404, (path, r.json())
    for method, path, data in _matrix_writes(world):
        r = getattr(api.as_(county_user), method)(P + path, data)
        assert r.status_code in (200, 201), (path, r.json())


def test_lists_are_scoped(api, world, changsha_user, zhuzhou_user, province_user):
    names = {s["code"] for s in api.as_(changsha_user).get(P + "/stations").json()["items"]}
    assert names == {world[k].code for k in ("cs1", "cs2", "ly", "city")}
    tags = {i["asset_tag"] for i in api.as_(zhuzhou_user).get(P + "/equipment/items").json()["items"]}
    assert tags == {"API-ZZ-1"}
    assert api.as_(changsha_user).get(P + "/equipment/items", {"unit": "430200"}).status_code == 404
    r = api.as_(province_user).get(P + "/equipment/items", {"asset_tag": "API-CAM-1"}).json()
    assert r["count"] == 1 and r["items"][0]["station_code"] == world["cs1"].code
    assert api.as_(changsha_user).get(P + "/equipment/items", {"condition": "shiny"}).status_code == 400


def test_station_create_and_page(api, world, county_user, zhuzhou_user):
    r = api.as_(county_user).post(
        P + "/stations",
        {"parent": "430121", "name": "长沙县新站", "station_class": "service_station", "address": "G107"},
    )
    assert (
        r.status_code == 201
        and r.json()["code"] == "43012103"
        and r.json()["station_class_label"].startswith("服务站")
    )
    r = api.as_(county_user).post(
        P + "/stations", {"parent": "430121", "name": "x", "station_class": "castle"}
    )
    assert r.status_code == 400 and r.json()["code"] == "bad_station_class"
    assert (
        api.as_(zhuzhou_user)
        .post(P + "/stations", {"parent": "430121", "name": "x", "station_class": "service_station"})
        .status_code
        == 404
    )
    page = api.as_(county_user).get(P + f"/stations/{world['cs1'].code}").json()
    assert page["counts_by_condition"]["good"] == 1 and page["last_survey"] is None
    assert (
        page["current_survey"]["id"] == world["survey"].pk
        and page["current_survey"]["return_status"] == "draft"
    )
    assert (page["current_survey"]["items_on_books"], page["current_survey"]["graded"]) == (1, 0)
    kit = {k["equipment_type"]: k for k in page["kit"]}
    # service station standard: BODYCAM × 2, one registered → short 1 at 1800
    assert kit["BODYCAM"]["shortage"] == 1 and kit["BODYCAM"]["cost"] == "1800.00"
    assert page["kit"][0]["priority"] == 1


def test_types_and_kits(api, world, province_user, changsha_user):
    types = api.as_(changsha_user).get(P + "/equipment/types").json()
    assert any(t["code"] == "WEIGH-PAD" and t["category"] == "measuring" for t in types)
    new = {
        "code": "DRONE",
        "name": "无人机",
        "category": "recording",
        "unit_price": "12000.50",
        "service_life_years": 5,
    }
    assert api.as_(changsha_user).post(P + "/equipment/types", new).status_code == 403
    r = api.as_(province_user).post(P + "/equipment/types", new)
    assert r.status_code == 201 and r.json()["unit_price"] == "12000.500000"
    assert (
        api.as_(province_user)
        .post(P + "/equipment/types", {**new, "code": "D2", "service_life_years": 0})
        .json()["code"]
        == "bad_service_life"
    )
    put = P + "/equipment/kits/overload_control/DRONE"
    assert api.as_(changsha_user).put(put, {"quantity": 1}).status_code == 403
    r = api.as_(province_user).put(put, {"quantity": 2, "note": "治超取证"})
    assert r.status_code == 200 and r.json()["line_cost"] == "24001.00"
    assert api.as_(province_user).put(P + "/equipment/kits/castle/DRONE", {"quantity": 1}).status_code == 400
    assert api.as_(province_user).put(put, {"quantity": -1}).status_code == 422
    lines = api.as_(changsha_user).get(P + "/equipment/kits", {"station_class": "overload_control"}).json()
    assert any(line["equipment_type"] == "DRONE" and line["quantity"] == 2 for line in lines)
    hist = api.as_(changsha_user).get(P + "/equipment/kits/history").json()
    assert hist["items"][0]["changes"]["quantity"] == [None, 2]


def test_requests_endpoints(api, world, county_user, changsha_user, zhuzhou_user):
    item = world["item"].pk
    r = api.as_(county_user).post(P + f"/equipment/items/{item}/dispose", {"reason": "损坏"})
    assert r.status_code == 201 and r.json()["approval_unit"] == "430100" and not r.json()["can_decide"]
    rid = r.json()["id"]
    todo = api.as_(changsha_user).get(P + "/equipment/requests", {"to_decide": True}).json()
    assert [x["id"] for x in todo["items"]] == [rid] and todo["items"][0]["can_decide"]
    assert api.as_(zhuzhou_user).post(P + f"/equipment/requests/{rid}/approve", {}).status_code == 404
    assert api.as_(county_user).post(P + f"/equipment/requests/{rid}/approve", {}).status_code == 403
    r = api.as_(changsha_user).post(P + f"/equipment/requests/{rid}/approve", {"note": "同意"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    detail = api.as_(county_user).get(P + f"/equipment/items/{item}").json()
    assert detail["status"] == "disposed" and detail["requests"][0]["id"] == rid and detail["history"]


def test_survey_endpoints_and_photo(
    api, world, county_user, changsha_user, province_user, zhuzhou_user, media
):
    sid, cs1 = world["survey"].pk, world["cs1"].code
    base = P + f"/equipment/surveys/{sid}/stations/{cs1}"
    r = api.as_(county_user).post(base + "/found", {"equipment_type": "VEST", "condition": "good"})
    assert r.status_code == 201
    r = api.as_(county_user).post(
        base + "/grades", {"grades": [{"item_id": world["item"].pk, "condition": "fair"}]}
    )
    ret = r.json()
    assert ret["graded"] == ret["items_on_books"] == 2
    entry_id = next(e["entry_id"] for e in ret["entries"] if e["asset_tag"] == "API-CAM-1")
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, format="JPEG")
    up = api.as_(county_user).post(
        P + f"/equipment/survey-entries/{entry_id}/photos",
        {"file": SimpleUploadedFile("a.jpg", buf.getvalue())},
        multipart=True,
    )
    assert up.status_code == 201 and up.json()["content_type"] == "image/jpeg"
    photo_url = up.json()["url"].removeprefix("/api/v1")
    assert api.as_(changsha_user).get(photo_url).status_code == 200
    assert b"".join(api.as_(province_user).get(photo_url).streaming_content) == buf.getvalue()
    assert api.as_(zhuzhou_user).get(photo_url).status_code == 404
    assert api.as_(county_user).post(base + "/submit", {}).json()["status"] == "submitted"
    prog = api.as_(changsha_user).get(P + f"/equipment/surveys/{sid}/progress").json()
    # the city's direct children: its counties and the station directly under the detachment
    assert prog["summary"]["submitted"] == 1 and {c["unit_code"] for c in prog["children"]} == {
        world["city"].code,
        "430121",
        "430181",
    }
    assert api.as_(county_user).post(base + "/confirm", {}).json()["status"] == "confirmed"
    # confirmed, the open survey's return already shows on the station page
    page = api.as_(county_user).get(P + f"/stations/{cs1}").json()
    assert page["last_survey"] == {"id": sid, "name": "API 清查", "status": "open", "closed_on": None}
    assert api.as_(changsha_user).post(P + f"/equipment/surveys/{sid}/close", {}).status_code == 403
    r = api.as_(province_user).post(P + f"/equipment/surveys/{sid}/close", {"note": "完成"})
    assert r.json()["status"] == "closed" and r.json()["summary"]["found"] == 1
    page = api.as_(county_user).get(P + f"/stations/{cs1}").json()
    assert page["last_survey"]["id"] == sid and len(page["last_survey_findings"]) == 2


def test_gap_endpoints(api, world, changsha_user, zhuzhou_user):
    report = api.as_(changsha_user).get(P + "/equipment/gaps").json()
    assert report["unit_code"] == "430100" and report["stations"] == 4
    assert {c["unit_code"] for c in report["children"]} == {world["city"].code, "430121", "430181"}
    assert api.as_(zhuzhou_user).get(P + "/equipment/gaps", {"unit": "430121"}).status_code == 404
    rows = api.as_(changsha_user).get(P + "/equipment/gaps/rows", {"page_size": 500}).json()
    assert rows["count"] == len(rows["items"]) > 0
    priorities = [r["priority"] for r in rows["items"]]
    assert priorities == sorted(priorities) and priorities[0] == 1
    assert sum(int(r["need"]) for r in rows["items"]) == report["need"]
    xlsx = api.as_(changsha_user).get(P + "/equipment/gaps/export", {"unit": "430121"})
    assert xlsx.status_code == 200 and "430121" in xlsx["Content-Disposition"]
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    listed = list(wb["优先清单"].iter_rows(min_row=2, values_only=True))
    county = (
        api.as_(changsha_user).get(P + "/equipment/gaps/rows", {"unit": "430121", "page_size": 500}).json()
    )
    assert [(r[2], r[14]) for r in listed] == [(r["station_code"], r["need"]) for r in county["items"]]
    assert api.as_(zhuzhou_user).get(P + "/equipment/gaps/export", {"unit": "430121"}).status_code == 404


def test_qr_label(api, world, county_user):
    item = world["item"]
    r = api.as_(county_user).get(P + f"/equipment/items/{item.pk}/label")
    assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(r.content)
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in root.iter(ns + "text")]
    assert texts[0] == "API-CAM-1" and "执法记录仪" in texts
    # the embedded symbol is exactly the QR code of the asset tag
    expected = segno.make("API-CAM-1", error="m", micro=False)
    buf = io.BytesIO()
    expected.save(buf, kind="svg", scale=1, border=2, xmldecl=False, svgns=True, nl=False, omitsize=True)
    path_d = ET.fromstring(buf.getvalue()).find(ns + "path").get("d")
    assert any(p.get("d") == path_d for p in root.iter(ns + "path"))
    png = api.as_(county_user).get(P + f"/equipment/items/{item.pk}/label", {"format": "png"})
    assert png["Content-Type"] == "image/png"
    img = Image.open(io.BytesIO(png.content))
    assert img.size == ((expected.version * 4 + 17 + 4) * 8,) * 2
    assert (
        api.as_(county_user).get(P + f"/equipment/items/{item.pk}/label", {"format": "gif"}).status_code
        == 400
    )
    assert label_svg(item).startswith(b"<?xml")
