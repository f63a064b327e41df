"""Gap arithmetic against hand-computed expectations (see the docstring of gap_rows for the rules)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from assets import equipment_selectors as selectors
from assets import equipment_services as services
from assets.equipment_choices import StationClass
from assets.equipment_models import EquipmentType, StandardKitLine

from .equipment_fixtures import TODAY, add_item, stations  # noqa: F401

D = datetime.date


@pytest.fixture
def kit(db):
    a = EquipmentType.objects.create(
        code="A", name="甲", category="recording", unit_price=Decimal("100"), service_life_years=5
    )
    b = EquipmentType.objects.create(
        code="B", name="乙", category="computing", unit_price=Decimal("1000"), service_life_years=8
    )
    c = EquipmentType.objects.create(
        code="C", name="丙", category="protective", unit_price=Decimal("50"), service_life_years=2
    )
    ss = StationClass.SERVICE_STATION
    for t, q in ((a, 4), (b, 2), (c, 3)):
        StandardKitLine.objects.create(station_class=ss, equipment_type=t, quantity=q)
    StandardKitLine.objects.create(station_class=StationClass.OVERLOAD_CONTROL, equipment_type=a, quantity=1)
    StandardKitLine.objects.create(station_class=StationClass.OVERLOAD_CONTROL, equipment_type=b, quantity=0)
    return {"A": a, "B": b, "C": c}


@pytest.fixture
def register(kit, stations):
    a, b, c = kit["A"], kit["B"], kit["C"]
    s1, s2 = stations["cs1"], stations["ly"]
    for n in range(3):
        add_item(s1, a, f"S1-A-new{n}", acquired_on=D(2024, 1, 1))
    for n in range(2):
        add_item(s1, a, f"S1-A-old{n}", condition="fair", acquired_on=D(2019, 1, 1))  # past life (5 y)
    add_item(s1, a, "S1-A-broken", condition="unserviceable", acquired_on=D(2018, 1, 1))
    add_item(s1, a, "S1-A-repair", condition="needs_repair", acquired_on=D(2023, 1, 1))
    add_item(s1, b, "S1-B-good", acquired_on=D(2025, 1, 1))
    add_item(s1, b, "S1-B-broken", condition="unserviceable", acquired_on=D(2015, 1, 1))
    add_item(s1, b, "S1-B-disposed", status="disposed", acquired_on=D(2010, 1, 1))
    add_item(s1, b, "S1-B-transit", status="transferred", acquired_on=D(2025, 1, 1))
    for n in range(4):
        add_item(s2, a, f"S2-A-{n}", acquired_on=D(2025, 3, 1))
    add_item(s2, b, "S2-B-new", acquired_on=D(2024, 1, 1))
    add_item(s2, b, "S2-B-old", condition="fair", acquired_on=D(2017, 1, 1))  # past life (8 y)
    add_item(s2, c, "S2-C-inrepair", condition="fair", status="in_repair", acquired_on=D(2025, 1, 1))
    add_item(s2, c, "S2-C-needsrepair", condition="needs_repair", acquired_on=D(2025, 1, 1))
    # Stations of other classes: 43012102 is overload control (A × 1, nothing registered), 渌口 is a service
    # station with nothing; the city detachment's class has no kit here.
    return stations


def _rows(stations_list):
    return {(r.station_code, r.type_code): r for r in selectors.gap_rows(stations_list, today=TODAY)}


def test_station_rows_match_hand_computation(register):
    rows = _rows([register["cs1"], register["ly"]])
    s1, s2 = register["cs1"].code, register["ly"].code
    a1 = rows[(s1, "A")]
    assert (a1.required, a1.serviceable, a1.serviceable_past_life, a1.unserviceable, a1.needs_repair) == (
        4,
        5,
        2,
        1,
        1,
    )
    assert (a1.shortage, a1.renewal, a1.replacement, a1.additional, a1.need) == (0, 1, 1, 0, 1)
    assert a1.cost == Decimal("100.00") and a1.priority == 3 and a1.oldest_acquired_on == D(2018, 1, 1)
    b1 = rows[(s1, "B")]  # the disposed and the in-transit item do not count
    assert (b1.serviceable, b1.unserviceable, b1.shortage, b1.renewal, b1.replacement, b1.additional) == (
        1,
        1,
        1,
        0,
        1,
        0,
    )
    assert b1.need == 1 and b1.cost == Decimal("1000.00") and b1.priority == 2
    c1 = rows[(s1, "C")]
    assert (c1.serviceable, c1.shortage, c1.additional, c1.replacement, c1.need) == (0, 3, 3, 0, 3)
    assert c1.cost == Decimal("150.00") and c1.priority == 1 and "无可用" in c1.reason
    a2, b2, c2 = rows[(s2, "A")], rows[(s2, "B")], rows[(s2, "C")]
    assert a2.need == 0 and a2.priority == 0 and a2.cost == Decimal("0.00")
    assert (b2.serviceable, b2.serviceable_past_life, b2.shortage, b2.renewal, b2.need) == (2, 1, 0, 1, 1)
    assert b2.priority == 3 and b2.cost == Decimal("1000.00")
    # in repair (even fair) and needs-repair items are not serviceable
    assert (c2.serviceable, c2.needs_repair, c2.shortage, c2.need, c2.priority) == (0, 1, 3, 3, 1)


def test_renewal_counts_only_old_items_the_standard_relies_on(kit, stations):
    a = kit["A"]
    for n in range(3):
        add_item(stations["cs1"], a, f"new{n}", acquired_on=D(2025, 1, 1))
    for n in range(3):
        add_item(stations["cs1"], a, f"old{n}", acquired_on=D(2015, 1, 1))
    row = _rows([stations["cs1"]])[(stations["cs1"].code, "A")]
    # R=4, S=6, P=3: the 3 new items count first, so 1 old item is relied on → renew 1
    assert (row.shortage, row.renewal, row.need) == (0, 1, 1)


def test_service_life_boundary_is_inclusive(kit, stations):
    add_item(stations["cs1"], kit["C"], "c-exact", acquired_on=D(2024, 6, 30))  # exactly 2 years on TODAY
    add_item(stations["cs1"], kit["C"], "c-younger", acquired_on=D(2024, 7, 1))
    row = _rows([stations["cs1"]])[(stations["cs1"].code, "C")]
    assert (row.serviceable, row.serviceable_past_life, row.shortage, row.renewal) == (2, 1, 1, 1)


def test_roll_up_per_county_city_and_province(register, province_user, changsha_user):
    cs = selectors.gap_report(changsha_user, today=TODAY)
    # 星沙 5 (1250) + 浏阳 4 (1150) + 黄花 overload control (A × 1, nothing registered) 1 (100)
    assert cs["unit_code"] == "430100" and cs["need"] == 10 and cs["cost"] == Decimal("2500.00")
    children = {c["unit_code"]: c for c in cs["children"]}
    assert children["430121"]["need"] == 6 and children["430121"]["cost"] == Decimal("1350.00")
    assert children["430181"]["need"] == 4 and children["430181"]["cost"] == Decimal("1150.00")
    assert children["430121"]["stations_without_required"] == 2
    prov = selectors.gap_report(province_user, today=TODAY)
    by_child = {c["unit_code"]: c for c in prov["children"]}
    # 渌口 (service station, nothing at all): 4×100 + 2×1000 + 3×50 = 2550
    assert by_child["430200"]["need"] == 9 and by_child["430200"]["cost"] == Decimal("2550.00")
    assert prov["need"] == 19 and prov["cost"] == Decimal("5050.00")
    by_type = {t["type_code"]: t for t in prov["by_type"]}
    assert by_type["A"]["need"] == 1 + 0 + 1 + 4 and by_type["B"]["need"] == 1 + 1 + 2
    assert by_type["C"]["need"] == 3 + 3 + 3 and by_type["C"]["cost"] == Decimal("450.00")
    county = selectors.gap_report(changsha_user, unit_code="430121", today=TODAY)
    assert {c["unit_code"] for c in county["children"]} == {register["cs1"].code, register["cs2"].code}


def test_priority_order_none_first_then_oldest(register, changsha_user):
    rows = selectors.gap_list(changsha_user, unit_code="430100", today=TODAY)
    order = [(r.station_code, r.type_code, r.priority) for r in rows]
    s1, s2, s3 = register["cs1"].code, register["ly"].code, register["cs2"].code
    assert order == [
        (s2, "C", 1),  # none serviceable; oldest 2025-01-01
        (s1, "C", 1),  # none at all (no date) after dated ones
        (s3, "A", 1),
        (s1, "B", 2),  # short
        (s2, "B", 3),  # renewal, oldest 2017
        (s1, "A", 3),  # renewal, oldest 2018
    ]


def test_kit_changes_are_recorded_and_change_the_gap(register, province_user, changsha_user):
    line = services.kit_line_set(
        actor=province_user,
        station_class=StationClass.SERVICE_STATION,
        equipment_type=EquipmentType.objects.get(code="C"),
        quantity=0,
        note="取消",
    )
    assert line.quantity == 0
    from core.history import history_for

    assert history_for(line).first().changes["quantity"] == [3, 0]
    cs = selectors.gap_report(changsha_user, today=TODAY)
    assert cs["need"] == 10 - 6  # the two C rows (3 + 3) are gone
    with pytest.raises(Exception) as exc:
        services.kit_line_set(
            actor=changsha_user,
            station_class=StationClass.SERVICE_STATION,
            equipment_type=EquipmentType.objects.get(code="C"),
            quantity=1,
        )
    assert getattr(exc.value, "status", None) == 403


def test_gap_queries_do_not_grow_with_stations(register, province_user):
    selectors.gap_report(province_user, unit_code="430181", today=TODAY)  # memberships cached on the user
    with CaptureQueriesContext(connection) as few:
        selectors.gap_report(province_user, unit_code="430181", today=TODAY)
    with CaptureQueriesContext(connection) as many:
        selectors.gap_report(province_user, today=TODAY)
    assert len(many.captured_queries) == len(few.captured_queries) <= 6


@given(r=st.integers(1, 50), new=st.integers(0, 60), past=st.integers(0, 60), broken=st.integers(0, 60))
def test_gap_rules_hold_for_all_counts(r, new, past, broken):
    row = selectors.GapRow(
        station_id=1,
        station_code="s",
        station_name="s",
        station_path="p/",
        station_class="c",
        type_id=1,
        type_code="T",
        type_name="t",
        unit_price=Decimal("12.345"),
        required=r,
        serviceable=new + past,
        serviceable_past_life=past,
        unserviceable=broken,
    )
    selectors._compute(row, 5)
    assert row.need == row.additional + row.replacement == row.shortage + row.renewal
    assert row.serviceable - row.serviceable_past_life + row.need >= r  # buying `need` restores the standard
    assert row.need <= r and row.renewal <= past and row.replacement - row.renewal <= broken
    assert row.cost == (row.need * Decimal("12.345")).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert (row.priority == 1) == (new + past == 0)
