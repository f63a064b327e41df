"""Working days across the 2026 Spring Festival (holiday 15–23 Feb, make-up working days Sat 14 and 28 Feb)."""

import datetime

import pytest

from procurement import services
from procurement.models import Holiday
from procurement.workdays import CalendarMissing, WorkCalendar

D = datetime.date


@pytest.fixture
def cal(db):
    return WorkCalendar()


def test_spring_festival_2026_days(cal):
    assert cal.is_workday(D(2026, 2, 13))
    assert cal.is_workday(D(2026, 2, 14))  # Saturday, make-up working day
    assert not any(cal.is_workday(D(2026, 2, d)) for d in range(15, 24))
    assert cal.is_workday(D(2026, 2, 24))
    assert cal.is_workday(D(2026, 2, 28))  # Saturday, make-up working day
    assert not cal.is_workday(D(2026, 3, 1))  # an ordinary Sunday


def test_period_runs_from_the_day_after(cal):
    # 2 working days after Thursday 12 Feb: Fri 13 (1), Sat 14 make-up (2)
    assert cal.add_working_days(D(2026, 2, 12), 2) == D(2026, 2, 14)
    # after Friday 13 Feb: Sat 14 (1), then the holiday, Tue 24 (2)
    assert cal.add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert cal.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)


def test_period_ending_on_a_non_working_day_ends_on_the_next_working_day(cal):
    assert cal.add_days(D(2026, 1, 27), 20) == D(2026, 2, 24)  # 16 Feb is in the holiday
    assert cal.add_days(D(2026, 1, 25), 20) == D(2026, 2, 14)  # Saturday but a make-up working day
    assert cal.add_days(D(2026, 1, 24), 20) == D(2026, 2, 13)


def test_counting_back(cal):
    assert cal.sub_working_days(D(2026, 2, 25), 3) == D(2026, 2, 13)
    assert cal.sub_working_days(D(2026, 2, 24), 1) == D(2026, 2, 14)
    assert cal.working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == 2


def test_year_without_data_is_flagged_not_counted_as_weekdays(cal):
    with pytest.raises(CalendarMissing) as exc:
        cal.is_workday(D(2027, 3, 3))
    assert exc.value.code == "calendar_missing" and exc.value.details["year"] == 2027
    assert not cal.has_data(2027)
    with pytest.raises(CalendarMissing):
        cal.add_working_days(D(2026, 12, 30), 3)


def test_holiday_table_extends_later_years(province_user):
    services.holiday_set(actor=province_user, date=D(2027, 1, 1), kind="holiday", name="元旦")
    services.holiday_set(actor=province_user, date=D(2027, 2, 20), kind="workday", name="调休")
    assert not WorkCalendar().has_data(2027)  # rows alone say nothing of the days between them
    with pytest.raises(CalendarMissing):
        WorkCalendar().is_workday(D(2027, 1, 4))
    row = services.holiday_year_set(
        actor=province_user, year=2027, source="国务院办公厅关于2027年部分节假日安排的通知"
    )
    assert row.covers_until == D(2027, 12, 31) and row.created_by == province_user
    cal = WorkCalendar()
    assert cal.has_data(2027)
    assert not cal.is_workday(D(2027, 1, 1))  # a Friday made holiday
    assert cal.is_workday(D(2027, 2, 20))  # a Saturday made working day
    assert cal.is_workday(D(2027, 1, 4)) and not cal.is_workday(D(2027, 1, 3))
    assert cal.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_holiday_table_corrects_the_package(province_user):
    assert WorkCalendar().is_workday(D(2026, 3, 2))
    services.holiday_set(actor=province_user, date=D(2026, 3, 2), kind="holiday", name="test")
    assert not WorkCalendar().is_workday(D(2026, 3, 2))
    assert Holiday.objects.count() == 1


def test_holiday_set_only_province(changsha_user):
    from core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.holiday_set(actor=changsha_user, date=D(2027, 1, 1), kind="holiday")
    assert not Holiday.objects.exists()


def test_a_year_entered_in_part_is_known_only_up_to_its_last_day(province_user):
    """The demo's 2027 once stopped in May and 1 October counted as a plain Friday: now it is calendar_missing."""
    services.holiday_set(actor=province_user, date=D(2027, 5, 3), kind="holiday", name="劳动节")
    services.holiday_year_set(
        actor=province_user, year=2027, source="通知（上半年）", covers_until=D(2027, 5, 31)
    )
    cal = WorkCalendar()
    assert not cal.has_data(2027)
    assert cal.is_workday(D(2027, 5, 31)) and not cal.is_workday(D(2027, 5, 3))
    with pytest.raises(CalendarMissing) as exc:
        cal.is_workday(D(2027, 10, 1))
    assert exc.value.code == "calendar_missing"
    assert exc.value.details == {"year": 2027, "covers_until": "2027-05-31"}
    assert "只录入至 2027-05-31" in exc.value.message
    assert cal.missing(D(2027, 6, 1)) is not None and cal.missing(D(2027, 5, 31)) is None
    with pytest.raises(CalendarMissing):
        cal.add_working_days(D(2027, 5, 28), 3)


def test_holiday_year_needs_a_source_and_a_day_in_its_year(province_user):
    from core.errors import QMError
    from procurement.models import HolidayYear

    for kwargs, field in (
        ({"year": 2027, "source": " "}, "source"),
        ({"year": 2027, "source": "通知", "covers_until": D(2028, 1, 1)}, "covers_until"),
        ({"year": 1999, "source": "通知"}, "year"),
    ):
        with pytest.raises(QMError) as exc:
            services.holiday_year_set(actor=province_user, **kwargs)
        assert exc.value.details["field"] == field
    assert not HolidayYear.objects.exists()


def test_holiday_year_only_province_and_through_the_api(api, province_user, changsha_user):
    from core.models import ChangeRecord
    from procurement.models import HolidayYear

    r = api.as_(changsha_user).post("/procurement/holiday-years", {"year": 2027, "source": "通知"})
    assert r.status_code == 403 and not HolidayYear.objects.exists()
    r = api.as_(province_user).post(
        "/procurement/holiday-years",
        {"year": 2027, "source": "国办发明电〔2026〕号", "covers_until": "2027-06-30"},
    )
    assert r.status_code == 201 and r.json() == {
        "year": 2027,
        "source": "国办发明电〔2026〕号",
        "covers_until": "2027-06-30",
    }
    listed = api.as_(changsha_user).get("/procurement/holiday-years").json()
    assert listed == [{"year": 2027, "source": "国办发明电〔2026〕号", "covers_until": "2027-06-30"}]
    row = HolidayYear.objects.get()
    assert ChangeRecord.objects.filter(object_id=str(row.pk), action="create", actor=province_user).exists()


def test_migration_dates_entered_years_to_their_last_row(province_user):
    import importlib

    from django.apps import apps

    from procurement.models import HolidayYear

    services.holiday_set(actor=province_user, date=D(2027, 1, 1), kind="holiday", name="元旦", source="通知")
    services.holiday_set(
        actor=province_user, date=D(2027, 5, 5), kind="holiday", name="劳动节", source="通知"
    )
    migration = importlib.import_module("procurement.migrations.0004_holiday_year")
    migration.years_from_rows(apps, None)
    row = HolidayYear.objects.get(year=2027)
    assert row.covers_until == D(2027, 5, 5) and row.source == "通知"
