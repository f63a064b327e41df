import datetime

import pytest

from core.errors import Conflict, QMError
from procurement import selectors, services
from procurement.models import Acceptance, AcceptanceLine, Delivery

D = datetime.date


@pytest.fixture
def ledger():
    """Stands in for the distribution ledger: records what the on_accepted hook receives."""
    received = []
    hook = services.on_accepted(lambda goods: received.extend(goods))
    yield received
    services._accept_hooks.remove(hook)


def line(contract, item_code):
    return contract.lines.get(item__code=item_code)


def deliver(contract, number, lines, *, delivered_on=D(2026, 3, 2), destination=None):
    return services.delivery_create(
        actor=None,
        contract=contract,
        number=number,
        destination=destination or contract.buyer,
        delivered_on=delivered_on,
        lines=lines,
    )


def test_rejected_goods_never_reach_the_ledger(city_contracts, province_user, ledger):
    contract = city_contracts["430100"]  # jacket 62, shirt 103
    jacket, shirt = line(contract, "DRESS-JACKET"), line(contract, "DRESS-SHIRT")
    delivery = deliver(
        contract,
        "B1",
        [{"contract_line_id": jacket.pk, "quantity": 62}, {"contract_line_id": shirt.pk, "quantity": 50}],
    )
    dl_jacket, dl_shirt = delivery.lines.order_by("id")
    services.acceptance_record(
        actor=province_user,
        delivery=delivery,
        inspected_on=D(2026, 3, 3),
        certificate_number="YS-1",
        sample_size=10,
        inspectors="张三、李四",
        lines=[
            {"delivery_line_id": dl_jacket.pk, "accepted": 60, "rejected": 2, "reason": "色差"},
            {"delivery_line_id": dl_shirt.pk, "accepted": 0, "rejected": 50, "reason": "面料不符"},
        ],
    )
    assert [
        (g.item.code, g.gender, g.size, g.quantity, g.destination.code, g.certificate_number) for g in ledger
    ] == [("DRESS-JACKET", "M", "170/88A", 60, "430100", "YS-1")]
    progress = selectors.contract_progress(contract)
    rows = {r["item_code"]: r for r in progress["lines"]}
    assert {
        k: rows["DRESS-JACKET"][k]
        for k in ("ordered", "delivered", "accepted", "rejected", "outstanding", "unreplaced", "awaiting")
    } == {
        "ordered": 62,
        "delivered": 62,
        "accepted": 60,
        "rejected": 2,
        "outstanding": 2,
        "unreplaced": 2,
        "awaiting": 0,
    }
    assert rows["DRESS-SHIRT"]["accepted"] == 0 and rows["DRESS-SHIRT"]["outstanding"] == 103
    assert progress["totals"]["accepted"] == 60 and progress["totals"]["rejected"] == 52
    assert AcceptanceLine.objects.get(delivery_line=dl_shirt).rejection_status == "awaiting_return"


def test_rejected_goods_tracked_until_replaced(city_contracts, province_user, ledger):
    contract = city_contracts["430200"]
    jacket = line(contract, "DRESS-JACKET")  # 43 ordered
    first = deliver(contract, "Z1", [{"contract_line_id": jacket.pk, "quantity": 43}])
    (dl,) = first.lines.all()
    services.acceptance_record(
        actor=province_user,
        delivery=first,
        inspected_on=D(2026, 3, 3),
        certificate_number="YS-Z1",
        sample_size=5,
        inspectors="王五",
        lines=[{"delivery_line_id": dl.pk, "accepted": 40, "rejected": 3, "reason": "开线"}],
    )
    rejected = AcceptanceLine.objects.get(delivery_line=dl)
    # nothing more is owed than the 3 rejected
    with pytest.raises(QMError) as exc:
        deliver(contract, "Z2", [{"contract_line_id": jacket.pk, "quantity": 4}])
    assert exc.value.code == "over_delivery" and exc.value.details["owed"] == 3
    services.rejection_mark_returned(actor=province_user, acceptance_line=rejected, returned_on=D(2026, 3, 4))
    with pytest.raises(Conflict):
        services.rejection_mark_returned(
            actor=province_user, acceptance_line=rejected, returned_on=D(2026, 3, 4)
        )
    with pytest.raises(QMError) as exc:
        deliver(contract, "Z2", [{"contract_line_id": jacket.pk, "quantity": 4, "replaces_id": rejected.pk}])
    assert exc.value.code == "over_replacement"
    second = deliver(
        contract,
        "Z2",
        [{"contract_line_id": jacket.pk, "quantity": 3, "replaces_id": rejected.pk}],
        delivered_on=D(2026, 3, 10),
    )
    (dl2,) = second.lines.all()
    services.acceptance_record(
        actor=province_user,
        delivery=second,
        inspected_on=D(2026, 3, 10),
        certificate_number="YS-Z2",
        sample_size=3,
        inspectors="王五",
        lines=[{"delivery_line_id": dl2.pk, "accepted": 3, "rejected": 0}],
    )
    rejected.refresh_from_db()
    assert rejected.rejection_status == "replaced" and rejected.returned_on == D(2026, 3, 4)
    assert [g.quantity for g in ledger] == [40, 3]
    row = next(r for r in selectors.contract_progress(contract)["lines"] if r["item_code"] == "DRESS-JACKET")
    assert (row["delivered"], row["accepted"], row["rejected"], row["outstanding"], row["unreplaced"]) == (
        46,
        43,
        3,
        0,
        0,
    )


@pytest.mark.parametrize(
    "result,code",
    [
        ({"accepted": 10, "rejected": 1, "reason": "x"}, "bad_line"),  # 11 ≠ 10 delivered
        ({"accepted": 8, "rejected": 2}, "bad_line"),  # no reason
        ({"accepted": -1, "rejected": 11, "reason": "x"}, "bad_line"),
    ],
)
def test_bad_acceptance_changes_nothing(city_contracts, province_user, ledger, result, code):
    contract = city_contracts["430100"]
    delivery = deliver(
        contract, "B1", [{"contract_line_id": line(contract, "DRESS-SHIRT").pk, "quantity": 10}]
    )
    (dl,) = delivery.lines.all()
    with pytest.raises(QMError) as exc:
        services.acceptance_record(
            actor=province_user,
            delivery=delivery,
            inspected_on=D(2026, 3, 3),
            certificate_number="YS-1",
            sample_size=2,
            inspectors="张三",
            lines=[{"delivery_line_id": dl.pk, **result}],
        )
    assert exc.value.code == code and exc.value.details["row"] == 1
    assert not Acceptance.objects.exists() and ledger == []
    delivery.refresh_from_db()
    assert delivery.status == "arrived"


def test_acceptance_needs_every_line_arrival_and_once(city_contracts, province_user, ledger):
    contract = city_contracts["430100"]
    jacket, shirt = line(contract, "DRESS-JACKET"), line(contract, "DRESS-SHIRT")
    announced = deliver(contract, "B0", [{"contract_line_id": jacket.pk, "quantity": 1}], delivered_on=None)
    with pytest.raises(Conflict) as exc:
        services.acceptance_record(
            actor=province_user,
            delivery=announced,
            inspected_on=D(2026, 3, 3),
            certificate_number="YS-0",
            sample_size=1,
            inspectors="张三",
            lines=[],
        )
    assert exc.value.code == "not_arrived"
    delivery = deliver(
        contract,
        "B1",
        [{"contract_line_id": jacket.pk, "quantity": 5}, {"contract_line_id": shirt.pk, "quantity": 5}],
    )
    first = delivery.lines.order_by("id").first()
    args = dict(
        actor=province_user,
        delivery=delivery,
        inspected_on=D(2026, 3, 3),
        certificate_number="YS-1",
        sample_size=2,
        inspectors="张三",
    )
    with pytest.raises(QMError) as exc:
        services.acceptance_record(**args, lines=[{"delivery_line_id": first.pk, "accepted": 5}])
    assert exc.value.code == "lines_missing"
    full = [{"delivery_line_id": dl.pk, "accepted": 5} for dl in delivery.lines.all()]
    services.acceptance_record(**args, lines=full)
    with pytest.raises(Conflict):
        services.acceptance_record(**{**args, "certificate_number": "YS-2"}, lines=full)
    assert sum(g.quantity for g in ledger) == 10


def test_a_failing_ledger_undoes_the_acceptance(city_contracts, province_user):
    def broken(goods):
        raise RuntimeError("ledger down")

    services.on_accepted(broken)
    try:
        contract = city_contracts["430100"]
        delivery = deliver(
            contract, "B1", [{"contract_line_id": line(contract, "DRESS-SHIRT").pk, "quantity": 3}]
        )
        with pytest.raises(RuntimeError):
            services.acceptance_record(
                actor=province_user,
                delivery=delivery,
                inspected_on=D(2026, 3, 3),
                certificate_number="YS-1",
                sample_size=1,
                inspectors="张三",
                lines=[{"delivery_line_id": delivery.lines.get().pk, "accepted": 3}],
            )
    finally:
        services._accept_hooks.remove(broken)
    assert not Acceptance.objects.exists()
    assert Delivery.objects.get(number="B1").status == "arrived"


def test_delivery_rules(city_contracts, province_user, org, awarded):
    contract = city_contracts["430100"]
    jacket = line(contract, "DRESS-JACKET")
    with pytest.raises(QMError) as exc:
        deliver(contract, "B1", [{"contract_line_id": jacket.pk, "quantity": 63}])
    assert exc.value.code == "over_delivery" and exc.value.details["owed"] == 62
    with pytest.raises(QMError) as exc:
        deliver(contract, "B1", [{"contract_line_id": jacket.pk, "quantity": 1}], destination=org["430200"])
    assert exc.value.code == "bad_destination"
    zhuzhou_county = next(
        u for u in org.values() if u.level == "county" and u.path.startswith(org["430200"].path)
    )
    with pytest.raises(QMError) as exc:  # a county of another city
        deliver(contract, "B1", [{"contract_line_id": jacket.pk, "quantity": 1}], destination=zhuzhou_county)
    assert exc.value.code == "bad_destination"
    other = line(city_contracts["430200"], "DRESS-JACKET")
    with pytest.raises(QMError) as exc:
        deliver(contract, "B1", [{"contract_line_id": other.pk, "quantity": 1}])
    assert exc.value.details == {"row": 1, "field": "contract_line_id"}
    assert not Delivery.objects.exists()
