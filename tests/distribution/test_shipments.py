import pytest

from core.errors import QMError
from core.models import ChangeRecord
from distribution import selectors as sel
from distribution import services as svc
from distribution.choices import CaseOutcome, CaseStatus, ShipmentStatus
from distribution.models import DiscrepancyCase, Movement, Receipt, Shipment, StockBalance

from .conftest import confirm_all, receive, ship

J = "DRESS-JACKET"


def lines(q=10, size="175/92A", item=J):
    return [{"item": item, "gender": "M", "size": size, "quantity": q}]


@pytest.fixture
def dispatched(org, catalog, province_user):
    receive(province_user, org, lines(10) + lines(4, item="INS-TIE", size="-"))
    return ship(province_user, org, lines(10) + lines(4, item="INS-TIE", size="-"), "430100")


def flows(user, code="430100"):
    return sel.progress([sel.unit_get(user, code)])[code]


def test_dispatch_moves_stock_in_transit_and_is_idempotent(org, province_user, dispatched):
    assert dispatched.status == ShipmentStatus.DISPATCHED
    store = svc.unit_location(org["430000"])
    assert sum(svc.balance(store).values()) == 0
    transit = svc.transit_location(org["430100"])
    assert sum(svc.balance(transit).values()) == 14
    again = svc.shipment_dispatch(actor=province_user, shipment=dispatched)
    assert again.status == ShipmentStatus.DISPATCHED and Movement.objects.filter(kind="dispatch").count() == 2
    row = flows(province_user)[(J, "M", "175/92A")]
    assert (row["shipped"], row["in_transit"], row["received"]) == (10, 10, 0)


def test_dispatch_refused_when_source_lacks_stock_and_changes_nothing(org, catalog, province_user):
    receive(province_user, org, lines(3))
    s = svc.shipment_create(
        actor=province_user, from_unit=org["430000"], to_unit=org["430100"], lines=lines(5)
    )
    with pytest.raises(QMError) as e:
        svc.shipment_dispatch(actor=province_user, shipment=s)
    assert e.value.code == "insufficient_stock" and e.value.status == 409
    s.refresh_from_db()
    assert s.status == ShipmentStatus.DRAFT and Movement.objects.filter(kind="dispatch").count() == 0


def test_routes_and_roles(org, catalog, province_user, changsha_user, zhuzhou_user, county_user):
    with pytest.raises(QMError) as e:
        svc.shipment_create(
            actor=province_user, from_unit=org["430000"], to_unit=org["430121"], lines=lines()
        )
    assert e.value.code == "bad_route"
    with pytest.raises(QMError) as e:
        svc.shipment_create(
            actor=changsha_user,
            from_unit=org["430100"],
            to_unit=org["430211"] if "430211" in org else org["430200"],
            lines=lines(),
        )
    assert e.value.code == "bad_route"
    with pytest.raises(QMError) as e:
        svc.shipment_create(
            actor=changsha_user, from_unit=org["430000"], to_unit=org["430100"], lines=lines()
        )
    assert e.value.status == 403
    with pytest.raises(QMError) as e:
        svc.shipment_create(actor=zhuzhou_user, from_unit=org["430100"], to_unit=org["430121"], lines=lines())
    assert e.value.status == 404
    with pytest.raises(QMError) as e:
        svc.shipment_create(actor=county_user, from_unit=org["430121"], to_unit=org["430100"], lines=lines())
    assert e.value.code == "bad_route"
    with pytest.raises(QMError) as e:
        svc.shipment_create(actor=province_user, to_unit=org["430100"], lines=lines())
    assert e.value.code == "bad_source"
    s = svc.shipment_create(
        actor=changsha_user, from_unit=org["430100"], to_unit=org["430121"], lines=lines()
    )
    assert s.status == ShipmentStatus.DRAFT and s.lines.count() == 1
    assert ChangeRecord.objects.filter(object_id=str(s.pk), action="create").exists()
    svc.shipment_cancel(actor=changsha_user, shipment=s, reason="重复 duplicate")
    with pytest.raises(QMError) as e:
        svc.shipment_dispatch(actor=changsha_user, shipment=s)
    assert e.value.code == "bad_transition"


def test_confirm_in_good_order(org, province_user, changsha_user, dispatched):
    receipt = confirm_all(changsha_user, dispatched)
    dispatched.refresh_from_db()
    assert dispatched.status == ShipmentStatus.RECEIVED and receipt.lines.count() == 2
    row = flows(province_user)[(J, "M", "175/92A")]
    assert (row["shipped"], row["received"], row["in_transit"], row["short"]) == (10, 10, 0, 0)
    assert StockBalance.objects.get(location=svc.unit_location(org["430100"]), item__code=J).quantity == 10
    svc.shipment_close(actor=changsha_user, shipment=dispatched)
    dispatched.refresh_from_db()
    assert dispatched.status == ShipmentStatus.CLOSED


def test_confirm_with_shortage_wrong_size_and_excess(org, province_user, changsha_user, dispatched):
    jl, tl = list(dispatched.lines.order_by("id"))
    receipt = svc.shipment_confirm(
        actor=changsha_user,
        shipment=dispatched,
        lines=[
            {"line_id": jl.pk, "received": 7, "reason": "wrong", "note": "3件发成180/96A"},
            {"line_id": tl.pk, "received": 3, "reason": "damaged", "note": "1条破损"},
        ],
        excess=[{"item": J, "gender": "M", "size": "180/96A", "quantity": 3, "note": "错发"}],
    )
    dispatched.refresh_from_db()
    assert dispatched.status == ShipmentStatus.DISCREPANT
    assert receipt.lines.filter(shipment_line__isnull=True).get().excess == 3
    cases = DiscrepancyCase.objects.order_by("id")
    assert [(c.quantity, c.reason, c.status) for c in cases] == [(3, "wrong", "open"), (1, "damaged", "open")]
    p = flows(province_user)
    assert (p[(J, "M", "175/92A")]["short"], p[(J, "M", "175/92A")]["received"]) == (3, 7)
    assert p[(J, "M", "180/96A")]["excess"] == 3 and p[(J, "M", "180/96A")]["shipped"] == 0
    city = svc.unit_location(org["430100"])
    assert svc.balance(city)[(jl.item_id, "M", "180/96A")] == 3
    for r in p.values():
        assert r["shipped"] == r["received"] + r["in_transit"] + r["short"]
    with pytest.raises(QMError) as e:
        svc.shipment_close(actor=changsha_user, shipment=dispatched)
    assert e.value.code == "cases_open"
    assert svc.ledger_verify() == []


def test_confirm_is_idempotent_and_a_different_second_confirmation_is_409(org, changsha_user, dispatched):
    first = confirm_all(changsha_user, dispatched)
    again = confirm_all(changsha_user, dispatched)
    assert again.pk == first.pk and Receipt.objects.count() == 1
    assert Movement.objects.filter(kind="receipt").count() == 2
    jl, tl = list(dispatched.lines.order_by("id"))
    with pytest.raises(QMError) as e:
        svc.shipment_confirm(
            actor=changsha_user,
            shipment=dispatched,
            lines=[{"line_id": jl.pk, "received": 9, "reason": "missing"}, {"line_id": tl.pk, "received": 4}],
        )
    assert e.value.status == 409 and e.value.code == "already_confirmed"


@pytest.mark.parametrize(
    "case,code",
    [
        ("over", "bad_quantity"),
        ("no_reason", "reason_required"),
        ("foreign_line", "bad_line"),
        ("dup", "duplicate_line"),
        ("missing", "lines_missing"),
        ("bad_excess", "bad_item"),
    ],
)
def test_confirm_errors_change_nothing(org, changsha_user, dispatched, case, code):
    jl, tl = list(dispatched.lines.order_by("id"))
    good = [{"line_id": jl.pk, "received": 10}, {"line_id": tl.pk, "received": 4}]
    excess = []
    if case == "over":
        good[0]["received"] = 11
    elif case == "no_reason":
        good[0]["received"] = 9
    elif case == "foreign_line":
        good[0]["line_id"] = 999999
    elif case == "dup":
        good[1] = {"line_id": jl.pk, "received": 10}
    elif case == "missing":
        good = good[:1]
    elif case == "bad_excess":
        excess = [{"item": "NOPE", "gender": "M", "size": "x", "quantity": 1}]
    with pytest.raises(QMError) as e:
        svc.shipment_confirm(actor=changsha_user, shipment=dispatched, lines=good, excess=excess)
    assert e.value.code == code
    assert Receipt.objects.count() == 0 and Movement.objects.filter(kind="receipt").count() == 0
    dispatched.refresh_from_db()
    assert dispatched.status == ShipmentStatus.DISPATCHED


def test_only_the_destination_confirms(org, dispatched, zhuzhou_user, county_user, auditor_user, make_user):
    for user, status in ((zhuzhou_user, 404), (county_user, 404), (auditor_user, 403)):
        with pytest.raises(QMError) as e:
            confirm_all(user, dispatched)
        assert e.value.status == status
    assert Receipt.objects.count() == 0


def test_draft_cannot_be_confirmed(org, catalog, province_user, changsha_user):
    s = svc.shipment_create(
        actor=province_user, from_unit=org["430000"], to_unit=org["430100"], lines=lines()
    )
    with pytest.raises(QMError) as e:
        confirm_all(changsha_user, s)
    assert e.value.code == "bad_transition"


def _short(changsha_user, dispatched, q=3):
    jl, tl = list(dispatched.lines.order_by("id"))
    svc.shipment_confirm(
        actor=changsha_user,
        shipment=dispatched,
        lines=[
            {"line_id": jl.pk, "received": 10 - q, "reason": "missing"},
            {"line_id": tl.pk, "received": 4},
        ],
    )
    return DiscrepancyCase.objects.get()


def test_case_write_off_closes_the_shipment(org, province_user, changsha_user, dispatched):
    case = _short(changsha_user, dispatched)
    with pytest.raises(QMError) as e:
        svc.case_settle(actor=changsha_user, case=case, outcome=CaseOutcome.WRITE_OFF)
    assert e.value.status == 403
    with pytest.raises(QMError) as e:
        svc.case_settle(actor=province_user, case=case, outcome="lose")
    assert e.value.code == "bad_outcome"
    svc.case_settle(actor=province_user, case=case, outcome=CaseOutcome.WRITE_OFF, note="运输丢失")
    case.refresh_from_db()
    dispatched.refresh_from_db()
    assert case.status == CaseStatus.SETTLED and dispatched.status == ShipmentStatus.CLOSED
    assert sum(svc.balance(svc.written_off_location()).values()) == 3
    assert sum(svc.balance(svc.discrepancy_location(org["430100"])).values()) == 0
    assert svc.case_settle(actor=province_user, case=case, outcome=CaseOutcome.WRITE_OFF).pk == case.pk
    with pytest.raises(QMError) as e:
        svc.case_settle(actor=province_user, case=case, outcome=CaseOutcome.CLAIM, supplier="x")
    assert e.value.code == "already_settled"


def test_case_claim_needs_a_supplier_and_books_to_it(org, province_user, changsha_user, dispatched):
    case = _short(changsha_user, dispatched)
    with pytest.raises(QMError) as e:
        svc.case_settle(actor=province_user, case=case, outcome=CaseOutcome.CLAIM)
    assert e.value.code == "supplier_required"
    svc.case_settle(actor=province_user, case=case, outcome=CaseOutcome.CLAIM, supplier="供应商甲")
    assert Movement.objects.filter(kind="claim", to_location__key="supplier:供应商甲").get().quantity == 3


def test_case_reship_dispatches_a_new_shipment_or_fails_cleanly(
    org, province_user, changsha_user, dispatched
):
    case = _short(changsha_user, dispatched)
    with pytest.raises(QMError) as e:
        svc.case_settle(actor=province_user, case=case, outcome=CaseOutcome.RESHIP)
    assert e.value.code == "insufficient_stock"
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and Movement.objects.filter(kind="write_off").count() == 0
    receive(province_user, org, lines(3), doc="YS-2")
    svc.case_settle(actor=province_user, case=case, outcome=CaseOutcome.RESHIP)
    case.refresh_from_db()
    assert case.reship.status == ShipmentStatus.DISPATCHED and case.reship.to_unit_id == org["430100"].pk
    row = flows(province_user)[(J, "M", "175/92A")]
    assert (row["shipped"], row["received"], row["short"], row["in_transit"]) == (13, 7, 3, 3)
    assert svc.ledger_verify() == []


def test_supplier_goods_reach_a_city_by_delivery_and_acceptance_not_by_shipment(
    org, catalog, province_user, changsha_user, county_user
):
    with pytest.raises(TypeError):
        svc.shipment_create(actor=province_user, supplier="供应商乙", to_unit=org["430100"], lines=lines(5))
    with pytest.raises(QMError) as e:
        svc.shipment_create(actor=province_user, to_unit=org["430100"], lines=lines(5))
    assert e.value.code == "bad_source"
    receive(province_user, org, lines(5), doc="YS-CS", to="430100")  # delivered to and accepted by Changsha
    assert Shipment.objects.count() == 0
    s2 = ship(changsha_user, org, lines(5), "430121", frm="430100")
    with pytest.raises(QMError) as e:
        confirm_all(changsha_user, s2)
    assert e.value.status == 403  # the city is not the destination
    confirm_all(county_user, s2)
    row = flows(province_user, "430121")[(J, "M", "175/92A")]
    assert (row["shipped"], row["received"]) == (5, 5)
    assert svc.ledger_verify() == []


def test_one_route_rule_for_drafts_and_transfers(org, catalog, changsha_user):
    """A closed county takes no shipment, whether drafted through shipment_create or sent as a city's transfer:
    both doors ask services.check_route and say the same thing."""
    from distribution import transfers

    county = org["430121"]
    county.is_active = False
    county.save(update_fields=["is_active"])
    with pytest.raises(QMError) as drafted:
        svc.shipment_create(actor=changsha_user, from_unit=org["430100"], to_unit=county, lines=lines())
    with pytest.raises(QMError) as transferred:
        transfers.check_route(changsha_user, org["430100"], county)
    assert drafted.value.code == transferred.value.code == "bad_route"
    assert drafted.value.message == transferred.value.message == "市州发往本市州的县级机构"
    assert drafted.value.details == transferred.value.details == {"field": "to_unit"}
