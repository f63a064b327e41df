"""Station equipment reference data (types, a plausible standard kit) and the demo: stations for every
county agency, a register with varied conditions and ages, one closed survey and one open survey."""

import datetime
import random
from decimal import Decimal

from django.db import transaction

from core.history import build_record, record_changes
from core.models import ChangeRecord
from personnel.choices import Level
from personnel.models import OrgUnit

from .equipment_choices import Condition, ItemStatus, ReturnStatus, StationClass, SurveyStatus
from .equipment_models import (
    EquipmentItem,
    EquipmentType,
    StandardKitLine,
    Survey,
    SurveyEntry,
    SurveyReturn,
)

C = StationClass
# code, name, English name, category, unit price estimate (CNY), service life (years)
EQUIPMENT_TYPES = [
    ("BODYCAM", "执法记录仪", "body-worn camera", "recording", "1800", 5),
    ("RECORDER-DOCK", "执法记录仪采集工作站", "body-camera docking station", "recording", "12000", 6),
    ("CAMERA", "数码相机", "digital camera", "recording", "4500", 6),
    ("INTERPHONE", "对讲机", "interphone", "communication", "1500", 6),
    ("BASE-RADIO", "车载/固定电台", "base or vehicle radio", "communication", "6500", 8),
    ("PC", "台式计算机", "desktop computer", "computing", "5500", 6),
    ("LAPTOP", "便携式计算机", "laptop", "computing", "7000", 6),
    ("PDA", "移动执法终端", "mobile enforcement terminal", "computing", "4200", 4),
    ("PRINTER", "打印机", "printer", "office", "2200", 6),
    ("PORTABLE-PRINTER", "便携式打印机", "portable printer", "office", "1600", 5),
    ("WEIGH-PAD", "便携式称重仪", "portable weighing pad", "measuring", "38000", 8),
    ("LASER-GAUGE", "激光测距/测高仪", "laser distance and height gauge", "measuring", "3500", 6),
    ("BREATH-TEST", "酒精检测仪", "breath alcohol tester", "measuring", "2600", 5),
    ("LIGHT-BAR", "车载警示灯具", "vehicle light bar", "vehicle_fitout", "4800", 6),
    ("VEHICLE-CAM", "车载视频监控", "vehicle video system", "vehicle_fitout", "9500", 6),
    ("CONE", "反光锥桶（组）", "reflective cones (set)", "protective", "600", 3),
    ("VEST", "反光背心", "reflective vest", "protective", "80", 2),
    ("FIRST-AID", "急救箱", "first-aid kit", "protective", "350", 3),
    ("EXTINGUISHER", "灭火器", "fire extinguisher", "protective", "260", 5),
]
# Standard kit per station class: type code → required quantity.
STANDARD_KIT = {
    C.HIGHWAY_DETACHMENT: {
        "BODYCAM": 8,
        "RECORDER-DOCK": 1,
        "INTERPHONE": 8,
        "BASE-RADIO": 2,
        "PC": 4,
        "PDA": 4,
        "PRINTER": 2,
        "PORTABLE-PRINTER": 2,
        "LASER-GAUGE": 1,
        "LIGHT-BAR": 2,
        "VEHICLE-CAM": 2,
        "CONE": 6,
        "VEST": 12,
        "FIRST-AID": 2,
        "EXTINGUISHER": 4,
    },
    C.OVERLOAD_CONTROL: {
        "BODYCAM": 6,
        "RECORDER-DOCK": 1,
        "INTERPHONE": 6,
        "PC": 3,
        "PRINTER": 2,
        "WEIGH-PAD": 2,
        "LASER-GAUGE": 2,
        "CAMERA": 1,
        "CONE": 8,
        "VEST": 10,
        "FIRST-AID": 1,
        "EXTINGUISHER": 4,
    },
    C.SERVICE_STATION: {
        "BODYCAM": 2,
        "INTERPHONE": 2,
        "PC": 2,
        "PRINTER": 1,
        "VEST": 4,
        "FIRST-AID": 1,
        "EXTINGUISHER": 2,
    },
    C.ENFORCEMENT_SQUADRON: {
        "BODYCAM": 6,
        "RECORDER-DOCK": 1,
        "INTERPHONE": 6,
        "PC": 3,
        "LAPTOP": 1,
        "PDA": 3,
        "PRINTER": 1,
        "PORTABLE-PRINTER": 2,
        "CAMERA": 1,
        "BREATH-TEST": 1,
        "CONE": 4,
        "VEST": 8,
        "FIRST-AID": 1,
        "EXTINGUISHER": 2,
    },
}
CLASS_NAMES = {
    C.HIGHWAY_DETACHMENT: "高速公路路政中队",
    C.OVERLOAD_CONTROL: "治超站",
    C.SERVICE_STATION: "服务站",
    C.ENFORCEMENT_SQUADRON: "执法中队",
}
PLACES = "东南西北城郊河桥湾岭塘坪铺口"


@transaction.atomic
def load_reference(actor=None) -> dict:
    """Create the equipment types and the standard kit lines that are missing (existing ones are kept as
    the province edited them). Returns counts created."""
    existing = {t.code: t for t in EquipmentType.objects.all()}
    records, n_types = [], 0
    for order, (code, name, name_en, category, price, life) in enumerate(EQUIPMENT_TYPES, start=1):
        if code in existing:
            continue
        t = EquipmentType.objects.create(
            code=code,
            name=name,
            name_en=name_en,
            category=category,
            unit_price=Decimal(price),
            service_life_years=life,
            sort_order=order * 10,
        )
        existing[code] = t
        records.append(
            build_record(actor=actor, obj=t, action=ChangeRecord.Action.CREATE, note="reference data")
        )
        n_types += 1
    have = set(StandardKitLine.objects.values_list("station_class", "equipment_type__code"))
    n_lines = 0
    for station_class, lines in STANDARD_KIT.items():
        for code, qty in lines.items():
            if (station_class.value, code) in have:
                continue
            line = StandardKitLine.objects.create(
                station_class=station_class, equipment_type=existing[code], quantity=qty
            )
            records.append(
                build_record(actor=actor, obj=line, action=ChangeRecord.Action.CREATE, note="reference data")
            )
            n_lines += 1
    record_changes(records)
    return {"types": n_types, "kit_lines": n_lines}


def _short(name: str) -> str:
    for suffix in ("交通运输综合行政执法大队", "交通运输综合行政执法局", "交通运输综合行政执法支队"):
        name = name.replace(suffix, "")
    return name


@transaction.atomic
def seed_equipment(*, seed: int, today: datetime.date | None = None, under: str | None = None) -> dict:
    """The demo: 1–3 stations per county agency (those under `under`, a unit code, when given), their
    register and two surveys. Idempotent: does nothing when stations exist already."""
    load_reference()
    if OrgUnit.objects.filter(level=Level.STATION).exists():
        return {"stations": 0, "items": 0}
    today = today or datetime.date.today()
    rng = random.Random(seed * 7 + 11)
    types = {t.code: t for t in EquipmentType.objects.all()}
    kit = {sc: {code: q for code, q in lines.items()} for sc, lines in STANDARD_KIT.items()}
    classes = list(StationClass)
    records = []
    stations = []
    counties = OrgUnit.objects.filter(level=Level.COUNTY, is_active=True).order_by("code")
    if under:
        counties = counties.filter(path__startswith=OrgUnit.objects.get(code=under).path)
    for county in counties:
        for n in range(1, rng.choice((1, 2, 2, 3)) + 1):
            station_class = rng.choice(classes)
            place = rng.choice(PLACES)
            unit = OrgUnit(
                code=f"{county.code}{n:02d}",
                name=f"{_short(county.name)}{place}{CLASS_NAMES[station_class]}",
                level=Level.STATION,
                parent=county,
                city_id=county.city_id,
                station_class=station_class,
                address=f"{_short(county.name)}G{rng.randrange(4, 99)}线K{rng.randrange(1, 300)}处",
            )
            unit.path = unit.compute_path()
            stations.append(unit)
    OrgUnit.objects.bulk_create(stations, batch_size=500)
    stations = list(OrgUnit.objects.filter(level=Level.STATION).order_by("code"))
    records += [
        build_record(actor=None, obj=s, action=ChangeRecord.Action.CREATE, note="demo data") for s in stations
    ]

    items = []
    conditions = [Condition.GOOD, Condition.FAIR, Condition.NEEDS_REPAIR, Condition.UNSERVICEABLE]
    for s in stations:
        for code, required in kit[s.station_class].items():
            t = types[code]
            have = max(
                0, required - min(required // 3, rng.choice((0, 0, 0, 1, 1, 2, 3))) + rng.choice((0, 0, 0, 1))
            )
            if rng.random() < 0.025:
                have = 0  # a required type missing entirely
            for k in range(1, have + 1):
                age_days = rng.randrange(30, 365 * (t.service_life_years + 3))
                acquired = today - datetime.timedelta(days=age_days)
                worn = age_days / (365 * t.service_life_years)
                cond = rng.choices(
                    conditions, weights=[max(1, 10 - 6 * worn), 4, 1 + 2 * worn, 0.5 + 2 * worn]
                )[0]
                items.append(
                    EquipmentItem(
                        asset_tag=f"{s.code}-{code}-{k:03d}",
                        equipment_type=t,
                        serial_number=f"{code[:3]}{s.code[-6:]}{k:03d}{rng.randrange(1000, 9999)}",
                        station=s,
                        acquired_on=acquired,
                        acquired_value=(
                            Decimal(t.unit_price) * Decimal(rng.randrange(85, 115)) / 100
                        ).quantize(Decimal("0.01")),
                        condition=cond,
                        status=ItemStatus.IN_REPAIR
                        if cond == Condition.NEEDS_REPAIR and rng.random() < 0.3
                        else ItemStatus.IN_USE,
                    )
                )
    EquipmentItem.objects.bulk_create(items, batch_size=1000)
    items = list(EquipmentItem.objects.select_related("equipment_type").order_by("pk"))
    records += [
        build_record(actor=None, obj=i, action=ChangeRecord.Action.CREATE, note="demo data") for i in items
    ]

    # A closed survey last year: every station returned and was confirmed; conditions then were a little
    # better than now for the older items.
    closed = Survey.objects.create(
        name=f"{today.year - 1}年度站所装备清查",
        opened_on=today.replace(month=1, day=1) - datetime.timedelta(days=300),
        deadline=today.replace(month=1, day=1) - datetime.timedelta(days=240),
        status=SurveyStatus.CLOSED,
        closed_on=today.replace(month=1, day=1) - datetime.timedelta(days=230),
    )
    returns = SurveyReturn.objects.bulk_create(
        [SurveyReturn(survey=closed, station=s, status=ReturnStatus.CONFIRMED) for s in stations]
    )
    by_station = {r.station_id: r for r in returns}
    entries = []
    for i in items:
        if i.acquired_on > closed.opened_on:
            continue
        rank = conditions.index(i.condition)
        then = conditions[max(0, rank - (1 if rng.random() < 0.35 else 0))]
        entries.append(SurveyEntry(survey_return=by_station[i.station_id], item=i, condition=then))
    SurveyEntry.objects.bulk_create(entries, batch_size=1000)
    counts = {c: sum(1 for e in entries if e.condition == c) for c in Condition.values}
    closed.summary = {
        "returns": {"draft": 0, "submitted": 0, "confirmed": len(stations)},
        "conditions": counts,
        "found": 0,
    }
    closed.save(update_fields=["summary"])

    # An open survey: about half the stations have graded, some submitted, a few confirmed.
    current = Survey.objects.create(
        name=f"{today.year}年度站所装备清查",
        opened_on=today - datetime.timedelta(days=20),
        deadline=today + datetime.timedelta(days=25),
    )
    status_choice = [ReturnStatus.DRAFT, ReturnStatus.DRAFT, ReturnStatus.SUBMITTED, ReturnStatus.CONFIRMED]
    open_returns = SurveyReturn.objects.bulk_create(
        [SurveyReturn(survey=current, station=s, status=rng.choice(status_choice)) for s in stations]
    )
    by_station = {r.station_id: r for r in open_returns}
    entries = []
    for i in items:
        ret = by_station[i.station_id]
        if ret.status != ReturnStatus.DRAFT or rng.random() < 0.4:
            entries.append(SurveyEntry(survey_return=ret, item=i, condition=i.condition))
    SurveyEntry.objects.bulk_create(entries, batch_size=1000)
    for s in (closed, current):
        records.append(build_record(actor=None, obj=s, action=ChangeRecord.Action.CREATE, note="demo data"))
    record_changes(records)
    return {"stations": len(stations), "items": len(items)}


def seed(*, seed: int, stdout, today: datetime.date | None = None) -> None:
    counts = seed_equipment(seed=seed, today=today)
    stdout.write(f"station equipment: {counts['stations']} stations and {counts['items']} items added")
