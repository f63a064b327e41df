"""Demand arithmetic on a small hand-made roll (tests/assets/conftest.py), expected numbers by hand."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from assets import demand, services
from assets.kit import SKIRT_CODE, kit_for
from assets.models import ItemType
from tests.personnel.factories import OfficerFactory


def rows_of(d):
    return dict(d.rows)


def test_rows_per_city_item_gender_size(roll):
    d = demand.compute()
    rows = rows_of(d)
    # a, b (county under Changsha) and i (seconded) share 175/92A; f is made to measure
    assert rows[("430100", "DRESS-JACKET", "M", "175/92A")] == 3
    assert rows[("430100", "SHIRT-SHORT", "M", "175/92A")] == 3 * 3
    assert rows[("430100", "TROUSERS", "M", "175/76A")] == 3 * 2
    assert rows[("430100", "SHOES-LEATHER", "M", "255")] == 4  # f's shoes are standard
    assert rows[("430100", "CAP-PEAKED", "M", "57")] == 4
    assert rows[("430100", "INS-ARMBAND", "M", "-")] == 4 * 6
    assert rows[("430100", "INS-NUMBER-SOFT", "M", "-")] == 4 * 2  # badges counted before numbers exist
    # the woman: her own goods, EU 37 → 235 mm
    assert rows[("430100", "DRESS-JACKET", "F", "160/84A")] == 1
    assert rows[("430100", "TROUSERS", "F", "160/68A")] == 2
    assert rows[("430100", "SHOES-LEATHER", "F", "235")] == 1
    assert rows[("430100", "CAP-PEAKED", "F", "56")] == 1
    assert rows[("430100", "INS-ARMBAND", "F", "-")] == 6
    # the province's bureau is its own city 430000
    assert rows[("430000", "DRESS-JACKET", "M", "180/100A")] == 1
    assert rows[("430000", "SHOES-WINTER", "M", "270")] == 1
    assert rows[("430000", "CAP-WINTER", "M", "58")] == 1
    # e (no waist): caps and shoes only
    assert rows[("430200", "CAP-PEAKED", "M", "57")] == 1
    assert rows[("430200", "SHOES-LEATHER", "M", "260")] == 1
    assert not [k for k in rows if k[0] == "430200" and k[1] == "DRESS-JACKET"]
    # no other Changsha men's jackets: f (made to measure) is not a row, g and h do not count
    assert sum(q for k, q in rows.items() if k[:3] == ("430100", "DRESS-JACKET", "M")) == 3
    # one belt per eligible officer: a b i c d e f = 7
    assert sum(q for k, q in rows.items() if k[1] == "INS-BELT") == 7
    assert len(d.officers) == 7
    assert d.standard_version == 1


def test_unknown_sizes_counted_per_item_with_names(roll):
    d = demand.compute()
    unknown = {u["item_code"]: u for u in d.unknown}
    assert unknown["DRESS-JACKET"]["quantity"] == {"M": 1, "F": 0}
    assert unknown["TROUSERS"]["quantity"] == {"M": 2, "F": 0}
    assert unknown["SHIRT-SHORT"]["quantity"] == {"M": 3, "F": 0}
    officer = unknown["DRESS-JACKET"]["officers"][0]
    assert officer["name"] == "戊" and officer["city_code"] == "430200"
    assert "缺少测量：腰围" in officer["reason"]
    assert "CAP-PEAKED" not in unknown and "INS-BELT" not in unknown


def test_made_to_measure_listed_per_officer_with_measurements(roll):
    d = demand.compute()
    assert [m["name"] for m in d.made_to_measure] == ["己"]
    entry = d.made_to_measure[0]
    assert entry["city_code"] == "430100"
    assert entry["measurements"]["chest_cm"] == "100.0" and entry["measurements"]["waist_cm"] == "70.0"
    items = {i["item_code"]: i["quantity"] for i in entry["items"]}
    assert items["DRESS-JACKET"] == 1 and items["TROUSERS"] == 2 and items["SHIRT-SHORT"] == 3
    assert "SHOES-LEATHER" not in items and "CAP-PEAKED" not in items
    assert "特体" in entry["items"][0]["reason"]


def test_eligibility(org, catalog):
    OfficerFactory(unit=org["430100"], status="serving")
    OfficerFactory(unit=org["430100"], status="seconded")
    for status in ("on_leave", "transferred_out", "left", "retired"):
        OfficerFactory(unit=org["430100"], status=status)
    OfficerFactory(unit=org["430100"], certificate_number="")
    d = demand.compute()
    assert d.rows[("430100", "INS-BELT", "M", "-")] == 2


def test_city_filter(roll):
    d = demand.compute(city_code="430100")
    assert {k[0] for k in d.rows} == {"430100"}
    assert d.rows[("430100", "DRESS-JACKET", "M", "175/92A")] == 3


@pytest.mark.parametrize(
    "n,expected", [(0, 0), (1, 2), (33, 34), (34, 36), (100, 103), (101, 105), (200, 206), (1000, 1030)]
)
def test_margin_rounds_up_in_integers(n, expected):
    assert demand.with_margin(n) == expected


def test_margin_other_percent():
    assert demand.with_margin(10, 0) == 10
    assert demand.with_margin(10, 5) == 11  # 10.5 → 11
    assert demand.with_margin(20, 5) == 21


def test_margin_applies_per_order_line_not_per_city():
    rows = [
        {"city_code": "430100", "item_code": "X", "gender": "M", "size": "1", "quantity": 50},
        {"city_code": "430200", "item_code": "X", "gender": "M", "size": "1", "quantity": 50},
    ]
    # one provincial order: ⌈100 × 1.03⌉ = 103
    assert demand.order_lines(rows) == [
        {"item_code": "X", "gender": "M", "size": "1", "quantity": 100, "order_quantity": 103}
    ]
    # contracts per city: ⌈50 × 1.03⌉ = 52 each
    assert demand.order_lines(rows[:1])[0]["order_quantity"] == 52


def test_skirts_count_against_trousers(roll):
    woman = roll["c"]
    rows = rows_of(demand.compute())
    assert rows[("430100", "TROUSERS", "F", "160/68A")] == 2 and not [k for k in rows if k[1] == SKIRT_CODE]
    services.skirt_choice_set(actor=None, officer=woman, skirts=1)
    rows = rows_of(demand.compute())
    assert rows[("430100", "TROUSERS", "F", "160/68A")] == 1
    assert rows[("430100", SKIRT_CODE, "F", "160/68A")] == 1
    services.skirt_choice_set(actor=None, officer=woman, skirts=2)
    rows = rows_of(demand.compute())
    assert ("430100", "TROUSERS", "F", "160/68A") not in rows
    assert rows[("430100", SKIRT_CODE, "F", "160/68A")] == 2
    lines = {(ln.item_code, ln.quantity) for ln in kit_for(woman)}
    assert (SKIRT_CODE, 2) in lines and not [c for c, _ in lines if c == "TROUSERS"]


def test_standard_revision_changes_demand_and_is_named(roll, province_user):
    services.standard_revise(
        actor=province_user,
        changes=[{"item_code": "INS-BELT", "qty_per_officer": 2}],
        note="两条腰带 two belts",
    )
    d = demand.compute()
    assert d.standard_version == 2
    assert sum(q for k, q in d.rows.items() if k[1] == "INS-BELT") == 14
    assert ItemType.objects.get(code="INS-BELT").qty_per_officer == 2


def test_withdrawn_item_drops_out(roll, province_user):
    item = ItemType.objects.get(code="INS-TIE")
    services.item_type_update(actor=province_user, item=item, is_active=False, note="不再配发")
    d = demand.compute()
    assert not [k for k in d.rows if k[1] == "INS-TIE"]
    assert d.standard_version == 2


def test_officer_moved_counts_under_new_city(roll, org):
    a = roll["a"]
    a.unit = org["430200"]
    a.save()
    rows = rows_of(demand.compute())
    assert rows[("430100", "DRESS-JACKET", "M", "175/92A")] == 2
    assert rows[("430200", "DRESS-JACKET", "M", "175/92A")] == 1


def test_kit_for_uses_current_standard(roll, province_user):
    a = roll["a"]
    services.standard_revise(
        actor=province_user,
        changes=[{"item_code": "SHIRT-SHORT", "qty_per_officer": 4}],
        note="湿热地区 hot region",
    )
    lines = {ln.item_code: ln for ln in kit_for(a)}
    assert lines["SHIRT-SHORT"].quantity == 4
    assert lines["DRESS-JACKET"].size.code == "175/92A"
    assert lines["SHOES-LEATHER"].size.code == "255"
    assert len(lines) == 26


def test_measurement_change_moves_size(roll):
    a = roll["a"]
    a.waist_cm = Decimal("80.1")  # 92 − 80.1 = 11.9 → 12: still A; bottom 2×⌊81.1/2⌋ = 80
    a.save()
    rows = rows_of(demand.compute())
    assert rows[("430100", "TROUSERS", "M", "175/80A")] == 2
    assert rows[("430100", "TROUSERS", "M", "175/76A")] == 4


def test_query_count_does_not_grow_with_the_roll(org, catalog, django_assert_max_num_queries):
    for _ in range(3):
        OfficerFactory(unit=org["430100"])
    with django_assert_max_num_queries(4) as few:
        demand.compute()
    for _ in range(30):
        OfficerFactory(unit=org["430200"], gender="F")
    with django_assert_max_num_queries(len(few.captured_queries)):
        d = demand.compute()
    assert d.rows[("430200", "INS-BELT", "F", "-")] == 30


def test_kit_for_in_bulk_makes_no_query_per_officer(roll, django_assert_num_queries):
    from assets.kit import standard_quantities

    quantities = standard_quantities()
    with django_assert_num_queries(0):
        lines = kit_for(roll["c"], quantities=quantities, skirts=1)
    by_code = {ln.item_code: ln.quantity for ln in lines}
    assert by_code["TROUSERS"] == 1 and by_code[SKIRT_CODE] == 1
    assert {ln.name for ln in lines if ln.item_code == "CAP-PEAKED"} == {"卷檐帽"}


def test_split_margin_follows_sizing_md_example():
    from assets.demand import split_margin

    # SIZING.md: N = 101 split 60 / 41, s = 4: 2.376 / 1.624 → 2 and 1, the piece left to the larger remainder
    assert split_margin({"430100": 60, "430200": 41}) == {"430100": 62, "430200": 43}
    # ties go to the smaller city code
    assert split_margin({"430200": 50, "430100": 50}) == {"430100": 52, "430200": 51}
    assert split_margin({"430100": 0}) == {"430100": 0}


@hsettings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([f"43{n:02d}00" for n in range(1, 15)]), st.integers(0, 5000), min_size=1
    ),
    st.integers(0, 20),
)
def test_city_lines_add_up_to_the_provincial_order(by_city, percent):
    """For any split of a line over the cities, the cities' lines sum to ⌈N × (100+m)/100⌉ exactly, each city
    gets at least its own demand, and no city gets more than one piece above its proportional share."""
    from assets.demand import split_margin, with_margin

    out = split_margin(by_city, percent)
    total = sum(by_city.values())
    assert sum(out.values()) == with_margin(total, percent)
    spare = with_margin(total, percent) - total
    for city, n in by_city.items():
        assert out[city] >= n
        if total:
            assert abs((out[city] - n) - spare * n / total) < 1


def test_order_lines_per_city_share_the_provincial_order():
    from assets.demand import order_lines

    rows = [
        {"city_code": "430100", "item_code": "CAP", "gender": "M", "size": "57", "quantity": 60},
        {"city_code": "430200", "item_code": "CAP", "gender": "M", "size": "57", "quantity": 41},
        {"city_code": "430200", "item_code": "CAP", "gender": "M", "size": "58", "quantity": 1},
    ]
    province = {(r["size"]): r["order_quantity"] for r in order_lines(rows)}
    assert province == {"57": 105, "58": 2}
    cs = order_lines(rows, city_code="430100")
    zz = order_lines(rows, city_code="430200")
    assert [(r["size"], r["quantity"], r["order_quantity"]) for r in cs] == [("57", 60, 62)]
    assert [(r["size"], r["quantity"], r["order_quantity"]) for r in zz] == [("57", 41, 43), ("58", 1, 2)]
