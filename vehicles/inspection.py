"""When a vehicle must next be inspected (检验有效期至), from its type and age.

Source: 中华人民共和国道路交通安全法实施条例 (State Council decree 405, 2004), Art. 16:
  (一) 营运载客汽车 5年以内每年检验1次；超过5年的，每6个月检验1次；
  (二) 载货汽车和大型、中型非营运载客汽车 10年以内每年检验1次；超过10年的，每6个月检验1次；
  (三) 小型、微型非营运载客汽车 6年以内每2年检验1次；超过6年的，每年检验1次；超过15年的，每6个月检验1次；
  (四) 摩托车 4年以内每2年检验1次；超过4年的，每年检验1次；
  (五) 拖拉机和其他机动车 每年检验1次。
Art. 16 counts the years from the registration date (注册登记之日). The 2014 and 2022 reforms of the
Ministry of Public Security change which of these inspections is done on site and which by a sticker
(免检), not the dates the regulation sets, so the table below is Art. 16 as written. The result is a
proposal: staff may overwrite the due date on the vehicle (it is editable, and the change is recorded).

Rule of application (how stations apply it): the cycle runs from the registration date; the interval
from one due date to the next is the one for the vehicle's age at the earlier date ("超过6年" starts with
the inspection of the 6th anniversary); the certificate is valid to the end of the due month; an
inspection may be done up to 3 months before the due date (Art. 16's companion rule in the 机动车登记规定),
and then the next cycle date counts.
"""

import calendar
import datetime
from dataclasses import dataclass

# rule key → [(from age in years, interval in months)], ascending. Data, with the article clause.
ART16_RULES: dict[str, list[tuple[int, int]]] = {
    "operating_passenger": [(0, 12), (5, 6)],  # (一)
    "goods_or_large_passenger": [(0, 12), (10, 6)],  # (二)
    "small_passenger": [(0, 24), (6, 12), (15, 6)],  # (三)
    "motorcycle": [(0, 24), (4, 12)],  # (四)
    "other": [(0, 12)],  # (五)
}
EARLY_WINDOW_MONTHS = 3


@dataclass(frozen=True)
class Due:
    date: datetime.date
    interval_months: int
    rule: str


def add_months(day: datetime.date, months: int) -> datetime.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def end_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def age_years(registered_on: datetime.date, on: datetime.date) -> int:
    years = on.year - registered_on.year
    if (on.month, on.day) < (registered_on.month, registered_on.day):
        years -= 1
    return years


def interval_months(rule: str, age: int) -> int:
    months = None
    for from_age, interval in ART16_RULES[rule]:
        if age >= from_age:
            months = interval
    return months


def cycle(rule: str, registered_on: datetime.date):
    """The due dates of the cycle (end of month), starting with the first after registration."""
    point = registered_on
    while True:
        months = interval_months(rule, age_years(registered_on, point))
        point = add_months(point, months)
        yield Due(end_of_month(point), months, rule)


def next_due(rule: str, registered_on: datetime.date, inspected_on: datetime.date | None = None) -> Due:
    """检验有效期至 for a vehicle registered on `registered_on` and last inspected on `inspected_on`
    (None: never inspected since registration)."""
    if rule not in ART16_RULES:
        raise ValueError(f"unknown inspection rule {rule}")
    if inspected_on is None:
        return next(cycle(rule, registered_on))
    threshold = add_months(inspected_on, EARLY_WINDOW_MONTHS)
    for due in cycle(rule, registered_on):
        if due.date > threshold:
            return due
    raise AssertionError("unreachable")  # pragma: no cover
