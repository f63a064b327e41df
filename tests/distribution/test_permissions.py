"""The scope matrix for every write endpoint: anonymous → 401, a user of another city → 404 (or 403 where the
object is province-wide), auditor → 403; and repeats are idempotent."""

import datetime
import json

import pytest

from distribution import opening
from distribution import services as svc
from distribution.models import DiscrepancyCase, Movement, RecoveryTask, Stocktake
from personnel.services import officer_set_status

from .conftest import confirm_all, receive, ship


@pytest.fixture
def objects(org, province_user, changsha_user, county_user, officers, stocked_county):
    o = officers[0]
    svc.kit_issue(actor=county_user, unit=stocked_county, officers=[o, officers[1]])
    officer_set_status(actor=province_user, officer=officers[1], status="left")
    lines = [{"item": "INS-TIE", "gender": "M", "size": "-", "quantity": 2}]
    receive(province_user, org, lines, doc="P-1")
    draft = svc.shipment_create(
        actor=province_user, from_unit=org["430000"], to_unit=org["430100"], lines=lines
    )
    sent = ship(province_user, org, lines, "430100")
    receive(province_user, org, lines, doc="P-2")
    s2 = ship(province_user, org, lines, "430100")
    line = s2.lines.get()
    svc.shipment_confirm(
        actor=changsha_user, shipment=s2, lines=[{"line_id": line.pk, "received": 1, "reason": "missing"}]
    )
    plan = svc.plan_build(
        actor=province_user,
        city=org["430100"],
        spare_share="0.05",
        rows=[{"city_code": "430100", "item_code": "INS-TIE", "gender": "M", "size": "-", "quantity": 3}],
    )
    st = svc.stocktake_submit(
        actor=county_user,
        unit=stocked_county,
        lines=[{"item": "INS-TIE", "gender": "M", "size": "-", "counted": 1, "reason": "短少"}],
    )
    return {
        "officer": o,
        "draft": draft,
        "sent": sent,
        "case": DiscrepancyCase.objects.get(),
        "plan": plan,
        "task": RecoveryTask.objects.get(),
        "stocktake": st,
        "movement": Movement.objects.last(),
        "received": s2,
        "opening": opening.opening_submit(
            actor=county_user,
            unit=stocked_county,
            as_of=datetime.date(2026, 1, 1),
            lines=[{"item": "INS-TIE", "gender": "M", "size": "-", "quantity": 1}],
        ),
    }


def endpoints(x):
    o, draft, sent = x["officer"], x["draft"], x["sent"]
    return [
        ("/distribution/units/430121/issue", {}),
        ("/distribution/units/430121/issue-with-sheet", None),
        (f"/distribution/officers/{o.pk}/exchange", {"item": "INS-TIE", "from_size": "-", "to_size": "-"}),
        (
            f"/distribution/officers/{o.pk}/return",
            {"lines": [{"item": "INS-TIE", "size": "-", "quantity": 1}]},
        ),
        (f"/distribution/recoveries/{x['task'].pk}/record", {"lines": []}),
        (f"/distribution/recoveries/{x['task'].pk}/close", {"note": "x"}),
        ("/distribution/stocktakes", {"unit": "430121", "lines": []}),
        (f"/distribution/stocktakes/{x['stocktake'].pk}/decide", {"approve": True}),
        (f"/distribution/shipments/{sent.pk}/confirm", {"lines": []}),
        (f"/distribution/shipments/{sent.pk}/confirm-with-photos", None),
        (f"/distribution/shipments/{draft.pk}/dispatch", None),
        (f"/distribution/shipments/{draft.pk}/cancel", {"reason": "x"}),
        (f"/distribution/shipments/{x['received'].pk}/close", None),
        (f"/distribution/cases/{x['case'].pk}/settle", {"outcome": "write_off"}),
        (f"/distribution/plans/{x['plan'].pk}/approve", None),
        ("/distribution/opening-balances", {"unit": "430121", "as_of": "2026-01-01", "lines": []}),
        (f"/distribution/opening-balances/{x['opening'].pk}/decide", {"approve": True}),
    ]


def _post(client, path, body):
    if body is None and ("with-sheet" in path or "with-photos" in path):
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = {"data": json.dumps({})}
        if "with-sheet" in path:
            data["sheet"] = SimpleUploadedFile("s.pdf", b"%PDF", content_type="application/pdf")
        return client.post(path, data, multipart=True)
    return client.post(path, body if body is not None else {})


def test_every_write_endpoint_is_scoped(api, objects, zhuzhou_user):
    before = Movement.objects.count()
    for path, body in endpoints(objects):
        assert _post(api, path, body).status_code == 401, path
        r = _post(api.as_(zhuzhou_user), path, body)
        assert r.status_code == 404, (path, r.status_code, r.content[:200])
    assert Movement.objects.count() == before


def test_auditor_may_not_write(api, objects, auditor_user):
    before = Movement.objects.count()
    for path, body in endpoints(objects):
        r = _post(api.as_(auditor_user), path, body)
        assert r.status_code in (400, 403), (path, r.status_code)
        if r.status_code == 400:  # the body was refused before the role check could run
            assert r.json()["code"] in ("no_lines", "bad_data", "same_size"), path
    for path, body in [
        (
            "/distribution/opening-balances",
            {
                "unit": "430000",
                "as_of": "2026-01-01",
                "lines": [{"item": "INS-TIE", "gender": "M", "size": "-", "quantity": 1}],
            },
        ),
        ("/distribution/badges/assign", {}),
        (
            "/distribution/shipments",
            {
                "from_unit": "430000",
                "to_unit": "430100",
                "lines": [{"item": "INS-TIE", "gender": "M", "size": "-", "quantity": 1}],
            },
        ),
    ]:
        assert api.as_(auditor_user).post(path, body).status_code == 403, path
    assert Movement.objects.count() == before


def test_state_changes_repeat_idempotently(api, objects, province_user, changsha_user):
    c = api.as_(province_user)
    plan = objects["plan"]
    a = c.post(f"/distribution/plans/{plan.pk}/approve").json()
    b = c.post(f"/distribution/plans/{plan.pk}/approve").json()
    assert a == b and a["status"] == "approved"
    d = objects["draft"]
    assert c.post(f"/distribution/shipments/{d.pk}/cancel", {"reason": "x"}).json()["status"] == "cancelled"
    assert c.post(f"/distribution/shipments/{d.pk}/cancel", {"reason": "x"}).json()["status"] == "cancelled"
    s = objects["sent"]
    first = confirm_all(changsha_user, s)
    cs = api.as_(changsha_user)
    assert cs.post(f"/distribution/shipments/{s.pk}/close").json()["status"] == "closed"
    assert cs.post(f"/distribution/shipments/{s.pk}/close").json()["status"] == "closed"
    assert first.pk
    m = objects["movement"]
    h = {"headers": {**c.headers, "Idempotency-Key": "rev-1"}}
    r1 = c._call("post", f"/distribution/movements/{m.pk}/reverse", {"note": "更正"}, **h)
    r2 = c._call("post", f"/distribution/movements/{m.pk}/reverse", {"note": "更正"}, **h)
    assert r1.status_code == 200 and r1.json() == r2.json()
    assert c.post(f"/distribution/movements/{m.pk}/reverse", {"note": "更正"}).status_code == 409
    task = objects["task"]
    cu_close = c.post(f"/distribution/recoveries/{task.pk}/close", {"note": "遗失"}).json()
    assert c.post(f"/distribution/recoveries/{task.pk}/close", {"note": "遗失"}).json() == cu_close
    st = objects["stocktake"]
    x = cs.post(f"/distribution/stocktakes/{st.pk}/decide", {"approve": True}).json()
    assert cs.post(f"/distribution/stocktakes/{st.pk}/decide", {"approve": True}).json() == x
    assert Stocktake.objects.get().status == "approved"
