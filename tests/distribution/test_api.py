import csv
import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile

from distribution import services as svc
from distribution.models import (
    AllocationPlan,
    DiscrepancyCase,
    IssueRecord,
    Movement,
    Receipt,
    ReceiptPhoto,
    Shipment,
    Stocktake,
)
from distribution.selectors import CSV_HEADER
from tests.personnel.factories import OfficerFactory

from .conftest import TOP, kit_lines, receive, ship

J = [{"item": "DRESS-JACKET", "gender": "M", "size": "175/92A", "quantity": 10}]


def key(api_client, k):
    return {"headers": {**api_client.headers, "Idempotency-Key": k}}


def test_no_free_form_receipt_stock_comes_by_acceptance(api, org, catalog, province_user, changsha_user):
    body = {"to_unit": "430100", "document": "YS-9", "supplier": "供应商甲", "lines": J}
    for user in (changsha_user, province_user):
        assert api.as_(user).post("/distribution/receipts", body).status_code in (404, 405)
    assert Movement.objects.count() == 0
    c = api.as_(province_user)
    receive(province_user, org, J, doc="YS-9")
    s = c.get("/distribution/units/430000/stock").json()
    assert s["lines"] == [{"item": "DRESS-JACKET", "gender": "M", "size": "175/92A", "quantity": 10}]
    assert c.get("/distribution/units/430000/stock", {"at": "2000-01-01"}).json()["lines"] == []
    assert c.get("/distribution/units/430000/stock", {"at": "yesterday"}).status_code == 400
    assert api.as_(changsha_user).get("/distribution/units/430000/stock").status_code == 404
    mv = c.get("/distribution/units/430000/movements").json()
    assert mv["count"] == 1 and mv["items"][0]["kind"] == "receive"
    assert Movement.objects.get().doc_type == "acceptance" and Movement.objects.get().doc_ref == "YS-9"
    mid = mv["items"][0]["id"]
    assert (
        api.as_(changsha_user).post(f"/distribution/movements/{mid}/reverse", {"note": "x"}).status_code
        == 403
    )
    assert c.post(f"/distribution/movements/{mid}/reverse", {"note": "录错"}).status_code == 200


def test_plan_endpoints(api, catalog, province_user, changsha_user, zhuzhou_user):
    rows = [
        {
            "city_code": "430100",
            "item_code": "DRESS-JACKET",
            "gender": "M",
            "size": "175/92A",
            "quantity": 100,
        },
        {
            "city_code": "430200",
            "item_code": "DRESS-JACKET",
            "gender": "M",
            "size": "175/92A",
            "quantity": 50,
        },
    ]
    body = {"city": "430100", "spare_share": "0.05", "rows": rows}
    assert api.as_(changsha_user).post("/distribution/plans", body).status_code == 403
    c = api.as_(province_user)
    r = c._call("post", "/distribution/plans", body, **key(c, "p1"))
    again = c._call("post", "/distribution/plans", body, **key(c, "p1"))
    assert r.status_code == 200 and again.json() == r.json() and AllocationPlan.objects.count() == 1
    plan = r.json()
    assert plan["version"] == 1 and plan["status"] == "draft" and plan["snapshot_id"] is None
    detail = c.get(f"/distribution/plans/{plan['id']}").json()
    assert detail["lines"] == [
        {
            "unit": "430100",
            "item": "DRESS-JACKET",
            "gender": "M",
            "size": "175/92A",
            "quantity": 100,
            "spare": 5,
        }
    ]
    assert api.as_(zhuzhou_user).get(f"/distribution/plans/{plan['id']}").status_code == 404
    assert api.as_(changsha_user).post(f"/distribution/plans/{plan['id']}/approve").status_code == 403
    assert c.post(f"/distribution/plans/{plan['id']}/approve").json()["status"] == "approved"
    v2 = c.post("/distribution/plans", {**body, "spare_share": "0.1"}).json()
    assert v2["version"] == 2
    c.post(f"/distribution/plans/{v2['id']}/approve")
    assert c.get(f"/distribution/plans/{plan['id']}").json()["status"] == "superseded"
    assert c.post("/distribution/plans", {**body, "spare_share": "0.9"}).json()["code"] == "bad_spare"
    prog = c.get("/distribution/progress/430100").json()
    assert prog["totals"]["allocated"] == 110


def test_shipment_flow_over_the_api(
    api, org, catalog, province_user, changsha_user, zhuzhou_user, auditor_user
):
    receive(province_user, org, J)
    c = api.as_(province_user)
    body = {"from_unit": "430000", "to_unit": "430100", "lines": J}
    assert (
        api.as_(changsha_user).post("/distribution/shipments", body).status_code == 404
    )  # store not in scope
    assert api.as_(auditor_user).post("/distribution/shipments", body).status_code == 403
    r = c._call("post", "/distribution/shipments", body, **key(c, "s1"))
    assert c._call("post", "/distribution/shipments", body, **key(c, "s1")).json() == r.json()
    assert Shipment.objects.count() == 1
    sid = r.json()["id"]
    assert api.as_(zhuzhou_user).get(f"/distribution/shipments/{sid}").status_code == 404
    assert api.as_(changsha_user).post(f"/distribution/shipments/{sid}/dispatch").status_code == 403
    d = c.post(f"/distribution/shipments/{sid}/dispatch")
    assert d.json()["status"] == "dispatched"
    assert c.post(f"/distribution/shipments/{sid}/dispatch").json()["status"] == "dispatched"
    assert Movement.objects.filter(kind="dispatch").count() == 1
    line_id = d.json()["lines"][0]["id"]
    conf = {"lines": [{"line_id": line_id, "received": 8, "reason": "missing", "note": "少2件"}]}
    assert api.as_(zhuzhou_user).post(f"/distribution/shipments/{sid}/confirm", conf).status_code == 404
    assert api.as_(auditor_user).post(f"/distribution/shipments/{sid}/confirm", conf).status_code == 403
    cs = api.as_(changsha_user)
    first = cs.post(f"/distribution/shipments/{sid}/confirm", conf)
    assert first.status_code == 200 and first.json()["shipment_status"] == "discrepant"
    assert first.json()["lines"][0]["short"] == 2 and len(first.json()["cases"]) == 1
    second = cs.post(f"/distribution/shipments/{sid}/confirm", conf)
    assert second.status_code == 200 and second.json() == first.json()
    other = cs.post(
        f"/distribution/shipments/{sid}/confirm", {"lines": [{"line_id": line_id, "received": 10}]}
    )
    assert other.status_code == 409
    assert Receipt.objects.count() == 1 and Movement.objects.filter(kind="receipt").count() == 1
    assert cs.get(f"/distribution/shipments/{sid}/receipt").json()["id"] == first.json()["id"]
    lst = cs.get("/distribution/shipments").json()
    assert lst["count"] == 1 and api.as_(zhuzhou_user).get("/distribution/shipments").json()["count"] == 0
    # the case
    cases = cs.get("/distribution/cases").json()
    assert cases["count"] == 1 and api.as_(zhuzhou_user).get("/distribution/cases").json()["count"] == 0
    case_id = cases["items"][0]["id"]
    assert cs.post(f"/distribution/cases/{case_id}/settle", {"outcome": "write_off"}).status_code == 403
    assert (
        api.as_(zhuzhou_user)
        .post(f"/distribution/cases/{case_id}/settle", {"outcome": "write_off"})
        .status_code
        == 404
    )
    s = c.post(f"/distribution/cases/{case_id}/settle", {"outcome": "write_off", "note": "丢失"})
    assert s.json()["status"] == "settled"
    assert c.post(f"/distribution/cases/{case_id}/settle", {"outcome": "write_off"}).status_code == 200
    assert c.get(f"/distribution/shipments/{sid}").json()["status"] == "closed"


def test_confirm_with_photos_multipart(api, org, catalog, province_user, changsha_user):
    receive(province_user, org, J)
    s = ship(province_user, org, J, "430100")
    line = s.lines.get()
    data = json.dumps({"lines": [{"line_id": line.pk, "received": 9, "reason": "damaged", "note": "水渍"}]})
    photo = SimpleUploadedFile("破损.jpg", b"\xff\xd8\xff\xe0fakejpeg", content_type="image/jpeg")
    cs = api.as_(changsha_user)
    bad = cs.post(
        f"/distribution/shipments/{s.pk}/confirm-with-photos",
        {"data": data, "photos": [SimpleUploadedFile("x.txt", b"hi", content_type="text/plain")]},
        multipart=True,
    )
    assert bad.status_code == 400 and bad.json()["code"] == "bad_photo"
    assert (
        cs.post(f"/distribution/shipments/{s.pk}/confirm-with-photos", {"data": "{"}, multipart=True).json()[
            "code"
        ]
        == "bad_data"
    )
    r = cs.post(
        f"/distribution/shipments/{s.pk}/confirm-with-photos",
        {"data": data, "photos": [photo]},
        multipart=True,
    )
    assert r.status_code == 200, r.content
    assert len(r.json()["photos"]) == 1 and ReceiptPhoto.objects.count() == 1
    assert DiscrepancyCase.objects.get().reason == "damaged"


def test_issue_kit_card_exchange_return_over_the_api(
    api, org, province_user, county_user, zhuzhou_user, officers, stocked_county
):
    o = officers[0]
    cu = api.as_(county_user)
    assert api.as_(zhuzhou_user).post("/distribution/units/430121/issue", {}).status_code == 404
    r = cu._call("post", "/distribution/units/430121/issue", {"officer_ids": [o.pk]}, **key(cu, "i1"))
    assert r.status_code == 200 and r.json()["officers"] == 1
    again = cu._call("post", "/distribution/units/430121/issue", {"officer_ids": [o.pk]}, **key(cu, "i1"))
    assert again.json() == r.json() and IssueRecord.objects.count() == 1
    assert cu.post("/distribution/units/430121/issue", {"officer_ids": [o.pk]}).json()["quantity"] == 0
    card = cu.get(f"/distribution/officers/{o.pk}/kit").json()
    assert any(c["item"] == "DRESS-JACKET" and c["size"] == TOP for c in card["card"])
    assert card["complete"] is False
    assert api.as_(zhuzhou_user).get(f"/distribution/officers/{o.pk}/kit").status_code == 404
    status = cu.get("/distribution/units/430121/kit-status").json()
    assert status["count"] == 3 and {i["officer_id"] for i in status["items"]} == {x.pk for x in officers}
    ret = {"lines": [{"item": "INS-TIE", "size": "-", "quantity": 1}]}
    a = cu._call("post", f"/distribution/officers/{o.pk}/return", ret, **key(cu, "r1"))
    b = cu._call("post", f"/distribution/officers/{o.pk}/return", ret, **key(cu, "r1"))
    assert a.json() == b.json() and Movement.objects.filter(kind="return").count() == 1
    assert api.as_(zhuzhou_user).post(f"/distribution/officers/{o.pk}/return", ret).status_code == 404
    ex = {"item": "INS-TIE", "from_size": "-", "to_size": "x"}
    assert cu.post(f"/distribution/officers/{o.pk}/exchange", ex).json()["code"] == "bad_size"
    sheet = SimpleUploadedFile("签领表.pdf", b"%PDF-1.4", content_type="application/pdf")
    r = cu.post(
        "/distribution/units/430121/issue-with-sheet",
        {"data": json.dumps({"officer_ids": [officers[1].pk]}), "sheet": sheet},
        multipart=True,
    )
    assert r.status_code == 200 and r.json()["officers"] == 1
    assert IssueRecord.objects.get(officer=officers[1]).signature == "sheet"


def test_badges_and_export(api, org, catalog, province_user, changsha_user):
    OfficerFactory(unit=org["430121"], name="王伟")
    OfficerFactory(unit=org["430200"], name="李娜")
    assert api.as_(changsha_user).post("/distribution/badges/assign", {}).status_code == 403
    assert api.as_(province_user).post("/distribution/badges/assign", {}).json() == {"assigned": 2}
    assert api.as_(province_user).post("/distribution/badges/assign", {}).json() == {"assigned": 0}
    text = api.as_(changsha_user).get("/distribution/badges/export").content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["number", "name", "unit", "gender"] and len(rows) == 2 and rows[1][1] == "王伟"
    assert (
        rows[1][3] == "男"
    )  # the supplier's badge list: the gender by name (the full list: report badge-list)
    x = api.as_(province_user).get("/distribution/badges/export", {"format": "xlsx"})
    assert x.status_code == 200 and x.content[:2] == b"PK"
    assert api.as_(province_user).get("/distribution/badges/export", {"format": "pdf"}).status_code == 400


def test_recovery_endpoints(api, org, province_user, county_user, zhuzhou_user, officers, stocked_county):
    from personnel.services import officer_set_status

    o = officers[0]
    svc.kit_issue(actor=county_user, unit=stocked_county, officers=[o])
    officer_set_status(actor=province_user, officer=o, status="retired")
    cu = api.as_(county_user)
    tasks = cu.get("/distribution/recoveries", {"status": "open"}).json()
    assert tasks["count"] == 1 and api.as_(zhuzhou_user).get("/distribution/recoveries").json()["count"] == 0
    t = tasks["items"][0]
    body = {"lines": [{"item": "INS-TIE", "gender": "M", "size": "-", "quantity": 2}]}
    assert api.as_(zhuzhou_user).post(f"/distribution/recoveries/{t['id']}/record", body).status_code == 404
    a = cu._call("post", f"/distribution/recoveries/{t['id']}/record", body, **key(cu, "rc"))
    b = cu._call("post", f"/distribution/recoveries/{t['id']}/record", body, **key(cu, "rc"))
    assert a.json() == b.json() and Movement.objects.filter(kind="recovery").count() == 1
    closed = cu.post(f"/distribution/recoveries/{t['id']}/close", {"note": "其余遗失 lost"})
    assert closed.json()["status"] == "done"


def test_stocktake_endpoints(
    api, org, province_user, county_user, changsha_user, zhuzhou_user, officers, stocked_county
):
    body = {
        "unit": "430121",
        "lines": [{"item": "INS-TIE", "gender": "M", "size": "-", "counted": 5, "reason": "短少1"}],
    }
    assert api.as_(zhuzhou_user).post("/distribution/stocktakes", body).status_code == 404
    cu = api.as_(county_user)
    a = cu._call("post", "/distribution/stocktakes", body, **key(cu, "st"))
    b = cu._call("post", "/distribution/stocktakes", body, **key(cu, "st"))
    assert a.json() == b.json() and Stocktake.objects.count() == 1
    sid = a.json()["id"]
    assert a.json()["lines"][0]["difference"] == -1
    assert cu.post(f"/distribution/stocktakes/{sid}/decide", {"approve": True}).status_code == 403
    assert (
        api.as_(zhuzhou_user).post(f"/distribution/stocktakes/{sid}/decide", {"approve": True}).status_code
        == 404
    )
    r = api.as_(changsha_user).post(f"/distribution/stocktakes/{sid}/decide", {"approve": True})
    assert r.json()["status"] == "approved"
    assert Movement.objects.filter(kind="adjustment").get().quantity == 1


def test_progress_endpoints_scoped(
    api, org, province_user, changsha_user, zhuzhou_user, county_user, officers, stocked_county
):
    svc.kit_issue(actor=county_user, unit=stocked_county)
    p = api.as_(province_user).get("/distribution/progress/430000").json()
    assert p["totals"]["needed"] > 0 and p["totals"]["issued"] > 0
    assert {c["unit_code"] for c in p["children"]} >= {"430100", "430200"}
    # the province row is the sum of its cities: the provincial store's deliveries from the supplier are stock,
    # not distribution, so they are not counted as shipped or received (stocked_county booked one)
    assert Movement.objects.filter(kind="receive").exists()
    for f in ("shipped", "received", "in_transit", "short", "excess"):
        assert p["totals"][f] == sum(c[f] for c in p["children"]), f
    assert p["totals"]["shipped"] > 0
    assert api.as_(zhuzhou_user).get("/distribution/progress/430100").status_code == 404
    c = api.as_(changsha_user).get("/distribution/progress/430100").json()
    assert (
        c["totals"]["shipped"] == c["totals"]["received"] + c["totals"]["in_transit"] + c["totals"]["short"]
    )
    rows = api.as_(county_user).get("/distribution/progress").json()
    assert {r["unit_code"] for r in rows} == {"430121"}
    text = api.as_(changsha_user).get("/distribution/progress", {"format": "csv"}).content.decode()
    reader = list(csv.reader(io.StringIO(text)))
    assert reader[0] == CSV_HEADER
    assert all(int(r[6]) == int(r[8]) + int(r[7]) + int(r[9]) for r in reader[1:])
    jacket = next(r for r in rows if r["item_code"] == "DRESS-JACKET" and r["size"] == TOP)
    assert (jacket["needed"], jacket["received"], jacket["issued"], jacket["outstanding"]) == (3, 3, 3, 0)
    assert kit_lines  # imported helper used by fixtures
