import pytest
from django.db import IntegrityError, transaction

from core.errors import QMError
from distribution import selectors as sel
from distribution import services as svc
from distribution.choices import MovementKind
from distribution.models import Movement, StockBalance
from procurement.models import Acceptance, AcceptanceLine

from .conftest import receive


@pytest.fixture
def jackets():
    return [{"item": "DRESS-JACKET", "gender": "M", "size": "175/92A", "quantity": 10}]


def test_acceptance_books_into_the_store_once_per_certificate(org, catalog, province_user, jackets):
    rows = receive(province_user, org, jackets, doc="YS-7")
    assert len(rows) == 1 and rows[0].kind == MovementKind.RECEIVE and rows[0].quantity == 10
    assert rows[0].doc_type == "acceptance" and rows[0].doc_ref == "YS-7"
    assert rows[0].from_location.kind == "supplier" and "供应商甲" in rows[0].from_location.name
    store = svc.unit_location(org["430000"])
    assert StockBalance.objects.get(location=store).quantity == 10
    acceptance = Acceptance.objects.get(certificate_number="YS-7")
    goods = [_goods(al, org["430000"], province_user) for al in acceptance.lines.all()]
    with pytest.raises(QMError) as e, transaction.atomic():
        svc._book_accepted(goods)  # the same certificate booked again
    assert e.value.status == 409 and e.value.code == "already_booked"
    assert Movement.objects.count() == 1
    assert svc.ledger_verify() == []


def _goods(al, dest, actor, **change):
    from procurement.services import AcceptedGoods

    cl = al.delivery_line.contract_line
    fields = dict(
        acceptance_line_id=al.pk,
        item=cl.item,
        gender=cl.gender,
        size=cl.size,
        quantity=al.accepted,
        destination=dest,
        contract_id=cl.contract_id,
        delivery_id=al.delivery_line.delivery_id,
        certificate_number=al.acceptance.certificate_number,
        accepted_on=al.acceptance.inspected_on,
        officer_id=None,
        actor=actor,
    )
    return AcceptedGoods(**{**fields, **change})


def test_posting_step_books_only_what_the_certificate_accepted(org, catalog, province_user, jackets):
    """The private posting step of an acceptance refuses goods that are not the certificate's own accepted
    lines: more pieces, another destination, another size, a certificate that does not exist."""
    receive(province_user, org, jackets, doc="YS-8")
    al = AcceptanceLine.objects.get(acceptance__certificate_number="YS-8")
    for change in ({"quantity": 11}, {"destination": org["430100"]}, {"size": "180/96A"}):
        with pytest.raises(QMError) as e, transaction.atomic():
            svc._book_accepted([_goods(al, org["430000"], province_user, **change)])
        assert e.value.code == "not_accepted" and e.value.details["row"] == 1
    with pytest.raises(QMError) as e, transaction.atomic():
        svc._book_accepted([_goods(al, org["430000"], province_user, certificate_number="YS-NONE")])
    assert e.value.code == "not_accepted"
    assert Movement.objects.get().quantity == 10  # what the acceptance booked, nothing more


def test_there_is_no_public_supplier_receipt(org, catalog, province_user, jackets):
    assert not hasattr(svc, "stock_receive")
    item = receive(province_user, org, jackets)[0].item
    supplier = svc.supplier_location("供应商乙")
    for doc_type in ("shipment", "stocktake", "opening", "", "delivery", "bench"):
        with pytest.raises(QMError) as e, transaction.atomic():
            svc._post(
                [svc.Move(item.pk, "M", "175/92A", 5, supplier, svc.unit_location(org["430100"]), "receive")],
                actor=province_user,
                doc_type=doc_type,
            )
        assert e.value.code == "not_a_stock_source" and e.value.details["from"] == "supplier"
    adj = svc.adjustment_location()
    with pytest.raises(QMError) as e, transaction.atomic():  # the adjustments account: only listed documents
        svc._post(
            [svc.Move(item.pk, "M", "175/92A", 5, adj, svc.unit_location(org["430100"]), "adjustment")],
            actor=province_user,
            doc_type="issue",
        )
    assert e.value.code == "not_a_stock_source"
    assert Movement.objects.count() == 1


def test_a_delivery_to_a_county_is_its_stock(org, catalog, province_user, jackets):
    receive(province_user, org, jackets, doc="YS-X", to="430121")
    county = svc.unit_location(org["430121"])
    assert StockBalance.objects.get(location=county).quantity == 10
    assert svc.ledger_verify() == []


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
            doc_type="stocktake",
        )
    assert e.value.code == "insufficient_stock" and e.value.details["rows"][0]["available"] == 10
    assert (
        e.value.details["rows"][0]["requested"] == 11 and e.value.details["rows"][0]["item"] == "DRESS-JACKET"
    )
    assert Movement.objects.count() == 1


def test_balance_at_a_past_date_and_reversal(org, catalog, province_user, jackets):
    import datetime

    from django.utils import timezone

    from core.democlock import demo_clock

    t0 = timezone.now() - datetime.timedelta(days=10)
    with demo_clock(timezone.localdate(t0), 9):
        receive(province_user, org, jackets, doc="A")
    t0 = Movement.objects.get().at
    receive(province_user, org, jackets, doc="B")
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
