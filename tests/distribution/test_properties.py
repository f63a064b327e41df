"""Ledger conservation for any sequence of operations (hypothesis): after every step, shipped = received + in
transit + short per unit × item × gender × size, no guarded balance is negative, and the summaries agree
with the ledger. Refused operations must change nothing."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import QMError
from distribution import selectors as sel
from distribution import services as svc
from distribution.models import DiscrepancyCase, Movement, Shipment
from personnel.services import officer_transfer
from tests.distribution.conftest import receive
from tests.personnel.factories import OfficerFactory

ITEMS = [("DRESS-JACKET", "175/92A"), ("DRESS-JACKET", "180/96A"), ("INS-TIE", "-")]
OPS = [
    "receive",
    "ship_city",
    "ship_county",
    "confirm",
    "issue",
    "exchange",
    "return",
    "transfer",
    "stocktake",
    "settle",
    "reverse",
]

step = st.tuples(st.sampled_from(OPS), st.integers(0, 2), st.integers(0, 12), st.integers(0, 5))


@pytest.fixture
def world(org, catalog, province_user, changsha_user, make_user):
    return {
        "org": org,
        "province": province_user,
        "city": changsha_user,
        "county": {"430121": make_user("county", "430121"), "430112": make_user("county", "430112")},
        "officers": [
            OfficerFactory(unit=org["430121"]),
            OfficerFactory(unit=org["430121"]),
            OfficerFactory(unit=org["430112"]),
        ],
    }


def apply(w, op, i, q, k):
    org, prov, city = w["org"], w["province"], w["city"]
    item, size = ITEMS[i]
    line = [{"item": item, "gender": "M", "size": size, "quantity": max(q, 1)}]
    county_code = "430121" if k % 2 else "430112"
    officer = w["officers"][k % len(w["officers"])]
    officer.refresh_from_db()
    if op == "receive":
        receive(prov, org, line, doc=f"D{Movement.objects.count()}")
    elif op == "ship_city":
        s = svc.shipment_create(actor=prov, from_unit=org["430000"], to_unit=org["430100"], lines=line)
        svc.shipment_dispatch(actor=prov, shipment=s)
    elif op == "ship_county":
        s = svc.shipment_create(actor=city, from_unit=org["430100"], to_unit=org[county_code], lines=line)
        svc.shipment_dispatch(actor=city, shipment=s)
    elif op == "confirm":
        s = Shipment.objects.filter(status="dispatched").order_by("id").first()
        if s is None:
            return
        user = city if s.to_unit.code == "430100" else w["county"][s.to_unit.code]
        lines = [
            {"line_id": ln.pk, "received": min(ln.quantity, q), "reason": "missing"} for ln in s.lines.all()
        ]
        excess = [{"item": item, "gender": "M", "size": size, "quantity": k}] if k > 3 else []
        svc.shipment_confirm(actor=user, shipment=s, lines=lines, excess=excess)
    elif op == "issue":
        svc.kit_issue(
            actor=w["county"].get(officer.unit.code, prov),
            unit=officer.unit,
            officers=[officer],
            sizes={officer.pk: {"DRESS-JACKET": size if item == "DRESS-JACKET" else "175/92A"}},
        )
    elif op == "exchange":
        other = "180/96A" if size == "175/92A" else "175/92A"
        svc.kit_exchange(
            actor=prov,
            officer=officer,
            item="DRESS-JACKET",
            from_size=size if size != "-" else "175/92A",
            to_size=other,
        )
    elif op == "return":
        svc.kit_return(
            actor=prov, officer=officer, lines=[{"item": item, "size": size, "quantity": max(q % 3, 1)}]
        )
    elif op == "transfer":
        target = org["430112"] if officer.unit.code == "430121" else org["430121"]
        officer_transfer(actor=prov, officer=officer, to_unit=target)
    elif op == "stocktake":
        st_ = svc.stocktake_submit(
            actor=w["county"][county_code],
            unit=org[county_code],
            lines=[{"item": item, "gender": "M", "size": size, "counted": q, "reason": "盘点"}],
        )
        svc.stocktake_decide(actor=city, stocktake=st_, approve=bool(k % 2))
    elif op == "settle":
        case = DiscrepancyCase.objects.filter(status="open").first()
        if case is not None:
            outcome = ["write_off", "claim", "reship"][k % 3]
            svc.case_settle(
                actor=prov, case=case, outcome=outcome, supplier="s" if outcome == "claim" else None
            )
    elif op == "reverse":
        m = Movement.objects.exclude(kind="reversal").order_by("-id").first()
        if m is not None:
            svc.movement_reverse(actor=prov, movement=m, note="更正")


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=4, max_size=14))
def test_any_sequence_keeps_the_ledger_balanced(world, steps):
    for op, i, q, k in steps:
        before = Movement.objects.count()
        try:
            apply(world, op, i, q, k)
        except QMError:
            assert Movement.objects.count() == before  # refused: nothing written
        assert svc.ledger_verify() == []
    units = sel.progress_units(world["province"], "430100")
    for row in sel.progress_rows(units):
        assert row["shipped"] == row["received"] + row["in_transit"] + row["short"], row
