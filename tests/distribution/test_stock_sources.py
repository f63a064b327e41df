"""Where stock comes from (issue 15, part 3): supplier stock only by an acceptance certificate; every other entry
a typed document with its approver, listed in distribution.ledger_sources and enforced by the one posting
function. Opening balances: submitted by the unit, approved by provincial logistics (not the submitter)."""

import datetime

import pytest
from django.db import transaction
from django.test import Client

from core.errors import QMError
from core.models import ChangeRecord
from distribution import ledger_sources, opening
from distribution import services as svc
from distribution.models import Movement, OpeningBalance, StockBalance

from .conftest import confirm_all, kit_lines, receive, ship

D = datetime.date
TIES = [{"item": "INS-TIE", "gender": "M", "size": "-", "quantity": 4}]
JACKETS = [{"item": "DRESS-JACKET", "gender": "F", "size": "160/84A", "quantity": 3}]


@pytest.fixture
def second_province_user(make_user):
    return make_user("province", "430000")


def _store(org, code):
    return {
        (b.item.code, b.gender, b.size): b.quantity
        for b in StockBalance.objects.filter(location=svc.unit_location(org[code])).select_related("item")
    }


def test_an_opening_balance_is_posted_only_when_the_province_approves(
    org, catalog, county_user, changsha_user, province_user
):
    op = opening.opening_submit(
        actor=county_user, unit=org["430121"], as_of=D(2026, 1, 5), lines=TIES + JACKETS, note="上线盘点"
    )
    assert op.status == "submitted" and op.number == "QC430121-01" and op.lines.count() == 2
    assert Movement.objects.count() == 0  # submitted is not stock
    with pytest.raises(QMError) as e:
        opening.opening_decide(actor=changsha_user, opening=op, approve=True)  # the city is not the approver
    assert e.value.status == 403
    with pytest.raises(QMError) as e:
        opening.opening_decide(actor=county_user, opening=op, approve=True)
    assert e.value.status == 403
    op = opening.opening_decide(actor=province_user, opening=op, approve=True, note="核对无误")
    assert op.status == "posted" and op.decided_by == province_user
    assert _store(org, "430121") == {("INS-TIE", "M", "-"): 4, ("DRESS-JACKET", "F", "160/84A"): 3}
    rows = Movement.objects.all()
    assert {(m.doc_type, m.kind, m.doc_ref, m.from_location.kind) for m in rows} == {
        ("opening", "opening", "QC430121-01", "adjustment")
    }
    again = opening.opening_decide(actor=province_user, opening=op, approve=True)  # repeat: nothing more
    assert again.pk == op.pk and Movement.objects.count() == 2
    with pytest.raises(QMError) as e:
        opening.opening_decide(actor=province_user, opening=op, approve=False, note="x")
    assert e.value.code == "bad_transition"
    actions = list(
        ChangeRecord.objects.filter(object_id=str(op.pk), content_type__model="openingbalance").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["create", "status"]
    assert svc.ledger_verify() == []


def test_the_submitter_may_not_approve_their_own_opening_balance(
    org, catalog, province_user, second_province_user
):
    op = opening.opening_submit(actor=province_user, unit=org["430000"], as_of=D(2026, 1, 5), lines=TIES)
    with pytest.raises(QMError) as e:
        opening.opening_decide(actor=province_user, opening=op, approve=True)
    assert e.value.status == 403 and Movement.objects.count() == 0
    opening.opening_decide(actor=second_province_user, opening=op, approve=True)
    assert _store(org, "430000") == {("INS-TIE", "M", "-"): 4}


def test_an_opening_balance_is_idempotent_and_one_per_unit(org, catalog, changsha_user, province_user):
    a = opening.opening_submit(actor=changsha_user, unit=org["430100"], as_of=D(2026, 1, 5), lines=TIES)
    b = opening.opening_submit(actor=changsha_user, unit=org["430100"], as_of=D(2026, 1, 5), lines=TIES)
    assert a.pk == b.pk and OpeningBalance.objects.count() == 1
    with pytest.raises(QMError) as e:
        opening.opening_submit(actor=changsha_user, unit=org["430100"], as_of=D(2026, 1, 5), lines=JACKETS)
    assert e.value.status == 409 and e.value.code == "opening_exists" and "QC430100-01" in e.value.message
    with pytest.raises(QMError) as e:
        opening.opening_decide(actor=province_user, opening=a, approve=False)
    assert e.value.code == "note_required"
    opening.opening_decide(actor=province_user, opening=a, approve=False, note="数量未核实")
    c = opening.opening_submit(actor=changsha_user, unit=org["430100"], as_of=D(2026, 1, 6), lines=JACKETS)
    assert c.number == "QC430100-02" and Movement.objects.count() == 0


@pytest.mark.parametrize(
    "bad,code,field",
    [
        ({"item": "NOPE"}, "bad_item", "item"),
        ({"gender": "X"}, "bad_gender", "gender"),
        ({"size": ""}, "bad_size", "size"),
        ({"quantity": 0}, "bad_quantity", "quantity"),
        ({"quantity": -3}, "bad_quantity", "quantity"),
        ({"quantity": "5"}, "bad_quantity", "quantity"),
        ({"item": "INS-TIE", "size": "175/92A"}, "bad_size", "size"),
    ],
)
def test_an_opening_balance_with_a_bad_row_is_refused_whole(org, catalog, changsha_user, bad, code, field):
    lines = [JACKETS[0], {**JACKETS[0], "size": "165/88A", **bad}]
    with pytest.raises(QMError) as e:
        opening.opening_submit(actor=changsha_user, unit=org["430100"], as_of=D(2026, 1, 5), lines=lines)
    assert e.value.code == code and e.value.details == {"row": 2, "field": field}
    assert OpeningBalance.objects.count() == 0


def test_opening_balance_rules(org, catalog, changsha_user, zhuzhou_user, county_user, auditor_user):
    for user in (zhuzhou_user, county_user):  # another city; a county below is not the city's staff
        with pytest.raises(QMError) as e:
            opening.opening_submit(actor=user, unit=org["430100"], as_of=D(2026, 1, 5), lines=TIES)
        assert e.value.status == 404
    with pytest.raises(QMError) as e:  # read-only
        opening.opening_submit(actor=auditor_user, unit=org["430100"], as_of=D(2026, 1, 5), lines=TIES)
    assert e.value.status == 403
    with pytest.raises(QMError) as e:  # the city's staff submit for the city, the county's for the county
        opening.opening_submit(actor=changsha_user, unit=org["430121"], as_of=D(2026, 1, 5), lines=TIES)
    assert e.value.status == 403
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    with pytest.raises(QMError) as e:
        opening.opening_submit(actor=changsha_user, unit=org["430100"], as_of=tomorrow, lines=TIES)
    assert e.value.code == "bad_date"
    assert OpeningBalance.objects.count() == 0


def test_opening_balance_api(api, org, catalog, county_user, province_user, zhuzhou_user, auditor_user):
    body = {"unit": "430121", "as_of": "2026-01-05", "lines": TIES}
    c = api.as_(county_user)
    r = c._call(
        "post", "/distribution/opening-balances", body, headers={**c.headers, "Idempotency-Key": "o1"}
    )
    assert r.status_code == 200 and r.json()["status"] == "submitted" and r.json()["quantity"] == 4
    again = c._call(
        "post", "/distribution/opening-balances", body, headers={**c.headers, "Idempotency-Key": "o1"}
    )
    assert again.json() == r.json()
    oid = r.json()["id"]
    bad = c.post("/distribution/opening-balances", {**body, "lines": [{**TIES[0], "quantity": 0}]})
    assert bad.status_code == 400 and bad.json()["details"] == {"row": 1, "field": "quantity"}
    other = c.post("/distribution/opening-balances", {**body, "lines": JACKETS})
    assert other.status_code == 409 and other.json()["code"] == "opening_exists"  # one per unit
    assert api.as_(zhuzhou_user).get(f"/distribution/opening-balances/{oid}").status_code == 404
    assert api.as_(zhuzhou_user).get("/distribution/opening-balances").json()["count"] == 0
    assert api.as_(auditor_user).get(f"/distribution/opening-balances/{oid}").status_code == 200
    assert (
        api.as_(auditor_user)
        .post(f"/distribution/opening-balances/{oid}/decide", {"approve": True})
        .status_code
        == 403
    )
    assert c.post(f"/distribution/opening-balances/{oid}/decide", {"approve": True}).status_code == 403
    ok = api.as_(province_user).post(f"/distribution/opening-balances/{oid}/decide", {"approve": True})
    assert ok.status_code == 200 and ok.json()["status"] == "posted" and ok.json()["decided_by"]
    stock = api.as_(county_user).get("/distribution/units/430121/stock").json()["lines"]
    assert stock == [{"item": "INS-TIE", "gender": "M", "size": "-", "quantity": 4}]


def test_a_city_cannot_book_stock_without_an_acceptance_through_any_door(
    api, org, catalog, changsha_user, province_user
):
    """No free-form receipt in the API, no supplier shipment, nothing to add in the admin; the posting function
    itself refuses supplier goods on any other document."""
    lines = [{"item": "INS-TIE", "gender": "M", "size": "-", "quantity": 1}]
    for user in (changsha_user, province_user):
        c = api.as_(user)
        body = {"to_unit": "430100", "document": "X", "supplier": "s", "lines": lines}
        assert c.post("/distribution/receipts", body).status_code in (404, 405)
        r = c.post("/distribution/shipments", {"supplier": "s", "to_unit": "430100", "lines": lines})
        assert r.status_code in (400, 422)
    admin = Client()
    changsha_user.is_staff = province_user.is_staff = True
    changsha_user.save()
    province_user.save()
    for user in (changsha_user, province_user):
        admin.force_login(user)
        for model in ("movement", "openingbalance", "shipment", "stocktake"):
            assert admin.get(f"/admin/distribution/{model}/add/").status_code == 403, model
    item = receive(province_user, org, lines, doc="YS-A")[0].item
    supplier = svc.supplier_location("供应商甲")
    for doc_type in sorted(ledger_sources.DOC_TYPES - {"acceptance"}):
        with pytest.raises(QMError) as e, transaction.atomic():
            svc._post(
                [svc.Move(item.pk, "M", "-", 1, supplier, svc.unit_location(org["430100"]), "receive")],
                actor=changsha_user,
                doc_type=doc_type,
            )
        assert e.value.code == "not_a_stock_source", doc_type
    assert Movement.objects.count() == 1


def test_every_document_the_suite_writes_is_listed(
    org, catalog, province_user, changsha_user, county_user, officers, second_province_user
):
    """One scenario through every door that moves stock: all its doc types are in the list, supplier stock only
    by acceptance, other outside entries only by the listed documents."""
    lines = kit_lines(officers[0], 3)
    receive(province_user, org, lines, doc="YS-ALL")
    s = ship(province_user, org, lines, "430100")
    rows = [{"line_id": ln.pk, "received": ln.quantity} for ln in s.lines.all()]
    rows[0].update(received=rows[0]["received"] - 1, reason="missing")
    svc.shipment_confirm(actor=changsha_user, shipment=s, lines=rows, excess=TIES)
    svc.case_settle(actor=province_user, case=s.cases.get(), outcome="write_off")
    confirm_all(county_user, ship(changsha_user, org, kit_lines(officers[0], 2), "430121", frm="430100"))
    svc.kit_issue(actor=county_user, unit=org["430121"], officers=officers[:2])
    svc.kit_return(
        actor=county_user, officer=officers[0], lines=[{"item": "INS-TIE", "size": "-", "quantity": 1}]
    )
    st = svc.stocktake_submit(
        actor=changsha_user,
        unit=org["430100"],
        lines=[{"item": "INS-TIE", "gender": "M", "size": "-", "counted": 99, "reason": "盘盈"}],
    )
    svc.stocktake_decide(actor=province_user, stocktake=st, approve=True)
    op = opening.opening_submit(actor=province_user, unit=org["430112"], as_of=D(2026, 1, 5), lines=JACKETS)
    opening.opening_decide(actor=second_province_user, opening=op, approve=True)
    written_off = Movement.objects.filter(kind="write_off").first()
    svc.movement_reverse(actor=province_user, movement=written_off, note="找回")
    doc_types = set(Movement.objects.values_list("doc_type", flat=True))
    assert doc_types <= ledger_sources.DOC_TYPES, doc_types - ledger_sources.DOC_TYPES
    assert set(
        Movement.objects.filter(from_location__kind="supplier").values_list("doc_type", flat=True)
    ) == {"acceptance"}
    outside = Movement.objects.filter(from_location__kind__in=ledger_sources.OUTSIDE).exclude(kind="reversal")
    assert {(m.doc_type, m.kind) for m in outside} == {
        ("acceptance", "receive"),
        ("shipment", "excess"),
        ("stocktake", "adjustment"),
        ("opening", "opening"),
    }
    assert svc.ledger_verify() == []


def test_the_admin_shows_opening_balances_read_only_and_scoped(
    org, catalog, changsha_user, zhuzhou_user, province_user
):
    op = opening.opening_submit(actor=changsha_user, unit=org["430100"], as_of=D(2026, 1, 5), lines=TIES)
    for u in (province_user, zhuzhou_user):
        u.is_staff = True
        u.save()
    c = Client()
    c.force_login(province_user)
    assert op.number in c.get("/admin/distribution/openingbalance/").content.decode()
    page = c.get(f"/admin/distribution/openingbalance/{op.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert (
        c.post(f"/admin/distribution/openingbalance/{op.pk}/change/", {"status": "posted"}).status_code == 403
    )
    op.refresh_from_db()
    assert op.status == "submitted" and Movement.objects.count() == 0
    c.force_login(zhuzhou_user)
    assert op.number not in c.get("/admin/distribution/openingbalance/").content.decode()


def test_a_legacy_supplier_shipment_is_reshipped_from_a_unit_not_the_supplier(org, catalog, province_user):
    """Shipments from a supplier exist only from before; settling one of their shortages by re-shipping needs a
    sending unit (the supplier's replacement is a procurement delivery)."""
    from assets.models import ItemType
    from distribution.models import DiscrepancyCase, Shipment

    legacy = Shipment.objects.create(
        number="FY-OLD-1",
        from_location=svc.supplier_location("供应商甲"),
        to_unit=org["430100"],
        status="discrepant",
    )
    case = DiscrepancyCase.objects.create(
        shipment=legacy,
        unit=org["430100"],
        item=ItemType.objects.get(code="INS-TIE"),
        gender="M",
        size="-",
        quantity=1,
        reason="missing",
    )
    with pytest.raises(QMError) as e:
        svc.case_settle(actor=province_user, case=case, outcome="reship")
    assert e.value.code == "from_unit_required" and e.value.details == {"field": "from_unit"}
    case.refresh_from_db()
    assert case.status == "open" and Movement.objects.count() == 0
