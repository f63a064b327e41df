import datetime
import itertools

import factory

from personnel.ids import make
from personnel.models import Officer

_serial = itertools.count(1)


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer

    name = factory.Sequence(lambda n: f"测试{n}")
    gender = "M"
    birth_date = datetime.date(1985, 6, 15)
    id_number = factory.LazyAttribute(
        lambda o: make(
            "430102",
            o.birth_date + datetime.timedelta(days=next(_serial) // 400),
            next(_serial) % 400,
            o.gender,
        )
    )
    certificate_number = factory.Sequence(lambda n: f"43{n:010d}")
    status = "serving"
    height_cm = 173
    chest_cm = 92
    waist_cm = 76
    head_cm = 57
    foot_mm = 252
