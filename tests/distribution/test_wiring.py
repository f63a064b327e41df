"""Where distribution meets the other modules: procurement's acceptance books stock; plans from a snapshot."""

import datetime
from decimal import Decimal

import pytest

from assets.services import snapshot_create
from distribution import services
from distribution.models import AllocationPlan
from procurement import services as proc
from tests.personnel.factories import OfficerFactory
from tests.procurement.conftest import PRICES, ROWS, awarded, credit_code, make_supplier, make_tender  # noqa: F401

D = datetime.date


@pytest.fixture
def catalog(db):
    from assets.catalog import load_catalog

    load_catalog()


def _store(unit_code):
    from distribution.models import Location
    from personnel.models import OrgUnit

    loc = services.unit_location(OrgUnit.objects.get(code=unit_code))
    return {(k[0], k[1], k[2]): v for k, v in services.balance(Location.objects.get(pk=loc.pk)).items()}


def test_accepted_goods_reach_the_ledger_and_rejected_never(awarded, province_user):
    contracts = proc.contracts_create_from_demand(
        actor=None, award=awarded, rows=ROWS, unit_prices=PRICES, per_city=True
    )
    changsha = next(c for c in contracts if c.buyer.code == "430100")
    proc.contract_sign(actor=None, contract=changsha, signed_on=D(2026, 2, 10))
    jacket = changsha.lines.get(item__code="DRESS-JACKET")  # 60 ordered → 62 with the margin
    delivery = proc.delivery_create(
        actor=None,
        contract=changsha,
        number="B-1",
        destination=changsha.buyer,
        planned_on=D(2026, 3, 1),
        delivered_on=D(2026, 3, 2),
        lines=[{"contract_line_id": jacket.pk, "quantity": 50}],
    )
    dl = delivery.lines.get()
    proc.acceptance_record(
        actor=province_user,
        delivery=delivery,
        inspected_on=D(2026, 3, 3),
        certificate_number="YS-T-1",
        sample_size=5,
        inspectors="省厅",
        lines=[{"delivery_line_id": dl.pk, "accepted": 46, "rejected": 4, "reason": "色差"}],
    )
    stock = _store("430100")
    assert sum(stock.values()) == 46
    assert list(stock.values()) == [46] and next(iter(stock))[2] == jacket.size


def test_plan_from_a_snapshot_takes_the_city_rows(catalog, org, province_user):
    for _ in range(2):
        OfficerFactory(unit=org["430121"])
    OfficerFactory(unit=org["430200"])
    snap = snapshot_create(actor=None)
    plan = services.plan_build(
        actor=province_user, city=org["430100"], rows=[], spare_share=Decimal("0.05"), snapshot_id=snap.pk
    )
    assert plan.snapshot_id == snap.pk
    city_lines = {
        (ln.item.code, ln.size): (ln.quantity, ln.spare) for ln in plan.lines.filter(unit=org["430100"])
    }
    assert city_lines[("DRESS-JACKET", "175/92A")] == (2, 1)  # 2 officers × 1, spare ⌈0.1⌉ = 1
    assert city_lines[("DRESS-SHIRT", "175/92A")] == (4, 1)
    with pytest.raises(Exception, match="需求快照"):
        services.plan_build(
            actor=province_user,
            city=org["430100"],
            rows=[],
            spare_share=Decimal("0.05"),
            snapshot_id=snap.pk + 99,
        )
    assert AllocationPlan.objects.count() == 1
