"""Working days: the chinese-calendar package (State Council holidays and make-up working days, its data
ends with 2026) plus the Holiday table provincial logistics extends in the admin for later years.

A date in a year with neither is never counted as a plain weekday: it raises CalendarMissing.
Counting (期间计算): a period runs from the day after the event that starts it; a period that ends on a
non-working day ends on the next working day.
"""

import datetime

import chinese_calendar
from django.utils.translation import gettext

from core.errors import QMError

ONE_DAY = datetime.timedelta(days=1)


class CalendarMissing(QMError):
    def __init__(self, year: int):
        super().__init__(
            "calendar_missing",
            gettext("{year}年工作日数据缺失，请在节假日表中录入国务院办公厅公布的放假安排").format(year=year),
            {"year": year},
        )
        self.year = year


class WorkCalendar:
    """Built once per check from the Holiday table (a few dozen rows), then pure."""

    def __init__(self, overrides: dict[datetime.date, bool] | None = None):
        if overrides is None:
            from .models import Holiday

            overrides = {h.date: h.kind == "workday" for h in Holiday.objects.all()}
        self.overrides = overrides
        self.table_years = {d.year for d in overrides}

    def has_data(self, year: int) -> bool:
        if year in self.table_years:
            return True
        try:
            chinese_calendar.is_workday(datetime.date(year, 6, 1))
        except NotImplementedError:
            return False
        return True

    def is_workday(self, day: datetime.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year in self.table_years:
                return day.weekday() < 5
            raise CalendarMissing(day.year) from None

    def roll_forward(self, day: datetime.date) -> datetime.date:
        """The day itself if it is a working day, else the next working day."""
        while not self.is_workday(day):
            day += ONE_DAY
        return day

    def add_days(self, start: datetime.date, days: int) -> datetime.date:
        """The last day of a period of `days` calendar days starting the day after `start`."""
        return self.roll_forward(start + datetime.timedelta(days=days))

    def add_working_days(self, start: datetime.date, n: int) -> datetime.date:
        """The n-th working day after `start`."""
        day = start
        while n > 0:
            day += ONE_DAY
            if self.is_workday(day):
                n -= 1
        return day

    def sub_working_days(self, end: datetime.date, n: int) -> datetime.date:
        """The n-th working day before `end`."""
        day = end
        while n > 0:
            day -= ONE_DAY
            if self.is_workday(day):
                n -= 1
        return day

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after `start` up to and including `end`."""
        n, day = 0, start
        while day < end:
            day += ONE_DAY
            if self.is_workday(day):
                n += 1
        return n

    def period_end(self, start: datetime.date, amount: int, unit: str) -> datetime.date:
        if unit == "working_days":
            return self.add_working_days(start, amount)
        return self.add_days(start, amount)

    def period_start_before(self, end: datetime.date, amount: int, unit: str) -> datetime.date:
        """The latest day an event may happen to be at least the period before `end` (counted back)."""
        if unit == "working_days":
            return self.sub_working_days(end, amount)
        return end - datetime.timedelta(days=amount)
