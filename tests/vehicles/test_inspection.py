import datetime

import pytest

from core.errors import QMError
from vehicles import services
from vehicles.inspection import ART16_RULES, next_due

from .conftest import days, next_plate

D = datetime.date


def chain(rule, registered, n):
    """The first n due dates of a vehicle inspected on each due date's first day of the month."""
    out, last = [], None
    for _ in range(n):
        due = next_due(rule, registered, last).date
        out.append(due)
        last = due.replace(day=1)
    return out


def test_small_passenger_car_two_yearly_then_yearly_after_6_then_half_yearly_after_15():
    dues = chain("small_passenger", D(2020, 3, 15), 14)
    assert dues[:4] == [D(2022, 3, 31), D(2024, 3, 31), D(2026, 3, 31), D(2027, 3, 31)]
    assert D(2035, 3, 31) in dues  # the 15th anniversary
    after15 = dues[dues.index(D(2035, 3, 31)) + 1]
    assert after15 == D(2035, 9, 30)  # then every 6 months
    assert dues[dues.index(D(2035, 3, 31)) - 1] == D(2034, 3, 31)  # yearly from 6 to 15


def test_goods_vehicle_yearly_for_10_years_then_every_6_months():
    dues = chain("goods_or_large_passenger", D(2015, 6, 10), 12)
    assert dues[:2] == [D(2016, 6, 30), D(2017, 6, 30)]
    assert dues[9] == D(2025, 6, 30) and dues[10] == D(2025, 12, 31) and dues[11] == D(2026, 6, 30)


def test_operating_passenger_yearly_for_5_years_then_half_yearly():
    dues = chain("operating_passenger", D(2020, 1, 10), 7)
    assert dues[4] == D(2025, 1, 31) and dues[5] == D(2025, 7, 31) and dues[6] == D(2026, 1, 31)


def test_motorcycle_two_yearly_for_4_years_then_yearly():
    assert chain("motorcycle", D(2021, 5, 1), 4) == [
        D(2023, 5, 31),
        D(2025, 5, 31),
        D(2026, 5, 31),
        D(2027, 5, 31),
    ]


def test_other_vehicles_yearly():
    assert chain("other", D(2024, 8, 20), 3) == [D(2025, 8, 31), D(2026, 8, 31), D(2027, 8, 31)]


def test_rule_table_is_art16_as_data():
    assert ART16_RULES["small_passenger"] == [(0, 24), (6, 12), (15, 6)]
    assert ART16_RULES["goods_or_large_passenger"] == [(0, 12), (10, 6)]


def test_early_inspection_within_3_months_moves_to_the_next_cycle_date():
    # due 2026-03-31; inspected on 2026-01-20 (within 3 months) → the next date after it
    assert next_due("small_passenger", D(2020, 3, 15), D(2026, 1, 20)).date == D(2027, 3, 31)
    # inspected 5 months early: the due date in force stays
    assert next_due("small_passenger", D(2020, 3, 15), D(2025, 10, 20)).date == D(2026, 3, 31)


def test_late_inspection_keeps_the_cycle_of_the_registration_date():
    assert next_due("goods_or_large_passenger", D(2020, 6, 10), D(2022, 8, 3)).date == D(2023, 6, 30)


def test_month_end_registration():
    assert next_due("small_passenger", D(2020, 2, 29)).date == D(2022, 2, 28)
    assert next_due("other", D(2023, 1, 31)).date == D(2024, 1, 31)


def test_registration_computes_due_and_inspection_moves_it(allocation, make_vehicle):
    v = make_vehicle("430100")
    assert v.inspection_due is None
    registered = days(-400)
    v = services.vehicle_register(actor=None, vehicle=v, plate=next_plate(), registered_on=registered)
    assert v.inspection_due == next_due("small_passenger", registered).date and not v.inspection_due_manual
    v = services.vehicle_update(actor=None, vehicle=v, vehicle_type="goods")
    assert v.inspection_due == next_due("goods_or_large_passenger", registered).date
    record = services.inspection_record(actor=None, vehicle=v, inspected_on=days(-10))
    v.refresh_from_db()
    assert (
        record.next_due
        == v.inspection_due
        == next_due("goods_or_large_passenger", registered, days(-10)).date
    )


def test_failed_inspection_changes_no_date(allocation, make_vehicle):
    v = make_vehicle("430100", registered=True)
    due = v.inspection_due
    services.inspection_record(actor=None, vehicle=v, inspected_on=days(-1), passed=False, note="制动不合格")
    v.refresh_from_db()
    assert v.inspection_due == due and v.inspections.count() == 1


def test_due_date_is_editable_and_can_go_back_to_computed(allocation, make_vehicle, changsha_user):
    v = make_vehicle("430100", registered=True)
    computed = v.inspection_due
    v = services.vehicle_set_inspection_due(actor=changsha_user, vehicle=v, due=days(40), reason="按行驶证")
    assert v.inspection_due == days(40) and v.inspection_due_manual
    v = services.vehicle_update(actor=changsha_user, vehicle=v, vehicle_type="goods")
    assert v.inspection_due == days(40)  # a date set by hand is kept
    v = services.vehicle_set_inspection_due(actor=changsha_user, vehicle=v, due=None, reason="恢复计算")
    assert not v.inspection_due_manual and v.inspection_due != days(40)
    assert v.inspection_due == next_due("goods_or_large_passenger", v.registered_on).date
    assert computed is not None


def test_inspection_errors(allocation, make_vehicle):
    v = make_vehicle("430100")
    with pytest.raises(QMError) as exc:
        services.inspection_record(actor=None, vehicle=v, inspected_on=days(-1))
    assert exc.value.details["field"] == "registered_on"
    v = make_vehicle("430100", registered=True)
    with pytest.raises(QMError) as exc:
        services.inspection_record(actor=None, vehicle=v, inspected_on=days(2))
    assert exc.value.code == "future_date"
    with pytest.raises(QMError) as exc:
        services.inspection_record(actor=None, vehicle=v, inspected_on=days(-1), next_due=days(-5))
    assert exc.value.details["field"] == "next_due"
    assert v.inspections.count() == 0
