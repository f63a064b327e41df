"""Working days: the chinese-calendar package (State Council holidays and make-up working days, its data
ends with 2026) plus, for later years, the HolidayYear table (each year's source, e.g. the State Council
notice, and the last day it covers) with its Holiday rows, which provincial logistics enters in the admin.

A date that neither covers is never counted as a plain weekday: it raises CalendarMissing, also for a year
entered only in part (rows up to May say nothing about October).
Counting (期间计算): a period runs from the day after the event that starts it; a period that ends on a
non-working day ends on the next working day.
"""

import datetime

import chinese_calendar
from django.utils.translation import gettext

from core.errors import QMError

ONE_DAY = datetime.timedelta(days=1)


class CalendarMissing(QMError):
    def __init__(self, year: int, covers_until: datetime.date | None = None):
        if covers_until is None:
            message = gettext("{year}年工作日数据缺失，请在节假日表中录入国务院办公厅公布的放假安排").format(
                year=year
            )
        else:
            message = gettext(
                "{year}年工作日数据只录入至 {covers_until}，其后日期无法计算工作日，请补全国务院办公厅公布的放假安排"
            ).format(year=year, covers_until=covers_until.isoformat())
        details = {"year": year}
        if covers_until is not None:
            details["covers_until"] = covers_until.isoformat()
        super().__init__("calendar_missing", message, details)
        self.year = year
        self.covers_until = covers_until


def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(datetime.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class WorkCalendar:
    """Built once per check from the HolidayYear and Holiday tables (a few dozen rows), then pure."""

    def __init__(
        self,
        overrides: dict[datetime.date, bool] | None = None,
        coverage: dict[int, datetime.date] | None = None,
    ):
        if overrides is None:  # from the database; given overrides (a test, a pure check) read nothing
            from .models import Holiday, HolidayYear

            overrides = {h.date: h.kind == "workday" for h in Holiday.objects.all()}
            if coverage is None:
                coverage = dict(HolidayYear.objects.values_list("year", "covers_until"))
        self.overrides = overrides
        self.coverage = coverage or {}  # year → the last day its entered data covers

    def has_data(self, year: int) -> bool:
        """The whole year is known (the package's years, or a HolidayYear covering 31 December)."""
        if _package_knows(year):
            return True
        until = self.coverage.get(year)
        return until is not None and until >= datetime.date(year, 12, 31)

    def is_workday(self, day: datetime.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            until = self.coverage.get(day.year)
            if until is not None and day <= until:
                return day.weekday() < 5
            raise CalendarMissing(day.year, until) from None

    def missing(self, day: datetime.date) -> CalendarMissing | None:
        """The CalendarMissing a working-day count touching `day` would raise, or None if the day is covered."""
        try:
            self.is_workday(day)
        except CalendarMissing as exc:
            return exc
        return None

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
