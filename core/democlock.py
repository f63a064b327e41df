"""The demo's clock: seed_demo tells its story on the days it happened (a delivery three weeks ago, kits
issued last week), through the same services users call, which take the time from django.utils.timezone.

`demo_clock(day, hour)` moves Django's clock to that day and hour (Beijing time) for the block, ticking
on from there, so every timestamp the services write (ledger rows, shipments, the change history, model
defaults) reads as that moment. Only the demo commands and tests use it; nothing in a request does.
"""

import datetime
from contextlib import contextmanager
from unittest import mock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone as dj_timezone

_real_datetime = datetime.datetime


class _AnyDatetime(type):
    # the stand-in below must still accept every real datetime in Django's isinstance checks
    def __instancecheck__(cls, obj):
        return isinstance(obj, _real_datetime)

    def __subclasscheck__(cls, sub):
        return issubclass(sub, _real_datetime)


def moment(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """That day and hour in the users' time zone (Asia/Shanghai), aware."""
    return _real_datetime.combine(day, datetime.time(hour, minute), tzinfo=ZoneInfo(settings.TIME_ZONE))


@contextmanager
def demo_clock(day: datetime.date, hour: int = 10, minute: int = 0):
    """Django's now() reads as `day` at `hour`:`minute` local time, plus the time spent in the block."""
    start = _real_datetime.now(datetime.UTC)
    offset = moment(day, hour, minute) - start

    class ShiftedDatetime(_real_datetime, metaclass=_AnyDatetime):
        @classmethod
        def now(cls, tz=None):
            return _real_datetime.now(tz) + offset

    # django.utils.timezone.now() calls the module's `datetime.now`: replacing that name also moves
    # fields whose default is the function itself (default=timezone.now, auto_now_add)
    with mock.patch.object(dj_timezone, "datetime", ShiftedDatetime):
        yield
