"""Plausible demo officers: names, valid ID numbers, measurements. Used by seed_demo, tests and the bench."""

import datetime
import random
from decimal import Decimal

from .choices import Gender, OfficerStatus
from .ids import make

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌辉鹏宇浩然晨阳凯峰婷雪琳颖慧亮波俊飞鑫玲"
POSTS = ["路政员", "运政员", "执法队员", "中队长", "副大队长", "大队长", "科员", "站长", "副站长"]


def _d(x: float) -> Decimal:
    return Decimal(str(round(x, 1)))


def officer_rows(
    n: int,
    unit_codes: list[str],
    weights: list[int] | None = None,
    seed: int = 1,
    regions: list[str] | None = None,
    measured_before: datetime.date | None = None,
):
    """Yield n dicts with the roll's fields (gender as 'M'/'F', statuses as values), deterministic per seed.
    Measurements are dated within about three months before `measured_before` (default: Aug–Oct 2026)."""
    rng = random.Random(seed)
    regions = regions or [
        "430102",
        "430111",
        "430202",
        "430302",
        "430405",
        "430502",
        "430602",
        "430702",
        "430802",
        "430902",
        "431002",
        "431102",
        "431202",
        "431302",
        "433101",
    ]
    seen = set()
    units = (
        rng.choices(unit_codes, weights=weights, k=n)
        if weights
        else [unit_codes[i % len(unit_codes)] for i in range(n)]
    )
    i = 0
    while i < n:
        gender = Gender.FEMALE if rng.random() < 0.18 else Gender.MALE
        birth = datetime.date(1966, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 36))
        number = make(rng.choice(regions), birth, rng.randrange(0, 500), gender)
        if number in seen:
            continue
        seen.add(number)
        male = gender == Gender.MALE
        row = {
            "name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
            "gender": gender.value,
            "id_number": number,
            "birth_date": birth,
            "certificate_number": "" if rng.random() < 0.04 else f"43{rng.randrange(10**9, 10**10)}",
            "unit": units[i],
            "post": rng.choice(POSTS),
            "status": rng.choices(
                [
                    OfficerStatus.SERVING,
                    OfficerStatus.SECONDED,
                    OfficerStatus.ON_LEAVE,
                    OfficerStatus.RETIRED,
                ],
                weights=[94, 3, 2, 1],
            )[0].value,
            "phone": f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}",
        }
        if rng.random() < 0.97:  # a few are still to be measured
            height = rng.gauss(172 if male else 161, 6)
            chest = rng.gauss(93 if male else 84, 6)
            diff = rng.gauss(14 if male else 16, 3.5)
            row.update(
                height_cm=_d(min(max(height, 150), 200)),
                chest_cm=_d(min(max(chest, 70), 125)),
                waist_cm=_d(min(max(chest - diff, 55), 125)),
                head_cm=_d(min(max(rng.gauss(57.5 if male else 55.5, 1.4), 51), 63)),
                foot_mm=Decimal(int(min(max(rng.gauss(252 if male else 232, 9), 210), 300))),
                measured_on=_measured_on(rng.randrange(8, 11), rng.randrange(1, 29), measured_before),
            )
        yield row
        i += 1


def _measured_on(month: int, day: int, before: datetime.date | None) -> datetime.date:
    if before is None:
        return datetime.date(2026, month, day)
    return before - datetime.timedelta(days=(10 - month) * 28 + 28 - day)
