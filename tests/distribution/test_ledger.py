import pytest
from django.db import IntegrityError, transaction

from core.errors import QMError
from distribution import selectors as sel
from distribution import services as svc
from distribution.choices import MovementKind
from distribution.models import Movement, StockBalance

from .conftest import receive


@pytest.fixture
def jackets():
    return [{"item": "DRESS-JACKET", "gender": "M", "size": "175/92A", "quantity": 10}]


def test_stock_receive_books_into_store_and_is_idempotent_per_document(org, catalog, province_user, jackets):
    rows = receive(province_user, org, jackets)
    assert len(rows) == 1 and rows[0].kind == MovementKind.RECEIVE and rows[0].quantity == 10
    again = receive(province_user, org, jackets)
    assert [m.pk for m in again] == [rows[0].pk]
    assert Movement.objects.count() == 1
    store = svc.unit_location(org["430000"])
    assert StockBalance.objects.get(location=store).quantity == 10
    with pytest.raises(QMError) as e:
        receive(province_user, org, [{**jackets[0], "quantity": 11}])
    assert e.value.status == 409 and e.value.code == "document_conflict"
    assert svc.ledger_verify() == []


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
def test_stock_receive_rejects_bad_rows_and_changes_nothing(
    org, catalog, province_user, jackets, bad, code, field
):
    lines = [jackets[0], {**jackets[0], "size": "180/96A", **bad}]
    with pytest.raises(QMError) as e:
        receive(province_user, org, lines)
    assert e.value.code == code and e.value.details == {"row": 2, "field": field}
    assert Movement.objects.count() == 0


def test_stock_receive_rules(org, catalog, province_user, changsha_user, jackets):
    with pytest.raises(QMError) as e:
        receive(changsha_user, org, jackets)
    assert e.value.status == 403
    with pytest.raises(QMError) as e:
        receive(province_user, org, jackets, to="430121")
    assert e.value.code == "bad_unit"
    with pytest.raises(QMError) as e:
        svc.stock_receive(
            actor=province_user, to_unit=org["430000"], lines=jackets, document=" ", supplier="x"
        )
    assert e.value.code == "document_required"
    with pytest.raises(QMError) as e:
        svc.stock_receive(
            actor=province_user, to_unit=org["430000"], lines=jackets, document="D", supplier=""
        )
    assert e.value.code == "bad_supplier"
    with pytest.raises(QMError) as e:
        svc.stock_receive(actor=province_user, to_unit=org["430000"], lines=[], document="D", supplier="x")
    assert e.value.code == "no_lines"


def test_database_forbids_zero_quantity_and_negative_balance(org, catalog, province_user, jackets):
    receive(province_user, org, jackets)
    m = Movement.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Movement.objects.create(
            item=m.item,
            gender="M",
            size="x",
            quantity=0,
            from_location=m.from_location,
            to_location=m.to_location,
            kind="receive",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.update(quantity=-1)


def test_post_refuses_a_movement_that_would_go_negative(org, catalog, province_user, jackets):
    receive(province_user, org, jackets)
    store = svc.unit_location(org["430000"])
    city = svc.unit_location(org["430100"])
    item = Movement.objects.get().item
    with pytest.raises(QMError) as e, transaction.atomic():
        svc._post(
            [
                svc.Move(item.pk, "M", "175/92A", 6, store, city, MovementKind.ADJUSTMENT),
                svc.Move(item.pk, "M", "175/92A", 5, store, city, MovementKind.ADJUSTMENT),
            ],
            actor=None,
        )
    assert e.value.code == "insufficient_stock" and e.value.details["rows"][0]["available"] == 10
    assert (
        e.value.details["rows"][0]["requested"] == 11 and e.value.details["rows"][0]["item"] == "DRESS-JACKET"
    )
    assert Movement.objects.count() == 1


def test_balance_at_a_past_date_and_reversal(org, catalog, province_user, jackets):
    import datetime

    from django.utils import timezone

    t0 = timezone.now() - datetime.timedelta(days=10)
    svc.stock_receive(
        actor=province_user, to_unit=org["430000"], lines=jackets, document="A", supplier="s", at=t0
    )
    svc.stock_receive(actor=province_user, to_unit=org["430000"], lines=jackets, document="B", supplier="s")
    store = svc.unit_location(org["430000"])
    assert sum(svc.balance(store, at=t0 + datetime.timedelta(days=1)).values()) == 10
    assert sum(svc.balance(store).values()) == 20
    assert sum(svc.balance(store, at=t0 - datetime.timedelta(days=1)).values()) == 0
    first = Movement.objects.order_by("id").first()
    with pytest.raises(QMError) as e:
        svc.movement_reverse(actor=province_user, movement=first, note="")
    assert e.value.code == "note_required"
    rev = svc.movement_reverse(actor=province_user, movement=first, note="录入错误 keyed twice")
    assert rev.kind == MovementKind.REVERSAL and rev.reverses_id == first.pk and rev.from_location == store
    assert sum(svc.balance(store).values()) == 10
    assert StockBalance.objects.get(location=store).quantity == 10
    with pytest.raises(QMError) as e:
        svc.movement_reverse(actor=province_user, movement=first, note="again")
    assert e.value.status == 409
    with pytest.raises(QMError) as e:
        svc.movement_reverse(actor=province_user, movement=rev, note="x")
    assert e.value.code == "bad_reversal"
    assert svc.ledger_verify() == []
    assert sel.stock_of(province_user, "430000") == [
        {"item": "DRESS-JACKET", "gender": "M", "size": "175/92A", "quantity": 10}
    ]


def test_reversal_that_would_go_negative_is_refused(org, catalog, province_user, changsha_user, jackets):
    from .conftest import ship

    receive(province_user, org, jackets)
    ship(province_user, org, jackets, "430100")
    first = Movement.objects.filter(kind=MovementKind.RECEIVE).get()
    with pytest.raises(QMError) as e:
        svc.movement_reverse(actor=province_user, movement=first, note="x")
    assert e.value.code == "insufficient_stock"
