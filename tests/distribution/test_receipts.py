"""Receipt by exception (distribution.receipts.receipt_plan and services.shipment_confirm_exceptions): the
plan's totals, that it books exactly what the per-line confirmation books (same payload, so either door's
retry returns the first receipt), wrong sizes booked at the size that came, and all-or-nothing errors that
name the line by item name, 男/女 and size."""

import json

import pytest

from assets.models import ItemType
from core.errors import QMError
from distribution import services as svc
from distribution.choices import ShipmentStatus
from distribution.models import DiscrepancyCase, Location, Movement, Receipt
from distribution.receipts import receipt_plan

from .conftest import receive, ship

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipment(org, province_user, catalog):
    tops = list(ItemType.objects.filter(size_system="top").order_by("sort_order")[:2])
    one = ItemType.objects.filter(size_system="none").first()
    lines = [
        {"item": tops[0].code, "gender": "M", "size": "175/92A", "quantity": 10},
        {"item": tops[1].code, "gender": "F", "size": "160/84A", "quantity": 4},
        {"item": one.code, "gender": "M", "size": "-", "quantity": 6},
    ]
    receive(province_user, org, lines)
    return ship(province_user, org, lines, "430100")


def lines_of(shipment):
    return list(shipment.lines.select_related("item").order_by("id"))


def test_plan_totals_and_per_line_receipt(shipment):
    a, b, c = lines_of(shipment)
    plan = receipt_plan(
        lines_of(shipment),
        [
            {"line": a.pk, "kind": "wrong_size", "quantity": 2, "size": "180/96A"},
            {"line": b.pk, "kind": "damaged", "quantity": 4, "note": "水浸"},
            {"line": c.pk, "kind": "excess", "quantity": 3},
        ],
    )
    assert (plan.shipped, plan.received, plan.short, plan.excess_total) == (20, 14, 6, 5)
    assert plan.lines == [
        {"line_id": a.pk, "received": 8, "reason": "wrong", "note": ""},
        {"line_id": b.pk, "received": 0, "reason": "damaged", "note": "水浸"},
        {"line_id": c.pk, "received": 6, "reason": "", "note": ""},
    ]
    assert [(e["size"], e["quantity"]) for e in plan.excess] == [("180/96A", 2), ("-", 3)]
    again = json.loads(plan.as_json())
    assert [e["line"] for e in again] == [a.pk, b.pk, c.pk]
    assert again[1]["name"] == b.item.name_for("F") and again[1]["gender"] == "女"
    assert receipt_plan(lines_of(shipment), plan.as_json()).lines == plan.lines  # the review posts it back


def test_no_exceptions_means_everything_received(changsha_user, shipment):
    receipt = svc.shipment_confirm_exceptions(actor=changsha_user, shipment=shipment, exceptions="")
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.RECEIVED
    assert [(r.received, r.short) for r in receipt.lines.order_by("id")] == [(10, 0), (4, 0), (6, 0)]


def test_exceptions_book_what_the_per_line_receipt_books_and_a_retry_returns_it(changsha_user, shipment):
    a, b, _c = lines_of(shipment)
    exc = [
        {"line": a.pk, "kind": "wrong_size", "quantity": 2, "size": "180/96A", "note": "错发"},
        {"line": b.pk, "kind": "missing", "quantity": 1},
    ]
    receipt = svc.shipment_confirm_exceptions(
        actor=changsha_user, shipment=shipment, exceptions=exc, note="x"
    )
    n = Movement.objects.count()
    # the same exceptions again, and the equivalent per-line confirmation (the API's door), return it
    assert (
        svc.shipment_confirm_exceptions(
            actor=changsha_user, shipment=shipment, exceptions=json.dumps(exc), note="x"
        )
        == receipt
    )
    plan = receipt_plan(lines_of(shipment), exc)
    assert (
        svc.shipment_confirm(
            actor=changsha_user, shipment=shipment, lines=plan.lines, excess=plan.excess, note="x"
        )
        == receipt
    )
    assert Movement.objects.count() == n
    with pytest.raises(QMError) as e:
        svc.shipment_confirm_exceptions(actor=changsha_user, shipment=shipment, exceptions=[], note="x")
    assert e.value.code == "already_confirmed" and e.value.status == 409
    with pytest.raises(QMError) as e:  # a broken resend after the receipt: still "already confirmed"
        svc.shipment_confirm_exceptions(actor=changsha_user, shipment=shipment, exceptions="{")
    assert e.value.code == "already_confirmed"
    store = Location.objects.get(key="unit:430100")
    assert svc.balance(store, item=a.item, gender="M") == {
        (a.item_id, "M", "175/92A"): 8,
        (a.item_id, "M", "180/96A"): 2,
    }
    assert sorted((x.reason, x.quantity) for x in DiscrepancyCase.objects.all()) == [
        ("missing", 1),
        ("wrong", 2),
    ]
    assert not svc.ledger_verify()


@pytest.mark.parametrize(
    "exc,code,field",
    [
        ([{"line": "B", "kind": "missing", "quantity": 0}], "bad_quantity", "quantity"),
        ([{"line": "B", "kind": "missing", "quantity": True}], "bad_quantity", "quantity"),
        ([{"line": "B", "kind": "damaged", "quantity": 5}], "bad_quantity", "quantity"),
        ([{"line": "B", "kind": "excess", "quantity": -2}], "bad_quantity", "quantity"),
        ([{"line": "B", "kind": "short"}], "bad_kind", "kind"),
        ([{"line": "B", "kind": "wrong_size", "quantity": 1, "size": ""}], "bad_size", "size"),
        ([{"line": "C", "kind": "wrong_size", "quantity": 1, "size": "XL"}], "bad_size", "size"),
        (
            [{"line": "B", "kind": "missing", "quantity": 1}, {"line": "B", "kind": "excess", "quantity": 1}],
            "duplicate_line",
            "line",
        ),
        (
            [{"line": "A", "kind": "missing", "quantity": 1}, {"line": 0, "kind": "missing", "quantity": 1}],
            "bad_line",
            "line",
        ),
        (["B"], "bad_exception", "exceptions"),
    ],
)
def test_a_bad_exception_names_the_line_and_books_nothing(changsha_user, shipment, exc, code, field):
    a, b, c = lines_of(shipment)
    ids = {"A": a.pk, "B": b.pk, "C": c.pk}
    exc = [{**e, "line": ids.get(e["line"], e["line"])} if isinstance(e, dict) else e for e in exc]
    with pytest.raises(QMError) as e:
        svc.shipment_confirm_exceptions(actor=changsha_user, shipment=shipment, exceptions=exc)
    assert e.value.code == code and e.value.details["field"] == field and e.value.status == 400
    if code not in ("bad_line", "bad_exception"):
        ln = b if e.value.details["line_id"] == b.pk else c
        assert e.value.details["size"] == ln.size
        assert ln.item.name_for(ln.gender) in e.value.message and ln.item.code not in e.value.message
        assert ("女" if ln.gender == "F" else "男") in e.value.message
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DISPATCHED and not Receipt.objects.exists()
    assert not DiscrepancyCase.objects.exists()


def test_only_the_destination_confirms(zhuzhou_user, auditor_user, shipment):
    with pytest.raises(QMError) as e:
        svc.shipment_confirm_exceptions(actor=zhuzhou_user, shipment=shipment, exceptions=[])
    assert e.value.status == 404
    with pytest.raises(QMError) as e:
        svc.shipment_confirm_exceptions(actor=auditor_user, shipment=shipment, exceptions=[])
    assert e.value.status == 403
    assert not Receipt.objects.exists()
