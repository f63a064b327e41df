import datetime
import math
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from procurement.money import line_amount, price, with_margin
from procurement.workdays import WorkCalendar

CAL = WorkCalendar(overrides={})  # the chinese-calendar package only (no database)
# the package's data ends with 2026; the latest start plus the longest period (40 days) and a holiday stays inside it
DAYS = st.dates(min_value=datetime.date(2025, 1, 1), max_value=datetime.date(2026, 11, 10))


@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=0, max_value=20))
def test_margin_is_the_exact_ceiling(n, m):
    q = with_margin(n, m)
    assert q == math.ceil(Fraction(n * (100 + m), 100))
    assert q >= n and (q - 1) * 100 < n * (100 + m)


@given(
    st.integers(min_value=1, max_value=10**6),
    st.decimals(min_value="0.000001", max_value="99999.999999", places=6),
)
def test_line_amount_within_half_a_fen(quantity, unit_price):
    exact = Fraction(quantity) * Fraction(price(unit_price))
    assert abs(Fraction(line_amount(quantity, unit_price)) - exact) <= Fraction(1, 200)


@settings(max_examples=60)
@given(DAYS, st.integers(min_value=1, max_value=20))
def test_working_day_counts_invert(day, n):
    end = CAL.add_working_days(day, n)
    assert CAL.is_workday(end) and CAL.working_days_between(day, end) == n
    assert CAL.sub_working_days(end, n) <= day


@settings(max_examples=60)
@given(DAYS, st.integers(min_value=1, max_value=40))
def test_calendar_period_ends_on_the_first_working_day_from_the_nominal_end(day, n):
    end = CAL.add_days(day, n)
    nominal = day + datetime.timedelta(days=n)
    assert end >= nominal and CAL.is_workday(end)
    assert all(not CAL.is_workday(nominal + datetime.timedelta(days=k)) for k in range((end - nominal).days))
