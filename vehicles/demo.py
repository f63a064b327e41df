"""Demo data for vehicles: the allocation of the 122 posts, purchases at every stage (Yiyang and Shaoyang
furthest), ~47 vehicles of which 41 carry plates, their papers (two running out soon), mileage.
Idempotent (skipped when the first allocation document is on record); dates are relative to today."""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from personnel.models import Officer, OrgUnit

from . import plates, services, vin
from .choices import FundingSource, PolicyKind, PurchaseStage, QuotaRecordKind, VehicleStatus, VehicleType
from .models import QuotaRecord

FIRST_DOC = "湘交执法〔2025〕18号"
# 122 posts by each city's expressway mileage and toll stations (a plausible split; sums to 122).
ALLOCATION = {
    "430100": 12,
    "430200": 8,
    "430300": 6,
    "430400": 11,
    "430500": 10,
    "430600": 9,
    "430700": 9,
    "430800": 5,
    "430900": 8,
    "431000": 11,
    "431100": 9,
    "431200": 11,
    "431300": 7,
    "433100": 6,
}
# (brand, model, WMI, type, price in yuan, new-energy)
MODELS = [
    ("大众", "途观L 330TSI 四驱", "LSV", VehicleType.SMALL_PASSENGER, "229800", False),
    ("长城", "哈弗H9 2.0T 四驱", "LGW", VehicleType.SMALL_PASSENGER, "209800", False),
    ("比亚迪", "宋PLUS DM-i", "LGX", VehicleType.SMALL_PASSENGER, "169800", True),
    ("丰田", "汉兰达 2.0T", "LVG", VehicleType.SMALL_PASSENGER, "269800", False),
    ("五十铃", "D-MAX 皮卡 执法装备车", "LWL", VehicleType.GOODS, "159800", False),
]
EQUIPMENT = ["示警灯具", "警报器", "执法记录仪", "反光锥 10个", "灭火器", "急救箱", "车载对讲机"]
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
# city → (purchase stage, vehicles, offset of each stage in days before today, vehicles in service)
PLAN = {
    "430900": (PurchaseStage.IN_SERVICE, 8, [420, 400, 360, 320, 300, 290], 8),
    "430500": (PurchaseStage.IN_SERVICE, 10, [405, 385, 345, 305, 285, 275], 10),
    "430100": (PurchaseStage.REGISTERED, 12, [300, 270, 220, 150, 120], 0),
    "430400": (PurchaseStage.REGISTERED, 11, [260, 240, 180, 110, 90], 5),
    "431000": (PurchaseStage.DELIVERED, 6, [200, 170, 90, 30], 0),
    "430600": (PurchaseStage.CONTRACT_SIGNED, 9, [160, 120, 45], 0),
    "430700": (PurchaseStage.PROCUREMENT, 9, [100, 60], 0),
    "430200": (PurchaseStage.BUDGET_APPROVED, 8, [20], 0),
}
INSURERS = [
    "中国人民财产保险股份有限公司湖南省分公司",
    "中国平安财产保险股份有限公司湖南分公司",
    "中国太平洋财产保险股份有限公司湖南分公司",
]


def make_vin(rng: random.Random, wmi: str, year_code: str) -> str:
    body = (
        wmi
        + "".join(rng.choice(VIN_CHARS) for _ in range(5))
        + "0"
        + year_code
        + rng.choice("ABCDE")
        + f"{rng.randrange(10**6):06d}"
    )
    return vin.with_check_character(body)


def make_plate(rng: random.Random, city_code: str, new_energy: bool, used: set[str]) -> str:
    """A plate of the city's own office (vehicles/data/plate_offices.json): never a police plate, never
    another city's letter, so the demo's register carries no plate warning."""
    letter = plates.offices()["letters"][city_code][0]
    while True:
        if new_energy:
            plate = f"湘{letter}F{rng.randrange(10**5):05d}"
        else:
            plate = f"湘{letter}{rng.choice('0123456789ABCDEFGHJKLMNPQRSTUVWXYZ')}{rng.randrange(10**4):04d}"
        if plate not in used:
            used.add(plate)
            return plate


def seed(*, seed: int, stdout, today: datetime.date | None = None) -> None:
    if QuotaRecord.objects.filter(doc_number=FIRST_DOC).exists():
        stdout.write("vehicles: demo already loaded")
        return
    rng = random.Random(seed)
    today = today or timezone.localdate()

    def ago(days: int) -> datetime.date:
        return today - datetime.timedelta(days=days)

    units = {u.code: u for u in OrgUnit.objects.filter(level__in=["city", "county"]).select_related("city")}
    counties: dict[str, list[OrgUnit]] = {}
    for u in units.values():
        if u.level == "county":
            counties.setdefault(u.city.code, []).append(u)
    with transaction.atomic():
        services.quota_record_create(
            actor=None,
            doc_number=FIRST_DOC,
            doc_date=ago(450),
            kind=QuotaRecordKind.ALLOCATION,
            reason="高速公路路政执法职责下放市州，分配执法车辆编制122个",
            total_change=122,
            lines=[{"city_code": c, "quota": q} for c, q in ALLOCATION.items()],
        )
        services.quota_record_create(
            actor=None,
            doc_number="湘交执法〔2026〕7号",
            doc_date=ago(200),
            kind=QuotaRecordKind.TRANSFER,
            reason="怀化新增高速通车里程，从湘潭调剂1个编制",
            lines=[{"city_code": "430300", "change": -1}, {"city_code": "431200", "change": 1}],
        )
        used_plates: set[str] = set()
        n_vehicles = 0
        soon = []
        for city_code, (_stage, quantity, offsets, in_service) in PLAN.items():
            city = units[city_code]
            purchase = services.purchase_create(
                actor=None,
                city=city,
                title=f"{city.name[:3]}高速公路路政执法车辆购置",
                quantity=quantity,
                stage_date=ago(offsets[0]),
                budget_amount=Decimal(quantity * 235000),
                document=f"{city.name[:2]}财预〔{ago(offsets[0]).year}〕{rng.randrange(10, 99)}号",
            )
            brand, model, wmi, vtype, price, nev = MODELS[list(PLAN).index(city_code) % (len(MODELS) - 1)]
            steps = [
                PurchaseStage.PROCUREMENT,
                PurchaseStage.CONTRACT_SIGNED,
                PurchaseStage.DELIVERED,
                PurchaseStage.REGISTERED,
                PurchaseStage.IN_SERVICE,
            ]
            vehicles = []
            for step, days in zip(steps, offsets[1:], strict=False):
                if step == PurchaseStage.DELIVERED:
                    holders = [city] + counties.get(city_code, [])
                    for i in range(quantity):
                        b, m, w, t, p, e = MODELS[4] if i % 5 == 4 else (brand, model, wmi, vtype, price, nev)
                        vehicles.append(
                            services.vehicle_create(
                                actor=None,
                                owning_unit=holders[i % len(holders)],
                                vin_code=make_vin(rng, w, "S" if days > 330 else "T"),
                                brand=b,
                                model=m,
                                engine_number=f"{w[1:]}{rng.randrange(10**7):07d}",
                                vehicle_type=t,
                                purchase_date=ago(days),
                                purchase_price=Decimal(p),
                                purchase=purchase,
                                funding_source=FundingSource.PROVINCIAL if i % 2 else FundingSource.CITY,
                                equipment=EQUIPMENT[: 4 + i % 4],
                            )
                        )
                        vehicles[-1]._new_energy = e
                if step == PurchaseStage.REGISTERED:
                    for i, v in enumerate(vehicles):
                        plate = make_plate(rng, city_code, v._new_energy, used_plates)
                        v = vehicles[i] = services.vehicle_register(
                            actor=None, vehicle=v, plate=plate, registered_on=ago(days + 3)
                        )
                        services.policy_add(
                            actor=None,
                            vehicle=v,
                            kind=PolicyKind.COMPULSORY,
                            insurer=INSURERS[i % 3],
                            policy_number=f"PDZA{rng.randrange(10**15)}",
                            starts_on=ago(days + 6),
                            ends_on=ago(days + 6) + datetime.timedelta(365),
                        )
                        services.policy_add(
                            actor=None,
                            vehicle=v,
                            kind=PolicyKind.COMMERCIAL,
                            insurer=INSURERS[i % 3],
                            policy_number=f"PDAA{rng.randrange(10**15)}",
                            starts_on=ago(days + 6),
                            ends_on=ago(days + 6) + datetime.timedelta(365),
                        )
                        services.vehicle_update(
                            actor=None,
                            vehicle=v,
                            livery_fitted=True,
                            warning_lights_fitted=i < in_service or city_code != "430100",
                        )
                    for v in vehicles[:in_service]:
                        services.vehicle_set_status(
                            actor=None,
                            vehicle=v,
                            status=VehicleStatus.IN_SERVICE,
                            reason="交付使用",
                        )
                        services.odometer_record(
                            actor=None, vehicle=v, read_on=ago(days), km=rng.randrange(8, 60)
                        )
                        services.odometer_record(
                            actor=None, vehicle=v, read_on=ago(7), km=rng.randrange(6000, 22000)
                        )
                    drivers = list(
                        Officer.objects.eligible().filter(unit__city=city).order_by("id")[:in_service]
                    )
                    for v, officer in zip(vehicles, drivers, strict=False):
                        services.vehicle_assign(actor=None, vehicle=v, driver=officer)
                document = {
                    PurchaseStage.CONTRACT_SIGNED: f"HT-{city_code}-{ago(days).year}-0{rng.randrange(1, 9)}",
                    PurchaseStage.PROCUREMENT: "采购意向公开",
                }.get(step, "")
                services.purchase_advance(
                    actor=None,
                    purchase=purchase,
                    stage=step,
                    date=ago(days),
                    document=document,
                    contract_amount=Decimal(quantity) * Decimal(price)
                    if step == PurchaseStage.CONTRACT_SIGNED
                    else None,
                    supplier=f"湖南{brand}汽车销售服务有限公司"
                    if step == PurchaseStage.CONTRACT_SIGNED
                    else None,
                )
            n_vehicles += len(vehicles)
            if city_code in ("430900", "430500") and vehicles:
                soon.append(vehicles[0])
        # Two vehicles whose papers run out soon: an older road-administration car transferred in (outside
        # the 122) whose yearly compulsory policy ends in 6 days, and an inspection due in 25 days.
        old = services.vehicle_create(
            actor=None,
            owning_unit=units["430900"],
            vin_code=make_vin(rng, "LFV", "K"),
            brand="大众",
            model="帕萨特 1.8T",
            plate=make_plate(rng, "430900", False, used_plates),
            vehicle_type=VehicleType.SMALL_PASSENGER,
            purchase_date=ago(7 * 365 - 30),
            purchase_price=Decimal("209800"),
            funding_source=FundingSource.TRANSFERRED,
            counts_against_quota=False,
            registered_on=ago(7 * 365 - 25),
            livery_fitted=True,
            warning_lights_fitted=True,
            status=VehicleStatus.IN_SERVICE,
            equipment=EQUIPMENT[:3],
            remarks="原公路局路政车辆划转",
        )
        services.policy_add(
            actor=None,
            vehicle=old,
            kind=PolicyKind.COMPULSORY,
            insurer=INSURERS[0],
            policy_number=f"PDZA{rng.randrange(10**15)}",
            starts_on=ago(359),
            ends_on=ago(359) + datetime.timedelta(365),
        )
        services.inspection_record(
            actor=None, vehicle=old, inspected_on=ago(345), station_name="益阳市机动车检测站"
        )
        services.odometer_record(actor=None, vehicle=old, read_on=ago(3), km=186_420)
        n_vehicles += 1
        services.vehicle_set_inspection_due(
            actor=None,
            vehicle=soon[0],
            due=today + datetime.timedelta(25),
            reason="按行驶证记载",
        )
        services.maintenance_record(
            actor=None,
            vehicle=soon[0],
            date=ago(5),
            kind="service",
            description="首次保养",
            cost=Decimal("680.00"),
            workshop="益阳大众4S店",
            odometer_km=soon[0].odometer_readings.first().km + 40,
        )
    stdout.write(f"vehicles: allocation of 122 loaded, {len(PLAN)} purchases, {n_vehicles} vehicles")
