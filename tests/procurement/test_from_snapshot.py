"""Contract lines from a frozen demand snapshot (assets) — the wiring between demand and the tender."""

import pytest

from assets.services import snapshot_create
from core.errors import QMError
from procurement import services
from tests.personnel.factories import OfficerFactory

from .conftest import PRICES


@pytest.fixture
def snap(org, catalog):
    # Changsha: 3 men 173/92/76 (→ 175/92A, cap 57); Zhuzhou: 1 man the same and 1 special body (made to measure)
    for _ in range(3):
        OfficerFactory(unit=org["430121"])
    OfficerFactory(unit=org["430200"])
    OfficerFactory(unit=org["430200"], chest_cm=100, waist_cm=100)  # chest − waist = 0: special body
    return snapshot_create(actor=None, note="test")


def test_per_city_contracts_take_snapshot_quantities_with_margin(awarded, snap):
    contracts = services.contracts_create_from_snapshot(
        actor=None, award=awarded, snapshot=snap, unit_prices=PRICES, per_city=True
    )
    by_city = {c.buyer.code: c for c in contracts}
    assert set(by_city) == {"430100", "430200"} and all(c.snapshot_id == snap.pk for c in contracts)
    cs = {(ln.item.code, ln.size): ln.quantity for ln in by_city["430100"].lines.filter(kind="standard")}
    # 3 jackets → ⌈3×103/100⌉ = 4; 2 shirts each → 6 → ⌈6.18⌉ = 7; 3 caps → 4
    assert cs == {("DRESS-JACKET", "175/92A"): 4, ("DRESS-SHIRT", "175/92A"): 7, ("CAP-PEAKED", "57"): 4}
    zz = by_city["430200"]
    # the special body's garments are per-officer lines; his cap is a normal size
    mtm = list(zz.lines.filter(kind="mtm").values_list("item__code", flat=True))
    assert sorted(mtm) == ["DRESS-JACKET", "DRESS-SHIRT"]
    std = {(ln.item.code, ln.size): ln.quantity for ln in zz.lines.filter(kind="standard")}
    # caps 57: Changsha 3 + Zhuzhou 2 = 5 → the provincial order ⌈5 × 1.03⌉ = 6; the one spare goes to the
    # larger remainder (3 × 1 mod 5 = 3 against 2): Changsha 4, Zhuzhou 2, never ⌈2 × 1.03⌉ = 3 on its own
    assert std[("CAP-PEAKED", "57")] == 2
    assert cs[("CAP-PEAKED", "57")] + std[("CAP-PEAKED", "57")] == 6


def test_unknown_snapshot_is_refused(awarded, snap):
    with pytest.raises(QMError, match="需求快照"):
        services.contracts_create_from_demand(
            actor=None,
            award=awarded,
            rows=[],
            unit_prices=PRICES,
            made_to_measure=[],
            snapshot_id=snap.pk + 999,
        )


def test_api_from_snapshot(api, awarded, snap, province_user, changsha_user):
    payload = {
        "snapshot_id": snap.pk,
        "unit_prices": {k: str(v) for k, v in PRICES.items()},
        "per_city": False,
    }
    assert (
        api.as_(changsha_user)
        .post(f"/procurement/awards/{awarded.pk}/contracts/from-snapshot", payload)
        .status_code
        == 403
    )
    r = api.as_(province_user).post(f"/procurement/awards/{awarded.pk}/contracts/from-snapshot", payload)
    assert r.status_code == 201, r.content
    assert r.json()[0]["snapshot_id"] == snap.pk and r.json()[0]["buyer"] == "430000"


def test_per_city_contract_lines_add_up_to_the_provincial_order(awarded, snap):
    from collections import Counter

    from assets.selectors import snapshot_order_lines

    contracts = services.contracts_create_from_snapshot(
        actor=None, award=awarded, snapshot=snap, unit_prices=PRICES, per_city=True
    )
    summed = Counter()
    for c in contracts:
        for ln in c.lines.filter(kind="standard"):
            summed[(ln.item.code, ln.gender, ln.size)] += ln.quantity
    lot_items = set(awarded.lot.items.values_list("code", flat=True))
    province = {
        (r["item_code"], r["gender"], r["size"]): r["order_quantity"]
        for r in snapshot_order_lines(snap)
        if r["item_code"] in lot_items
    }
    assert dict(summed) == province and len(province) >= 3
    for c in contracts:  # and each city's lines are what the snapshot says that city's share is
        mine = {
            (r["item_code"], r["gender"], r["size"]): r["order_quantity"]
            for r in snapshot_order_lines(snap, c.buyer.code)
            if r["item_code"] in lot_items
        }
        assert {
            (ln.item.code, ln.gender, ln.size): ln.quantity for ln in c.lines.filter(kind="standard")
        } == mine
